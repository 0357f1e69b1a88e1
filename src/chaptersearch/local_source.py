"""Make an Episode from a transcript file on disk and, optionally, a chapters file."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .chapters import build_chapters, generated_chapters, parse_chapter_text
from .errors import ChapterError
from .library import safe_id
from .models import Chapter, Episode, Origin
from .transcripts import read_transcript
from .youtube_urls import watch_url, youtube_video_id


@dataclass(frozen=True)
class FileDetails:
    """What the user may tell ``add`` about a file that the file itself does not say."""

    title: str | None = None
    url: str | None = None
    channel: str = ""
    published: date | None = None
    chapters: Path | None = None


def read_chapters_file(path: Path, duration: float) -> tuple[list[Chapter], list[str]]:
    """Chapters from a text file, checked against the episode's length."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ChapterError(f"{path}: no such chapters file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ChapterError(f"{path}: cannot read chapters ({error})") from None
    marks, notes = parse_chapter_text(text)
    if not marks:
        raise ChapterError(f"{path}: no chapter times found; expected lines such as '0:00 Intro'")
    chapters, more_notes = build_chapters(marks, duration, source="file")
    return chapters, notes + more_notes


def title_from_path(path: Path) -> str:
    """A readable title from a file name such as ``042_startups-and-python.vtt``."""
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def episode_from_file(path: Path, details: FileDetails | None = None) -> Episode:
    """An episode from a local transcript.

    A YouTube ``url`` gives the episode that video's id, so adding the same video from
    YouTube later replaces this entry instead of duplicating it.
    """
    details = details or FileDetails()
    cues = read_transcript(path)
    duration = max(cue.end for cue in cues)
    notes: list[str] = []
    if details.chapters:
        chapters, notes = read_chapters_file(details.chapters, duration)
    else:
        chapters = generated_chapters(duration)
    video_id = youtube_video_id(details.url)
    return Episode(
        id=video_id or safe_id(path.stem),
        title=details.title or title_from_path(path),
        channel=details.channel,
        url=watch_url(video_id) if video_id else details.url,
        published=details.published,
        duration=duration,
        chapters=chapters,
        cues=cues,
        origin=Origin(
            kind="file",
            location=str(path.resolve()),
            chapters_from=str(details.chapters.resolve()) if details.chapters else None,
        ),
        chapter_notes=notes,
    )
