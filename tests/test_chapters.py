import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaptersearch.chapters.reading import (
    ChapterMark,
    build_chapters,
    chapter_at,
    generated_chapters,
    parse_chapter_line,
    parse_chapter_text,
    youtube_rule_notes,
    youtube_rule_problems,
)
from chaptersearch.errors import ChapterError
from chaptersearch.timecode import parse_clock

from .helpers import SHARED


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("0:00 Intro", ("0:00", "Intro")),
        ("1:02:03 - Q&A", ("1:02:03", "Q&A")),
        ("(36:01) The Keeper Test", ("36:01", "The Keeper Test")),
        ("* **[01:31](#t=01:31)** Understanding CSS", ("01:31", "Understanding CSS")),
        ("Intro 0:00", ("0:00", "Intro")),
        ("Intro - 0:00", ("0:00", "Intro")),
        ("[12:30] Deploying", ("12:30", "Deploying")),
        ("12:30 – Deploying", ("12:30", "Deploying")),
        ("12:30 — Deploying", ("12:30", "Deploying")),
        ("12:30 | Deploying", ("12:30", "Deploying")),
        ("12:30: Deploying", ("12:30", "Deploying")),
        ("- 00:12:30 Deploying", ("00:12:30", "Deploying")),
        ("1. 0:00 Intro", ("0:00", "Intro")),
        ("• 4:05 Sponsor: Sentry", ("4:05", "Sponsor: Sentry")),
        (
            "* **[10:28](#t=10:28)** Brought to you by [Sentry.io](https://sentry.io/syntax/)",
            ("10:28", "Brought to you by Sentry.io"),
        ),
    ],
)
def test_chapter_line_formats(line: str, expected: tuple[str, str]) -> None:
    assert parse_chapter_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["", "12:30", "Just prose without any time.", "[Shoelace](https://shoelace.style/)", "---"],
)
def test_lines_that_are_not_chapters(line: str) -> None:
    assert parse_chapter_line(line) is None


def test_netflix_description(shared: Path) -> None:
    text = (shared / "fixtures/chapters/netflix-sAp9RjO79cU.txt").read_text(encoding="utf-8")
    marks, notes = parse_chapter_text(text)
    assert len(marks) == 20
    assert notes == []
    keeper = [mark for mark in marks if mark.title == "The Keeper Test"]
    assert keeper == [ChapterMark(start=2161.0, title="The Keeper Test")]
    assert marks[-1].title.startswith("Elizabeth’s parting advice")


_LINK = re.compile(r"\[([0-9:]+)\]\(#t=([0-9:]+)\)")


def _syntax_files() -> list[Path]:
    folder = SHARED / "fixtures/chapters/syntax"
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


@pytest.mark.skipif(not _syntax_files(), reason="../shared is not beside this checkout")
@pytest.mark.parametrize("path", _syntax_files(), ids=lambda path: path.name[:40])
def test_syntax_show_notes(path: Path) -> None:
    """The chapters found are exactly the `[time](#t=time)` links of the show notes.

    Where a link's target disagrees with its own label (a few files have `[43:15](#t=00:00)`)
    the label is what listeners read and what we take; labels that drop the hour past
    59:59 (`59:49` then `02:12`) are read as the next hour.
    """
    text = path.read_text(encoding="utf-8")
    links = _LINK.findall(text)
    marks, _ = parse_chapter_text(text)
    assert len(marks) == len(links)
    for mark, (label, target) in zip(marks, links, strict=True):
        assert mark.start % 3600 == parse_clock(label) % 3600
        if label == target and mark.start < 3600:
            assert mark.start == parse_clock(target)
    starts = [mark.start for mark in marks]
    assert starts == sorted(starts)


def test_hour_rollover_is_noted() -> None:
    marks, notes = parse_chapter_text("0:00 Start\n30:00 Middle\n59:49 Picks\n02:12 Plugs\n")
    assert [mark.start for mark in marks] == [0, 1800, 3589, 3732]
    assert notes == ["read 02:12 after 59:49 as 1:02:12"]


def test_unsorted_times_are_not_rolled_over_early() -> None:
    marks, notes = parse_chapter_text("0:00 A\n10:00 B\n5:00 C\n")
    assert [mark.start for mark in marks] == [0, 600, 300]
    assert notes == []


def test_build_sorts_merges_and_ends() -> None:
    marks = [
        ChapterMark(600, "B"),
        ChapterMark(0, "A"),
        ChapterMark(600, "B2"),
        ChapterMark(900, "C"),
    ]
    chapters, notes = build_chapters(marks, duration=1000, source="file")
    assert [(c.title, c.start, c.end) for c in chapters] == [
        ("A", 0, 600),
        ("B / B2", 600, 900),
        ("C", 900, 1000),
    ]
    assert all(chapter.source == "file" for chapter in chapters)
    assert "merged two chapters at 10:00" in notes
    assert not any("YouTube" in note for note in notes)  # only YouTube episodes are told
    assert any("not in ascending order" in note for note in youtube_rule_notes(marks))


def test_many_chapters_at_one_second_are_one_note_and_one_short_title() -> None:
    """A list of 2,000 times at one second had made 1,999 notes (a line each on `add`)
    and a title of every title joined."""
    marks = [ChapterMark(0, "A"), *(ChapterMark(10, f"Title {n}") for n in range(1999))]
    chapters, notes = build_chapters(marks, duration=100, source="file")
    assert notes == [
        "merged 1,998 chapters into others starting at the same second (the first at 0:10)"
    ]
    assert [chapter.start for chapter in chapters] == [0, 10]
    assert len(chapters[1].title) <= 120 and chapters[1].title.startswith("Title 0 / Title 1")


def test_chapters_past_the_end_are_dropped() -> None:
    marks = [ChapterMark(0, "A"), ChapterMark(100, "B"), ChapterMark(5000, "Late")]
    chapters, notes = build_chapters(marks, duration=200, source="file")
    assert [c.title for c in chapters] == ["A", "B"]
    assert chapters[-1].end == 200
    assert "dropped 1 chapter(s) starting after the end (3:20)" in notes


def test_all_chapters_past_the_end_is_an_error() -> None:
    with pytest.raises(ChapterError, match="every chapter starts after the transcript ends"):
        build_chapters([ChapterMark(500, "A"), ChapterMark(900, "B")], duration=200, source="file")


def test_no_marks_is_an_error() -> None:
    with pytest.raises(ChapterError, match="no chapter times found"):
        build_chapters([], duration=200, source="file")


def test_time_before_first_chapter_gets_a_generated_opening() -> None:
    chapters, _ = build_chapters([ChapterMark(32, "Welcome"), ChapterMark(100, "B")], 300, "file")
    assert (chapters[0].title, chapters[0].start, chapters[0].end, chapters[0].source) == (
        "Opening",
        0,
        32,
        "generated",
    )
    assert chapters[1].source == "file"


def test_youtube_rules() -> None:
    assert youtube_rule_problems([0, 60, 120]) == []
    problems = youtube_rule_problems([5, 10])
    assert any("not 0:00" in p for p in problems)
    assert any("at least 3" in p for p in problems)
    assert any("shorter than 10 seconds" in p for p in problems)


def test_generated_chapters_tile_the_episode() -> None:
    chapters = generated_chapters(1500)
    assert [(c.start, c.end) for c in chapters] == [(0, 600), (600, 1200), (1200, 1500)]
    assert [c.title for c in chapters] == ["0:00–10:00", "10:00–20:00", "20:00–25:00"]
    assert {c.source for c in chapters} == {"generated"}
    # a short tail joins the window before it
    assert [(c.start, c.end) for c in generated_chapters(1250)] == [(0, 600), (600, 1250)]
    assert [(c.start, c.end) for c in generated_chapters(30)] == [(0, 30)]


@given(
    st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=5000),
)
def test_built_chapters_always_tile_the_episode(starts: list[int], duration: int) -> None:
    marks = [ChapterMark(float(s), f"chapter {i}") for i, s in enumerate(starts)]
    if min(starts) >= duration:
        with pytest.raises(ChapterError):
            build_chapters(marks, duration, "file")
        return
    chapters, _ = build_chapters(marks, duration, "file")
    assert chapters[0].start == 0
    assert chapters[-1].end == duration
    for earlier, later in pairwise(chapters):
        assert earlier.end == later.start
        assert earlier.start < earlier.end


def test_a_creators_short_first_chapter_is_kept_and_the_next_starts_where_they_said() -> None:
    marks = [ChapterMark(0, "Welcome"), ChapterMark(5, "Fake job postings")]
    marks += [ChapterMark(60.0 * n, f"Topic {n}") for n in range(1, 5)]
    chapters, notes = build_chapters(marks, 300.0, "file")
    assert [(c.title, c.start) for c in chapters[:2]] == [
        ("Welcome", 0.0),
        ("Fake job postings", 5.0),
    ]
    assert chapter_at(chapters, 15.0) == 1 and notes == []
