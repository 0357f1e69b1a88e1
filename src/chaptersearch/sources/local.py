"""Make an Episode from a transcript file on disk and what the user said about it."""

from pathlib import Path

from ..chapters.topics import cut_by, topic_chapters
from ..library.store import safe_id
from ..models import Cue, Episode, Given, Origin
from ..urls import watch_url, youtube_video_id
from .details import given_chapters
from .files import location_of, title_from_path
from .transcripts import read_transcript


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


def file_episode(episode_id: str, cues: list[Cue], origin: Origin, given: Given) -> Episode:
    """An episode from a file's cues and the details the user gave.

    A YouTube ``url`` makes the link open that video (and the chapters are checked
    against YouTube's rules); otherwise any URL gets ``#t=``.
    """
    duration = max(cue.end for cue in cues)
    video_id = youtube_video_id(given.url)
    fitted = given_chapters(given, duration, cues, youtube=video_id is not None)
    if fitted:
        chapters, notes = fitted
    else:
        chapters, notes = topic_chapters(cues, duration), []
    return Episode(
        id=episode_id,
        title=given.title or title_from_path(Path(origin.location)),
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
    )


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
