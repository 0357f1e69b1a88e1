"""The engines compared, over the same passages: chaptersearch (Whoosh), SQLite FTS5
with porter stemming (what yt-fts uses) and tantivy (its Python bindings).

Each engine answers a ``BenchQuery`` with passages in rank order, as episode ids, so
speed and quality are measured on exactly the same work.
"""

import re
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from chaptersearch.index.writer import build_index, default_processes, passage_documents
from chaptersearch.models import Episode
from chaptersearch.search.engine import SearchRequest, search

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BenchQuery:
    """One query, in each engine's terms: chaptersearch takes ``text`` as typed."""

    text: str
    words: tuple[str, ...]
    phrase: bool = False
    video: str | None = None
    channel: str | None = None
    kind: str = "words"


WINDOW_SECONDS = 120.0
WINDOW_HOP = 60.0


def rows_of(episode: Episode, windows: bool) -> list[dict[str, Any]]:
    """What a peer indexes for an episode: chaptersearch's passages, or (the peers'
    best setting) two-minute windows of captions every minute, knowing no chapters."""
    if not windows:
        return list(passage_documents(episode))
    rows = []
    start = 0.0
    while start < episode.duration:
        text = " ".join(
            cue.text for cue in episode.cues if start <= cue.start < start + WINDOW_SECONDS
        )
        if text:
            rows.append(
                {
                    "text": text,
                    "chapter": "",
                    "episode_title": episode.title,
                    "channel": episode.channel,
                    "video": episode.id,
                }
            )
        start += WINDOW_HOP
    return rows


def plain_query(text: str) -> BenchQuery:
    return BenchQuery(text=text, words=tuple(WORD.findall(text)))


class Engine(Protocol):
    name: str

    def build(self, episodes: Iterable[Episode]) -> int: ...

    def search(self, query: BenchQuery, limit: int) -> list[str]: ...

    def process_command(self, query: BenchQuery) -> list[str]: ...

    def size(self) -> int: ...


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@dataclass
class ChapterSearch:
    """chaptersearch's own index and search, in process (one chapter, one hit)."""

    home: Path
    name: str = "chaptersearch"
    per_chapter: int = 1

    @property
    def folder(self) -> Path:
        return self.home / "whoosh"

    def build(self, episodes: Iterable[Episode]) -> int:
        chosen = list(episodes)
        return build_index(self.folder, chosen, processes=default_processes(len(chosen)))[1]

    def search(self, query: BenchQuery, limit: int) -> list[str]:
        request = SearchRequest(
            query.text,
            limit=limit,
            video=query.video,
            channel=query.channel,
            per_chapter=self.per_chapter,
        )
        return [hit.video_id for hit in search(self.folder, request)]

    def process_command(self, query: BenchQuery) -> list[str]:
        command = [str(Path(sys.executable).with_name("chaptersearch")), "--home", str(self.home)]
        command += ["search", query.text]
        if query.video:
            command += ["--video", query.video]
        if query.channel:
            command += ["--channel", query.channel]
        return command

    def size(self) -> int:
        return folder_size(self.folder)


def _fts_match(query: BenchQuery) -> str:
    if query.phrase:
        return '"' + " ".join(query.words) + '"'
    return " OR ".join(f'"{word}"' for word in query.words)


FTS_SQL = "SELECT video FROM passages WHERE passages MATCH ? {extra} ORDER BY rank LIMIT ?"


@dataclass
class Fts5:
    """SQLite FTS5, porter stemmer over unicode61, bm25 ranking, words OR'd."""

    path: Path
    name: str = "SQLite FTS5 (porter)"
    windows: bool = False

    def build(self, episodes: Iterable[Episode]) -> int:
        self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        db.execute(
            "CREATE VIRTUAL TABLE passages USING fts5(text, chapter, episode_title, channel, "
            "video UNINDEXED, tokenize='porter unicode61')"
        )
        count = 0
        for episode in episodes:
            rows = [
                (d["text"], d["chapter"], d["episode_title"], d["channel"], d["video"])
                for d in rows_of(episode, self.windows)
            ]
            db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?)", rows)
            count += len(rows)
        db.commit()
        db.close()
        return count

    def _connection(self) -> sqlite3.Connection:
        if not hasattr(self, "_db"):
            self._db = sqlite3.connect(self.path)
        return self._db

    def search(self, query: BenchQuery, limit: int) -> list[str]:
        if not query.words:
            return []
        sql, params = fts_statement(query, limit)
        return [row[0] for row in self._connection().execute(sql, params)]

    def process_command(self, query: BenchQuery) -> list[str]:
        sql, params = fts_statement(query, 10)
        script = (
            "import sqlite3, sys, json; db = sqlite3.connect(sys.argv[1]); "
            "rows = db.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall(); print(len(rows))"
        )
        import json

        return [sys.executable, "-c", script, str(self.path), sql, json.dumps(params)]

    def size(self) -> int:
        return folder_size(self.path)


def fts_statement(query: BenchQuery, limit: int) -> tuple[str, list[Any]]:
    extra, params = "", [_fts_match(query)]
    if query.video:
        extra += "AND video = ? "
        params.append(query.video)
    if query.channel:
        extra += "AND channel MATCH ? "
        params.append(" ".join(f'"{w}"' for w in WORD.findall(query.channel)))
    return FTS_SQL.format(extra=extra), [*params, limit]


@dataclass
class Tantivy:
    """tantivy with its English stemmer, BM25, words OR'd (its default)."""

    folder: Path
    name: str = "tantivy"
    windows: bool = False
    _index: Any = field(default=None, repr=False)

    def _schema(self) -> Any:
        import tantivy

        builder = tantivy.SchemaBuilder()
        for name in ("text", "chapter", "episode_title", "channel"):
            builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
        builder.add_text_field("video", stored=True, tokenizer_name="raw")
        return builder.build()

    def build(self, episodes: Iterable[Episode]) -> int:
        import shutil

        import tantivy

        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        index = tantivy.Index(self._schema(), path=str(self.folder))
        writer = index.writer(heap_size=256_000_000, num_threads=2)
        count = 0
        for episode in episodes:
            for d in rows_of(episode, self.windows):
                writer.add_document(
                    tantivy.Document(
                        text=d["text"],
                        chapter=d["chapter"],
                        episode_title=d["episode_title"],
                        channel=d["channel"],
                        video=d["video"],
                    )
                )
                count += 1
        writer.commit()
        writer.wait_merging_threads()
        self._index = None
        return count

    def _open(self) -> Any:
        import tantivy

        if self._index is None:
            self._index = tantivy.Index.open(str(self.folder))
            self._index.reload()
        return self._index

    def search(self, query: BenchQuery, limit: int) -> list[str]:
        if not query.words:
            return []
        index = self._open()
        parsed = tantivy_query(index, query)
        searcher = index.searcher()
        hits = searcher.search(parsed, limit).hits
        return [searcher.doc(address)["video"][0] for _, address in hits]

    def process_command(self, query: BenchQuery) -> list[str]:
        """A new process that opens the index and runs the words (a plain query)."""
        text = '"' + " ".join(query.words) + '"' if query.phrase else " ".join(query.words)
        script = (
            "import sys, tantivy\n"
            "index = tantivy.Index.open(sys.argv[1])\n"
            "fields = ['text', 'chapter', 'episode_title']\n"
            "query, _ = index.parse_query_lenient(sys.argv[2], fields)\n"
            "print(len(index.searcher().search(query, 10).hits))\n"
        )
        return [sys.executable, "-c", script, str(self.folder), text]

    def size(self) -> int:
        return folder_size(self.folder)


def tantivy_query(index: Any, query: BenchQuery) -> Any:
    import tantivy

    text = '"' + " ".join(query.words) + '"' if query.phrase else " ".join(query.words)
    parsed, _ = index.parse_query_lenient(text, ["text", "chapter", "episode_title"])
    must = [(tantivy.Occur.Must, parsed)]
    if query.video:
        must.append(
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "video", query.video))
        )
    if query.channel:
        channel, _ = index.parse_query_lenient(
            " ".join(WORD.findall(query.channel)), ["channel"], conjunction_by_default=True
        )
        must.append((tantivy.Occur.Must, channel))
    return tantivy.Query.boolean_query(must) if len(must) > 1 else parsed
