"""The Whoosh index: passages in, with everything a hit needs stored beside them.

The index is derived data: ``rebuild`` makes it anew from the library. Incremental
writes (``add``, ``remove``) go through Whoosh's own transactional commit. A rebuild
writes a complete index beside the live one and swaps folders, so a crash part-way
leaves the previous index working, and a crash between the two renames is mended the
next time the index is opened.
"""

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

from .errors import IndexBusyError
from .models import Episode
from .passages import passages_of
from .schema import (
    channel_key,
    create_index,
    index_exists,
    open_index,
    recover_interrupted_swap,
)


def passage_documents(episode: Episode) -> Iterable[dict[str, Any]]:
    """One Whoosh document per passage of an episode."""
    for passage in passages_of(episode):
        chapter = episode.chapters[passage.chapter_index]
        yield {
            "key": f"{episode.id}:{passage.chapter_index}:{passage.number}",
            "video": episode.id,
            "chapter_key": f"{episode.id}:{passage.chapter_index}",
            "channel": episode.channel,
            "channel_key": channel_key(episode.channel),
            "episode_title": episode.title,
            "chapter": chapter.title,
            "text": passage.text,
            "meta": {
                "url": episode.url,
                "chapter_index": passage.chapter_index,
                "chapter_start": chapter.start,
                "chapter_source": chapter.source,
                "offsets": passage.cue_offsets,
                "starts": passage.cue_starts,
            },
        }


def open_or_create(folder: Path) -> Index:
    return open_index(folder) if index_exists(folder) else create_index(folder)


WRITER_OPTIONS: dict[str, Any] = {"compound": False}
"""Separate segment files: whoosh3 reads a compound file's parts into memory each time a
searcher opens (a copy of every part), which cost more than the search itself."""


def _writer(ix: Index, **options: Any) -> IndexWriter:
    try:
        return ix.writer(**WRITER_OPTIONS, **options)
    except LockError:
        raise IndexBusyError(
            f"index is busy: another chaptersearch is writing to {ix.storage.folder}; "
            "try again when it has finished"
        ) from None


def index_episodes(folder: Path, episodes: Iterable[Episode]) -> int:
    """Add or replace episodes in the live index; the number of passages written."""
    ix = open_or_create(folder)
    count = 0
    try:
        writer = _writer(ix)
        try:
            for episode in episodes:
                writer.delete_by_term("video", episode.id)
                for document in passage_documents(episode):
                    writer.add_document(**document)
                    count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    finally:
        ix.close()
    return count


def remove_episode(folder: Path, episode_id: str) -> None:
    """Delete an episode's passages from the live index, if there is one."""
    if not index_exists(folder):
        return
    ix = open_index(folder)
    try:
        writer = _writer(ix)
        writer.delete_by_term("video", episode_id)
        writer.commit()
    finally:
        ix.close()


def build_index(
    folder: Path,
    episodes: Iterable[Episode],
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> tuple[int, int]:
    """Build a new index from scratch beside ``folder`` and swap it in.

    Returns the number of episodes and of passages indexed.
    """
    building = folder.with_name(folder.name + ".building")
    aside = folder.with_name(folder.name + ".old")
    shutil.rmtree(building, ignore_errors=True)
    ix = create_index(building)
    options: dict[str, Any] = {"limitmb": 256, **WRITER_OPTIONS}
    if processes > 1:
        options.update(procs=processes, multisegment=True)
    writer = ix.writer(**options)
    episode_count = passage_count = 0
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
        writer.cancel()
        ix.close()
        shutil.rmtree(building, ignore_errors=True)
        raise
    ix.close()
    recover_interrupted_swap(folder)
    shutil.rmtree(aside, ignore_errors=True)
    if folder.exists():
        folder.rename(aside)
    building.rename(folder)
    shutil.rmtree(aside, ignore_errors=True)
    return episode_count, passage_count
