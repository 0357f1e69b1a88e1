"""``stats``: times rounded, and whether the home has passage vectors, for how many
episodes, made by which model."""

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import talk, vtt_text
from .test_meaning import TinyEmbedder


def episode(tmp_path: Path, name: str, seconds: float) -> Path:
    path = tmp_path / f"{name}.vtt"
    path.write_text(vtt_text(talk(seconds, {5.0: f"words of {name}"})), encoding="utf-8")
    return path


def test_hours_are_rounded(run: Run, tmp_path: Path) -> None:
    """1,235 s is 0.343055… hours: JSON says 0.34, not a float's every digit."""
    assert run("add", str(episode(tmp_path, "a", 1235.0))).exit_code == 0
    result = run("stats", "--json")
    assert json.loads(result.stdout)["hours"] == 0.34
    assert '"hours": 0.34,' in result.stdout


def test_a_home_without_vectors_says_so(run: Run, tmp_path: Path) -> None:
    assert run("add", str(episode(tmp_path, "a", 60.0))).exit_code == 0
    text = run("stats").stdout
    assert "passage vectors: none (search by meaning: `chaptersearch rebuild --embed`)" in text
    figures = json.loads(run("stats", "--json").stdout)
    assert figures["vectors"] == {
        "episodes": 0,
        "passages": 0,
        "model": None,
        "embeds_new": False,
    }


def test_vectors_for_how_many_episodes_and_which_model(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "tiny-model"
    model.mkdir()
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    monkeypatch.setattr("chaptersearch.search.embedding.model_folder", lambda chosen=None: model)
    monkeypatch.setattr("chaptersearch.search.embedding.semantic_installed", lambda: True)
    assert run("add", str(episode(tmp_path, "a", 60.0))).exit_code == 0
    embedded = run("add", str(episode(tmp_path, "b", 60.0)), "--embed")
    assert embedded.exit_code == 0, embedded.stderr
    lines = run("stats").stdout.splitlines()
    assert (
        "passage vectors: 1 of 2 episodes (1 passage), model tiny; "
        "1 without: `chaptersearch rebuild --embed`"
    ) in lines
    figures = json.loads(run("stats", "--json").stdout)
    assert figures["vectors"] == {"episodes": 1, "passages": 1, "model": "tiny", "embeds_new": True}


def test_stats_while_another_command_writes_says_so_and_advises_no_rebuild(
    run: Run, home: Home, tmp_path: Path
) -> None:
    transcript = tmp_path / "a.vtt"
    transcript.write_text(vtt_text(talk(120.0, {})), encoding="utf-8")
    assert run("add", str(transcript)).exit_code == 0
    entry = home.library / "a.json"
    (home.library / "b.json").write_bytes(entry.read_bytes())  # not indexed yet
    assert "run `chaptersearch rebuild`" in run("stats").stdout
    with another_add(home) as pid:
        shown = run("stats").stdout
        assert f"being written: `chaptersearch add` (process {pid})" in shown
        assert "not in the index: 1 episode (b); wait for the writer to end" in shown
        assert "rebuild" not in shown.replace("rebuild --embed", "")
    assert "being written" not in run("stats").stdout  # a killed writer writes nothing


@contextmanager
def another_add(home: Home) -> Iterator[int]:
    """Another process holding the home's write lock as an ``add`` does; its pid."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(home.root), "add"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from chaptersearch.library.home import Home
with Home(Path(sys.argv[1])).writing():
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_search_during_a_first_add_says_who_writes_and_advises_no_rebuild(
    run: Run, home: Home
) -> None:
    home.make()
    with another_add(home) as pid:
        searched = run("search", "anything")
        assert searched.exit_code == 2
        assert searched.stderr == (
            f"chaptersearch: nothing is searchable in {home.root} yet: `chaptersearch add` "
            f"(process {pid}) is writing to it; search again once it has committed "
            "(within a minute) or ended\n"
        )
