"""Whole posting lists, read a block at a time: for queries of common words alone.

Whoosh walks postings one at a time through generic matchers, 2-3 µs each: right for
rare words, far too slow for "the" (said in 54,000 of 55,000 passages). Reading each
block's ids and positions at once costs a fraction of that. This reads whoosh3's block
format through its leaf matcher's block methods; whoosh3 is pinned to one version in
``pyproject.toml``, and the tests compare the result with Whoosh's own matcher.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from ..index.analysis import decode_frequency, decode_positions
from .plan import Plan
from .query import Clause
from .streams import Stream


def _leaf(matcher: Any) -> Any:
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def positions_by_passage(searcher: Any, fieldname: str, term: str) -> dict[int, bytes]:
    """Every live passage that holds ``term``, with its encoded positions."""
    found: dict[int, bytes] = {}
    for reader, offset in searcher.reader().leaf_readers():
        if not reader.doc_frequency(fieldname, term):
            continue
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        leaf = _leaf(reader.postings(fieldname, term))
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._values is None:
                leaf._read_values()
            if deleted:
                for docnum, value in zip(leaf._ids, leaf._values, strict=True):
                    if docnum not in deleted:
                        found[docnum + offset] = value
            else:  # the common case, in C
                found.update(zip(map(offset.__add__, leaf._ids), leaf._values, strict=True))
            leaf._next_block()
    return found


K1 = 1.2
CHAPTER_TITLE_COUNT = 2
"""A chapter title that says a clause counts as this many mentions in each of the
chapter's passages, as the chapter field's boost does for rarer words."""


def _saturated(count: int) -> float:
    """BM25's diminishing return of saying a word again."""
    return count * (K1 + 1) / (count + K1)


def _counts(searcher: Any, clause: Clause) -> dict[int, int]:
    """How often each passage says a clause (a phrase only where its words are said in
    order), plus the passages whose chapter title says it."""
    if clause.phrase:
        counts = _phrase_counts(searcher, clause.terms)
    else:
        found = positions_by_passage(searcher, "text", clause.terms[0])
        counts = dict(zip(found, map(decode_frequency, found.values()), strict=True))
    title = wq.And([wq.Term("chapter", term) for term in clause.terms])
    for docnum in searcher.docs_for_query(title):
        counts[docnum] = counts.get(docnum, 0) + CHAPTER_TITLE_COUNT
    return counts


def _phrase_counts(searcher: Any, terms: tuple[str, ...]) -> dict[int, int]:
    lists = {term: positions_by_passage(searcher, "text", term) for term in set(terms)}
    ordered = sorted(lists.values(), key=len)
    docnums = set(ordered[0]).intersection(*ordered[1:])
    counts: dict[int, int] = {}
    for docnum in docnums:
        starts = set(decode_positions(lists[terms[0]][docnum]))
        for offset, term in enumerate(terms[1:], 1):
            starts &= {place - offset for place in decode_positions(lists[term][docnum])}
        if starts:
            counts[docnum] = len(starts)
    return counts


def among(searcher: Any, query: wq.Query, docnums: set[int]) -> set[int]:
    """The passages among ``docnums`` that ``query`` matches, by looking each one up:
    far cheaper than listing every passage the query matches. Or and And are taken
    apart and phrases checked word by word (``_phrase_among``): Whoosh's phrase matcher
    scans on from each passage it is skipped to until the next one that says the phrase,
    which for a phrase of common words said rarely is most of the index, once for every
    chapter shown."""
    if query is wq.NullQuery or not docnums:
        return set()
    if isinstance(query, wq.Or):
        found: set[int] = set()
        for child in query.subqueries:
            found |= among(searcher, child, docnums - found)
        return found
    if isinstance(query, wq.And):
        for child in query.subqueries:
            docnums = among(searcher, child, docnums)
        return docnums
    if isinstance(query, wq.Phrase) and query.slop == 1:
        return _phrase_among(searcher, query.fieldname, tuple(query.words), docnums)
    return _skipped_to(query.matcher(searcher), docnums)


def _held(matcher: Any, docnums: Iterable[int]) -> Iterator[int]:
    """The passages among ``docnums`` (in order) a matcher holds, by skipping it to
    each one; the matcher is left on each passage yielded."""
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            yield docnum


def _skipped_to(matcher: Any, docnums: set[int]) -> set[int]:
    """The passages among ``docnums`` a matcher holds, by skipping it to each one."""
    return set(_held(matcher, sorted(docnums)))


def _values_at(searcher: Any, fieldname: str, term: str, docnums: list[int]) -> dict[int, bytes]:
    """The encoded positions of ``term`` in each of ``docnums`` that says it."""
    reader = searcher.reader()
    if not reader.doc_frequency(fieldname, term):
        return {}
    matcher = reader.postings(fieldname, term)
    return {docnum: matcher.value() for docnum in _held(matcher, docnums)}


def _phrase_among(
    searcher: Any, fieldname: str, words: tuple[str, ...], docnums: set[int]
) -> set[int]:
    """The passages among ``docnums`` that say ``words`` one after the other."""
    candidates = sorted(docnums)
    places: dict[str, dict[int, bytes]] = {}
    for word in dict.fromkeys(words):
        places[word] = _values_at(searcher, fieldname, word, candidates)
        candidates = [docnum for docnum in candidates if docnum in places[word]]
        if not candidates:
            return set()
    return {
        docnum
        for docnum in candidates
        if _says(words, {word: decode_positions(found[docnum]) for word, found in places.items()})
    }


def _says(words: tuple[str, ...], positions: dict[str, list[int]]) -> bool:
    """Whether the words are said one after the other somewhere, given where each is."""
    starts = set(positions[words[0]])
    for offset, word in enumerate(words[1:], 1):
        starts &= {place - offset for place in positions[word]}
        if not starts:
            return False
    return True


def said_counts(searcher: Any, term: str, docnums: list[int]) -> dict[int, int]:
    """How many times each of ``docnums`` says ``term``, from its postings, skipping to
    each passage: far cheaper than reading the passages' text."""
    matcher = wq.Term("text", term).matcher(searcher)
    return {docnum: round(matcher.weight()) for docnum in _held(matcher, sorted(docnums))}


def _titled(clause: Clause) -> wq.Query:
    """A clause's words in the chapter or the episode title, as the reranking counts them."""
    return wq.And(
        [wq.Or([wq.Term("chapter", term), wq.Term("episode_title", term)]) for term in clause.terms]
    )


def common_candidates(searcher: Any, planned: Plan) -> tuple[Stream, Stream, set[int]]:
    """For a query of common words alone: the passages that may say every clause and
    those that say only some, each best first, scored as BM25 would be without its
    length normalisation (passages are all about a minute long). Also every passage
    that says a clause, for "more in this chapter".

    A passage that says every clause can earn the reranking's bonus; one that misses a
    clause cannot, and scores at most the weight of all clauses but the lightest, so it
    is ranked only when that could still matter."""
    clauses = [planned.clauses[number] for number in planned.common]
    counts = [_counts(searcher, clause) for clause in clauses]
    weights = [planned.idf[number] for number in planned.common]
    pool = set().union(*counts)
    saying = set(pool)
    if planned.required is not wq.NullQuery:
        pool &= set(searcher.docs_for_query(planned.required))
    if planned.refused is not wq.NullQuery:
        pool -= set(searcher.docs_for_query(planned.refused))
    if len(counts) == 1:  # the score grows with the count: rank by it
        only, weight = counts[0], weights[0]
        return (
            Stream((), float),
            Stream(pool, lambda docnum: weight * _saturated(only[docnum]), order=only.__getitem__),
            saying,
        )

    def score(docnum: int) -> float:
        return sum(
            weight * _saturated(found[docnum])
            for found, weight in zip(counts, weights, strict=True)
            if docnum in found
        )

    every = set(pool)
    for clause, found in zip(clauses, counts, strict=True):
        missing = every - found.keys()
        every -= missing - among(searcher, _titled(clause), missing)
    most = (sum(weights) - min(weights)) * (K1 + 1)
    return Stream(every, score), Stream(pool - every, score, ceiling=most), saying
