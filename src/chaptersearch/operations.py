"""What the commands do to a home, with no printing: add, edit, remove, rebuild, stats.

Every change takes the home's write lock, writes the library (the source of truth) and
then the index. An entry is marked pending before it is written and unmarked once the
index commit holding it is durable, and every writing command starts by indexing what
an earlier, killed one left pending (``HomeWriter.reconcile``). So Ctrl-C, a kill or a
crash loses at most the episode in flight, and only until the next write.
"""

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .chapters.topics import needs_cutting_again
from .errors import (
    ChapterSearchError,
    IndexBusyError,
    LibraryError,
    NetworkUnavailable,
    Skipped,
)
from .index.schema import live_folder, open_index
from .index.writer import IndexUpdater, build_index, duplicated_ids, indexed_ids, passage_texts
from .library.disk import REBUILD_LATER, cannot_write
from .library.home import Home
from .library.interrupts import held
from .library.journal import Pending
from .library.store import Library
from .models import Episode
from .search import vectors
from .search.embedding import EmbeddingError


@dataclass
class Mended:
    """What a writer found left over by an interrupted command, and put right."""

    indexed: list[str] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)
    unreadable: list[LibraryError] = field(default_factory=list)


class HomeWriter:
    """The library and the index of a home, changed together. Use under ``home.writing()``.

    With an ``embedder``, each episode stored also gets its passage vectors (when its
    passages changed), and the search matrix is gathered anew on the way out.
    """

    def __init__(self, home: Home, library: Library | None = None, embedder: Any = None) -> None:
        self.home = home
        self.library = library or Library(home.library)
        self.pending = Pending(home.pending)
        self.updater = IndexUpdater(home.index, on_commit=self.pending.clear)
        self.embedder = embedder
        self.vectors_changed = False

    def __enter__(self) -> "HomeWriter":
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.finish()

    def finish(self) -> None:
        """Commit what is written and gather the search matrix anew if vectors changed.
        A disk that refuses either is one ChapterSearchError naming the cause; the
        library keeps every entry, and searches answer from the last good index."""
        try:
            self.updater.close()
            if self.vectors_changed:
                self.vectors_changed = False
                publish_vectors(self.home, self.library, self.embedder)
        except OSError as error:
            raise ChapterSearchError(cannot_write(self.home.root, error, REBUILD_LATER)) from None

    def store(self, episode: Episode) -> int:
        """Write an episode to the library and the index; the passages written. Call it
        inside ``interrupts.held()``, with whatever records that it was done."""
        self.updater.settle(episode.id)  # before the mark: a commit clears marks
        self.pending.mark(episode.id)
        self.library.save(episode)
        count = self.updater.replace(episode)
        if self.embedder is not None:
            try:
                self.vectors_changed |= embed_episode(self.home, episode, self.embedder)
            except EmbeddingError:  # the model failed (``embedding.Guarded`` keeps why):
                self.embedder = None  # the words are written; embed nothing more
        return count

    def delete(self, episode_id: str) -> None:
        with held():
            self.pending.mark(episode_id)
            self.updater.remove(episode_id)
            self.updater.commit()
            self.library.remove(episode_id)
            self.pending.clear([episode_id])
            if vectors.has_any(self.home):
                vectors.forget(self.home, episode_id)
                self.vectors_changed = True

    def reconcile(self) -> Mended:
        """Bring the index level with the library: index the entries it lacks or that
        were left pending, and drop passages of entries no longer in the library.
        What this writer holds uncommitted is committed first: the index read here must
        show it, or its entries (still marked) would be indexed a second time."""
        self.updater.commit()
        mended = Mended()
        in_library = set(self.library.ids())
        has_index = live_folder(self.home.index) is not None
        if not in_library and not has_index:
            self.pending.clear(sorted(self.pending.ids()))
            return mended
        indexed = indexed_ids(self.updater.index)
        pending = self.pending.ids()
        for episode_id in sorted((indexed | pending) - in_library):
            self.updater.remove(episode_id)
            mended.unindexed.append(episode_id)
        for episode_id in sorted((in_library - indexed) | (pending & in_library)):
            try:
                episode = self.library.load_path(self.library.path(episode_id))
            except LibraryError as error:
                mended.unreadable.append(error)
                self.pending.clear([episode_id])
                continue
            with held():
                self.updater.replace(episode)
            mended.indexed.append(episode_id)
        self.updater.commit()
        return mended


def embed_episode(home: Home, episode: Episode, embedder: Any) -> bool:
    """Compute and keep an episode's passage vectors unless the kept ones still fit;
    whether anything was computed."""
    keys, texts = passage_texts(episode)
    made = vectors.digest(keys, texts)
    if vectors.stored(home, episode.id) == (made, embedder.name):
        return False
    vectors.save(home, episode.id, keys, embedder.embed(texts), made, embedder.name)
    return True


def publish_vectors(home: Home, library: Library, embedder: Any) -> list[str]:
    """Gather the search matrix from the kept vectors of the library's episodes. Damaged
    vector files are set aside; with an ``embedder`` they are computed again at once.
    Returns the episodes left without vectors that way (the next rebuild embeds them)."""
    if embedder is not None:
        model = embedder.name
    else:  # the model the home remembers, else the one the current matrix was made with
        try:
            model = vectors.settings(home).get("model_name")
        except EmbeddingError:
            model = None
        model = model or vectors.matrix_model(home)
    if not model:
        return []
    ids = library.ids()
    set_aside = vectors.publish(home, ids, model)
    if not set_aside or embedder is None:
        return set_aside
    for episode_id in set_aside:
        with contextlib.suppress(LibraryError):
            embed_episode(home, library.load(episode_id), embedder)
    return vectors.publish(home, ids, model)


@dataclass(frozen=True)
class Added:
    """What a report keeps of an episode added: an ``add`` of 10,000 episodes that
    kept each whole (its cues, some 0.6 MB) peaked at gigabytes of memory."""

    id: str
    title: str
    chapter_notes: list[str]


@dataclass
class AddReport:
    """What an ``add`` did, source by source."""

    added: list[Added] = field(default_factory=list)
    updated: list[Added] = field(default_factory=list)
    """Episodes that were in the library already, changed (new details, a changed file)."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(episode id, note) on the chapters of new episodes and of those whose chapters
    changed: an update that leaves the chapters as they were has nothing new to say."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    not_tried: list[str] = field(default_factory=list)
    """Sources left when Ctrl-C stopped the batch."""
    offline: list[str] = field(default_factory=list)
    """YouTube sources not added for want of the network: the one that found it gone,
    and those after it (not tried: each would fail the same way)."""
    passages: int = 0
    stopped: NetworkUnavailable | None = None
    """Set when the network went away: why the ``offline`` sources were not added."""
    interrupted: bool = False
    mended: Mended = field(default_factory=Mended)
    problem: str | None = None
    """Set when the index could not be brought level at the end (a full disk, say):
    what was added is in the library, and the next writer or ``rebuild`` indexes it."""


EpisodeMaker = Callable[[Any], Episode | None]
"""Turns one source into an episode; None means skip it (already in the library)."""


def _needs_network(source: Any) -> bool:
    return getattr(source, "kind", None) in ("video", "feed-item")


def _slow(source: Any) -> bool:
    """Whether making the episode takes long (a download, a transcription): the home's
    lock is let go meanwhile."""
    return _needs_network(source) or getattr(source, "kind", None) == "audio"


def _unexpected(source: Any, error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename}" if error.filename else " to the home"
        return f"{source}: cannot write{where} ({error.strerror})"
    return f"{source}: unexpected {type(error).__name__}: {error} (run with --debug for details)"


RELOCK_SECONDS = 600.0
"""How long an ``add`` that let the lock go to download waits to take it back: another
writer slipped in meanwhile and will end; the downloaded episode must not be lost."""


class Storing:
    """The home's write lock and writer, held while episodes are stored and let go
    while one downloads (``pause``), so a slow server never keeps other writers out.
    The first taking waits ``wait`` (a busy home is refused at once, as before) and
    brings the index level; later ones wait up to ``RELOCK_SECONDS``. A pause only
    commits; merging segments and gathering the search matrix happen once, at the end
    (``finish``), as in an add that never lets go."""

    def __init__(self, home: Home, library: Library | None, embedder: Any, wait: float) -> None:
        self.home = home
        self.library = library or Library(home.library)
        self.embedder = embedder
        self.wait = wait
        self.mended: Mended | None = None
        self.vectors_changed = False
        self._lock: Any = None
        self._writer: HomeWriter | None = None

    def writer(self) -> HomeWriter:
        if self._writer is None:
            lock = self.home.writing(self.wait)
            lock.__enter__()
            self._lock = lock
            self.wait = max(self.wait, RELOCK_SECONDS)
            try:
                self._writer = HomeWriter(self.home, self.library, self.embedder)
                self._writer.vectors_changed = self.vectors_changed
                if self.mended is None:
                    self.mended = self._writer.reconcile()
            except BaseException:
                self._writer = None
                self._release()
                raise
        return self._writer

    def pause(self) -> str | None:
        """Commit what is stored, and let the lock go; what stopped the commit."""
        if self._writer is None:
            return None
        writer, self._writer = self._writer, None
        try:
            self.vectors_changed = writer.vectors_changed
            writer.updater.commit(merge=False)
            return None
        except ChapterSearchError as error:
            return str(error)
        finally:
            try:
                writer.updater.close(commit=False)  # committed above, or to be mended
            finally:
                self._release()

    def finish(self, mend: bool = False) -> str | None:
        """The end of the batch: bring the index level (when ``mend``), commit and merge,
        gather the search matrix if vectors changed, and let the lock go."""
        if self._writer is None and not self.vectors_changed:
            return None
        writer = self.writer()
        self._writer = None
        try:
            return _finish_add(self.home, writer, mend)
        finally:
            try:
                writer.updater.close(commit=False)  # committed above, or to be mended
            finally:
                self._release()

    def _release(self) -> None:
        self._lock, lock = None, self._lock
        if lock is not None:
            lock.__exit__(None, None, None)


def add_sources(
    home: Home,
    sources: Iterable[Any],
    make_episode: EpisodeMaker,
    on_done: Callable[[Any], None] | None = None,
    wait: float = 0.0,
    library: Library | None = None,
    embedder: Any = None,
    still_wanted: Callable[[], str | None] | None = None,
) -> AddReport:
    """Make, store and index an episode per source.

    Each source fails alone: a bad file, a missing video or a full disk is reported
    and the rest go on. Losing the network skips the YouTube sources after it (each
    would fail the same way) but not files. Ctrl-C stops after the episode in hand;
    what was added is kept and searchable. ``library`` is the one ``make_episode``
    looks ids up in, so it sees what this batch added. The home's lock is let go while
    an episode downloads (``Storing``): only storing holds it, and ``still_wanted``
    (``update``: is the feed still followed?) is asked under it before each store; a
    reason it gives stops the batch.
    """
    report = AddReport()
    pending_sources: Iterator[Any] = iter(sources)
    storing = Storing(home, library, embedder, wait)
    try:
        storing.writer()  # a busy home is refused before anything is fetched
        for source in pending_sources:
            if report.stopped is not None and _needs_network(source):
                report.offline.append(str(source))
                continue
            try:
                if _slow(source):
                    report.problem = report.problem or storing.pause()
                episode = make_episode(source)
                if episode is None:
                    report.skipped.append((str(source), "already in the library"))
                else:
                    writer = storing.writer()
                    unwanted = still_wanted() if still_wanted else None
                    if unwanted:
                        report.failed.append((str(source), unwanted))
                        break
                    before = _chapters_before(writer.library, episode.id)
                    with held():
                        report.passages += writer.store(episode)
                        kept = Added(episode.id, episode.title, list(episode.chapter_notes))
                        (report.added if before is None else report.updated).append(kept)
                    if before != episode.chapters:
                        report.notes.extend((episode.id, note) for note in episode.chapter_notes)
            except KeyboardInterrupt:
                report.interrupted = True
                break
            except NetworkUnavailable as error:
                report.stopped = error
                report.offline.append(str(source))
            except Skipped as error:
                report.skipped.append((str(source), str(error)))
            except IndexBusyError:
                raise
            except ChapterSearchError as error:
                report.failed.append((str(source), str(error)))
            except Exception as error:  # one source's surprise must not cost the batch
                report.failed.append((str(source), _unexpected(source, error)))
            if on_done:
                on_done(source)
        report.not_tried.extend(str(source) for source in pending_sources)
    finally:
        # a failure while writing may have dropped the batch it was in from the index
        # (the library has it): put it back now rather than at the next write
        try:
            mend_now = bool(report.failed) and not report.interrupted
            report.problem = storing.finish(mend_now) or report.problem
        except KeyboardInterrupt:  # during the last commit, which ends first (``held``)
            report.interrupted = True
        report.mended = storing.mended or Mended()
    return report


def _chapters_before(library: Library, episode_id: str) -> list[Any] | None:
    """The chapters an episode has in the library before it is stored again; None when
    it is new (an unreadable entry counts as there, with no chapters)."""
    if not library.has(episode_id):
        return None
    try:
        return list(library.load_path(library.path(episode_id)).chapters)
    except LibraryError:
        return []


def _finish_add(home: Home, writer: HomeWriter, mend: bool) -> str | None:
    """Bring the index level (when ``mend``) and commit; what stopped that, as one
    line, so that the report of what was added is still printed."""
    problem = None
    for step in ([writer.reconcile] if mend else []) + [writer.finish]:
        try:
            step()
        except OSError as error:
            problem = problem or cannot_write(home.root, error, REBUILD_LATER)
        except ChapterSearchError as error:
            problem = problem or str(error)
    return problem


def mend(home: Home, wait: float = 0.0) -> Mended:
    """Bring the index level with the library, as every writer does first: what an
    interrupted or killed command left out is indexed. ``update`` runs it even when no
    source has anything new."""
    with home.writing(wait), HomeWriter(home) as writer:
        return writer.reconcile()


def edit(
    home: Home,
    episode_id: str,
    change: Callable[[Episode], Episode],
    wait: float,
    embedder: Any = None,
) -> Episode:
    """Apply ``change`` to a stored episode and reindex it (and, with an ``embedder``,
    embed its passages if they changed); returns the new episode."""
    with home.writing(wait), HomeWriter(home, embedder=embedder) as writer:
        writer.reconcile()
        episode = change(writer.library.load(episode_id))
        with held():
            writer.store(episode)
    return episode


def remove(
    home: Home,
    episode_ids: list[str],
    wait: float = 0.0,
    on_removed: Callable[[str], None] | None = None,
    remember: bool = True,
) -> list[str]:
    """Delete episodes from library and index; returns what was removed (each title, or
    the id when the entry is unreadable), also told to ``on_removed`` as each goes, so
    an interrupted removal still says what it did. All ids are resolved before any is
    deleted, so a mistyped one removes nothing; an episode named twice goes once. With
    ``remember``, the sources that gave them note it, so ``update`` leaves them out."""
    with home.writing(wait), HomeWriter(home) as writer:
        resolved = list(dict.fromkeys(writer.library.resolve(given) for given in episode_ids))
        labels = []
        for episode_id in resolved:
            try:
                labels.append(f"{episode_id}: {writer.library.load(episode_id).title}")
            except LibraryError:
                labels.append(episode_id)
            writer.delete(episode_id)
            if on_removed is not None:
                on_removed(labels[-1])
        if remember:
            from .sources.registry import remember_removed

            remember_removed(home.root, resolved)
    return labels


@dataclass
class RebuildReport:
    episodes: int
    passages: int
    skipped: list[LibraryError]


def rebuild(
    home: Home,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
    wait: float = 0.0,
    embedder: Any = None,
    embedding_progress: Callable[[int, int], None] | None = None,
) -> RebuildReport:
    """A new index from every readable library entry; unreadable ones are skipped and
    reported, never fatal for the rest. With an ``embedder``, episodes whose passages
    have no vectors yet (or changed) are embedded; kept vectors are never recomputed."""
    library = Library(home.library)
    skipped: list[LibraryError] = []

    def readable() -> Iterator[Episode]:
        for entry in library.episodes():
            if isinstance(entry, LibraryError):
                skipped.append(entry)
            elif needs_cutting_again(entry):
                yield cut_again(library, entry)
            else:
                yield entry

    with home.writing(wait):
        pending = Pending(home.pending)
        marked = sorted(pending.ids())
        try:
            episodes, passages = build_index(home.index, readable(), progress, processes)
        except OSError as error:
            raise ChapterSearchError(
                cannot_write(
                    home.root,
                    error,
                    "run `chaptersearch rebuild` again: the previous index is unchanged "
                    "and answers searches",
                )
            ) from None
        pending.clear(marked)
        try:
            if embedder is not None:
                report_embedding(home, library, embedder, embedding_progress)
            if embedder is not None or vectors.has_any(home):
                publish_vectors(home, library, embedder)
        except OSError as error:
            raise ChapterSearchError(
                cannot_write(
                    home.root,
                    error,
                    "run `chaptersearch rebuild` again: the index is rebuilt, and the "
                    "passage vectors computed so far are kept",
                )
            ) from None
    return RebuildReport(episodes=episodes, passages=passages, skipped=skipped)


def cut_again(library: Library, episode: Episode) -> Episode:
    """The episode with its made-up chapters cut again by today's method, saved; the
    episode as it was when it cannot be saved, so the index matches the library."""
    from .sources.adding import reassemble
    from .sources.details import given_of

    try:
        again = reassemble(episode, given_of(episode))
        with held():
            library.save(again)
    except (ChapterSearchError, OSError, ValueError):
        return episode
    return again


def report_embedding(
    home: Home,
    library: Library,
    embedder: Any,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Embed every readable episode that lacks current vectors; how many were."""
    todo = []
    for entry in library.episodes():
        if isinstance(entry, Episode):
            keys, texts = passage_texts(entry)
            if vectors.stored(home, entry.id) != (vectors.digest(keys, texts), embedder.name):
                todo.append(entry)
    total = sum(len(passage_texts(entry)[0]) for entry in todo)
    done = 0
    for entry in todo:
        with held():
            embed_episode(home, entry, embedder)
        done += len(passage_texts(entry)[0])
        if progress:
            progress(done, total)
    return len(todo)


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
    indexed: int
    not_indexed: list[str]
    """Library entries the index lacks (an interrupted command); ``rebuild`` mends them."""
    index_problem: str | None = None
    duplicated: list[str] = field(default_factory=list)
    """Episodes with passages indexed more than once (a fault); ``rebuild`` mends them."""
    vectors: dict[str, Any] = field(default_factory=dict)
    """Passage vectors for search by meaning: ``vectors.summary``."""
    writer: str | None = None
    """The command writing to the home as these were counted (``Home.writer``)."""


def folder_bytes(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def stats(home: Home) -> Stats:
    home.check()
    library = Library(home.library)
    episodes = unreadable = cues = 0
    seconds = 0.0
    by_source: dict[str, int] = {}
    readable: set[str] = set()
    for entry in library.summaries():
        if isinstance(entry, LibraryError):
            unreadable += 1
            continue
        episodes += 1
        readable.add(entry.id)
        seconds += entry.duration
        cues += entry.cue_count
        for chapter in entry.chapters:
            by_source[chapter.source] = by_source.get(chapter.source, 0) + 1
    indexed: set[str] = set()
    duplicated: set[str] = set()
    problem = None
    if live_folder(home.index) is not None:
        try:
            ix = open_index(home.index)
            try:
                indexed = indexed_ids(ix)
                duplicated = duplicated_ids(ix)
            finally:
                ix.close()
        except ChapterSearchError as error:
            problem = str(error)
    return Stats(
        home=home.root,
        episodes=episodes,
        unreadable=unreadable,
        hours=round(seconds / 3600, 2),
        cues=cues,
        chapters_by_source=by_source,
        index_bytes=folder_bytes(home.index),
        library_bytes=folder_bytes(home.library),
        indexed=len(indexed & readable),
        not_indexed=sorted(readable - indexed),
        index_problem=problem,
        duplicated=sorted(duplicated),
        vectors=vectors.summary(home, readable),
        writer=home.writer(),
    )
