"""Chapters as podcast feeds publish them: Podcasting 2.0 JSON, Podlove, show notes.

An episode's chapters come from the first of: the JSON chapters file its
``<podcast:chapters>`` names (chapters marked ``toc: false`` are not shown as
chapters), its Podlove Simple Chapters, times in its description or
``content:encoded`` (read by the chapter parser every source shares), and failing all
of those the generated spans. Where they came from is kept with the episode.
"""

import html
import json
import re
from dataclasses import dataclass

from ..chapters.reading import ChapterMark, parse_chapter_text
from ..errors import ChapterError
from ..models import MAX_SECONDS
from .transcripts import no_json_constants

MAX_CHAPTERS = 2000
"""The most chapters one file may list: real shows have dozens; a file of thousands is
broken or hostile, and would make an index entry per chapter."""


@dataclass(frozen=True)
class FeedChapters:
    """Chapter marks with where they came from, as ``Origin.chapters_from`` says it."""

    marks: list[ChapterMark]
    source: str
    """``feed`` (JSON or Podlove) or ``description``."""
    origin: str
    notes: tuple[str, ...] = ()
    """Why marks found were not used (a description listing too many)."""


def json_chapters(text: str, where: str) -> list[ChapterMark]:
    """Marks from a Podcasting 2.0 JSON chapters file, ``toc: false`` left out."""
    try:
        data = json.loads(text, parse_constant=no_json_constants)
    except RecursionError:
        raise ChapterError(f"{where}: not a chapters file (JSON nested too deeply)") from None
    except ValueError as error:
        reason = str(error).splitlines()[0][:100]
        raise ChapterError(f"{where}: not valid JSON ({reason})") from None
    listed = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise ChapterError(f"{where}: a JSON chapters file needs a list of chapters")
    if len(listed) > MAX_CHAPTERS:
        raise ChapterError(
            f"{where}: lists {len(listed):,} chapters, more than the {MAX_CHAPTERS:,} read"
        )
    marks = []
    for chapter in listed:
        if not isinstance(chapter, dict) or chapter.get("toc") is False:
            continue
        start, title = chapter.get("startTime"), chapter.get("title")
        if isinstance(start, bool) or not isinstance(start, int | float):
            continue
        if isinstance(title, str) and title.strip() and 0 <= start <= MAX_SECONDS:
            marks.append(ChapterMark(float(start), title.strip()))
    return marks


def json_chapters_about(text: str) -> dict[str, str]:
    """The episode's ``title`` and show (``podcastName``, as ``channel``) that a JSON
    chapters file names, when it names them as text (``json_chapters`` read it first)."""
    data = json.loads(text, parse_constant=no_json_constants)
    found = {"title": data.get("title"), "channel": data.get("podcastName")}
    return {
        name: value.strip()
        for name, value in found.items()
        if isinstance(value, str) and value.strip()
    }


_BREAKS = re.compile(r"<\s*(?:br|/p|/li|/div|/h\d|p|li|div)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def notes_text(markup: str) -> str:
    """Show notes as lines of text: block ends become new lines, tags go."""
    return html.unescape(_TAGS.sub("", _BREAKS.sub("\n", markup)))


DESCRIPTION_ORIGIN = "times in the episode's description"


def too_many_times(count: int) -> str:
    """The note on a description that lists more times than a chapters file may."""
    return (
        f"the description lists {count:,} chapter times, more than the {MAX_CHAPTERS:,} "
        "read: not used as chapters"
    )


def description_chapters(*texts: str) -> FeedChapters | None:
    """Chapters written as times in the show notes: the first text that has two or more
    (one time in prose is not a chapter list). Notes that list more than
    ``MAX_CHAPTERS`` times are no chapter list either: none of their marks is kept, and
    a note says why (a feed item, unlike a chapters file, does not fail for it)."""
    for text in texts:
        if not text:
            continue
        marks, _ = parse_chapter_text(notes_text(text))
        if len(marks) > MAX_CHAPTERS:
            return FeedChapters(
                [], "description", DESCRIPTION_ORIGIN, (too_many_times(len(marks)),)
            )
        if len(marks) >= 2:
            return FeedChapters(marks, "description", DESCRIPTION_ORIGIN)
    return None


def podlove_chapters(marks: list[tuple[float, str]]) -> FeedChapters | None:
    if not marks:
        return None
    if len(marks) > MAX_CHAPTERS:
        raise ChapterError(f"the feed lists {len(marks):,} Podlove chapters for one episode")
    return FeedChapters(
        [ChapterMark(start, title) for start, title in marks],
        "feed",
        "Podlove Simple Chapters in the feed",
    )
