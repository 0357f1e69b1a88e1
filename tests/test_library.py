import json
import os
from pathlib import Path

import pytest

from chaptersearch.errors import LibraryError
from chaptersearch.library.store import Library, safe_id
from chaptersearch.models import Chapter, Cue, Episode, Origin

from .conftest import Run
from .helpers import talk, vtt_text


def make(episode_id: str = "abc", title: str = "First") -> Episode:
    return Episode(
        id=episode_id,
        title=title,
        duration=10,
        chapters=[Chapter(title="All", start=0, end=10, source="generated")],
        cues=[Cue(start=0, end=10, text="hello")],
        origin=Origin(kind="file", location="x.vtt"),
    )


def test_round_trip_and_replace(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.save(make())
    library.save(make(title="Second"))
    assert library.load("abc").title == "Second"
    assert [p.name for p in library.paths()] == ["abc.json"]


def test_failed_write_keeps_the_old_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(tmp_path / "library")
    library.save(make())

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        library.save(make(title="Second"))
    monkeypatch.undo()
    assert library.load("abc").title == "First"
    assert [p.name for p in (tmp_path / "library").iterdir()] == ["abc.json"]


def test_corrupt_entry_is_reported_not_fatal(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.save(make("good"))
    (tmp_path / "library" / "bad.json").write_text("{not json", encoding="utf-8")
    entries = list(library.episodes())
    assert isinstance(entries[0], LibraryError)
    assert "bad.json: unreadable library entry" in str(entries[0])
    assert isinstance(entries[1], Episode)


def test_remove_and_missing(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.save(make())
    library.remove("abc")
    assert not library.has("abc")
    with pytest.raises(LibraryError, match="no episode 'abc'"):
        library.remove("abc")


def test_safe_id() -> None:
    assert safe_id("042_startups and python") == "042_startups-and-python"
    assert safe_id("../../etc/passwd") == "etc-passwd"
    assert safe_id("///") == "episode"


def test_list_by_channel_and_newest_first(run: Run, tmp_path: Path) -> None:
    shows = {
        "old": ("Talk Python To Me", "2020-01-02"),
        "new": ("Talk Python To Me", "2024-05-06"),
        "other": ("Python Bytes", "2023-01-01"),
        "undated": ("Talk Python To Me", None),
    }
    for name, (channel, day) in shows.items():
        path = tmp_path / f"{name}.vtt"
        path.write_text(vtt_text(talk(60.0, {})), encoding="utf-8")
        dated = ["--published", day] if day else []
        assert run("add", str(path), "--channel", channel, *dated).exit_code == 0
    listed = run("list", "--channel", "talk python", "--newest").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["ID", "new", "old", "undated"]
    assert "2024-05-06  new" in listed[1]
    assert listed[0].index("TITLE") == listed[1].index("2024-05-06") + len("2024-05-06  ")
    rows = json.loads(run("list", "--channel", "bytes", "--json").stdout)
    assert [row["id"] for row in rows] == ["other"]
    missing = run("list", "--channel", "nobody")
    assert missing.exit_code == 2 and "no episode's channel holds 'nobody'" in missing.stderr
    near = run("list", "--channel", "Python Bites")
    assert near.stderr.strip().endswith("did you mean Python Bytes?")
