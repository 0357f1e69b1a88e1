"""Video metadata and chapters, and playlist or channel expansion, with yt-dlp.

No media is downloaded: ``extract_info(url, download=False)`` reads the watch page and
player data. Only the fields chaptersearch uses are kept, so the library never holds
signed media URLs. Imported only by ``add`` for YouTube sources.
"""

from typing import Any

from ..errors import ChapterSearchError, NetworkUnavailable
from ..urls import watch_url
from .transport import redact

METADATA_KEYS = (
    "id",
    "title",
    "channel",
    "channel_id",
    "uploader",
    "upload_date",
    "duration",
    "description",
    "chapters",
    "webpage_url",
    "language",
)

_NO_NETWORK = (
    "name resolution",
    "Name or service not known",
    "nodename nor servname",
    "Connection refused",
    "Network is unreachable",
    "Unable to connect to proxy",
)


class MetadataUnavailable(ChapterSearchError):
    """yt-dlp could not read a video's page or a playlist."""


class _QuietLogger:
    """yt-dlp prints to the terminal by default; failures reach us as exceptions anyway."""

    def debug(self, message: str) -> None:
        pass

    def info(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass

    def error(self, message: str) -> None:
        pass


def _options(proxy: str | None, **extra: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "quiet": True,
        "no_warnings": True,
        "skip_download": True,
        "ignore_no_formats_error": True,
        "noplaylist": True,
        "socket_timeout": 15,
        "retries": 3,
        "extractor_retries": 2,
        "logger": _QuietLogger(),
    }
    if proxy:
        options["proxy"] = proxy
    options.update(extra)
    return options


def _extract(url: str, options: dict[str, Any], what: str, proxy: str | None) -> dict[str, Any]:
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import DownloadError

    try:
        with YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
    except DownloadError as error:
        message = redact(_clean(str(error)), proxy)
        if any(marker in message for marker in _NO_NETWORK):
            raise NetworkUnavailable(
                "cannot reach YouTube: no network? Check the connection (or --proxy) and try again"
            ) from None
        raise MetadataUnavailable(f"{what}: {message}") from None
    if not isinstance(info, dict):
        raise MetadataUnavailable(f"{what}: yt-dlp returned nothing")
    return info


def _clean(message: str) -> str:
    """yt-dlp's 'ERROR: [youtube] ID: Video unavailable' as 'Video unavailable'."""
    text = message.strip().splitlines()[0] if message.strip() else "unknown error"
    text = text.removeprefix("ERROR: ")
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
        head, sep, rest = text.partition(": ")
        if sep and " " not in head:
            text = rest
    return text


def fetch_metadata(video_id: str, proxy: str | None = None) -> dict[str, Any]:
    """Title, channel, date, duration, description and chapters of one video."""
    info = _extract(watch_url(video_id), _options(proxy), video_id, proxy)
    return {key: info[key] for key in METADATA_KEYS if info.get(key) is not None}


def expand_list(url: str, limit: int | None = None, proxy: str | None = None) -> list[str]:
    """The video ids of a playlist or channel, newest first as YouTube lists them."""
    extra: dict[str, Any] = {"extract_flat": "in_playlist", "noplaylist": False}
    if limit:
        extra["playlistend"] = limit
    info = _extract(_with_videos_tab(url), _options(proxy, **extra), url, proxy)
    ids: list[str] = []
    for entry in info.get("entries") or []:
        if (
            isinstance(entry, dict)
            and entry.get("id")
            and entry.get("ie_key", "Youtube") == "Youtube"
        ):
            ids.append(str(entry["id"]))
    return ids[:limit] if limit else ids


def _with_videos_tab(url: str) -> str:
    """A bare channel URL lists its tabs, not its videos; ask for the videos tab."""
    path = url.split("youtube.com", 1)[-1]
    parts = [part for part in path.split("/") if part]
    is_channel = bool(parts) and (parts[0].startswith("@") or parts[0] in {"channel", "c", "user"})
    if is_channel and len(parts) == (1 if parts[0].startswith("@") else 2):
        return url.rstrip("/") + "/videos"
    return url
