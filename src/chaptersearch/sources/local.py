"""Make an Episode from a transcript file on disk and what the user said about it."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chapters.reading import build_chapters
from ..chapters.topics import cut_by, topic_chapters
from ..library.store import safe_id
from ..models import Cue, Episode, Given, Mark, Origin, cut_at
from ..urls import watch_url, youtube_video_id
from .details import given_chapters
from .files import location_of, title_from_path
from .transcripts import read_transcript

if TYPE_CHECKING:
    from ..output.hearing import Progress


def file_origin(path: Path) -> Origin:
    """Where a file is, and its size and time, so a later ``add`` can tell whether it
    changed."""
    info = path.stat()
    return Origin(
        kind="file",
        location=location_of(path),
        size=info.st_size,
        modified_ns=info.st_mtime_ns,
    )


def unchanged(origin: Origin, path: Path) -> bool:
    """Whether a file is the same one, untouched, that an episode was read from."""
    try:
        info = path.stat()
    except OSError:
        return False
    return (
        origin.kind == "file"
        and origin.location == location_of(path)
        and origin.size == info.st_size
        and origin.modified_ns == info.st_mtime_ns
    )


def file_episode(
    episode_id: str,
    cues: list[Cue],
    origin: Origin,
    given: Given,
    heard: dict[str, Any] | None = None,
    transcript_source: str | None = None,
    language: str | None = None,
) -> Episode:
    """An episode from a file's cues and the details the user gave.

    A YouTube ``url`` makes the link open that video (and the chapters are checked
    against YouTube's rules); otherwise any URL gets ``#t=``. ``heard`` is what an
    audio file said of itself (its length, title and chapters), kept so that an
    episode made again never needs the audio.
    """
    heard = heard or {}
    duration = max(max(cue.end for cue in cues), float(heard.get("duration") or 0.0))
    video_id = youtube_video_id(given.url)
    fitted = given_chapters(given, duration, cues, youtube=video_id is not None)
    marks = [Mark.model_validate(mark) for mark in heard.get("chapters") or []]
    if fitted:
        chapters, notes = fitted
    elif marks:
        chapters, notes = build_chapters(marks, duration, source="creator")
    else:
        chapters, notes = topic_chapters(cues, duration), []
    cues = cut_at(cues, [chapter.start for chapter in chapters[1:]])
    return Episode(
        id=episode_id,
        title=given.title or heard.get("title") or title_from_path(Path(origin.location)),
        channel=given.channel or "",
        url=watch_url(video_id) if video_id else given.url,
        published=given.published,
        duration=duration,
        chapters=chapters,
        cues=cues,
        origin=origin.model_copy(update={"chapters_from": given.chapters_from}),
        given=given,
        chapter_notes=notes,
        chapters_cut_by=cut_by(chapters),
        fetched={"audio": heard} if heard else None,
        transcript_source=transcript_source,
        language=language,
    )


def episode_from_audio(
    path: Path,
    given: Given,
    episode_id: str,
    speech_model: str | None = None,
    progress: "Progress | None" = None,
    languages: list[str] | None = None,
) -> Episode:
    """An episode from an audio file, transcribed here; its own chapters (ID3, MP4 or
    Matroska) serve when the user gave none."""
    from ..transcription.transcriber import transcribe
    from ..transcription.weights import DEFAULT

    origin = file_origin(path)
    made = transcribe(path, speech_model or DEFAULT, languages, progress)
    info = made.container
    heard: dict[str, Any] = {"duration": made.duration}  # what was heard, not declared
    if info.title:
        heard["title"] = info.title
    if info.chapters:
        heard["chapters"] = [mark.model_dump() for mark in info.chapters]
    return file_episode(episode_id, made.cues, origin, given, heard, made.source, made.language)


def episode_from_file(
    path: Path, given: Given | None = None, episode_id: str | None = None
) -> Episode:
    """An episode from a local transcript.

    Without an id, a YouTube ``url`` gives the episode that video's id (so adding the
    same video from YouTube later replaces this entry), else the file name does.
    """
    given = given or Given()
    cues = read_transcript(path)
    episode_id = episode_id or youtube_video_id(given.url) or safe_id(path.stem)
    return file_episode(episode_id, cues, file_origin(path), given)
