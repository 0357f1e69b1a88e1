"""The sources a home follows: every feed, YouTube channel and playlist that was added.

``update`` reads them again; ``sources`` lists them and ``sources remove`` forgets one.
They live in ``sources.json`` in the home, written as the library is (a temporary file
renamed over the old one, so a crash leaves the old list or the new, never half), and
only under the home's write lock. Each keeps the validators of its last read (ETag,
Last-Modified) for a conditional request, and the ids of the episodes it gave.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ChapterSearchError
from ..library.disk import write_whole
from ..urls import normalized_address

FILE_NAME = "sources.json"
MAX_ATTEMPTS = 3
"""How many updates try an item that fails before it is left alone."""


class SourcesError(ChapterSearchError):
    """The sources file cannot be read, or names no such source."""


@dataclass
class Source:
    """One followed source."""

    kind: str
    address: str
    title: str = ""
    added: str = ""
    updated: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    episode_ids: list[str] = field(default_factory=list)
    limit: int | None = None
    """Only the newest this many items (videos) at each read, as ``add --limit`` said."""
    since: str | None = None
    """Only items published on or after this day (YYYY-MM-DD), as ``add --since`` said."""
    languages: list[str] | None = None
    """Transcript languages in order of preference, as ``add --lang`` said."""
    transcribe: bool = False
    """Items without a timed transcript are transcribed here, as ``add --transcribe`` said."""
    speech_model: str | None = None
    """The speech model ``add --speech-model`` named for them."""
    removed: list[str] = field(default_factory=list)
    """Episodes of this source the user removed: ``update`` does not add them again."""
    failures: dict[str, int] = field(default_factory=dict)
    """Items that failed (a transcript that could not be fetched), by episode id: how
    many updates tried them. ``update`` tries each again, up to ``MAX_ATTEMPTS``."""

    def choose(
        self,
        limit: int | None,
        since: str | None,
        languages: list[str] | None,
        transcribe: bool = False,
        speech_model: str | None = None,
    ) -> None:
        """Keep what an ``add`` of this source asked for; what it did not say stays as
        an earlier add left it, as an episode's given details do."""
        self.limit = limit if limit is not None else self.limit
        self.since = since if since is not None else self.since
        self.languages = languages if languages else self.languages
        self.transcribe = transcribe or self.transcribe
        self.speech_model = speech_model or self.speech_model

    def choices(self) -> list[str]:
        """What this source was added with, as ``sources`` shows it."""
        shown = [f"newest {self.limit:,}"] if self.limit is not None else []
        shown += [f"since {self.since}"] if self.since else []
        shown += [f"languages {','.join(self.languages)}"] if self.languages else []
        if self.transcribe:
            shown.append(f"transcribed here ({self.speech_model or 'base'})")
        if self.removed:
            shown.append(f"{len(self.removed):,} removed by you, not added again")
        given_up = sum(count >= MAX_ATTEMPTS for count in self.failures.values())
        failing = len(self.failures) - given_up
        shown += [f"{failing:,} failed, tried again by update"] if failing else []
        shown += [f"{given_up:,} failed {MAX_ATTEMPTS} times, no longer tried"] if given_up else []
        return shown

    def remember(self, ids: list[str]) -> None:
        known = set(self.episode_ids)
        self.episode_ids.extend(episode_id for episode_id in ids if episode_id not in known)


_TEXTS = ("kind", "address", "title", "added")
_TEXTS_OR_NONE = ("updated", "etag", "last_modified", "since")
_LISTS = ("episode_ids", "removed")


def _wrong_field(source: Source) -> str | None:
    """Which field of a source read from the file has the wrong type, said as the user
    would fix it, or None: a file edited by hand (``"episode_ids": "abc"``) must be
    found damaged when read, not fail later as an AttributeError."""
    for name in _TEXTS:
        if not isinstance(getattr(source, name), str):
            return f"{name} is not text"
    for name in _TEXTS_OR_NONE:
        if not isinstance(getattr(source, name), str | None):
            return f"{name} is not text"
    for name in _LISTS:
        if not _texts(getattr(source, name)):
            return f"{name} is not a list of ids"
    if source.languages is not None and not _texts(source.languages):
        return "languages is not a list of language codes"
    if type(source.transcribe) is not bool:
        return "transcribe is not true or false"
    if source.speech_model is not None and not isinstance(source.speech_model, str):
        return "speech_model is not text"
    if source.limit is not None and (type(source.limit) is not int or source.limit < 1):
        return "limit is not a whole number"
    failures = source.failures
    if not isinstance(failures, dict) or not all(
        isinstance(key, str) and type(count) is int for key, count in failures.items()
    ):
        return "failures is not a count per id"
    return None


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    """The followed sources of one home, in the order they were added."""

    def __init__(self, root: Path) -> None:
        self.path = root / FILE_NAME
        self.sources: list[Source] = self._load()

    def _load(self) -> list[Source]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as error:
            raise SourcesError(f"cannot read {self.path} ({error.strerror})") from None
        try:
            data = json.loads(text)
            sources = [Source(**entry) for entry in data["sources"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise self._damaged("") from None
        for number, source in enumerate(sources, start=1):
            wrong = _wrong_field(source)
            if wrong:
                raise self._damaged(f" (source {number}: {wrong})")
        return sources

    def _damaged(self, why: str) -> SourcesError:
        return SourcesError(
            f"{self.path} is damaged{why}; remove it to start the list of sources again"
        )

    def find(self, address: str) -> Source | None:
        """The source at ``address`` however it is spelt (``urls.normalized_address``)."""
        wanted = normalized_address(address)
        for source in self.sources:
            if normalized_address(source.address) == wanted:
                return source
        return None

    def follow(self, kind: str, address: str, title: str = "") -> Source:
        """The source at ``address``, added to the list when new."""
        source = self.find(address)
        if source is None:
            source = Source(kind=kind, address=address, title=title, added=now())
            self.sources.append(source)
        elif title:
            source.title = title
        return source

    def resolve(self, text: str) -> Source:
        """The source a user named: its number in ``sources``, its address, or a unique
        start of its address or title."""
        if text.isdigit() and 1 <= int(text) <= len(self.sources):
            return self.sources[int(text) - 1]
        exact = self.find(text)
        if exact is not None:
            return exact
        lowered = text.lower()
        matches = [
            source
            for source in self.sources
            if source.address.lower().startswith(lowered)
            or (source.title and source.title.lower().startswith(lowered))
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SourcesError(f"{text!r} names {len(matches)} sources; give its number or address")
        raise SourcesError(f"no source {text!r}; see `chaptersearch sources`")

    def forget(self, source: Source) -> None:
        self.sources = [kept for kept in self.sources if kept is not source]

    def save(self) -> None:
        """Write the list whole or not at all."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {"sources": [asdict(source) for source in self.sources]}
        write_whole(self.path, json.dumps(data, indent=2, ensure_ascii=False))


def remember_removed(root: Path, episode_ids: list[str]) -> None:
    """Note in every source that gave them that these episodes were removed by the
    user, so ``update`` does not bring them back. Call it under the home's lock."""
    registry = Registry(root)
    gone = set(episode_ids)
    changed = False
    for source in registry.sources:
        for episode_id in source.episode_ids:
            if episode_id in gone and episode_id not in source.removed:
                source.removed.append(episode_id)
                changed = True
    if changed:
        registry.save()


def change(home: Any, wait: float, edit: Any) -> "Registry":
    """Read the list, let ``edit`` change it, and write it, all under the home's write
    lock, so two commands never lose each other's changes."""
    with home.writing(wait):
        registry = Registry(home.root)
        edit(registry)
        registry.save()
    return registry


def remember_added(
    home: Any,
    plan: Any,
    library: Any,
    wait: float,
    complete: bool,
    options: Any,
    failed: frozenset[str] = frozenset(),
) -> None:
    """Follow the feeds, channels and playlists an ``add`` read, with the ids of their
    episodes now in the library and the ``--limit``, ``--since`` and ``--lang`` it was
    given (``options``), which ``update`` honours, and the items that ``failed`` (named as
    the add reported them) for ``update`` to try again; a feed's validators are kept only when
    the whole feed was tried (``complete``), so an interrupted add is finished by the
    next update."""
    if not plan.feeds and not plan.lists:
        return
    since = options.since.isoformat() if options.since else None

    def edit(registry: Registry) -> None:
        for feed in plan.feeds:
            source = registry.follow("feed", feed.url, feed.title)
            source.choose(
                options.limit, since, options.languages, options.transcribe, options.speech_model
            )
            source.remember([e.episode_id for e in feed.items if library.has(e.episode_id)])
            for entry in feed.items:  # failed here: counted from the first update's try
                if str(entry) in failed and not library.has(entry.episode_id):
                    source.failures.setdefault(entry.episode_id, 0)
            source.updated = now()
            if complete:
                source.etag, source.last_modified = feed.etag, feed.last_modified
        for kind, address, ids in plan.lists:
            source = registry.follow(kind, address)
            source.choose(options.limit, None, options.languages)
            source.remember([video for video in ids if library.has(video)])
            source.updated = now()

    change(home, wait, edit)
