"""The quote suite: a sentence someone heard, found at its second.

Random five-word quotes (seeded), each five consecutive words said inside one caption
of a Python Bytes episode, common words included, searched as a quoted phrase. A quote
is found when a hit is that episode within ``TOLERANCE`` seconds of the caption's start:
at hit 1, in the top 10, and at hit 1 again with the episode given (``video:``).
chaptersearch is compared with SQLite FTS5 over the same captions, one row per caption
(what yt-fts does), and tantivy over the same rows.
"""

import random
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaptersearch.models import Episode
from chaptersearch.search.engine import SearchRequest, search

WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
TOLERANCE = 6.0


@dataclass(frozen=True)
class Quote:
    text: str
    video: str
    start: float


@dataclass(frozen=True)
class QuoteResult:
    quotes: int
    first: float
    top10: float
    first_with_video: float


def sample_quotes(episodes: Sequence[Episode], count: int = 200, seed: int = 11) -> list[Quote]:
    rng = random.Random(seed)
    captions = [
        (episode.id, cue.start, WORD.findall(cue.text))
        for episode in episodes
        if episode.channel == "Python Bytes"
        for cue in episode.cues
    ]
    captions = [caption for caption in captions if len(caption[2]) >= 5]
    quotes = []
    for video, start, words in rng.sample(captions, min(count, len(captions))):
        first = rng.randrange(len(words) - 4)
        quotes.append(Quote(" ".join(words[first : first + 5]).lower(), video, start))
    return quotes


Found = list[tuple[str, float]]
"""(episode id, second) of each hit, best first."""


def evaluate(find: Callable[[Quote, bool], Found], quotes: Sequence[Quote]) -> QuoteResult:
    first = top10 = with_video = 0
    for quote in quotes:
        hits = find(quote, False)
        at = [
            video == quote.video and abs(second - quote.start) <= TOLERANCE
            for video, second in hits
        ]
        first += bool(at[:1] and at[0])
        top10 += any(at[:10])
        pinned = find(quote, True)
        with_video += bool(
            pinned and pinned[0][0] == quote.video and abs(pinned[0][1] - quote.start) <= TOLERANCE
        )
    total = max(1, len(quotes))
    return QuoteResult(len(quotes), first / total, top10 / total, with_video / total)


def chaptersearch_finder(index_folder: Path) -> Callable[[Quote, bool], Found]:
    def find(quote: Quote, pinned: bool) -> Found:
        request = SearchRequest(f'"{quote.text}"', limit=10, video=quote.video if pinned else None)
        return [(hit.video_id, hit.start) for hit in search(index_folder, request)]

    return find


class CaptionFts5:
    """SQLite FTS5 (porter) over captions, one row per caption, ranked by bm25."""

    name = "SQLite FTS5 over captions"

    def __init__(self, path: Path, episodes: Sequence[Episode]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE captions USING fts5(text, video UNINDEXED, start UNINDEXED, "
            "tokenize='porter unicode61')"
        )
        self.db.executemany(
            "INSERT INTO captions VALUES (?, ?, ?)",
            ((cue.text, episode.id, cue.start) for episode in episodes for cue in episode.cues),
        )
        self.db.commit()

    def find(self, quote: Quote, pinned: bool) -> Found:
        sql = "SELECT video, start FROM captions WHERE captions MATCH ?"
        params: list[Any] = [f'"{quote.text}"']
        if pinned:
            sql += " AND video = ?"
            params.append(quote.video)
        rows = self.db.execute(sql + " ORDER BY rank LIMIT 10", params).fetchall()
        return [(video, float(start)) for video, start in rows]


class CaptionTantivy:
    """tantivy (English stemmer, BM25) over the same caption rows."""

    name = "tantivy over captions"

    def __init__(self, folder: Path, episodes: Sequence[Episode]) -> None:
        import shutil

        import tantivy

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
        builder.add_text_field("video", stored=True, tokenizer_name="raw")
        builder.add_float_field("start", stored=True)
        self.index = tantivy.Index(builder.build(), path=str(folder))
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for episode in episodes:
            for cue in episode.cues:
                writer.add_document(
                    tantivy.Document(text=cue.text, video=episode.id, start=cue.start)
                )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def find(self, quote: Quote, pinned: bool) -> Found:
        import tantivy

        query, _ = self.index.parse_query_lenient(f'"{quote.text}"', ["text"])
        if pinned:
            video = tantivy.Query.term_query(self.index.schema, "video", quote.video)
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, video)]
            )
        searcher = self.index.searcher()
        found = []
        for _, address in searcher.search(query, 10).hits:
            document = searcher.doc(address)
            found.append((document["video"][0], float(document["start"][0])))
        return found
