"""From what a user types to Whoosh queries.

The text splits into words to rank by (any word may match, "quoted phrases" must match
as phrases) and filters every hit must satisfy (``chapter:``, ``video:``, ``channel:``,
``title:``). Words match the passage text or its chapter title; the episode title only
adds to a passage that matches already, or every passage of an episode would be a hit.

Very common words (said in more than ``COMMON_FRACTION`` of all passages, and in more
than ``COMMON_MIN_PASSAGES``) are treated
as Lucene's common-terms query does: when the query has rarer words, a passage must
hold one of those, and the common ones only add to its score. Scoring every passage
that says "python" costs more than the rest of a search, and says little about which
passage is meant.
"""

import re
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, QueryParser

from .errors import QueryError
from .schema import FIELD_BOOSTS, channel_key, make_schema, text_analyzer
from .youtube_urls import youtube_video_id

MATCH_FIELDS = ["text", "chapter"]
PROXIMITY_SLOP = 3
"""Words of the query said in order within this many words of each other make a
passage rank higher (0: off). The largest gain in the tuning log: hosts read a topic's
title aloud."""

COMMON_FRACTION = 0.05
COMMON_MIN_PASSAGES = 1000
"""Below this many passages every word is scored: the saving is small and the fraction
is noisy."""

FILTER_FIELDS = {
    "chapter": "chapter",
    "video": "video",
    "channel": "channel",
    "title": "episode_title",
}
_FILTER = re.compile(r'(?<!\S)(chapter|video|channel|title):("[^"]*"?|\S+)', re.IGNORECASE)


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for."""

    query: str
    limit: int = 10
    video: str | None = None
    channel: str | None = None
    per_chapter: int = 1


@dataclass(frozen=True)
class ParsedQuery:
    """A request taken apart; ``ranking_query`` puts it together against an index."""

    matching: wq.Query
    """Any of the words, in the text or the chapter title."""
    title: wq.Query
    """Any of the words, in the episode title."""
    spoken: wq.Query
    """Any of the words, in the text alone: what is actually said."""
    filters: list[wq.Query]
    channels: list[str]
    words: list[str]
    """The analysed words of the query, in order."""
    """Channel filters, matched against the channel names in the index."""

    @property
    def empty(self) -> bool:
        return self.matching is wq.NullQuery and not self.filters and not self.channels

    def units(self) -> set[str]:
        """The distinct analysed words of the query, for the all-words bonus."""
        return {str(text) for field, text in self.matching.iter_all_terms() if field == "text"}


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


def parse_query(request: SearchRequest) -> ParsedQuery:
    if not request.query.strip():
        raise QueryError(
            'empty query: give some words to search for, e.g. chaptersearch search "keeper test"'
        )
    words, filters = split_filters(request.query)
    if request.video:
        filters.append(("video", request.video))
    if request.channel:
        filters.append(("channel", request.channel))
    schema = make_schema()
    has_words = bool(words.strip())

    def parse(parser: Any) -> wq.Query:
        return parser.parse(words) if has_words else wq.NullQuery

    channels = [value for field, value in filters if field == "channel"]
    required = [_filter_query(field, value) for field, value in filters if field != "channel"]
    return ParsedQuery(
        matching=parse(
            MultifieldParser(MATCH_FIELDS, schema, fieldboosts=FIELD_BOOSTS, group=OrGroup)
        ),
        title=_boosted(parse(QueryParser("episode_title", schema, group=OrGroup))),
        spoken=parse(QueryParser("text", schema, group=OrGroup)),
        filters=[query for query in required if query is not wq.NullQuery],
        channels=channels,
        words=[token.text for token in text_analyzer()(words)] if has_words else [],
    )


def _boosted(title: wq.Query) -> wq.Query:
    if title is not wq.NullQuery:
        title.boost = FIELD_BOOSTS["episode_title"]
    return title


def _is_common(node: wq.Query, searcher: Any, limit: float) -> bool:
    text = getattr(node, "text", None)
    return (
        isinstance(node, wq.Term)
        and text is not None
        and searcher.doc_frequency("text", text) > limit
    )


def channel_filter(words: str, searcher: Any) -> wq.Query:
    """The channels in the index whose names hold all the given words ("talk python"
    finds "Talk Python To Me"); NullQuery when none does."""
    wanted = set(channel_key(words).split())
    names = [
        name.decode() if isinstance(name, bytes) else name
        for name in searcher.lexicon("channel_key")
    ]
    terms = [wq.Term("channel_key", name) for name in names if wanted <= set(name.split())]
    if not terms:
        return wq.NullQuery
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def proximity_query(parsed: ParsedQuery) -> wq.Query | None:
    """The query's words in order and close together, when there are several and the
    user gave no phrase of their own."""
    phrased = any(isinstance(node, wq.Phrase) for node in parsed.matching.leaves())
    if not PROXIMITY_SLOP or len(parsed.words) < 2 or phrased:
        return None
    return wq.Phrase("text", parsed.words, slop=PROXIMITY_SLOP)


def ranking_queries(parsed: ParsedQuery, searcher: Any) -> list[wq.Query]:
    """The queries that rank passages in this index, strictest first: a search takes the
    first that fills its page. Empty when a filter can match nothing in this index.

    With rarer words, a passage must hold one of them and common words only add to its
    score. With common words alone, a passage must hold all of them, and only if too
    few do, any of them (the slow case: every passage that says any of them is scored).
    """
    filters = list(parsed.filters)
    for words in parsed.channels:
        channel = channel_filter(words, searcher)
        if channel is wq.NullQuery:
            return []
        filters.append(channel)
    candidates = [parsed.matching]
    if parsed.matching is not wq.NullQuery:
        matching = parsed.matching
        parts = list(matching.subqueries) if isinstance(matching, wq.Or) else [matching]
        limit = max(COMMON_FRACTION * searcher.doc_count(), COMMON_MIN_PASSAGES)
        common = [part for part in parts if _is_common(part, searcher, limit)]
        rare = [part for part in parts if part not in common]
        common_words = _by_word(common)
        if common and rare:
            candidates = [wq.AndMaybe(_any(rare), _any(common))]
        elif len(common_words) > 1:
            candidates = [wq.And([_any(group) for group in common_words]), matching]
        if parsed.title is not wq.NullQuery and rare:
            # common words alone skip it too: a title saying "python" tells little, and
            # checking it for every passage that says "python" is a fifth of the search
            candidates = [wq.AndMaybe(query, parsed.title) for query in candidates]
    return [_filtered(query, filters) for query in candidates]


def _filtered(query: wq.Query, filters: list[wq.Query]) -> wq.Query:
    if not filters:
        return query
    if query is wq.NullQuery:
        return wq.And(filters)
    return wq.And([query, *filters])


def _by_word(terms: list[wq.Query]) -> list[list[wq.Query]]:
    """Terms grouped by the word they stand for (one per field)."""
    groups: dict[str, list[wq.Query]] = {}
    for term in terms:
        groups.setdefault(str(getattr(term, "text", "")), []).append(term)
    return list(groups.values())


def _any(parts: list[wq.Query]) -> wq.Query:
    return parts[0] if len(parts) == 1 else wq.Or(parts)
