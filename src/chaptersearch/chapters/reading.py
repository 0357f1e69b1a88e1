"""Chapters: read them from free text, put them in order, and make them up when missing.

Chapter lists come from YouTube descriptions, podcast show notes and hand-made files,
in many shapes (see DESIGN.md). Parsing is line by line: a line is a chapter when it
starts or ends with a clock time, once markdown links, emphasis and list bullets are
peeled off. Everything else on the page (prose, links, sponsor notes) is ignored.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..errors import ChapterError
from ..hit import ChapterSource
from ..models import MAX_SECONDS, MAX_TITLE_LENGTH, Chapter, Mark
from ..output.terminal import plural
from ..timecode import format_clock, last_at, parse_clock

_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"
_SEPARATORS = "-–—:|·•"
_SEPARATOR_CLASS = re.escape(_SEPARATORS)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LEADING = re.compile(
    rf"^[\s\[(]*(?P<clock>{_CLOCK})(?!:?\d)[\s\])]*[{_SEPARATOR_CLASS}]?\s*(?P<title>.*?)\s*$"
)
_TRAILING = re.compile(
    rf"^(?P<title>.*?)[\s{_SEPARATOR_CLASS}]*[\[(]?(?<![\d:])(?P<clock>{_CLOCK})[\])]?\s*$"
)
_HAS_WORD = re.compile(r"\w")

HOUR = 3600.0
ROLLOVER_AFTER = 45 * 60.0
"""A time without hours that drops back after this point is read as the next hour:
show notes often write 1:02:12 as 02:12 once an episode passes the hour."""

MIN_CHAPTER_SECONDS = 10.0
"""YouTube's shortest chapter: a list of more than one chapter per this many seconds on
average is thinned to chapters at least this long (a list with a chapter every second
would give an 18-minute episode over a thousand chapters, each too short to hold a
passage); a creator's lone short chapter is kept."""

GENERATED_WINDOW = 600.0
"""Length of a made-up chapter: long enough to be a topic, short enough to navigate."""


@dataclass(frozen=True)
class ChapterMark:
    """A chapter start as written in the text, before it is checked against an episode."""

    start: float
    title: str


def parse_chapter_line(line: str) -> tuple[str, str] | None:
    """The clock text and the title of one line, or None when the line is not a chapter."""
    text = _BULLET.sub("", line)
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text).strip()
    for pattern in (_LEADING, _TRAILING):
        match = pattern.match(text)
        if match:
            title = match.group("title").strip().strip(_SEPARATORS).strip()
            if _HAS_WORD.search(title):
                return match.group("clock"), title
    return None


def parse_chapter_text(text: str) -> tuple[list[ChapterMark], list[str]]:
    """Chapter marks in the order written, and notes about how any time was read."""
    marks: list[ChapterMark] = []
    notes: list[str] = []
    hour_offset = 0.0
    for line in text.splitlines():
        parsed = parse_chapter_line(line)
        if parsed is None:
            continue
        clock, title = parsed
        try:
            start = parse_clock(clock)
        except ValueError:
            continue
        has_hours = clock.count(":") == 2
        if has_hours:
            hour_offset = 0.0
        else:
            start += hour_offset
            previous = marks[-1].start if marks else 0.0
            if start < previous and previous >= ROLLOVER_AFTER and start + HOUR >= previous:
                hour_offset += HOUR
                notes.append(
                    f"read {clock} after {format_clock(previous)} as {format_clock(start + HOUR)}"
                )
                start += HOUR
        if start <= MAX_SECONDS:
            marks.append(ChapterMark(start=start, title=title))
    return marks, notes


_NUMBERED_TOPIC = re.compile(r"^[^#\n]{0,40}#\d{1,3}\s*[:.)-]\s*(?P<title>.+)$")
MAX_TITLES = 200
"""More topics than this is not a list of an episode's topics."""


def parse_chapter_titles(text: str) -> list[str]:
    """Topic titles listed without times (``read_chapter_titles`` without its notes)."""
    return read_chapter_titles(text)[0]


def read_chapter_titles(text: str) -> tuple[list[str], list[str]]:
    """Topic titles listed without times, in order, or none when the text is not such a
    list, and notes on any line with words left out and why: the numbered topics of
    show notes ("**Brian #1:** [Title](url)") when there are two or more; else top-level
    bullets or numbered lines when there are two or more; else every top-level line (a
    lone bullet among them included), when none of them is longer than a title: a real
    list's lines say "Let's talk!", "I'm a cog." or a name in quotes, and only
    paragraphs of prose are not titles (``not_titles`` says why a text is refused). At
    most ``MAX_TITLES`` are read."""
    lines: list[tuple[str, str]] = []  # (kind, title) of each line with words
    for line in text.splitlines():
        plain = _EMPHASIS.sub("", _MD_LINK.sub(r"\1", _BULLET.sub("", line))).strip()
        if not line.strip() or not _HAS_WORD.search(plain):
            continue
        match = _NUMBERED_TOPIC.match(plain)
        if line[:1] in " \t":
            lines.append(("indented", plain))
        elif match:
            lines.append(("numbered", match.group("title").strip()))
        elif _BULLET.match(line):
            lines.append(("bullet", plain))
        else:
            lines.append(("plain", plain.lstrip("#").strip()))
    kinds = [kind for kind, _ in lines]
    if kinds.count("numbered") >= 2:
        wanted, named = {"numbered"}, "numbered topics"
    elif kinds.count("bullet") >= 2:
        wanted, named = {"bullet"}, "list items"
    else:
        wanted, named = {"numbered", "bullet", "plain"}, "top-level lines"
    titles = [title for kind, title in lines if kind in wanted]
    if wanted == {"numbered", "bullet", "plain"} and any(
        len(title) > MAX_TITLE_LENGTH for title in titles
    ):
        return [], []
    notes = _left_out([title for kind, title in lines if kind not in wanted], named)
    if len(titles) > MAX_TITLES:
        notes.append(
            f"read the first {MAX_TITLES} of {len(titles):,} topics: more than that is not "
            "a list of one episode's topics"
        )
    return [title[:MAX_TITLE_LENGTH].strip() for title in titles][:MAX_TITLES], notes


def _left_out(lines: list[str], named: str) -> list[str]:
    """A note on the lines with words a list of titles left out, naming the first."""
    if not lines:
        return []
    return [f"left out {plural(len(lines), 'line')} besides the {named}: {first_of(lines)}"]


def first_of(lines: list[str]) -> str:
    """The first line (its start) and how many more: ``'Intro' and 2 more``."""
    first = repr(lines[0][:60])
    return first if len(lines) == 1 else f"{first} and {len(lines) - 1:,} more"


def untimed_lines(text: str) -> list[str]:
    """The lines of a chapters file with times that hold words but no time, Markdown
    headings aside: left out, and worth a note (in show notes, prose between the
    times is expected)."""
    return [
        line.strip()
        for line in text.splitlines()
        if _HAS_WORD.search(line)
        and not line.lstrip().startswith("#")
        and parse_chapter_line(line) is None
    ]


def not_titles(text: str) -> str:
    """Why a text without chapter times is not a list of titles either."""
    lines = [line.strip() for line in text.splitlines() if _HAS_WORD.search(line)]
    if not lines:
        return "it holds no words"
    longest = max(lines, key=len)
    if len(longest) > MAX_TITLE_LENGTH:
        return (
            f"a line of {len(longest):,} characters reads as prose, not a title "
            f"(a title is at most {MAX_TITLE_LENGTH}): {longest[:40]!r}…"
        )
    return "one line is one title, not a list of them"


def youtube_rule_problems(starts: list[float]) -> list[str]:
    """Which of YouTube's rules for description chapters a list of starts breaks.

    YouTube shows description chapters only when the first starts at 0:00, there are at
    least three, they ascend, and each lasts at least 10 seconds.
    """
    problems: list[str] = []
    if not starts:
        return ["no chapters"]
    if starts[0] != 0:
        problems.append(f"the first chapter starts at {format_clock(starts[0])}, not 0:00")
    if len(starts) < 3:
        problems.append(f"only {len(starts)} chapter(s); YouTube needs at least 3")
    if any(later <= earlier for earlier, later in pairwise(starts)):
        problems.append("chapter times are not in ascending order")
    if any(0 < later - earlier < 10 for earlier, later in pairwise(starts)):
        problems.append("a chapter is shorter than 10 seconds")
    return problems


def youtube_rule_notes(marks: Sequence[ChapterMark | Mark]) -> list[str]:
    """Notes on the YouTube rules a chapter list breaks: worth saying only of a YouTube
    episode's chapters (they could go in its description), not of a podcast's."""
    return [
        f"YouTube would not show these chapters: {problem}"
        for problem in youtube_rule_problems([mark.start for mark in marks])
    ]


def build_chapters(
    marks: Sequence[ChapterMark | Mark], duration: float, source: ChapterSource
) -> tuple[list[Chapter], list[str]]:
    """Chapters that tile ``[0, duration)``, with notes on what had to be mended.

    Marks are sorted, marks at the same second are merged (both titles kept), marks at or
    past the end are dropped, a hostile list is thinned (``_thinned``), and the time
    before the first mark becomes a generated
    "Opening" chapter, so no words fall outside a chapter.
    """
    if not marks:
        raise ChapterError("no chapter times found: expected lines such as '0:00 Intro'")
    merged: dict[float, str] = {}
    merges: list[float] = []
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start in merged:
            if len(merged[mark.start]) < MAX_TITLE_LENGTH:  # cut there anyway
                merged[mark.start] = f"{merged[mark.start]} / {mark.title}"
            merges.append(mark.start)
        else:
            merged[mark.start] = mark.title
    notes = _merge_notes(merges)
    kept = {start: title for start, title in merged.items() if start < duration}
    dropped = len(merged) - len(kept)
    if not kept:
        raise ChapterError(
            f"every chapter starts after the transcript ends ({format_clock(duration)}): "
            "is the chapters file for this episode?"
        )
    if dropped:
        notes.append(
            f"dropped {dropped} chapter(s) starting after the end ({format_clock(duration)})"
        )
    starts = _thinned(sorted(kept), duration)
    if len(starts) < len(kept):
        notes.append(
            f"dropped {len(kept) - len(starts)} chapter(s) starting less than "
            f"{MIN_CHAPTER_SECONDS:.0f} s before the next (more than one chapter per "
            f"{MIN_CHAPTER_SECONDS:.0f} s on average)"
        )
    chapters: list[Chapter] = []
    if starts[0] > 0:
        chapters.append(Chapter(title="Opening", start=0.0, end=starts[0], source="generated"))
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else duration
        chapters.append(Chapter(title=kept[start], start=start, end=end, source=source))
    return chapters, notes


def _merge_notes(merges: list[float]) -> list[str]:
    """A note per chapter merged into one at the same second, or one for them all when
    there are more than three (a hostile list had made a line for each of thousands)."""
    if len(merges) <= 3:
        return [f"merged two chapters at {format_clock(start)}" for start in merges]
    return [
        f"merged {len(merges):,} chapters into others starting at the same second (the "
        f"first at {format_clock(merges[0])})"
    ]


def _thinned(starts: list[float], duration: float) -> list[float]:
    """The chapter starts to keep: all of them, as the creator gave them (a five-second
    "Welcome" before the first topic is theirs to give), unless there are more than one
    per ``MIN_CHAPTER_SECONDS`` on average, which no person writes. Then, of starts
    closer than that, the later is kept: it begins the talk that follows, where the
    earlier covered seconds (read from the last, so a run of them keeps one every
    ``MIN_CHAPTER_SECONDS``)."""
    if len(starts) <= max(duration / MIN_CHAPTER_SECONDS, 1):
        return starts
    kept: list[float] = []
    for start in reversed(starts):
        if not kept or kept[-1] - start >= MIN_CHAPTER_SECONDS:
            kept.append(start)
    return kept[::-1]


def generated_chapters(duration: float, window: float = GENERATED_WINDOW) -> list[Chapter]:
    """Fixed windows titled by their span: what episodes without chapters got before
    ``chapters.topics`` (kept as the benchmark's baseline and for entries made then).

    A short tail (under a fifth of a window) joins the window before it rather than
    standing as a chapter of its own.
    """
    starts: list[float] = []
    start = 0.0
    while start < duration or not starts:
        starts.append(start)
        start += window
    if len(starts) > 1 and duration - starts[-1] < window / 5 and starts[-1] - starts[-2] == window:
        starts.pop()
    chapters = []
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else max(duration, begin)
        title = f"{format_clock(begin)}–{format_clock(end)}"
        chapters.append(Chapter(title=title, start=begin, end=end, source="generated"))
    return chapters


def chapter_at(chapters: list[Chapter], seconds: float) -> int:
    """Index of the chapter that holds a moment (the last one for moments past the end)."""
    return last_at([chapter.start for chapter in chapters], seconds)
