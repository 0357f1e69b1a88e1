"""Several at once and shell completion: ``remove A B C``; Tab completes episode ids
(show, remove, edit, --video, video:), --mode values and the query's filter names,
quickly (no entry, index or pydantic is read) and quietly when there is no home."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.output.completion import FILTER_NAMES
from chaptersearch.search.query import FILTERS

from .conftest import Run
from .helpers import talk, vtt_text

IDS = ("alpha-one", "alpha-two", "beta")


@pytest.fixture
def library(run: Run, tmp_path: Path) -> Run:
    for name in IDS:
        path = tmp_path / f"{name}.vtt"
        path.write_text(vtt_text(talk(60.0, {5.0: f"words of {name}"})), encoding="utf-8")
        assert run("add", str(path), "--title", name.title()).exit_code == 0
    return run


def complete(words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """What bash's Tab offers after ``words`` (the last word is the one being typed)."""
    parts = words.split(" ")
    return subprocess.run(
        [sys.executable, "-m", "chaptersearch"],
        env={
            **os.environ,
            **(env or {}),
            "_CHAPTERSEARCH_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def offered(words: str) -> list[str]:
    done = complete(words)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_remove_takes_several_ids(library: Run, home: Home) -> None:
    result = library("remove", "alpha-o", "beta")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == ["removed alpha-one: Alpha-One", "removed beta: Beta"]
    assert sorted(path.stem for path in home.library.glob("*.json")) == ["alpha-two"]
    hits = library("search", "words", "--json")
    assert "alpha-two" in hits.stdout and "beta" not in hits.stdout


def test_one_unknown_id_removes_nothing(library: Run, home: Home) -> None:
    result = library("remove", "beta", "gamma")
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: no episode 'gamma'")
    assert len(list(home.library.glob("*.json"))) == 3


def test_an_id_named_twice_is_removed_once(library: Run) -> None:
    result = library("remove", "beta", "bet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "removed beta: Beta\n"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("chaptersearch show alpha", ["alpha-one", "alpha-two"]),
        ("chaptersearch show ", list(IDS)),
        ("chaptersearch edit b", ["beta"]),
        ("chaptersearch remove beta alpha-t", ["alpha-two"]),
        ("chaptersearch search words --video a", ["alpha-one", "alpha-two"]),
        ("chaptersearch search --mode h", ["hybrid"]),
        ("chaptersearch search --mode ", ["words", "meaning", "hybrid"]),
        ("chaptersearch search ch", ["chapter:", "channel:"]),
        ("chaptersearch search video:alpha-o", ["video:alpha-one"]),
        ("chaptersearch --color a", ["auto", "always"]),
    ],
)
def test_tab_completes(library: Run, words: str, expected: list[str]) -> None:
    assert offered(words) == expected


def test_completion_reads_the_home_given_before_the_command(
    library: Run, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHAPTERSEARCH_HOME")
    assert offered(f"chaptersearch --home {home.root} show al") == ["alpha-one", "alpha-two"]


@pytest.mark.parametrize(
    "env", [{"CHAPTERSEARCH_HOME": "/nonexistent/home"}, {"CHAPTERSEARCH_HOME": "   "}]
)
def test_no_home_completes_nothing_and_never_fails(env: dict[str, str]) -> None:
    done = complete("chaptersearch show ", env)
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, [], "")


def test_a_home_that_is_a_file_completes_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a home")
    done = complete("chaptersearch remove ", {"CHAPTERSEARCH_HOME": str(tmp_path / "file")})
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, [], "")


def test_completion_stays_light(library: Run) -> None:
    """Every Tab is a new process: it lists file names and reads no entry, no index and
    no data model (pydantic and Whoosh cost more than the completion itself)."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(' '.join(sorted(\n"
        "    name for name in ('pydantic', 'whoosh') if name in sys.modules))))\n"
        "from chaptersearch.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            **os.environ,
            "_CHAPTERSEARCH_COMPLETE": "complete_bash",
            "COMP_WORDS": "chaptersearch show al",
            "COMP_CWORD": "2",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["alpha-one", "alpha-two"]
    assert done.stderr == ""


def test_the_filter_names_are_the_querys() -> None:
    assert FILTER_NAMES == FILTERS
