"""Make an Episode from a YouTube video: transcript, metadata and chapters.

What is fetched is kept raw in ``Episode.fetched``, so the episode can be rebuilt (new
chapters, a newer cleaning step) without the network.
"""

from datetime import UTC, date, datetime
from typing import Any

from ..chapters.reading import (
    ChapterMark,
    build_chapters,
    parse_chapter_text,
    youtube_rule_problems,
)
from ..chapters.topics import cut_by, topic_chapters
from ..errors import TranscriptError
from ..models import (
    MAX_SECONDS,
    MAX_TITLE_LENGTH,
    Chapter,
    Cue,
    Episode,
    Given,
    Origin,
    bounded_description,
)
from ..urls import watch_url
from .details import given_chapters
from .feed_chapters import MAX_CHAPTERS, too_many_times
from .transcripts import clean_cues, snippets_to_raw


def chapters_for(
    metadata: dict[str, Any], duration: float, given: Given, cues: list[Cue], description: str = ""
) -> tuple[list[Chapter], list[str]]:
    """The user's chapters file wins; then the chapters YouTube shows (which yt-dlp reads
    from the player bar, key moments or description); then our own reading of the
    ``description``, kept only if YouTube would accept it; else chapters cut where the
    talk changes topic. A list of more than ``MAX_CHAPTERS`` is not used (a note says
    so), as a feed's chapters file of that many is refused."""
    fitted = given_chapters(given, duration, cues, youtube=True)
    if fitted:
        return fitted
    notes = [str(note) for note in metadata.get("chapter_notes") or []]
    listed = metadata.get("chapters") or []
    if listed:
        marks = [
            ChapterMark(float(c["start_time"]), str(c["title"]))
            for c in listed
            if isinstance(c.get("start_time"), int | float) and 0 <= c["start_time"] <= duration
        ]
        if marks:
            chapters, more = build_chapters(marks, duration, source="creator")
            return chapters, notes + more
    marks, read = parse_chapter_text(description)
    notes += read
    if len(marks) > MAX_CHAPTERS:
        notes.append(too_many_times(len(marks)))
        marks = []
    if marks:
        problems = youtube_rule_problems([mark.start for mark in marks])
        if not problems:
            chapters, more = build_chapters(marks, duration, source="description")
            return chapters, notes + more
        notes.append(f"times in the description were not used as chapters: {'; '.join(problems)}")
    return topic_chapters(cues, duration), notes


def _published(metadata: dict[str, Any]) -> date | None:
    raw = metadata.get("upload_date")
    try:
        return datetime.strptime(str(raw), "%Y%m%d").date() if raw else None
    except ValueError:
        return None


def _duration(metadata: dict[str, Any], cues: list[Cue]) -> float:
    """The video's length, trusting YouTube's figure only within reason."""
    try:
        listed = float(metadata.get("duration") or 0)
    except (TypeError, ValueError):
        listed = 0.0
    spoken = max(cue.end for cue in cues)
    return max(spoken, listed) if 0 < listed <= MAX_SECONDS else spoken


def bounded_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """YouTube's details as the library keeps them: without the description (the
    episode holds it, once) and with at most ``MAX_CHAPTERS`` chapters, each its start
    and title (cut to ``MAX_TITLE_LENGTH``); a longer list is left out and a note kept
    in its place, so an episode made again says the same."""
    kept = {name: value for name, value in metadata.items() if name != "description"}
    listed = metadata.get("chapters")
    if not isinstance(listed, list):
        return kept
    if len(listed) > MAX_CHAPTERS:
        kept["chapters"] = None
        kept["chapter_notes"] = [
            f"YouTube lists {len(listed):,} chapters, more than the {MAX_CHAPTERS:,} read: not used"
        ]
        return kept
    kept["chapters"] = [
        {
            "start_time": chapter.get("start_time"),
            "title": str(chapter.get("title"))[:MAX_TITLE_LENGTH],
        }
        for chapter in listed
        if isinstance(chapter, dict)
    ]
    return kept


def episode_from_fetched(
    video_id: str,
    fetched: dict[str, Any],
    given: Given | None = None,
    description: str | None = None,
) -> Episode:
    """An episode from what was fetched for a video (or kept from an earlier fetch),
    with the details the user gave in place of YouTube's. ``description`` is the
    episode's own when it is made again (entries written before it was kept apart
    hold it in ``fetched``); its chapter times are read from it cut to
    ``MAX_DESCRIPTION``, as kept, so a rebuild reads what the first add read."""
    given = given or Given()
    transcript = fetched["transcript"]
    raw = fetched.get("metadata", {})
    if description is None:
        description = str(raw.get("description") or "")
    description = bounded_description(description)
    metadata = bounded_metadata(raw)
    cues = clean_cues(snippets_to_raw(transcript["snippets"], video_id), video_id)
    if not cues:
        raise TranscriptError(f"{video_id}: the transcript YouTube returned is empty")
    duration = _duration(metadata, cues)
    chapters, notes = chapters_for(metadata, duration, given, cues, description)
    return Episode(
        id=video_id,
        title=given.title or metadata.get("title") or video_id,
        channel=given.channel or metadata.get("channel") or metadata.get("uploader") or "",
        url=given.url or watch_url(video_id),
        published=given.published or _published(metadata),
        duration=duration,
        language=transcript.get("language_code"),
        transcript_generated=transcript.get("is_generated"),
        description=description,
        chapters=chapters,
        cues=cues,
        origin=Origin(
            kind="youtube", location=watch_url(video_id), chapters_from=given.chapters_from
        ),
        given=given,
        chapter_notes=notes,
        chapters_cut_by=cut_by(chapters),
        fetched={**fetched, "metadata": metadata},
    )


def fetch_episode(
    video_id: str,
    *,
    session: Any,
    choice: Any,
    proxy: str | None,
    given: Given | None = None,
) -> Episode:
    """Fetch a video's transcript first (most failures show there), then its metadata."""
    from .youtube_metadata import fetch_metadata
    from .youtube_transcript import fetch_transcript

    transcript = fetch_transcript(video_id, session, choice, proxy)
    metadata = fetch_metadata(video_id, proxy)
    fetched = {
        "transcript": transcript,
        "metadata": metadata,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return episode_from_fetched(video_id, fetched, given)
