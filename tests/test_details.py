"""What the user gave about an episode survives every later edit and re-add: only the
details given anew change (issue 15, item 1)."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chaptersearch.models import Given, Mark

from .conftest import Run
from .helpers import DATA

EXAMPLES = DATA.parent.parent / "docs" / "examples"
FIRST = {
    "title": "Example Show 1",
    "channel": "Example Channel",
    "url": "https://example.org/episodes/1",
    "published": "2017-04-01",
    "chapters": "first",
}
NEW = {
    "title": "Renamed",
    "channel": "Other Channel",
    "url": "https://example.org/episodes/one",
    "published": "2020-02-02",
}

Expected = dict[str, str | None]
Step = tuple[Callable[[Path, Path], list[str]], Callable[[Expected], Expected]]


def _changes(**values: str | None) -> Callable[[Expected], Expected]:
    return lambda before: {**before, **values}


def _edit(*flags: str) -> Callable[[Path, Path], list[str]]:
    return lambda transcript, chapters: ["edit", "keeper-test", *flags]


def _add(*flags: str) -> Callable[[Path, Path], list[str]]:
    return lambda transcript, chapters: ["add", str(transcript), *flags]


STEPS: dict[str, Step] = {
    **{
        f"edit --{name}": (_edit(f"--{name}", value), _changes(**{name: value}))
        for name, value in NEW.items()
    },
    "edit --chapters": (
        lambda transcript, chapters: ["edit", "keeper-test", "--chapters", str(chapters)],
        _changes(chapters="second"),
    ),
    "edit --no-chapters": (_edit("--no-chapters"), _changes(chapters=None)),
    "edit --title --no-chapters": (
        _edit("--title", NEW["title"], "--no-chapters"),
        _changes(title=NEW["title"], chapters=None),
    ),
    "add": (_add(), _changes()),
    "add --refresh": (_add("--refresh"), _changes()),
    "add --chapters": (
        lambda transcript, chapters: ["add", str(transcript), "--chapters", str(chapters)],
        _changes(chapters="second"),
    ),
    **{
        f"add --{name}": (_add(f"--{name}", value), _changes(**{name: value}))
        for name, value in NEW.items()
    },
}

FIRST_CHAPTERS = ["Welcome", "Why culture documents matter", "The keeper test"]
SECOND_CHAPTERS = ["Hello", "Who we keep", "Feedback"]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    transcript = tmp_path / "keeper-test.vtt"
    transcript.write_bytes((EXAMPLES / "keeper-test.vtt").read_bytes())
    first = tmp_path / "first.txt"
    first.write_text("0:00 Welcome\n0:45 Why culture documents matter\n1:50 The keeper test\n")
    second = tmp_path / "second.txt"
    second.write_text("0:00 Hello\n1:50 Who we keep\n3:10 Feedback\n")
    return transcript, first, second


def _state(run: Run) -> Expected:
    shown = run("show", "keeper-test", "--json")
    assert shown.exit_code == 0, shown.stderr
    episode: dict[str, Any] = json.loads(shown.stdout)
    titles = [chapter["title"] for chapter in episode["chapters"]]
    sources = {chapter["source"] for chapter in episode["chapters"]}
    chapters = {
        tuple(FIRST_CHAPTERS): "first",
        tuple(SECOND_CHAPTERS): "second",
    }.get(tuple(titles))
    assert chapters is not None or sources == {"generated"}, titles
    return {
        "title": episode["title"],
        "channel": episode["channel"],
        "url": episode["url"],
        "published": episode["published"],
        "chapters": chapters,
    }


def _add_first(run: Run, transcript: Path, first: Path) -> None:
    added = run(
        "add",
        str(transcript),
        *("--title", str(FIRST["title"]), "--channel", str(FIRST["channel"])),
        *("--url", str(FIRST["url"]), "--published", str(FIRST["published"])),
        *("--chapters", str(first)),
    )
    assert added.exit_code == 0, added.stderr
    assert _state(run) == FIRST


PAIRS = [
    (first, second)
    for first in STEPS
    for second in ("edit --title", "edit --no-chapters", "add --chapters")
    if first != second
]
"""Every edit and re-add, each followed by a change of title or of chapters: the state is
checked after each of the two."""


@pytest.mark.parametrize(("one", "two"), PAIRS)
def test_edits_and_adds_keep_every_other_detail(
    run: Run, files: tuple[Path, Path, Path], one: str, two: str
) -> None:
    transcript, first, second = files
    _add_first(run, transcript, first)
    expected = dict(FIRST)
    for name in (one, two):
        command, change = STEPS[name]
        result = run(*command(transcript, second))
        assert result.exit_code == 0, result.stderr
        expected = change(expected)
        assert _state(run) == expected, name


def test_channel_filter_still_finds_an_edited_episode(
    run: Run, files: tuple[Path, Path, Path]
) -> None:
    transcript, first, second = files
    _add_first(run, transcript, first)
    assert run("edit", "keeper-test", "--chapters", str(second)).exit_code == 0
    found = run("search", "keeper", "--channel", "example channel", "--json")
    assert found.exit_code == 0, found.stderr
    assert {hit["channel"] for hit in json.loads(found.stdout)} == {"Example Channel"}


def test_merged_keeps_unset_values_unset() -> None:
    chapters = Given(chapters=[Mark(start=0.0, title="Intro")], chapters_from="/c.txt")
    title_and_chapters = Given(title="Mine").merged(chapters)
    assert title_and_chapters.model_fields_set == {"title", "chapters", "chapters_from"}
    stored = Given(title="Old", channel="Show", published=date(2017, 4, 1))
    after = stored.merged(title_and_chapters)
    assert (after.title, after.channel, after.published) == ("Mine", "Show", date(2017, 4, 1))
    assert after.chapters == chapters.chapters
