"""What the commands do to a home, with no printing: add, remove, rebuild, stats.

Every change takes the home's write lock first, writes the library (the source of
truth) and then the index, so a failure part-way never loses an episode: at worst the
index lags the library until the next ``rebuild``.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ChapterSearchError, LibraryError, NetworkUnavailable
from .home import Home
from .index import build_index, index_episodes, remove_episode
from .library import Library
from .models import Episode


@dataclass
class AddReport:
    """What an ``add`` did, source by source."""

    added: list[Episode] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    stopped: NetworkUnavailable | None = None
    """Set when the network went away: the rest of the batch was not tried."""


EpisodeMaker = Callable[[Any], Episode | None]
"""Turns one source into an episode; None means skip it (already in the library)."""


def add_sources(
    home: Home,
    sources: Iterable[Any],
    make_episode: EpisodeMaker,
    on_done: Callable[[Any], None] | None = None,
) -> AddReport:
    """Make, store and index an episode per source; one source's failure never stops the
    rest, but losing the network does (each further try would fail the same way).

    Episodes are streamed into one index commit, so adding hundreds costs one commit,
    and what was added before a stop is kept.
    """
    report = AddReport()
    library = Library(home.library)

    def stored_episodes() -> Iterator[Episode]:
        for source in sources:
            try:
                episode = make_episode(source)
            except NetworkUnavailable as error:
                report.stopped = error
                return
            except ChapterSearchError as error:
                report.failed.append((str(source), str(error)))
                episode = None
            else:
                if episode is None:
                    report.skipped.append((str(source), "already in the library"))
                else:
                    library.save(episode)
                    report.added.append(episode)
            if on_done:
                on_done(source)
            if episode is not None:
                yield episode

    with home.writing():
        report.passages = index_episodes(home.index, stored_episodes())
    return report


def remove(home: Home, episode_id: str) -> Episode:
    """Delete an episode from library and index; returns what was removed."""
    library = Library(home.library)
    with home.writing():
        episode = library.load(episode_id)
        remove_episode(home.index, episode.id)
        library.remove(episode_id)
    return episode


@dataclass
class RebuildReport:
    episodes: int
    passages: int
    skipped: list[LibraryError]


def rebuild(
    home: Home, progress: Callable[[int], None] | None = None, processes: int = 1
) -> RebuildReport:
    """A new index from every readable library entry; unreadable ones are skipped and
    reported, never fatal for the rest."""
    library = Library(home.library)
    skipped: list[LibraryError] = []

    def readable() -> Iterator[Episode]:
        for entry in library.episodes():
            if isinstance(entry, LibraryError):
                skipped.append(entry)
            else:
                yield entry

    with home.writing():
        episodes, passages = build_index(home.index, readable(), progress, processes)
    return RebuildReport(episodes=episodes, passages=passages, skipped=skipped)


@dataclass
class Stats:
    home: Path
    episodes: int
    unreadable: int
    hours: float
    cues: int
    chapters_by_source: dict[str, int]
    index_bytes: int
    library_bytes: int


def folder_bytes(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def stats(home: Home) -> Stats:
    library = Library(home.library)
    episodes = unreadable = cues = 0
    seconds = 0.0
    by_source: dict[str, int] = {}
    for entry in library.episodes():
        if isinstance(entry, LibraryError):
            unreadable += 1
            continue
        episodes += 1
        seconds += entry.duration
        cues += len(entry.cues)
        for chapter in entry.chapters:
            by_source[chapter.source] = by_source.get(chapter.source, 0) + 1
    return Stats(
        home=home.root,
        episodes=episodes,
        unreadable=unreadable,
        hours=seconds / 3600,
        cues=cues,
        chapters_by_source=by_source,
        index_bytes=folder_bytes(home.index),
        library_bytes=folder_bytes(home.library),
    )
