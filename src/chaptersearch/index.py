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

from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

from .errors import IndexBusyError, IndexMissingError
from .models import Episode
from .passages import passages_of

FIELD_BOOSTS = {"text": 1.0, "chapter": 2.0, "episode_title": 1.5}
"""Words in a chapter's title say what the whole chapter is about, so they weigh more."""


def text_analyzer() -> Analyzer:
    """Lower case, English stop words out, Porter stems: what users type matches what
    speakers say ("deploying" finds "deploy")."""
    return StemmingAnalyzer()


def make_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        key=ID(unique=True),
        video=ID(stored=True),
        chapter_key=ID(sortable=True),
        channel=STORED,
        channel_key=ID,
        episode_title=TEXT(
            stored=True, analyzer=analyzer, field_boost=FIELD_BOOSTS["episode_title"]
        ),
        chapter=TEXT(stored=True, analyzer=analyzer, field_boost=FIELD_BOOSTS["chapter"]),
        text=TEXT(stored=True, analyzer=analyzer),
        meta=STORED,
    )


def channel_key(name: str) -> str:
    """A channel's name as one index term: filters on it are a single term lookup, where
    a phrase over a text field had to check positions in every passage of the channel."""
    return " ".join(name.lower().split())


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


def _recover_interrupted_swap(folder: Path) -> None:
    aside = folder.with_name(folder.name + ".old")
    if not folder.exists() and aside.exists():
        aside.rename(folder)


def open_index(folder: Path) -> Index:
    """The live index, or a clear error naming the home when there is none."""
    _recover_interrupted_swap(folder)
    if not whoosh_index.exists_in(str(folder)):
        raise IndexMissingError(
            f"no index in {folder.parent}: add episodes with `chaptersearch add FILE`, "
            "or run `chaptersearch rebuild` if the library already has them"
        )
    try:
        ix = whoosh_index.open_dir(str(folder))
    except Exception as error:  # Whoosh raises many types for a damaged index
        raise IndexMissingError(
            f"the index in {folder} cannot be opened ({type(error).__name__}); "
            "run `chaptersearch rebuild`"
        ) from None
    if sorted(ix.schema.names()) != sorted(make_schema().names()):
        ix.close()
        raise IndexMissingError(
            f"the index in {folder} was made by another version of chaptersearch; "
            "run `chaptersearch rebuild`"
        )
    return ix


def open_or_create(folder: Path) -> Index:
    _recover_interrupted_swap(folder)
    if whoosh_index.exists_in(str(folder)):
        return open_index(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(folder), make_schema())


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
    ix.close()
    return count


def remove_episode(folder: Path, episode_id: str) -> None:
    """Delete an episode's passages from the live index, if there is one."""
    _recover_interrupted_swap(folder)
    if not whoosh_index.exists_in(str(folder)):
        return
    ix = open_index(folder)
    writer = _writer(ix)
    writer.delete_by_term("video", episode_id)
    writer.commit()
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
    building.mkdir(parents=True)
    ix = whoosh_index.create_in(str(building), make_schema())
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
    _recover_interrupted_swap(folder)
    shutil.rmtree(aside, ignore_errors=True)
    if folder.exists():
        folder.rename(aside)
    building.rename(folder)
    shutil.rmtree(aside, ignore_errors=True)
    return episode_count, passage_count
