"""What ``add`` is given, turned into episodes: files, videos, playlists and channels.

``plan`` decides what each argument is without the network (but for expanding
playlists and channels); ``EpisodeMaker`` then makes one episode per item, skipping
videos already in the library unless asked to refresh, and waiting a polite delay
between network fetches.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ChapterSearchError, NetworkUnavailable
from .library import Library
from .local_source import FileDetails, episode_from_file
from .models import Episode
from .transcripts import SUFFIXES
from .youtube_urls import parse_youtube


@dataclass(frozen=True)
class Item:
    """One episode to add: a local file or a YouTube video id."""

    kind: Literal["file", "video"]
    value: str

    def __str__(self) -> str:
        return self.value


@dataclass
class AddOptions:
    """Everything ``add`` was told besides its sources."""

    details: FileDetails = field(default_factory=FileDetails)
    """Title, URL, channel, date and chapters file; the chapters file serves videos too."""
    languages: list[str] | None = None
    translate: str | None = None
    proxy: str | None = None
    refresh: bool = False
    limit: int | None = None
    delay: float = 1.0


@dataclass
class Plan:
    items: list[Item]
    failed: list[tuple[str, str]]


def plan(sources: Sequence[str], options: AddOptions) -> Plan:
    """Files stay files; YouTube URLs and ids become video ids, playlists and channels
    their videos; anything else is a failure naming what was not understood."""
    items: list[Item] = []
    failed: list[tuple[str, str]] = []
    for source in sources:
        if Path(source).exists():
            items.append(Item("file", source))
            continue
        target = parse_youtube(source)
        if target is None:
            failed.append((source, f"{source}: {_not_understood(source)}"))
        elif target.kind == "video":
            items.append(Item("video", target.value))
        else:
            from .youtube_metadata import expand_list

            try:
                ids = expand_list(target.value, options.limit, options.proxy)
            except NetworkUnavailable:
                raise
            except ChapterSearchError as error:
                failed.append((source, str(error)))
                continue
            if not ids:
                failed.append((source, f"{source}: the {target.kind} lists no videos"))
            items.extend(Item("video", video_id) for video_id in ids)
    return Plan(items=list(dict.fromkeys(items)), failed=failed)


def _not_understood(source: str) -> str:
    if Path(source).suffix.lower() in SUFFIXES or ("/" in source and "://" not in source):
        return "no such file"
    return "not a file, a YouTube URL or a video id"


class EpisodeMaker:
    """Makes the episode for one item; None when a video is already in the library."""

    def __init__(self, library: Library, options: AddOptions) -> None:
        self.library = library
        self.options = options
        self._session: Any = None
        self._fetched_before = False

    def __call__(self, item: Item) -> Episode | None:
        if item.kind == "file":
            return episode_from_file(Path(item.value), self.options.details)
        return self._video(item.value)

    def _video(self, video_id: str) -> Episode | None:
        from .youtube_source import episode_from_fetched

        if self.library.has(video_id) and not self.options.refresh:
            if not self.options.details.chapters:
                return None
            stored = self.library.load(video_id)
            if stored.fetched:
                return episode_from_fetched(video_id, stored.fetched, self.options.details.chapters)
        return self._fetch(video_id)

    def _fetch(self, video_id: str) -> Episode:
        from .transport import make_session
        from .youtube_source import fetch_episode
        from .youtube_transcript import TranscriptChoice

        if self._fetched_before and self.options.delay > 0:
            time.sleep(self.options.delay)
        self._fetched_before = True
        if self._session is None:
            self._session = make_session(self.options.proxy)
        return fetch_episode(
            video_id,
            session=self._session,
            choice=TranscriptChoice(self.options.languages, self.options.translate),
            proxy=self.options.proxy,
            chapters_file=self.options.details.chapters,
        )
