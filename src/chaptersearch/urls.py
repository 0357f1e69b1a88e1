"""Recognise YouTube videos, playlists and channels in what a user types.

Pure string work with no network and no heavy imports, so the CLI can decide what an
argument is before it loads youtube-transcript-api or yt-dlp.
"""

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlparse

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}
_PATH_VIDEO = re.compile(r"^/(?:shorts|embed|live|v|e)/([A-Za-z0-9_-]{11})(?:[/?#]|$)")
_CHANNEL_PATH = re.compile(r"^/(?:@[^/]+|channel/UC[A-Za-z0-9_-]+|c/[^/]+|user/[^/]+)(?:/.*)?$")


@dataclass(frozen=True)
class YouTubeTarget:
    """What a YouTube argument names: one video, or a list of videos to expand."""

    kind: Literal["video", "playlist", "channel"]
    value: str
    """The 11-character id for a video; the URL to expand for a playlist or channel."""


def parse_youtube(text: str) -> YouTubeTarget | None:
    """The video, playlist or channel a URL or bare id names, or None if it names none."""
    text = text.strip()
    if VIDEO_ID.match(text):
        return YouTubeTarget("video", text)
    url = text if "://" in text else f"https://{text}"
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host in _SHORT_HOSTS:
        candidate = parsed.path.lstrip("/").split("/")[0]
        return YouTubeTarget("video", candidate) if VIDEO_ID.match(candidate) else None
    if host not in _HOSTS:
        return None
    query = parse_qs(parsed.query)
    if parsed.path == "/watch":
        candidate = (query.get("v") or [""])[0]
        return YouTubeTarget("video", candidate) if VIDEO_ID.match(candidate) else None
    match = _PATH_VIDEO.match(parsed.path)
    if match:
        return YouTubeTarget("video", match.group(1))
    if parsed.path == "/playlist" and query.get("list"):
        return YouTubeTarget(
            "playlist", f"https://www.youtube.com/playlist?list={query['list'][0]}"
        )
    if _CHANNEL_PATH.match(parsed.path):
        return YouTubeTarget("channel", f"https://www.youtube.com{parsed.path.rstrip('/')}")
    return None


def youtube_video_id(url: str | None) -> str | None:
    """The video id of a YouTube video URL, or None for anything else."""
    if not url:
        return None
    target = parse_youtube(url)
    return target.value if target and target.kind == "video" else None


def watch_url(video_id: str) -> str:
    """The canonical watch URL of a video."""
    return f"https://www.youtube.com/watch?v={video_id}"


def link_at(url: str | None, seconds: float) -> str | None:
    """A link that opens ``url`` at a moment, in whole seconds; None when there is no URL.

    YouTube takes ``&t=Ns`` on its watch URL; other players take a media fragment.
    """
    if not url:
        return None
    whole = max(0, int(seconds))
    video_id = youtube_video_id(url)
    if video_id:
        return f"{watch_url(video_id)}&t={whole}s"
    base = url.split("#", 1)[0]
    return f"{base}#t={whole}"


TRACKING = re.compile(
    r"^(?:utm(?:_\w+)?|fbclid|gclid|dclid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok)$", re.I
)
"""Query parameters that only say where a link was clicked: never part of a feed."""


def normalized_address(url: str) -> str:
    """One spelling for the many of one address, so a feed added as ``HTTP://Host:80/f``,
    ``…/f#top`` and ``…/f?utm_source=x`` is one feed: the scheme and host in lower case,
    no default port, no fragment, no tracking parameters; the path and the other
    parameters as given (servers may tell case apart there)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return text
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        host = f"{parts.netloc.rsplit('@', 1)[0]}@{host}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not TRACKING.match(name)]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    return urlunsplit((scheme, host, parts.path or "/", query, ""))
