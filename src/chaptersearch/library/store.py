"""The library: one JSON file per episode, the source of truth the index is built from.

An episode's id is its file name (``<id>.json``), so what ``list`` prints is what
``show`` and ``remove`` find. Ids a user types are matched against the files that
exist, never joined onto a path, so no id can reach outside the library.
"""

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from ..errors import LibraryError
from ..ids import match_id
from ..models import Episode, Summary
from .disk import write_whole

_UNSAFE = re.compile(r"[^\w.-]+")
BOM = b"\xef\xbb\xbf"
"""What an editor may put before an entry it saves; JSON parsers refuse it."""
MAX_ID_LENGTH = 80
_SEPARATOR = re.compile(r"[/\\\0]")


def safe_id(text: str) -> str:
    """An episode id usable as a file name and an index term on every system: letters of
    any script, digits, ``_ . -``; never empty, never starting with ``-`` or ``.``."""
    cleaned = _UNSAFE.sub("-", text)[:MAX_ID_LENGTH].strip("-.")
    return cleaned or "episode"


def entry_name_ok(episode_id: str) -> bool:
    """Whether an id can name a file in a folder of its own: not empty, no path
    separator, and not hidden (``.``, ``..``, an editor's ``.#x``). Entries added by hand
    under other names (``x y.json``, ``<b>.json``) keep their names as ids."""
    return bool(episode_id) and not episode_id.startswith(".") and not _SEPARATOR.search(episode_id)


class Library:
    """Episodes stored as ``<id>.json`` under one folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._locations: dict[str, str] | None = None
        self._links: dict[str, str] | None = None

    def path(self, episode_id: str) -> Path:
        """Where an entry is: a safe id (the only kind chaptersearch makes), or the name
        of an entry that exists (one copied in by hand), never outside the folder."""
        path = self.folder / f"{episode_id}.json"
        if safe_id(episode_id) != episode_id and not (entry_name_ok(episode_id) and path.is_file()):
            raise LibraryError(f"{episode_id!r} is not an episode id")
        return path

    def save(self, episode: Episode) -> None:
        """Write an episode, replacing any with the same id.

        The JSON goes to a temporary file in the same folder that is then renamed over
        the old one, so a crash leaves either the old entry or the new, never half.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        write_whole(self.path(episode.id), episode.model_dump_json())
        if self._locations is not None:
            self._locations[episode.origin.location] = episode.id
        if self._links is not None and episode.url:
            from ..urls import normalized_address

            self._links[normalized_address(episode.url)] = episode.id

    def load(self, episode_id: str) -> Episode:
        return self.load_path(self.path(self.resolve(episode_id)))

    @staticmethod
    def load_path(path: Path) -> Episode:
        """An entry, with its file name as its id; a damaged entry is a LibraryError."""
        try:
            if not stat.S_ISREG(path.stat().st_mode):
                raise ValueError("not a regular file")
            episode = Episode.model_validate_json(path.read_bytes().removeprefix(BOM))
        except (ValidationError, ValueError, OSError, RecursionError) as error:
            reason = str(error).splitlines()[0][:200]
            raise LibraryError(f"{path}: unreadable library entry ({reason})") from None
        if episode.id != path.stem:
            episode = episode.model_copy(update={"id": path.stem})
        return episode

    @classmethod
    def summary_path(cls, path: Path) -> Summary:
        """An entry without its transcript, read from the entry's head (everything
        before ``"cues"``) when it has one; an entry laid out otherwise (older, or
        written by hand) is read whole."""
        try:
            head = _head(path)
            if head is not None:
                summary = Summary.model_validate_json(head)
                return summary.model_copy(update={"id": path.stem})
        except (ValidationError, ValueError, OSError, RecursionError):
            pass  # read whole, to say what is wrong with it
        return Summary.of(cls.load_path(path))

    def summaries(self) -> Iterator[Summary | LibraryError]:
        """Every entry's summary, an error in place of an unreadable one."""
        for path in self.paths():
            try:
                yield self.summary_path(path)
            except LibraryError as error:
                yield error

    def has(self, episode_id: str) -> bool:
        return entry_name_ok(episode_id) and (self.folder / f"{episode_id}.json").is_file()

    def ids(self) -> list[str]:
        return [path.stem for path in self.paths()]

    def resolve(self, text: str) -> str:
        """The id a user meant: the id itself, or the one id it is the start of; else an
        error that lists the ids it could be, or ones spelt like it."""
        meant = match_id(text, self.ids())
        if meant.found is not None:
            return meant.found
        starting = meant.starting
        if starting:
            shown = ", ".join(starting[:5]) + (", …" if len(starting) > 5 else "")
            raise LibraryError(
                f"{text!r} is the start of {len(starting)} episode ids ({shown}); type more of it"
            )
        close = meant.close
        hint = f"; did you mean {' or '.join(close)}?" if close else "; see `chaptersearch list`"
        raise LibraryError(f"no episode {text!r} in the library of {self.folder.parent}{hint}")

    def remove(self, episode_id: str) -> None:
        self.path(self.resolve(episode_id)).unlink()

    def paths(self) -> list[Path]:
        """Every entry's file; hidden files (``...json`` too) are not entries."""
        if not self.folder.is_dir():
            return []
        return sorted(path for path in self.folder.glob("*.json") if entry_name_ok(path.stem))

    def episodes(self) -> Iterator[Episode | LibraryError]:
        """Every entry, yielding an error in place of an unreadable one so callers can
        skip it and go on."""
        for path in self.paths():
            try:
                yield self.load_path(path)
            except LibraryError as error:
                yield error

    def id_for_location(self, location: str) -> str | None:
        """The id of the entry read from a file or video, if any; found by reading each
        entry's origin once per command (a quick scan, not a full load)."""
        return self._scan()[0].get(location)

    def id_for_link(self, link: str) -> str | None:
        """The id of the entry whose link (``url``, a feed item's media file) is
        ``link`` (as ``urls.normalized_address`` spells it), found in the same scan."""
        return self._scan()[1].get(link)

    def _scan(self) -> tuple[dict[str, str], dict[str, str]]:
        """Every entry's origin (files and videos) and link, read from its head once per
        command, for ``id_for_location`` and ``id_for_link``; kept current by ``save``."""
        if self._locations is None or self._links is None:
            from ..urls import normalized_address

            self._locations, self._links = {}, {}
            for path in self.paths():
                kind, location, link = _origin_and_link(path)
                if kind in ("file", "youtube") and isinstance(location, str):
                    self._locations.setdefault(location, path.stem)
                if isinstance(link, str):
                    self._links.setdefault(normalized_address(link), path.stem)
        return self._locations, self._links

    def free_id(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``-3``… when another entry has it already: two
        different files never share an id, so one can never overwrite the other."""
        candidate, number = wanted, 1
        while self.has(candidate):
            number += 1
            suffix = f"-{number}"
            candidate = f"{wanted[: MAX_ID_LENGTH - len(suffix)]}{suffix}"
        return candidate


HEAD_BYTES = 8 << 20
"""The most of an entry read looking for its cues: its chapters (at most one every
10 s of 100 hours) and description fit many times over."""
_CUES = re.compile(rb',\s*"cues"\s*:\s*\[')


def _head(path: Path) -> bytes | None:
    """An entry's fields before its cues, as a JSON object; None when there is no such
    head (the cues come first, or too late). ``"cues":[`` cannot stand inside a string
    of the entry: JSON escapes every quote in one."""
    if not stat.S_ISREG(path.stat().st_mode):
        return None
    data = bytearray()
    with open(path, "rb") as stream:
        while len(data) < HEAD_BYTES:
            chunk = stream.read(1 << 16)
            if not chunk:
                return None
            start = max(len(data) - 32, 0)
            data += chunk
            found = _CUES.search(data, start)
            if found is not None:
                head = bytes(data[: found.start()]).removeprefix(BOM)
                return head + b"}" if head.startswith(b"{") else None
    return None


_ORIGIN = re.compile(rb'"origin":\{"kind":"(\w+)","location":("(?:[^"\\]|\\.)*")')
_URL = re.compile(rb'"channel":"(?:[^"\\]|\\.)*","url":("(?:[^"\\]|\\.)*"|null)')
"""An entry's own link: the first ``url`` after its ``channel`` (its given details,
which may hold a ``url`` too, come later)."""


def _origin_and_link(path: Path) -> tuple[object, object, object]:
    """An entry's origin kind and location and its link, from its head (else the whole
    entry, when its head does not hold them); Nones for what cannot be read."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None, None, None
        with open(path, "rb") as stream:
            text = stream.read(65536)
        origin, link = _ORIGIN.search(text), _URL.search(text)
        if origin is None or link is None:
            text = path.read_bytes()
            origin, link = _ORIGIN.search(text), _URL.search(text)
        return (
            origin.group(1).decode() if origin else None,
            json.loads(origin.group(2)) if origin else None,
            json.loads(link.group(1)) if link else None,
        )
    except (OSError, ValueError):
        return None, None, None
