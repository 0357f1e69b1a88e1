"""Run a query against the index and return typed hits, timed to the spoken word.

Searching and printing are apart: this module returns ``Hit`` objects; the CLI decides
how they look. Ranking is Whoosh's BM25F over the passage text, with the chapter title
and episode title as boosted fields, and an OR of the words that rewards passages
holding more of them, so partial matches still come back, below complete ones.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, OrGroup

from .errors import QueryError
from .index import FIELD_BOOSTS, make_schema, open_index, text_analyzer
from .models import Hit
from .passages import cue_start_at
from .youtube_urls import link_at

SEARCH_FIELDS = ["text", "chapter", "episode_title"]
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 220
COORDINATION = 0.9
"""Whoosh's OrGroup factor: how strongly a passage with all the words beats one with some."""


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for."""

    query: str
    limit: int = 10
    video: str | None = None
    channel: str | None = None
    per_chapter: int = 1


def parse_query(text: str) -> wq.Query:
    """The Whoosh query for what the user typed; filters ``chapter:``, ``video:`` and
    ``channel:`` (and ``title:`` for the episode title) work inside the query too."""
    if not text.strip():
        raise QueryError("empty query: give some words to search for, e.g. chaptersearch search \"keeper test\"")
    parser = MultifieldParser(
        SEARCH_FIELDS,
        make_schema(),
        fieldboosts=FIELD_BOOSTS,
        group=OrGroup.factory(COORDINATION),
    )
    parser.add_plugin(FieldAliasPlugin({"episode_title": ["title", "episode"]}))
    return parser.parse(text)


def _filter(request: SearchRequest) -> wq.Query | None:
    parts: list[wq.Query] = []
    if request.video:
        parts.append(wq.Term("video", request.video))
    if request.channel:
        words = [token.text for token in make_schema()["channel"].analyzer(request.channel)]
        parts.append(wq.And([wq.Term("channel", word) for word in words]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def search(index_folder: Path, request: SearchRequest) -> list[Hit]:
    """Ranked hits, at most ``per_chapter`` from any one chapter."""
    parsed = parse_query(request.query)
    if parsed is wq.NullQuery:
        return []
    ix = open_index(index_folder)
    locator = MatchLocator(parsed)
    hits: list[Hit] = []
    with ix.searcher() as searcher:
        results = searcher.search(
            parsed,
            limit=request.limit,
            filter=_filter(request),
            collapse="chapter_key",
            collapse_limit=request.per_chapter,
        )
        collapsed = getattr(results, "collapsed_counts", {})
        for rank, result in enumerate(results, start=1):
            stored = result.fields()
            chapter_key = f"{stored['video']}:{stored['meta']['chapter_index']}"
            hits.append(locator.hit(rank, result.score, stored, collapsed.get(chapter_key, 0)))
    ix.close()
    return hits


class MatchLocator:
    """Finds where a query's words fall in a passage: the moment and the snippet."""

    def __init__(self, parsed: wq.Query) -> None:
        self.terms: set[str] = {
            text.decode() if isinstance(text, bytes) else str(text)
            for field, text in parsed.iter_all_terms()
            if field == "text"
        }
        self.phrases: list[list[str]] = [
            list(node.words) for node in _walk(parsed)
            if isinstance(node, wq.Phrase) and node.fieldname == "text"
        ]
        self.analyzer = text_analyzer()

    def matches(self, text: str) -> tuple[int | None, list[tuple[int, int]]]:
        """The character offset where the first matched words begin, and every matched span."""
        tokens = [
            (token.text, token.startchar, token.endchar)
            for token in self.analyzer(text, positions=True, chars=True, mode="index")
        ]
        spans = [(start, end) for word, start, end in tokens if word in self.terms]
        first: int | None = None
        words = [word for word, _, _ in tokens]
        for phrase in self.phrases:
            for index in range(len(words) - len(phrase) + 1):
                if words[index : index + len(phrase)] == phrase:
                    start = tokens[index][1]
                    first = start if first is None else min(first, start)
                    break
        if first is None and spans:
            first = spans[0][0]
        return first, spans

    def hit(self, rank: int, score: float, stored: dict[str, Any], more: int) -> Hit:
        meta = stored["meta"]
        text: str = stored["text"]
        first, spans = self.matches(text)
        start = cue_start_at(meta["offsets"], meta["starts"], first or 0)
        snippet, highlights = _snippet(text, first or 0, spans)
        return Hit(
            rank=rank,
            score=round(score, 4),
            video_id=stored["video"],
            episode_title=stored["episode_title"],
            channel=stored.get("channel", ""),
            chapter_title=stored["chapter"],
            chapter_start=meta["chapter_start"],
            chapter_source=meta["chapter_source"],
            start=start,
            url=link_at(meta["url"], start),
            snippet=snippet,
            highlights=highlights,
            more_in_chapter=more,
        )


def _walk(node: wq.Query) -> list[wq.Query]:
    found = [node]
    for child in node.children():
        found.extend(_walk(child))
    return found


def _snippet(
    text: str, around: int, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """About ``SNIPPET_LENGTH`` characters of ``text`` around a match, cut at spaces."""
    begin = max(0, around - SNIPPET_BEFORE)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < around else begin
    end = min(len(text), begin + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > around else end
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    highlights = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return f"{prefix}{text[begin:end]}{suffix}", highlights
