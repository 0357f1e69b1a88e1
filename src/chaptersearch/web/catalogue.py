"""The library at a glance, for the page that browses it: each episode's details and
chapters without its transcript, read once and kept while its file is unchanged.

An entry is mostly captions: reading the 1,047 entries of the real corpus whole took
5 s, their details alone 0.16 s. Entries are written by pydantic in the model's field
order, details first and ``cues`` after them, so the details are the JSON before the
first ``,"cues":`` (a key: inside a string a quote is escaped), closed with ``}``; an
entry where that does not hold is read whole. Afterwards a request only looks at each
file's size and time, so a page of a library of thousands costs a listing of its folder
and the episodes it shows.
"""

import threading
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import LibraryError
from ..library.store import BOM, Library
from ..models import Chapter, Label, Seconds

CUES = b',"cues":'
CHUNK = 1 << 16


class Summary(BaseModel):
    """What the browse page shows of an episode."""

    id: str = ""
    title: Label
    channel: Label = ""
    published: date | None = None
    duration: Seconds
    chapters: list[Chapter]


def read_summary(path: Path) -> Summary:
    """An entry's details; a LibraryError when the entry cannot be read at all."""
    head = b""
    try:
        with path.open("rb") as stream:
            while CUES not in head:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                head += chunk
        cut = head.find(CUES)
        if cut > 0:
            summary = Summary.model_validate_json(head[:cut].removeprefix(BOM) + b"}")
            return summary.model_copy(update={"id": path.stem})
    except (OSError, ValidationError, ValueError, RecursionError):
        pass
    episode = Library.load_path(path)  # the slow way, with the library's own errors
    return Summary(
        id=path.stem,
        title=episode.title,
        channel=episode.channel,
        published=episode.published,
        duration=episode.duration,
        chapters=episode.chapters,
    )


class Catalogue:
    """Summaries of a library's entries, kept between requests."""

    def __init__(self, folder: Path) -> None:
        self.library = Library(folder)
        self._known: dict[Path, tuple[tuple[int, int], Summary | None]] = {}
        self._lock = threading.Lock()
        self.unreadable = 0
        """Entries that could not be read at the last look."""

    def summaries(self) -> list[Summary]:
        """Every readable entry, reading only those new or changed since the last call."""
        with self._lock:
            fresh: dict[Path, tuple[tuple[int, int], Summary | None]] = {}
            for path in self.library.paths():
                try:
                    status = path.stat()
                except OSError:  # removed meanwhile
                    continue
                stamp = (status.st_mtime_ns, status.st_size)
                known = self._known.get(path)
                if known is None or known[0] != stamp:
                    try:
                        known = (stamp, read_summary(path))
                    except LibraryError:
                        known = (stamp, None)
                fresh[path] = known
            self._known = fresh
            self.unreadable = sum(summary is None for _, summary in fresh.values())
            return [summary for _, summary in fresh.values() if summary is not None]
