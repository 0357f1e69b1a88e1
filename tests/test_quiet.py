"""Quiet when nothing is wrong: YouTube's rules for description chapters are checked only
for YouTube episodes, and warned about only when the chapters change; adding an episode
again to change it says "updated", not "added"."""

import re
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.sources.youtube import chapters_for

from .conftest import Run
from .helpers import given, talk, vtt_text

RULE = "YouTube would not show these chapters"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    episode = tmp_path / "ep.vtt"
    episode.write_text(vtt_text(talk(600.0, {5.0: "hello there"})), encoding="utf-8")
    other = tmp_path / "other.vtt"
    other.write_text(vtt_text(talk(300.0, {5.0: "another one"})), encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text("0:00 Intro\n2:00 Main\n", encoding="utf-8")
    late = tmp_path / "late.txt"
    late.write_text("0:30 Intro\n2:00 Main\n4:00 End\n", encoding="utf-8")
    return {"episode": episode, "other": other, "two": two, "late": late}


def summary(home: Home) -> str:
    return f"skipped 0 already in the library, failed 0; home {home.root}\n"


def without_count(line: str) -> str:
    """A summary line with its passage count left out."""
    return re.sub(r" \(\d+ passages\)", "", line)


def test_a_local_episode_is_not_held_to_youtubes_rules(
    run: Run, home: Home, files: dict[str, Path]
) -> None:
    added = run("add", str(files["episode"]), "--chapters", str(files["two"]))
    assert added.exit_code == 0
    assert without_count(added.stderr) == f"added 1 episode, {summary(home)}"
    edited = run("edit", "ep", "--title", "PB 20")
    assert edited.stderr == "edited ep: PB 20\n"
    assert RULE not in run("show", "ep").stdout


def test_a_youtube_episode_is_warned_once_when_its_chapters_change(
    run: Run, files: dict[str, Path]
) -> None:
    url = "https://youtu.be/sAp9RjO79cU"
    added = run("add", str(files["episode"]), "--chapters", str(files["two"]), "--url", url)
    assert added.exit_code == 0
    assert f"warning: sAp9RjO79cU: {RULE}: only 2 chapter(s)" in added.stderr
    assert RULE in run("show", "sAp9RjO79cU").stdout  # kept, for show to list
    quiet = run("edit", "sAp9RjO79cU", "--title", "Netflix")
    assert quiet.stderr == "edited sAp9RjO79cU: Netflix\n"
    again = run("add", str(files["episode"]), "--channel", "Pragmatic")
    assert RULE not in again.stderr
    changed = run("add", str(files["episode"]), "--chapters", str(files["late"]), "--url", url)
    assert f"{RULE}: the first chapter starts at 0:30, not 0:00" in changed.stderr


def test_adding_again_to_change_says_updated(run: Run, home: Home, files: dict[str, Path]) -> None:
    assert run("add", str(files["episode"])).exit_code == 0
    again = run("add", str(files["episode"]), "--channel", "Python Bytes")
    assert again.exit_code == 0
    assert without_count(again.stderr) == f"updated 1 episode, {summary(home)}"
    both = run("add", str(files["episode"]), str(files["other"]), "--refresh")
    assert without_count(both.stderr) == f"added 1 episode, updated 1, {summary(home)}"
    assert Library(home.library).load("ep").channel == "Python Bytes"


def test_youtubes_own_chapters_are_not_checked_against_its_rules() -> None:
    """Chapters YouTube shows passed its rules already (or are key moments it made)."""
    metadata = {
        "chapters": [{"start_time": 0, "title": "Intro"}, {"start_time": 120, "title": "Main"}]
    }
    chapters, notes = chapters_for(metadata, 600.0, given(), [0.0, 120.0])
    assert [chapter.title for chapter in chapters] == ["Intro", "Main"]
    assert not any(RULE in note for note in notes)


def test_a_chapters_file_for_a_youtube_video_is_checked(tmp_path: Path) -> None:
    chapters_file = tmp_path / "two.txt"
    chapters_file.write_text("0:00 Intro\n2:00 Main\n", encoding="utf-8")
    _, notes = chapters_for({}, 600.0, given(chapters_file), [0.0])
    assert any(f"{RULE}: only 2 chapter(s)" in note for note in notes)
