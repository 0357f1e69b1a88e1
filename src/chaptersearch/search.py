"""Run a query against the index and return typed hits, timed to the spoken word.

Searching and printing are apart: this module returns ``Hit`` objects; the CLI decides
how they look. Ranking is Whoosh's BM25F over the passage text, with the chapter title
and episode title as boosted fields, and an OR of the words that rewards passages
holding more of them, so partial matches still come back, below complete ones.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, QueryParser

from .errors import QueryError
from .index import FIELD_BOOSTS, make_schema, open_index, text_analyzer
from .models import Hit
from .passages import cue_start_at
from .youtube_urls import link_at, youtube_video_id

MATCH_FIELDS = ["text", "chapter"]
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 220
ALL_WORDS_BOOST = 1.0
"""Extra weight for a passage that holds every word of the query (in its text or titles)."""


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for."""

    query: str
    limit: int = 10
    video: str | None = None
    channel: str | None = None
    per_chapter: int = 1


FILTER_FIELDS = {
    "chapter": "chapter",
    "video": "video",
    "channel": "channel",
    "title": "episode_title",
}
_FILTER = re.compile(r'(?<!\S)(chapter|video|channel|title):("[^"]*"?|\S+)', re.IGNORECASE)


def split_filters(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The words to rank by, and the ``field:value`` filters every hit must satisfy."""
    filters = [
        (FILTER_FIELDS[name.lower()], value.strip('"')) for name, value in _FILTER.findall(text)
    ]
    return _FILTER.sub(" ", text), [(field, value) for field, value in filters if value]


def _filter_query(field: str, value: str) -> wq.Query:
    if field == "video":
        return wq.Term("video", youtube_video_id(value) or value)
    return QueryParser(field, make_schema(), group=AndGroup).parse(f'"{value}"')


@dataclass(frozen=True)
class ParsedQuery:
    ranked: wq.Query
    """What ranks and filters the passages."""
    spoken: wq.Query
    """The words alone, against what is said: for counting mentions in a chapter."""


def _rank_words(words: str) -> wq.Query:
    """What ranks passages: the words in the passage or its chapter title.

    Any of the words may match, and a passage with all of them scores that again, so
    partial matches come back below complete ones. Whoosh's own coordination bonus
    (``OrGroup.factory``) is not used: its matcher drops the bonus once one word's
    postings run out, and can rank a passage with fewer of the words above one with all.
    The episode title only adds to a passage that matches already; on its own it would
    make every passage of an episode a hit.
    """
    schema = make_schema()
    matching = MultifieldParser(MATCH_FIELDS, schema, fieldboosts=FIELD_BOOSTS, group=OrGroup)
    some = matching.parse(words)
    if some is wq.NullQuery:
        return some
    matching.group = AndGroup
    every = matching.parse(words)
    ranked = some
    if every is not wq.NullQuery and every != some:
        every.boost = ALL_WORDS_BOOST
        ranked = wq.Or([every, some])
    title = QueryParser("episode_title", schema, group=OrGroup).parse(words)
    if title is wq.NullQuery:
        return ranked
    return wq.AndMaybe(ranked, title)


def parse_query(request: SearchRequest) -> ParsedQuery:
    """The Whoosh query for a request: an OR of the words (rewarding passages that hold
    more of them), AND every filter, from the query text or from the options."""
    if not request.query.strip():
        raise QueryError(
            'empty query: give some words to search for, e.g. chaptersearch search "keeper test"'
        )
    words, filters = split_filters(request.query)
    if request.video:
        filters.append(("video", request.video))
    if request.channel:
        filters.append(("channel", request.channel))
    ranked = _rank_words(words) if words.strip() else wq.NullQuery
    spoken = (
        QueryParser("text", make_schema(), group=OrGroup).parse(words)
        if words.strip()
        else wq.NullQuery
    )
    required = [_filter_query(field, value) for field, value in filters]
    required = [query for query in required if query is not wq.NullQuery]
    if required:
        ranked = wq.And(required) if ranked is wq.NullQuery else wq.And([ranked, *required])
    return ParsedQuery(ranked=ranked, spoken=spoken)


def search(index_folder: Path, request: SearchRequest) -> list[Hit]:
    """Ranked hits, at most ``per_chapter`` from any one chapter."""
    parsed = parse_query(request)
    if parsed.ranked is wq.NullQuery:
        return []
    ix = open_index(index_folder)
    locator = MatchLocator(parsed.ranked)
    hits: list[Hit] = []
    with ix.searcher() as searcher:
        found = _top_per_chapter(searcher, parsed.ranked, request)
        shown: dict[str, set[int]] = {}
        for result, key in found:
            shown.setdefault(key, set()).add(result.docnum)
        mentions = _mentions(searcher, parsed.spoken, set(shown))
        for rank, (result, key) in enumerate(found, start=1):
            more = len(mentions.get(key, set()) - shown[key])
            hits.append(locator.hit(rank, result.score, result.fields(), more))
    ix.close()
    return hits


def _top_per_chapter(
    searcher: Any, query: wq.Query, request: SearchRequest
) -> list[tuple[Any, str]]:
    """The best ``limit`` passages, at most ``per_chapter`` from any one chapter.

    Done here rather than with Whoosh's ``collapse=``: in whoosh3 3.54 collapsing loses
    chapters from other segments for some OR queries. Fetch a margin of top passages,
    and more only when one or two chapters crowd out the rest.
    """
    column = searcher.reader().column_reader("chapter_key")
    fetch = max(50, request.limit * request.per_chapter * 4)
    while True:
        results = searcher.search(query, limit=fetch)
        chosen: list[tuple[Any, str]] = []
        taken: dict[str, int] = {}
        for result in results:
            key = column[result.docnum]
            if taken.get(key, 0) < request.per_chapter:
                taken[key] = taken.get(key, 0) + 1
                chosen.append((result, key))
                if len(chosen) == request.limit:
                    return chosen
        if results.scored_length() < fetch:
            return chosen
        fetch *= 4


def _mentions(searcher: Any, spoken: wq.Query, chapter_keys: set[str]) -> dict[str, set[int]]:
    """The passages of some chapters whose spoken words match: every passage of a chapter
    matches through its title, so "more in this chapter" counts what is said instead."""
    if spoken is wq.NullQuery or not chapter_keys:
        return {}
    within = wq.Or([wq.Term("chapter_key", key) for key in sorted(chapter_keys)])
    column = searcher.reader().column_reader("chapter_key")
    found: dict[str, set[int]] = {}
    for docnum in searcher.docs_for_query(wq.And([spoken, within])):
        found.setdefault(column[docnum], set()).add(docnum)
    return found


class MatchLocator:
    """Finds where a query's words fall in a passage: the moment and the snippet."""

    def __init__(self, parsed: wq.Query) -> None:
        self.terms: set[str] = {
            text.decode() if isinstance(text, bytes) else str(text)
            for field, text in parsed.iter_all_terms()
            if field == "text"
        }
        self.phrases: list[list[str]] = [
            list(node.words)
            for node in _walk(parsed)
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
