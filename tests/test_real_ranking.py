"""Results a user relies on, on Python Bytes episodes 001-060 from ../shared/corpora: the
moment is the caption that says the words together (issue 15, item 3)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaptersearch.hit import Hit
from chaptersearch.home import Home
from chaptersearch.local_source import episode_from_file
from chaptersearch.operations import add_sources
from chaptersearch.search import SearchRequest, search

from .helpers import SHARED, given

EPISODES = 60


@pytest.fixture(scope="module")
def sixty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    """Episodes 001-060, added once for the module, with no chapters (as a user would)."""
    folder = SHARED / "corpora/python-bytes/transcripts"
    if not folder.is_dir():
        pytest.skip("../shared is not beside this checkout")
    files = sorted(folder.glob("*.vtt"))[:EPISODES]
    assert files[-1].name.startswith("060")
    home = Home(tmp_path_factory.mktemp("sixty") / "home")
    details = given()
    add_sources(home, [str(path) for path in files], lambda s: episode_from_file(Path(s), details))
    yield home


def find(home: Home, query: str, limit: int = 10) -> list[Hit]:
    return search(home.index, SearchRequest(query, limit=limit, mode="words"))


def test_the_moment_is_the_caption_that_says_both_words(sixty: Home) -> None:
    """Episode 002 says "pytest" at 9:01, then "pytest … fixture" in the caption at 9:10."""
    hit = find(sixty, "pytest fixtures", limit=1)[0]
    assert hit.video_id == "002_python_bytes"
    assert hit.start == 550.08
    assert {hit.snippet[a:b].lower() for a, b in hit.highlights} >= {"pytest", "fixture"}
