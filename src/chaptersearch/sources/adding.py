"""What ``add`` is given, turned into episodes: files, videos, playlists, channels and
podcast feeds.

``plan`` decides what each argument is without the network (but for expanding
playlists and channels, and reading feeds); ``EpisodeMaker`` then makes one episode per
item, skipping videos and feed items already in the library unless asked to refresh,
and waiting a polite delay between network fetches.
"""

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ChapterSearchError, LibraryError, NetworkUnavailable, Skipped, TranscriptError
from ..library.store import Library, safe_id
from ..models import Episode, Given
from ..urls import normalized_address, parse_youtube, youtube_video_id
from .details import beside_details, given_of
from .feed_http import is_http
from .files import check_regular_file, location_of
from .local import episode_from_file, file_episode, unchanged
from .transcripts import SUFFIXES

AUDIO_SUFFIXES = frozenset(
    {".mp3", ".m4a", ".m4b", ".aac", ".wav", ".ogg", ".oga", ".opus", ".flac", ".mp4", ".webm"}
)
"""What ``add`` transcribes (the transcribe extra): every container podcasts use."""

if TYPE_CHECKING:
    from ..output.hearing import ProgressFor
    from .feed import FeedEpisode, FeedPlan


@dataclass(frozen=True)
class Item:
    """One episode to add: a local file (a transcript, or audio to transcribe) or a
    YouTube video id."""

    kind: Literal["file", "audio", "video"]
    value: str

    def __str__(self) -> str:
        return self.value


@dataclass
class AddOptions:
    """Everything ``add`` was told besides its sources."""

    given: Given = field(default_factory=Given)
    """Title, URL, channel, date and chapters the user gave; the chapters serve videos too."""
    languages: list[str] | None = None
    translate: str | None = None
    proxy: str | None = None
    refresh: bool = False
    limit: int | None = None
    delay: float = 1.0
    since: date | None = None
    """Feeds: only items published on or after this day."""
    transcribe: bool = False
    """Feeds: transcribe the items that publish no timed transcript."""
    speech_model: str | None = None
    """The speech model that transcribes (``transcription.weights.OFFERED``)."""
    progress_for: "ProgressFor | None" = None
    """Gives the progress to report while an episode (named) is transcribed."""


@dataclass
class Plan:
    items: "list[Item | FeedEpisode]"
    failed: list[tuple[str, str]]
    offline: list[str] = field(default_factory=list)
    """Playlists and channels that could not be listed for want of the network."""
    stopped: NetworkUnavailable | None = None
    """Why: the first no-network error met."""
    feeds: "list[FeedPlan]" = field(default_factory=list)
    """The feeds read, to be remembered as sources with their validators."""
    lists: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """YouTube playlists and channels expanded, as (kind, address, video ids), to be
    remembered."""
    beside_transcripts: list[Path] = field(default_factory=list)
    """Audio files of folders left out: a transcript of the same name lies beside each."""


CHAPTERS_SUFFIX = ".chapters.json"
"""A Podcasting 2.0 JSON chapters file named after its transcript (``33.vtt`` and
``33.chapters.json``): the episode's chapters, not a transcript of its own."""


def transcripts_in(folder: Path) -> tuple[list[Path], list[Path]]:
    """The transcript and audio files under a folder, in name order, hidden ones and
    chapters files left out; an audio file only where no transcript of the same name
    lies beside it (a published transcript wins over a transcription): those are the
    second list."""
    found = [
        path
        for path in folder.rglob("*")
        if (path.suffix.lower() in SUFFIXES or path.suffix.lower() in AUDIO_SUFFIXES)
        and not path.name.lower().endswith(CHAPTERS_SUFFIX)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and path.is_file()
    ]
    written = {path.with_suffix("") for path in found if path.suffix.lower() in SUFFIXES}
    beside = {path for path in found if is_audio(path) and path.with_suffix("") in written}
    return sorted(set(found) - beside), sorted(beside)


def is_audio(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def chapters_beside(transcript: Path) -> Path | None:
    """The chapters file named after a transcript, when there is one."""
    beside = transcript.with_name(transcript.stem + CHAPTERS_SUFFIX)
    return beside if beside != transcript and beside.is_file() else None


def plan(sources: Sequence[str], options: AddOptions) -> Plan:
    """Files stay files and folders give the transcripts in them; YouTube URLs and ids
    become video ids, playlists and channels their videos; anything else is a failure
    naming what was not understood. Without the network a playlist or channel is
    noted as not listed, and the other sources are still planned: the files among them
    need no network."""
    items: list[Item | FeedEpisode] = []
    failed: list[tuple[str, str]] = []
    offline: list[str] = []
    stopped: NetworkUnavailable | None = None
    feeds: list[FeedPlan] = []
    lists: list[tuple[str, str, list[str]]] = []
    left_out: list[Path] = []
    for source in sources:
        if os.path.isdir(source):
            found, beside = transcripts_in(Path(source))
            left_out.extend(beside)
            if not found:
                failed.append(
                    (
                        source,
                        f"{source}: no transcripts (.vtt, .srt, .json) or audio in this folder",
                    )
                )
            items.extend(Item("audio" if is_audio(path) else "file", str(path)) for path in found)
            continue
        if os.path.lexists(source):
            items.append(Item("audio" if is_audio(source) else "file", source))
            continue
        target = parse_youtube(source)
        if target is None and is_http(source):
            from .feed import plan_feed
            from .transport import make_session

            try:
                read = plan_feed(
                    normalized_address(source),
                    make_session(options.proxy),
                    options.limit,
                    options.since,
                )
            except NetworkUnavailable as error:
                offline.append(source)
                stopped = stopped or error
                continue
            except ChapterSearchError as error:
                failed.append((source, str(error)))
                continue
            feeds.append(read)
            items.extend(read.items)
        elif target is None:
            failed.append((source, f"{source}: {_not_understood(source)}"))
        elif target.kind == "video":
            items.append(Item("video", target.value))
        else:
            from .youtube_metadata import expand_list

            try:
                ids = expand_list(target.value, options.limit, options.proxy)
            except NetworkUnavailable as error:
                offline.append(source)
                stopped = stopped or error
                continue
            except ChapterSearchError as error:
                failed.append((source, str(error)))
                continue
            if not ids:
                failed.append((source, f"{source}: the {target.kind} lists no videos"))
            else:
                lists.append((target.kind, source.strip(), list(ids)))
            items.extend(Item("video", video_id) for video_id in ids)
    return Plan(
        items=_distinct(items),
        failed=failed,
        offline=offline,
        stopped=stopped,
        feeds=feeds,
        lists=lists,
        beside_transcripts=left_out,
    )


def _distinct(items: "list[Item | FeedEpisode]") -> "list[Item | FeedEpisode]":
    """Items in order, each once: a file named twice (``a.vtt``, ``./a.vtt``) too."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in items:
        if not isinstance(item, Item):
            key = (item.kind, item.episode_id)
        else:
            key = (item.kind, item.value if item.kind == "video" else os.path.realpath(item.value))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _not_understood(source: str) -> str:
    if Path(source).suffix.lower() in (*SUFFIXES, *AUDIO_SUFFIXES) or (
        "/" in source and "://" not in source
    ):
        return "no such file"
    return "not a file, a podcast feed URL, a YouTube URL or a video id"


def reassemble(episode: Episode, given: Given) -> Episode:
    """An episode made again from what the library kept, with other details: no
    transcript is read and nothing is fetched."""
    if episode.origin.kind == "feed" and episode.fetched:
        from .feed import episode_from_feed

        return episode_from_feed(
            episode.id, episode.cues, episode.fetched, given, episode.description
        )
    if episode.origin.kind == "file" and (not episode.fetched or "audio" in episode.fetched):
        heard = (episode.fetched or {}).get("audio")
        return file_episode(
            episode.id,
            episode.cues,
            episode.origin,
            given,
            heard,
            episode.transcript_source,
            episode.language,
        )
    if episode.fetched:
        from .youtube import episode_from_fetched

        try:
            return episode_from_fetched(episode.id, episode.fetched, given, episode.description)
        except ChapterSearchError:
            raise
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            raise LibraryError(
                f"{episode.id}: the data kept from YouTube is damaged ({type(error).__name__}); "
                f"fetch it again with `chaptersearch add {episode.id} --refresh`"
            ) from None
    return file_episode(episode.id, episode.cues, episode.origin, given)


def _same(details: Given, stored: Episode) -> bool:
    """Whether an episode would be told nothing new: adding it again with what it was
    given before (``--channel`` as before, the same chapters file beside it) is a skip,
    not an update."""
    return details.model_dump(exclude_unset=True) == given_of(stored).model_dump(exclude_unset=True)


class EpisodeMaker:
    """Makes the episode for one item; None when it is in the library already, unchanged.

    A file keeps the id it was first added under (found by its path), and a new file
    whose name is taken by another gets a suffix, so no entry overwrites another. What
    the user gave before is kept unless given again.
    """

    def __init__(self, library: Library, options: AddOptions) -> None:
        self.library = library
        self.options = options
        self._session: Any = None
        self._fetched_before = False

    def __call__(self, item: "Item | FeedEpisode") -> Episode | None:
        if not isinstance(item, Item):
            return self._feed_item(item)
        if item.kind == "video":
            return self._video(item.value)
        return self._file(Path(item.value), audio=item.kind == "audio")

    def _stored(self, episode_id: str) -> Episode | None:
        try:
            return self.library.load(episode_id)
        except LibraryError:
            return None

    def _file(self, path: Path, audio: bool = False) -> Episode | None:
        try:
            check_regular_file(path, "file")
            location = location_of(path)
        except (ChapterSearchError, OSError, RuntimeError) as error:
            raise TranscriptError(str(error)) from None
        given = self.options.given
        beside = chapters_beside(path)
        if beside is not None and given.chapters is None and given.chapter_titles is None:
            given = beside_details(beside).merged(given)  # what the user typed wins
        existing = self.library.id_for_location(location)
        stored = self._stored(existing) if existing else None
        if existing and stored is not None:
            details = given_of(stored).merged(given)
            if (
                not self.options.refresh
                and _same(details, stored)
                and unchanged(stored.origin, path)
            ):
                return None  # the same file, told the same: skipped
            if audio and not self.options.refresh and unchanged(stored.origin, path):
                return reassemble(stored, details)  # never transcribed again for new details
            return self._read(path, details, existing, audio)
        episode_id = existing or self._video_id_for(path, given)
        episode_id = episode_id or self.library.free_id(safe_id(path.stem))
        return self._read(path, given, episode_id, audio)

    def _read(self, path: Path, given: Given, episode_id: str, audio: bool) -> Episode:
        if not audio:
            return episode_from_file(path, given, episode_id)
        from .local import episode_from_audio

        progress_for = self.options.progress_for
        return episode_from_audio(
            path,
            given,
            episode_id,
            self.options.speech_model,
            progress_for(path.name) if progress_for else None,
            self.options.languages,
        )

    def _video_id_for(self, path: Path, given: Given) -> str | None:
        """The id a YouTube ``--url`` gives a new file; refused when another entry has
        it: the second file would silently replace the first."""
        video_id = youtube_video_id(given.url)
        if video_id is None or not self.library.has(video_id):
            return video_id
        stored = self._stored(video_id)
        source = f" (from {stored.origin.location})" if stored is not None else ""
        raise ChapterSearchError(
            f"{path}: the video {video_id} is already in the library{source}; a "
            f"different file cannot take its id: `chaptersearch remove {video_id}` first "
            "to replace it, or add this file with another --url"
        )

    def _video(self, video_id: str) -> Episode | None:
        given = self.options.given
        stored = self._stored(video_id) if self.library.has(video_id) else None
        if stored is not None:
            given = given_of(stored).merged(given)
            if not self.options.refresh:
                return None if _same(given, stored) else reassemble(stored, given)
        return self._fetch(video_id, given)

    def _fetch(self, video_id: str, given: Given) -> Episode:
        from .transport import make_session
        from .youtube import fetch_episode
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
            given=given,
        )

    def _known_media(self, entry: "FeedEpisode") -> bool:
        """Whether another entry links the item's media file already: the feed read
        under another address (``http://localhost`` for ``127.0.0.1``) gives the same
        items other ids."""
        media = entry.item.media
        return media is not None and self.library.id_for_link(normalized_address(media)) is not None

    def _feed_item(self, entry: "FeedEpisode") -> Episode | None:
        """A feed item's episode; None when it is in the library already (the id comes
        from the feed and the item's guid, so nothing is fetched to know that)."""
        from .feed import fetch_feed_episode
        from .transport import make_session

        given = self.options.given
        stored = self._stored(entry.episode_id) if self.library.has(entry.episode_id) else None
        if stored is None and not self.options.refresh and self._known_media(entry):
            return None  # the same episode, brought by another address of its feed
        if stored is not None:
            given = given_of(stored).merged(given)
            if not self.options.refresh:
                return None if _same(given, stored) else reassemble(stored, given)
        if self._session is None:
            self._session = make_session(self.options.proxy)
        transcribing = None
        if self.options.transcribe:
            from .feed import Transcribing

            transcribing = Transcribing(self.options.speech_model, self.options.progress_for)
        try:
            return fetch_feed_episode(
                entry, self._session, self.options.languages, given, transcribing
            )
        except (NetworkUnavailable, Skipped):
            raise
        except ChapterSearchError as error:
            raise type(error)(f"{entry.item.title}: {error}") from None
