"""Adding again: what is unchanged is skipped, and what a folder's chapters files say of
their episodes is used."""

import shutil
from pathlib import Path

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library

from .conftest import Run
from .helpers import talk, vtt_text


def changelog_folder(shared: Path, tmp_path: Path) -> Path:
    """Two real Changelog episodes, each with its chapters file beside it."""
    folder = tmp_path / "jsparty"
    folder.mkdir()
    for number in ("228", "229"):
        for suffix in (".vtt", ".chapters.json"):
            source = shared / "corpora" / "changelog" / "jsparty" / f"{number}{suffix}"
            shutil.copy(source, folder / source.name)
    return folder


def test_a_folder_with_chapters_files_added_again_is_skipped(
    shared: Path, run: Run, home: Home, tmp_path: Path
) -> None:
    folder = changelog_folder(shared, tmp_path)
    first = run("add", str(folder))
    assert first.exit_code == 0, first.stderr
    assert first.stderr.startswith("added 2 episodes")
    again = run("add", str(folder))
    assert again.exit_code == 0, again.stderr
    assert "skipped 2 already in the library" in again.stderr
    assert "updated" not in again.stderr


def test_the_same_channel_given_again_is_a_skip(run: Run, home: Home, tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text(vtt_text(talk(120.0, {})), encoding="utf-8")
    assert run("add", str(path), "--channel", "Tiny Show").exit_code == 0
    again = run("add", str(path), "--channel", "Tiny Show")
    assert "skipped 1 already in the library" in again.stderr and "updated" not in again.stderr
    renamed = run("add", str(path), "--channel", "Tinier Show")
    assert "updated 1 episode" in renamed.stderr
    assert Library(home.library).load("a").channel == "Tinier Show"


def test_a_folders_json_chapters_title_the_episodes_unless_the_user_did(
    shared: Path, run: Run, home: Home, tmp_path: Path
) -> None:
    folder = changelog_folder(shared, tmp_path)
    assert run("add", str(folder)).exit_code == 0
    library = Library(home.library)
    episode = library.load("228")
    assert (episode.title, episode.channel) == ("Live from Remix Conf!", "jsparty")
    assert run("add", str(folder / "229.vtt"), "--title", "Mine").exit_code == 0
    assert library.load("229").title == "Mine"
