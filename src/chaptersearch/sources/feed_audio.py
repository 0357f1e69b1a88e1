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
from ..models import Cue
from .feed_http import MEGABYTE, download, is_http

if TYPE_CHECKING:
    from ..transcription.transcriber import Progress
    from .feeds import FeedItem

MAX_MEDIA_BYTES = 600 * MEGABYTE
"""Five hours at 256 kbit/s; podcasts are mostly 64 to 128 kbit/s."""
MEDIA_SECONDS = 1800.0
"""The most one enclosure's download may take: 600 MB at 2.7 Mbit/s."""


def transcribe_enclosure(
    item: "FeedItem",
    show: str,
    show_language: str | None,
    session: Any,
    speech_model: str | None,
    languages: list[str] | None,
    progress: "Progress | None" = None,
) -> tuple[list[Cue], dict[str, Any]]:
    """The item's words, timed, from its audio; and how they were made, as
    ``fetched["transcript"]`` keeps it."""
    from ..transcription.transcriber import transcribe
    from ..transcription.weights import DEFAULT

    media = item.media
    if not media or not is_http(media):
        raise Skipped(f"{item.title}: no timed transcript, and no audio to transcribe")
    language = languages[0] if languages else show_language
    with tempfile.TemporaryDirectory(prefix="chaptersearch-audio-") as folder:
        target = Path(folder) / "enclosure"
        got = download(session, media, MAX_MEDIA_BYTES, target, "audio", MEDIA_SECONDS)
        kind = got.content_type.split(";")[0].strip().lower()
        if kind.startswith("text/") or kind in ("application/xhtml+xml", "application/json"):
            raise TranscriptError(f"audio at {media}: the server sent {kind}, not audio")
        made = transcribe(
            target,
            speech_model or DEFAULT,
            language=language,
            prompt=f"{show}. {item.title}",
            progress=progress,
        )
    about = {"url": media, "type": "audio", "language": made.language, "made_by": made.source}
    return made.cues, about
