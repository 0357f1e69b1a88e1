"""Make an Episode from a YouTube video: transcript, metadata and chapters.

What is fetched is kept raw in ``Episode.fetched``, so the episode can be rebuilt (new
chapters, a newer cleaning step) without the network.
"""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .chapters import (
    ChapterMark,
    build_chapters,
    generated_chapters,
    parse_chapter_text,
    youtube_rule_problems,
)
from .errors import TranscriptError
from .local_source import read_chapters_file
from .models import Chapter, Episode, Origin
from .transcripts import clean_cues, snippets_to_raw
from .youtube_urls import watch_url


def chapters_for(
    metadata: dict[str, Any], duration: float, chapters_file: Path | None
) -> tuple[list[Chapter], list[str]]:
    """A chapters file wins; then the chapters YouTube shows (which yt-dlp reads from the
    player bar, key moments or description); then our own reading of the description,
    kept only if YouTube would accept it; else generated spans."""
    if chapters_file:
        return read_chapters_file(chapters_file, duration)
    listed = metadata.get("chapters") or []
    if listed:
        marks = [ChapterMark(float(c["start_time"]), str(c["title"])) for c in listed]
        return build_chapters(marks, duration, source="creator")
    marks, notes = parse_chapter_text(metadata.get("description", ""))
    if marks:
        problems = youtube_rule_problems([mark.start for mark in marks])
        if not problems:
            chapters, more = build_chapters(marks, duration, source="description")
            return chapters, notes + more
        notes.append(f"times in the description were not used as chapters: {'; '.join(problems)}")
    return generated_chapters(duration), notes


def _published(metadata: dict[str, Any]) -> date | None:
    raw = metadata.get("upload_date")
    try:
        return datetime.strptime(str(raw), "%Y%m%d").date() if raw else None
    except ValueError:
        return None


def episode_from_fetched(
    video_id: str, fetched: dict[str, Any], chapters_file: Path | None = None
) -> Episode:
    """An episode from what was fetched for a video (or kept from an earlier fetch)."""
    transcript = fetched["transcript"]
    metadata = fetched.get("metadata", {})
    cues = clean_cues(snippets_to_raw(transcript["snippets"], video_id))
    if not cues:
        raise TranscriptError(f"{video_id}: the transcript YouTube returned is empty")
    duration = max(float(metadata.get("duration") or 0), max(cue.end for cue in cues))
    chapters, notes = chapters_for(metadata, duration, chapters_file)
    return Episode(
        id=video_id,
        title=metadata.get("title") or video_id,
        channel=metadata.get("channel") or metadata.get("uploader") or "",
        url=watch_url(video_id),
        published=_published(metadata),
        duration=duration,
        language=transcript.get("language_code"),
        transcript_generated=transcript.get("is_generated"),
        description=metadata.get("description", ""),
        chapters=chapters,
        cues=cues,
        origin=Origin(
            kind="youtube",
            location=watch_url(video_id),
            chapters_from=str(chapters_file.resolve()) if chapters_file else None,
        ),
        chapter_notes=notes,
        fetched=fetched,
    )


def fetch_episode(
    video_id: str,
    *,
    session: Any,
    choice: Any,
    proxy: str | None,
    chapters_file: Path | None = None,
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
    return episode_from_fetched(video_id, fetched, chapters_file)
