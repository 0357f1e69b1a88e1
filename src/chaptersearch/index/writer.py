"""The Whoosh index: passages in, with everything a hit needs stored beside them.

The index is derived data: ``rebuild`` makes it anew from the library. It lives in
generations: ``whoosh/CURRENT`` names the live sub-folder. Incremental writes (``add``,
``edit``, ``remove``) go through Whoosh's own transactional commit in the live
generation, committing every 20,000 passages or minute so work done is searchable as it
goes. A rebuild writes a whole new generation and then replaces ``CURRENT``, so a crash
part-way leaves the previous index working and a search never sees a half-swap.
Only writers (holding the home's lock) clean up stale generations.
"""

import contextlib
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.codec import whoosh3
from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.index import Index
from whoosh.writing import IndexWriter

from ..errors import ChapterSearchError, IndexBusyError
from ..library.disk import REBUILD_LATER, cannot_write
from ..library.interrupts import held
from ..models import Episode
from .codec import BlockCodec
from .passages import passages_of
from .schema import CURRENT, channel_key, create_index, live_folder, open_index, pack_passage

COMMIT_PASSAGES = 20_000
"""A long ``add`` commits once it has written this many passages (about 350 episodes of
an hour): what was added becomes searchable, and a kill loses at most this much work
from the index (the library keeps it; the next writer puts it back). Committing by the
clock (every 10 s) made many small segments, and merging them cost an ``add`` about
what indexing did; a segment of this size is merged rarely. The last commit of a
command merges by ``tiered_merge``."""

COMMIT_SECONDS = 60.0
"""A slow ``add`` (one that waits on the network) still commits this often, so what it
added becomes searchable while it goes on."""

MERGE_FACTOR = 8
"""Segments of one size level are merged once there are this many (with the segment
being written): a search opens a matcher per segment and term, so a home of 10,470
episodes had 122 segments and spent more time opening them than matching. Each passage
is rewritten about log8(size / ``MERGE_FLOOR``) times over its life."""
MERGE_FLOOR = 1000
"""Segments below this many passages are all of the lowest level."""
MERGE_SKEW = 2
"""A segment more than this many times the size of the rest of its group waits: on a
busy machine a 10-second commit holds a few passages, and absorbing each few into one
growing segment rewrote it every eight commits."""
MERGE_CEILING = 150_000
"""Segments of this many passages or more are left alone: merging them would cost an
``add`` of a few episodes minutes, and a few segments this large cost a search little."""


def _level(passages: int) -> int:
    return int(math.log(max(passages, MERGE_FLOOR) / MERGE_FLOOR, MERGE_FACTOR))


def merge_plan(new: int, sizes: list[int]) -> list[int]:
    """Which existing segments (their live passage counts) to merge into the one being
    written, which holds ``new`` passages: Lucene's log merge policy. While
    ``MERGE_FACTOR`` segments (the new one among them) share the lowest level, they
    become one segment of the level above, which may fill that level in turn."""
    chosen: list[int] = []
    left = sorted((size, number) for number, size in enumerate(sizes) if size < MERGE_CEILING)
    size = new
    while left:
        level = _level(size)
        low = [item for item in left if _level(item[0]) <= level]
        while low and low[-1][0] > MERGE_SKEW * (size + sum(item[0] for item in low[:-1])):
            low.pop()
        if len(low) + 1 < MERGE_FACTOR:
            break
        for item in low:
            left.remove(item)
            chosen.append(item[1])
            size += item[0]
    return sorted(chosen)


def tiered_merge(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy following ``merge_plan``: merges the chosen segments into
    the writer's new segment and returns the segments kept as they are."""
    from whoosh.reading import SegmentReader

    chosen = set(merge_plan(writer.docnum, [segment.doc_count() for segment in segments]))
    for number in sorted(chosen):
        reader = SegmentReader(writer.storage, writer.schema, segments[number])
        writer.add_reader(reader)
        reader.close()
    return [segment for number, segment in enumerate(segments) if number not in chosen]


def passage_documents(episode: Episode) -> Iterable[dict[str, Any]]:
    """One Whoosh document per passage of an episode."""
    for passage in passages_of(episode):
        chapter = episode.chapters[passage.chapter_index]
        # A title made from the talk repeats words of its own passages: searched as a
        # boosted title it would count them twice, so it is kept for display only.
        made_up = chapter.source == "generated"
        named = any(passage.cue_speakers)
        speakers = [name or "" for name in passage.cue_speakers] if named else []
        yield {
            "key": f"{episode.id}:{passage.chapter_index}:{passage.number}",
            "video": episode.id,
            "chapter_key": f"{episode.id}:{passage.chapter_index}",
            "channel": episode.channel,
            "channel_key": channel_key(episode.channel),
            "episode_title": episode.title,
            "chapter": "" if made_up else chapter.title,
            "text": passage.text,
            "pairs": passage.text,
            "speaker": "\n".join(sorted(set(speakers))),
            "passage": pack_passage(passage.text, passage.cue_offsets, passage.cue_starts),
            "meta": {
                "url": episode.url,
                "chapter_index": passage.chapter_index,
                "number": passage.number,
                "chapter_start": chapter.start,
                "chapter_source": chapter.source,
                **({"chapter_title": chapter.title} if made_up else {}),
                **({"speakers": speakers} if named else {}),
            },
        }


class _StoredColumn(CompressedBytesColumn):  # type: ignore[misc]
    """Whoosh's stored-fields column, written with its table of offsets whatever the
    segment's size: without it, every search rebuilt the table of a segment of under
    32,768 passages in Python (10 ms for two segments of 27,000). Same format."""

    def writer(self, dbfile: Any) -> Any:
        writer = super().writer(dbfile)
        writer.cutoff = 0
        return writer


whoosh3.STORED_COLUMN = PickleColumn(_StoredColumn())


def passage_texts(episode: Episode) -> tuple[list[str], list[str]]:
    """Each passage's index key and text, in order: what its vectors are made from."""
    passages = passages_of(episode)
    keys = [f"{episode.id}:{p.chapter_index}:{p.number}" for p in passages]
    return keys, [p.text for p in passages]


WRITER_OPTIONS: dict[str, Any] = {"compound": False, "codec": BlockCodec()}
"""Separate segment files: whoosh3 reads a compound file's parts into memory each time a
searcher opens (a copy of every part), which cost more than the search itself. Posting
blocks as flat arrays (``codec``): read without unpickling."""


def _writer(ix: Index, **options: Any) -> IndexWriter:
    """A writer holding Whoosh's lock. The lock is taken here, not by the writer: a
    writer that fails while it sets up (a full disk) keeps its lock until the process
    ends, and every later writer of the same ``add`` would be told the index is busy."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise IndexBusyError(
            f"index is busy: another chaptersearch is writing to {ix.storage.folder}; "
            "try again when it has finished"
        )
    try:
        writer = ix.writer(_lk=False, **WRITER_OPTIONS, **options)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock
    return writer


def _cancel(writer: IndexWriter) -> None:
    """Drop what a writer holds. A writer whose commit failed (a full disk) has closed
    itself, and says so if cancelled: the failure that closed it is the one to report."""
    with contextlib.suppress(Exception):
        writer.cancel()


def _generations(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_dir() and path.name[:1] == "g")


def _new_generation(folder: Path) -> Path:
    numbers = [int(path.name[1:]) for path in _generations(folder) if path.name[1:].isdigit()]
    return folder / f"g{max(numbers, default=0) + 1:06d}"


def _point_at(folder: Path, generation: Path) -> None:
    """Make ``generation`` the live index in one atomic rename."""
    temporary = folder / f"{CURRENT}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(generation.name)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, folder / CURRENT)


def clean_stale(folder: Path) -> None:
    """Remove everything in the index folder but the live generation: generations left
    by an interrupted or superseded rebuild, and an index of an older layout. Writers
    only; a search may still be reading a superseded generation, and retries."""
    if not folder.is_dir():
        return
    live = live_folder(folder)
    for path in folder.iterdir():
        if path.name == CURRENT or (live is not None and path == live):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def open_for_writing(folder: Path) -> Index:
    """The live index, made (empty) when there is none yet."""
    if live_folder(folder) is not None:
        ix = open_index(folder, readonly=False)
        clean_stale(folder)
        return ix
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder)
    generation = _new_generation(folder)
    ix = create_index(generation)
    _point_at(folder, generation)
    return ix


def indexed_ids(ix: Index) -> set[str]:
    """The episode ids with passages in an index (deleted passages not counted)."""
    found: set[str] = set()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for raw in reader.lexicon("video"):
            episode_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            if reader.postings("video", episode_id).is_active():
                found.add(episode_id)
    return found


def duplicated_ids(ix: Index) -> set[str]:
    """The episode ids with a passage indexed more than once (live copies only): a
    passage key is unique, so any such copy is a fault that ``rebuild`` mends. Only keys
    that some segment holds twice, or several segments hold, are read in full."""
    found: set[str] = set()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        counts: dict[bytes, int] = {}
        for leaf, _ in reader.leaf_readers():
            for raw, info in leaf.iter_field("key"):
                counts[raw] = counts.get(raw, 0) + info.doc_frequency()
        for raw, count in counts.items():
            if count > 1 and sum(1 for _ in reader.postings("key", raw).all_ids()) > 1:
                found.add(raw.decode().rsplit(":", 2)[0])
    return found


class IndexUpdater:
    """Replaces and removes episodes in the live index, committing every
    ``COMMIT_PASSAGES`` passages (or ``COMMIT_SECONDS``, whichever comes first);
    ``on_commit`` hears which episode ids each commit made durable.

    The index is opened only when the first change comes, so an ``add`` whose every
    source fails leaves no index behind. Leaving the ``with`` block commits what is
    whole; if it is left while an episode is half written, that batch is dropped (its
    library entries stay pending, and the next writer indexes them).
    """

    def __init__(
        self,
        folder: Path,
        on_commit: Callable[[list[str]], None] | None = None,
        commit_seconds: float = COMMIT_SECONDS,
        commit_passages: int = COMMIT_PASSAGES,
    ) -> None:
        self.folder = folder
        self.on_commit = on_commit
        self.commit_seconds = commit_seconds
        self.commit_passages = commit_passages
        self._uncommitted = 0
        self.passages = 0
        self._ix: Index | None = None
        self._writer: IndexWriter | None = None
        self._batch: list[str] = []
        self._half_written = False
        self._unmerged = False
        self._last_commit = time.monotonic()

    @property
    def index(self) -> Index:
        if self._ix is None:
            self._ix = open_for_writing(self.folder)
        return self._ix

    def _open_writer(self) -> IndexWriter:
        if self._writer is None:
            self._writer = _writer(self.index)
        return self._writer

    def settle(self, episode_id: str) -> None:
        """Commit now if the open writer holds changes to this episode: Whoosh's delete
        by term reaches only committed passages, so writing an episode a second time in
        one writer would leave both copies live."""
        if episode_id in self._batch:
            self.commit(merge=False)

    def replace(self, episode: Episode) -> int:
        """Write an episode's passages in place of any it had; the number written."""
        self.settle(episode.id)
        writer = self._open_writer()
        self._half_written = True
        count = 0
        try:
            writer.delete_by_term("video", episode.id)
            for document in passage_documents(episode):
                writer.add_document(**document)
                count += 1
        except Exception:
            self._drop_batch()
            raise
        self._half_written = False
        self._batch.append(episode.id)
        self.passages += count
        self._uncommitted += count
        self._maybe_commit()
        return count

    def remove(self, episode_id: str) -> None:
        if live_folder(self.folder) is None:
            return
        self.settle(episode_id)
        writer = self._open_writer()
        writer.delete_by_term("video", episode_id)
        self._batch.append(episode_id)

    def _drop_batch(self) -> None:
        """Cancel what is not committed; its entries stay pending for the next writer."""
        if self._writer is not None:
            _cancel(self._writer)
            self._writer = None
        self._batch = []
        self._uncommitted = 0
        self._half_written = False

    def _maybe_commit(self) -> None:
        if (
            self._uncommitted >= self.commit_passages
            or time.monotonic() - self._last_commit >= self.commit_seconds
        ):
            self.commit(merge=False)

    def commit(self, merge: bool = True) -> None:
        """Make what was written durable; with ``merge``, merge segments by
        ``tiered_merge`` (the commits an ``add`` makes as it goes do not: on a busy
        machine each held a few passages, and merging at every one doubled the CPU time
        of an add).

        Ctrl-C or SIGTERM waits for the commit and its bookkeeping to end (``held``):
        Whoosh's writer stopped half-way can be neither committed again ("seek of closed
        file") nor trusted, and what it held would be missing from the index."""
        if merge and self._writer is None and self._unmerged:
            self._open_writer()  # the segments of the commits made as it went
        with held():
            if self._writer is not None:
                try:
                    if merge:
                        self._writer.commit(mergetype=tiered_merge)
                    else:
                        self._writer.commit(merge=False)
                    self._unmerged = not merge
                except OSError as error:
                    self._drop_batch()
                    raise ChapterSearchError(
                        cannot_write(self.folder.parent, error, REBUILD_LATER)
                    ) from None
                self._writer = None
            self._last_commit = time.monotonic()
            self._uncommitted = 0
            batch, self._batch = self._batch, []
            if batch and self.on_commit:
                self.on_commit(batch)

    def close(self, commit: bool = True) -> None:
        try:
            if commit and not self._half_written:
                self.commit()
            else:
                self._drop_batch()
        finally:
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    def __enter__(self) -> "IndexUpdater":
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        # Complete episodes are kept even when the block ends in an error or Ctrl-C:
        # they are in the library, and the user was told they were added.
        self.close(commit=True)


def default_processes(episodes: int) -> int:
    """Indexing processes for a rebuild: two where there are two cores, processes can
    fork, and enough episodes to repay starting them."""
    import multiprocessing

    forks = "fork" in multiprocessing.get_all_start_methods()
    return 2 if forks and episodes >= 200 and (os.cpu_count() or 1) >= 2 else 1


def build_index(
    folder: Path,
    episodes: Iterable[Episode],
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> tuple[int, int]:
    """Build a new generation from scratch and make it the live index.

    Returns the number of episodes and of passages indexed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    live = live_folder(folder) if folder.is_dir() else None
    for stale in _generations(folder):
        if stale != live:
            shutil.rmtree(stale, ignore_errors=True)
    generation = _new_generation(folder)
    options: dict[str, Any] = {"limitmb": 256, **WRITER_OPTIONS}
    episode_count = passage_count = 0
    try:
        ix = create_index(generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    try:
        if processes > 1:
            from .workers import QuietMpWriter

            writer = QuietMpWriter(ix, procs=processes, multisegment=True, **options)
        else:
            writer = ix.writer(**options)
        try:
            for episode in episodes:
                for document in passage_documents(episode):
                    writer.add_document(**document)
                    passage_count += 1
                episode_count += 1
                if progress:
                    progress(episode_count)
            writer.commit()
        except BaseException:
            _cancel(writer)
            raise
    except BaseException:
        ix.close()
        shutil.rmtree(generation, ignore_errors=True)
        raise
    ix.close()
    _point_at(folder, generation)
    clean_stale(folder)
    return episode_count, passage_count
