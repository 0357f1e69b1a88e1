"""Shared test helpers: a fresh home per test, the CLI runner, and synthetic episodes."""

import errno
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from chaptersearch.cli import app, hoist_global_options
from chaptersearch.library.home import Home

from .helpers import SHARED, talk, vtt_text


@pytest.fixture(autouse=True)
def no_models_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test loads its own models and matrices: one a test stood in for the default
    model (a hashing embedder under the default's folder) must not answer the next."""
    monkeypatch.setattr("chaptersearch.search.meaning._LOADED", {})


@pytest.fixture
def shared() -> Path:
    """The shared folder beside the checkout; tests that need it skip in a user's clone."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    root = tmp_path / "home"
    monkeypatch.setenv("CHAPTERSEARCH_HOME", str(root))
    monkeypatch.setenv("NO_COLOR", "1")
    return Home(root)


Run = Callable[..., Result]


@pytest.fixture
def run(home: Home) -> Run:
    """Invoke the CLI against the test's home, with stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, hoist_global_options(list(args)), prog_name="chaptersearch")

    return invoke


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The links ``open`` hands to the browser, caught before any browser starts."""
    links: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *_, **__: links.append(url) or True)
    return links


@pytest.fixture
def netflix_like(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A 50-minute transcript and a chapters file, with known words at known seconds."""
    said = {
        2165.0: "we call it the keeper test",
        2170.0: "if someone wanted to leave would you fight to keep them",
        600.0: "the origins of python go back to the nineties",
        1200.0: "the open connect network caches video near viewers",
        1205.0: "and the origins",
        1210.0: "of python are not part of that story",
    }
    transcript = tmp_path / "episode.vtt"
    transcript.write_text(vtt_text(talk(3000.0, said)), encoding="utf-8")
    chapters = tmp_path / "chapters.txt"
    chapters.write_text(
        "(00:00) Intro\n(09:00) History lesson\n(18:00) Open Connect\n(36:01) The Keeper Test\n"
        "(45:00) Wrap up\n",
        encoding="utf-8",
    )
    yield transcript, chapters


class FullDisk:
    """Files the index creates, on a disk with ``room`` bytes left: a write past it
    fails with ENOSPC, as a real full disk makes Whoosh's writes fail."""

    def __init__(self, wrapped: Any, budget: list[int]) -> None:
        self.wrapped = wrapped
        self.budget = budget

    def write(self, data: bytes) -> int:
        if len(data) > self.budget[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.budget[0] -= len(data)
        written: int = self.wrapped.write(data)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


@pytest.fixture
def fill_disk() -> Iterator[Any]:
    """Call it with the bytes left for the index; ``undo()`` what it returns to free
    the disk (its own patch: the test's home stays set)."""
    from whoosh.filedb.filestore import FileStorage

    create_file = FileStorage.create_file
    with pytest.MonkeyPatch.context() as patch:

        def fill(room: int) -> pytest.MonkeyPatch:
            budget = [room]

            def limited(self: FileStorage, name: str, *args: Any, **kwargs: Any) -> Any:
                made = create_file(self, name, *args, **kwargs)
                made.file = FullDisk(made.file, budget)
                return made

            patch.setattr(FileStorage, "create_file", limited)
            return patch

        yield fill
