"""What a user tells chaptersearch about an episode: checked once, kept, and applied.

The flags of ``add`` and ``edit`` (title, channel, URL, date, chapters file) become a
``Given``, stored with the episode apart from what the source said, so a later ``add``
keeps them unless new values are given.
"""

from collections.abc import Sequence
from pathlib import Path

from ..chapters.placing import place_titles, placing_notes
from ..chapters.reading import (
    build_chapters,
    first_of,
    not_titles,
    parse_chapter_text,
    read_chapter_titles,
    untimed_lines,
    youtube_rule_notes,
)
from ..errors import ChapterError, ChapterSearchError
from ..models import Chapter, Cue, Episode, Given, Mark
from ..output.terminal import plural
from .files import location_of, read_text_file, title_from_path


def read_chapter_marks(path: Path) -> Given:
    """The chapter marks of a chapters file, as details to keep with the episode."""
    return chapter_marks_of(_chapters_text(path), path)


def _chapters_text(path: Path) -> str:
    try:
        return read_text_file(path, "chapters file")
    except ChapterSearchError as error:
        raise ChapterError(str(error)) from None


def chapter_marks_of(text: str, path: Path) -> Given:
    """The chapter marks of the text of the chapters file at ``path``."""
    if text.lstrip().startswith("{"):
        from .feed_chapters import json_chapters

        json_marks = json_chapters(text, str(path))
        if not json_marks:
            raise ChapterError(f"{path}: the JSON chapters file lists no chapter with a time")
        return Given(
            chapters=[Mark(start=mark.start, title=mark.title) for mark in json_marks],
            chapter_titles=None,
            chapters_from=location_of(path),
            chapter_notes=[],
        )
    marks, notes = parse_chapter_text(text)
    if marks:
        return Given(
            chapters=[Mark(start=mark.start, title=mark.title) for mark in marks],
            chapter_titles=None,
            chapters_from=location_of(path),
            chapter_notes=notes + _untimed_note(text),
        )
    titles, left_out = read_chapter_titles(text)
    if len(titles) < 2:
        raise ChapterError(
            f"{path}: no chapter times found and no list of topics ({not_titles(text)}); "
            "expected lines such as '0:00 Intro', or one short topic a line"
        )
    return Given(
        chapters=None,
        chapter_titles=titles,
        chapters_from=location_of(path),
        chapter_notes=[
            "no times in the chapters file: each topic is placed where it is discussed",
            *left_out,
        ],
    )


def _untimed_note(text: str) -> list[str]:
    """A note naming the lines with words but no time that a chapters file with times
    had: they are not chapters, and the user wrote them."""
    lines = untimed_lines(text)
    if not lines:
        return []
    return [f"left out {plural(len(lines), 'line')} without a time: {first_of(lines)}"]


def beside_details(path: Path) -> Given:
    """What a chapters file beside a transcript says of its episode: the chapters, and
    from a Podcasting 2.0 JSON file its ``title`` and ``podcastName`` too (Changelog's
    carry both), for an ``add FOLDER`` that was given no title or channel."""
    text = _chapters_text(path)
    given = chapter_marks_of(text, path)
    if not text.lstrip().startswith("{"):
        return given
    from .feed_chapters import json_chapters_about

    return Given.model_validate(json_chapters_about(text)).merged(given)


def given_chapters(
    given: Given, duration: float, cues: Sequence[Cue], youtube: bool = False
) -> tuple[list[Chapter], list[str]] | None:
    """The user's chapters fitted to an episode's length, or None when they gave none.

    Titles given without times are placed where the talk discusses each, in order. For
    a ``youtube`` episode the notes also say which of YouTube's rules for description
    chapters a list with times breaks.
    """
    if given.chapters:
        chapters, notes = build_chapters(given.chapters, duration, source="file")
        rules = youtube_rule_notes(given.chapters) if youtube else []
        return chapters, rules + given.chapter_notes + notes
    if given.chapter_titles:
        placed = place_titles(given.chapter_titles, cues, duration)
        notes = placing_notes(given.chapter_titles, placed, duration)
        return placed, [*given.chapter_notes, *notes]
    return None


def given_of(episode: Episode) -> Given:
    """The details the user gave for an episode.

    Entries written before they were kept apart carry none; for those they are read
    back from the episode itself: for a file everything but a made-up title was given,
    for a video only chapters that came from a file.
    """
    if episode.given is not None:
        return episode.given
    values: dict[str, object] = {}
    if episode.origin.kind == "file":
        if episode.title != title_from_path(Path(episode.origin.location)):
            values["title"] = episode.title
        if episode.channel:
            values["channel"] = episode.channel
        if episode.url:
            values["url"] = episode.url
        if episode.published:
            values["published"] = episode.published
    if any(chapter.source == "file" for chapter in episode.chapters):
        values["chapters"] = [
            Mark(start=chapter.start, title=chapter.title)
            for chapter in episode.chapters
            if chapter.source == "file"
        ]
        values["chapters_from"] = episode.origin.chapters_from
    return Given(**values)  # type: ignore[arg-type]
