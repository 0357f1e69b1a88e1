"""Every passage a query matches, with Whoosh's own score, read a block at a time.

A search ranks every passage its rarer words match (see ``engine``): Whoosh does that
through a tree of matchers that moves one posting at a time and asks the index for each
passage's length, 5-10 µs a posting in Python. At ten thousand episodes a heading's
words are said in tens of thousands of passages, and that walk was most of a search.
Here each word's postings are read a block at a time (document numbers, counts, and one
byte of length per passage, all arrays) and scored with the same BM25F formula and the
same statistics; Or, And, AndMaybe, AndNot and Require are unions and intersections of
dictionaries. Any other query (a phrase, a prefix's expansion) is answered by Whoosh's
own matcher, so the result is always Whoosh's: the tests compare the two on real
transcripts.
"""

from collections.abc import Callable
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, byte_to_length
from whoosh.matching import NullMatcherClass, WrappingMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer

from ..index.blocks import block_weights

Scores = dict[int, float]
Check = Callable[[], None]


def every_match(searcher: Any, query: wq.Query, check: Check | None = None) -> Scores:
    """Every live passage ``query`` matches, with the score Whoosh gives it."""
    found: Scores = {}
    for sub, offset in searcher.leaf_searchers():
        scores = _scored(sub, query, check or _never)
        if offset:
            found.update(zip(map(offset.__add__, scores), scores.values(), strict=True))
        else:
            found.update(scores)
    return found


def matching_docs(searcher: Any, query: wq.Query, check: Check | None = None) -> set[int]:
    """Every live passage ``query`` matches (its scores computed and dropped: the same
    walk, and still far cheaper than Whoosh's)."""
    return set(every_match(searcher, query, check))


def _never() -> None:
    return None


def _scored(sub: Any, query: wq.Query, check: Check) -> Scores:
    kind = type(query)
    if query is wq.NullQuery or kind is type(wq.NullQuery):
        return {}
    if kind is wq.Term:
        check()
        return _term(sub, query)
    if kind in (wq.Or, wq.DefaultOr) and not query.minmatch and not query.scale:
        merged: Scores = {}
        for child in query.subqueries:
            _add(merged, _scored(sub, child, check))
        return _boosted(merged, query.boost)
    if kind is wq.And:
        parts = sorted((_scored(sub, child, check) for child in query.subqueries), key=len)
        if not parts:
            return {}
        merged = {}
        first, rest = parts[0], parts[1:]
        for docnum, score in first.items():
            total = score
            for part in rest:
                other = part.get(docnum)
                if other is None:
                    break
                total += other
            else:
                merged[docnum] = total
        return _boosted(merged, query.boost)
    if kind is wq.AndMaybe:
        main = _scored(sub, query.a, check)
        if main:
            extra = _scored(sub, query.b, check)
            for docnum in main.keys() & extra.keys():
                main[docnum] += extra[docnum]
        return main
    if kind is wq.AndNot:
        main = _scored(sub, query.a, check)
        if main:
            for docnum in _scored(sub, query.b, check).keys() & main.keys():
                del main[docnum]
        return main
    if kind is wq.Require:
        main = _scored(sub, query.a, check)
        if main:
            required = _scored(sub, query.b, check)
            main = {docnum: score for docnum, score in main.items() if docnum in required}
        return main
    check()
    return _walked(query.matcher(sub))


def _add(into: Scores, scores: Scores) -> None:
    if not into:
        into.update(scores)
        return
    get = into.get
    for docnum, score in scores.items():
        before = get(docnum)
        into[docnum] = score if before is None else before + score


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost != 1.0:
        return {docnum: score * boost for docnum, score in scores.items()}
    return scores


def _walked(matcher: Any) -> Scores:
    """Whoosh's way: one posting at a time."""
    found: Scores = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    return found


def _term(sub: Any, query: wq.Term) -> Scores:
    matcher = query.matcher(sub)
    boost = 1.0
    while type(matcher) is WrappingMatcher:
        boost *= matcher.boost
        matcher = matcher.child
    if isinstance(matcher, NullMatcherClass):
        return {}
    deleted: Any = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        deleted = matcher._ids
        matcher = matcher.child
    scorer = getattr(matcher, "scorer", None)
    if not isinstance(matcher, W3LeafMatcher) or type(scorer) is not BM25FScorer:
        walked = _walked(query.matcher(sub))  # anything else: Whoosh's own walk
        return walked
    lengths = _lengths(sub, query.fieldname)
    rows = _Rows(scorer, boost)
    found: Scores = {}
    for ids, weights in block_weights(matcher):
        found.update((d, rows[w, lengths[d]]) for d, w in zip(ids, weights, strict=True))
    for docnum in deleted:  # few: dropped after, not checked for every posting
        found.pop(docnum, None)
    return found


def _lengths(sub: Any, fieldname: str) -> bytes:
    """One length byte per passage of the segment (0 where it has none)."""
    reader = sub.reader()
    cache = reader.__dict__.setdefault("_chaptersearch_lengths", {})
    if fieldname not in cache:
        column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        known = b"" if column is None else column._dbfile.get(column._basepos, column._count)
        cache[fieldname] = known.ljust(reader.doc_count_all(), b"\0")
    found: bytes = cache[fieldname]
    return found


class _Rows(dict[tuple[float, int], float]):
    """BM25F as ``scorer`` computes it, by count and length byte, remembered: counts are
    small whole numbers and lengths one of 256 bytes, so a term needs few of them."""

    def __init__(self, scorer: BM25FScorer, boost: float) -> None:
        super().__init__()
        self.idf: float = scorer.idf
        self.avgfl: float = scorer.avgfl
        self.b: float = scorer.B
        self.k1: float = scorer.K1
        self.boost = boost

    def __missing__(self, key: tuple[float, int]) -> float:
        weight, length_byte = key
        length = float(byte_to_length(length_byte)) if length_byte else 1.0
        k1 = self.k1
        found = self.idf * (
            (weight * (k1 + 1)) / (weight + k1 * ((1 - self.b) + self.b * length / self.avgfl))
        )
        if self.boost != 1.0:
            found *= self.boost
        self[key] = found
        return found
