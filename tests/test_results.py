"""Results a user relies on (issue 15): the first hits are the same whatever the limit,
a passage that says every word is never lost for want of depth (item 2), and the moment
is the caption that says the words together (item 3); on made-up episodes and on Python
Bytes episodes 001-060 from ../shared/corpora."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaptersearch.hit import Hit
from chaptersearch.library.home import Home
from chaptersearch.operations import add_sources
from chaptersearch.search.engine import SearchRequest, search
from chaptersearch.sources.local import episode_from_file

from .helpers import SHARED, given, talk, vtt_text

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


QUERIES = [
    "python graph gallery",
    "python bytes podcast",
    "pytest fixtures",
    "garbage collection",
    "python type hints",
    '"reference counting"',
    "django web framework",
    "asyncio",
    "that is really cool",
    "and the of",
]
"""Queries of one to four words, rare and common (said in most passages: "that",
"the"), a quote among them."""


def _keys(hits: list[Hit]) -> list[tuple[str, str, float]]:
    return [(hit.video_id, hit.chapter_title, hit.start) for hit in hits]


def _added(
    home: Home, folder: Path, transcripts: dict[str, list[tuple[float, float, str]]]
) -> None:
    paths = []
    for name, cues in transcripts.items():
        path = folder / f"{name}.vtt"
        path.write_text(vtt_text(cues), encoding="utf-8")
        paths.append(str(path))
    add_sources(home, paths, lambda s: episode_from_file(Path(s), given()))


def test_a_passage_that_says_every_word_is_found_at_any_limit(tmp_path: Path) -> None:
    """75 passages say two of the words ten times each, and score higher in the index
    than the one passage that says all three in order; scored again, that one is best.
    It was found only when the limit made the search read past the first 50."""
    home = Home(tmp_path / "home")
    said_twice = " ".join(["alpha beta"] * 10)
    _added(
        home,
        tmp_path,
        {
            "two-words": talk(9000.0, {120.0 * n + 30: said_twice for n in range(75)}),
            "third-word": talk(9000.0, {120.0 * n + 30: "and gamma too" for n in range(75)}),
            "all-three": talk(600.0, {300.0: "we said alpha beta gamma once"}),
        },
    )
    full = search(home.index, SearchRequest("alpha beta gamma", limit=20))
    assert (full[0].video_id, full[0].start) == ("all-three", 300.0)
    for limit in (1, 2, 5, 10):
        assert _keys(search(home.index, SearchRequest("alpha beta gamma", limit=limit))) == (
            _keys(full[:limit])
        )


def test_the_best_hit_does_not_depend_on_the_limit(sixty: Home) -> None:
    """Episode 048 says "the Python Graph Gallery"; 010 only "graph" and "Python"."""
    for limit in (1, 10, 50):
        assert find(sixty, "python graph gallery", limit)[0].video_id.startswith("048")


@pytest.mark.parametrize("query", QUERIES)
def test_every_limit_gives_the_first_hits_of_a_longer_list(sixty: Home, query: str) -> None:
    full = _keys(find(sixty, query, 50))
    for limit in range(1, 50):
        assert _keys(find(sixty, query, limit)) == full[:limit], limit


def test_the_moment_is_the_caption_that_says_both_words(sixty: Home) -> None:
    """Episode 002 says "pytest" at 9:01, then "pytest … fixture" in the caption at 9:10."""
    hit = find(sixty, "pytest fixtures", limit=1)[0]
    assert hit.video_id == "002_python_bytes"
    assert hit.start == 550.08
    assert {hit.snippet[a:b].lower() for a, b in hit.highlights} >= {"pytest", "fixture"}
