"""Feed items that publish no transcript, transcribed here from their audio.

The enclosure is a stranger's file like any other address in a feed: http(s) only at
every redirect, at most ``MAX_MEDIA_BYTES``, within ``MEDIA_SECONDS`` all told, written
to a temporary folder that is deleted whatever happens, and read as audio only (a web
page served in its place is refused by what it is, not by its name).
"""

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Skipped, TranscriptError
from ..models import Cue, Mark
from .feed_http import MEGABYTE, download, is_http

if TYPE_CHECKING:
    from ..output.hearing import Progress
    from .feeds import FeedItem

MAX_MEDIA_BYTES = 600 * MEGABYTE
"""Five hours at 256 kbit/s; podcasts are mostly 64 to 128 kbit/s."""
MEDIA_SECONDS = 1800.0
"""The most one enclosure's download may take: 600 MB at 2.7 Mbit/s."""


def transcribe_enclosure(
    item: "FeedItem",
    show_language: str | None,
    session: Any,
    speech_model: str | None,
    languages: list[str] | None,
    progress: "Progress | None" = None,
) -> tuple[list[Cue], dict[str, Any], list[Mark]]:
    """The item's words, timed, from its audio; how they were made, as
    ``fetched["transcript"]`` keeps it; and the audio file's own chapters."""
    from ..transcription.transcriber import transcribe, whisper_language
    from ..transcription.weights import DEFAULT

    media = item.media
    if not media or not is_http(media):
        raise Skipped(f"{item.title}: no timed transcript, and no audio to transcribe")
    # a feed's <language>english</language> leaves the model to hear which
    known = whisper_language(show_language) if show_language else None
    wanted = languages or ([known] if known else None)
    with tempfile.TemporaryDirectory(prefix="chaptersearch-audio-") as folder:
        target = Path(folder) / "enclosure"
        got = download(session, media, MAX_MEDIA_BYTES, target, "audio", MEDIA_SECONDS)
        kind = got.content_type.split(";")[0].strip().lower()
        if kind.startswith("text/") or kind in ("application/xhtml+xml", "application/json"):
            raise TranscriptError(f"audio at {media}: the server sent {kind}, not audio")
        try:
            made = transcribe(target, speech_model or DEFAULT, wanted, progress)
        except TranscriptError as error:  # named by its address: the file is gone
            raise TranscriptError(str(error).replace(str(target), f"audio at {media}")) from None
    about = {"url": media, "type": "audio", "language": made.language, "made_by": made.source}
    return made.cues, about, made.container.chapters
