"""Posting lists read a block at a time: common words, phrases of them, and counts.

Whoosh walks postings one at a time through generic matchers, 2-3 µs each: right for
rare words, far too slow for "the" (said in 54,000 of 55,000 passages). Reading each
block's ids, counts and positions at once costs a fraction of that. This reads the
blocks (``index.codec``'s, or an older home's whoosh3 ones) through their leaf matcher's
block methods; whoosh3 is pinned to one version in ``pyproject.toml``, and the tests
compare every result with Whoosh's own matcher.
"""

import bisect
import heapq
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from typing import Any

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from ..index.analysis import decode_positions, pair_term
from ..index.blocks import block_ids, block_weights
from ..index.codec import BlockLeafMatcher
from .bulk import matching_docs
from .plan import Plan
from .query import Clause
from .streams import Filling, Ranking, Stream


def _leaf(matcher: Any) -> Any:
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def _segments(searcher: Any, fieldname: str, term: str) -> Iterator[tuple[Any, int, Any]]:
    """Each segment that holds ``term``: its leaf matcher (the postings, not filtered),
    the segment's first passage number, and its deleted passages."""
    for reader, offset in searcher.reader().leaf_readers():
        if reader.doc_frequency(fieldname, term):
            deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
            yield _leaf(reader.postings(fieldname, term)), offset, deleted


def counts_by_passage(searcher: Any, fieldname: str, term: str) -> dict[int, int]:
    """Every live passage that holds ``term``, with how many times it says it: the
    postings' weights (a count, the field's boost being 1), without decoding positions."""
    found: dict[int, int] = {}
    for leaf, offset, deleted in _segments(searcher, fieldname, term):
        for ids, weights in block_weights(leaf):
            found.update(zip(map(offset.__add__, ids), map(round, weights), strict=True))
        for docnum in deleted:  # few: dropped after, not checked for every posting
            found.pop(docnum + offset, None)
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
        counts = counts_by_passage(searcher, "text", clause.terms[0])
    title = wq.And([wq.Term("chapter", term) for term in clause.terms])
    for docnum in searcher.docs_for_query(title):
        counts[docnum] = counts.get(docnum, 0) + CHAPTER_TITLE_COUNT
    return counts


def _phrase_counts(searcher: Any, terms: tuple[str, ...]) -> dict[int, int]:
    """How many times each passage says the words one after the other: the passages
    that hold all of its words, and of its pairs of common words (``PairsSaid``), rarest
    first, then the positions in those alone."""
    keys = [("pairs", pair) for pair in _pairs(searcher, terms)]
    keys += [("text", term) for term in terms]
    candidates = _holding_all(searcher, keys)
    if not candidates:
        return {}
    ordered = sorted(candidates)
    lists = {term: _values_at(searcher, "text", term, ordered) for term in set(terms)}
    ordered_lists = sorted(lists.values(), key=len)
    docnums = set(ordered_lists[0]).intersection(*ordered_lists[1:])
    counts: dict[int, int] = {}
    for docnum in docnums:
        starts = set(decode_positions(lists[terms[0]][docnum]))
        for offset, term in enumerate(terms[1:], 1):
            starts &= {place - offset for place in decode_positions(lists[term][docnum])}
        if starts:
            counts[docnum] = len(starts)
    return counts


def _pairs(searcher: Any, terms: tuple[str, ...]) -> list[str]:
    """The pairs of the phrase's adjacent words that the index holds as terms."""
    if "pairs" not in searcher.schema:
        return []
    words: frozenset[str] = getattr(searcher.schema["pairs"].format, "words", frozenset())
    return [
        pair_term(first, second)
        for first, second in pairwise(terms)
        if first in words and second in words
    ]


SKIP_RATHER = 16
"""A list this many times longer than the passages still in question is not read whole:
stepping to each of them in it (to read its positions) costs less."""


def _holding_all(searcher: Any, keys: list[tuple[str, str]]) -> set[int]:
    """The live passages that may hold every (field, term) of ``keys``: the rarest read
    whole and intersected, until the next is so common that checking the few passages
    left in it costs less (the caller reads their positions)."""
    reader = searcher.reader()
    frequencies = {key: reader.doc_frequency(*key) for key in keys}
    found: set[int] | None = None
    for (fieldname, term), frequency in sorted(frequencies.items(), key=lambda item: item[1]):
        if found is not None and len(found) * SKIP_RATHER < frequency:
            break
        held = ids_of(searcher, fieldname, term)
        found = held if found is None else found & held
        if not found:
            return set()
    return found or set()


def ids_of(searcher: Any, fieldname: str, term: str) -> set[int]:
    """Every live passage that holds ``term``, read a block of numbers at a time."""
    found: set[int] = set()
    for leaf, offset, deleted in _segments(searcher, fieldname, term):
        for ids in block_ids(leaf):
            found.update(map(offset.__add__, ids))
        found.difference_update(docnum + offset for docnum in deleted)
    return found


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


def said_counts(searcher: Any, term: str, docnums: Iterable[int]) -> dict[int, int]:
    """How many times each of ``docnums`` says ``term``, from its postings: per segment,
    only the blocks that may hold one of them are decoded (a block's last number is in
    its header), far cheaper than reading the passages' text or stepping a matcher."""
    wanted = sorted(docnums)
    found: dict[int, int] = {}
    start = 0
    for reader, offset in searcher.reader().leaf_readers():
        end = bisect.bisect_left(wanted, offset + reader.doc_count_all(), start)
        local = [docnum - offset for docnum in wanted[start:end]]
        start = end
        if not local or not reader.doc_frequency("text", term):
            continue
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        leaf = _leaf(reader.postings("text", term))
        tops, starts = _block_index(reader, term)
        at = 0
        while at < len(local):
            block = bisect.bisect_left(tops, local[at])
            if block == len(tops):
                break
            if starts:
                leaf._goto(starts[block])
            else:  # whoosh3's own blocks: walk to it
                while leaf.is_active() and leaf._maxid < local[at]:
                    leaf._next_block()
            upto = bisect.bisect_right(local, tops[block], at)
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._weights is None:
                leaf._read_weights()
            held = dict(zip(leaf._ids, leaf._weights, strict=True))
            for docnum in local[at:upto]:
                weight = held.get(docnum)
                if weight is not None and docnum not in deleted:
                    found[docnum + offset] = round(weight)
            at = upto
    return found


def _block_index(reader: Any, term: str) -> tuple[list[int], list[int]]:
    """The last passage number of each block of a term's postings, and where each block
    starts (``BlockCodec``'s blocks only; empty for whoosh3's), read once per searcher:
    a search that counts a common word in several chunks of candidates jumps to the
    blocks it needs instead of reading every header on the way (6 million header reads
    for 300 headings at 10,470 episodes)."""
    cache = reader.__dict__.setdefault("_chaptersearch_blocks", {})
    if term not in cache:
        tops: list[int] = []
        starts: list[int] = []
        walker = _leaf(reader.postings("text", term))
        own = isinstance(walker, BlockLeafMatcher)
        while walker.is_active():
            tops.append(walker._maxid)
            if own:
                starts.append(walker._block_start)
            walker._next_block()
        cache[term] = (tops, starts)
    found: tuple[list[int], list[int]] = cache[term]
    return found


def _titled(clause: Clause) -> wq.Query:
    """A clause's words in the chapter or the episode title, as the reranking counts them."""
    return wq.And(
        [wq.Or([wq.Term("chapter", term), wq.Term("episode_title", term)]) for term in clause.terms]
    )


class BlockMaxStream(Filling):
    """The passages that say one word, best first by a score that grows with how often
    they say it, read a block of postings at a time and only as far as asked: each
    block's header holds its highest count, so a block is decoded only once its best
    could come next. "go" is said in two of every five passages; the best ten chapters
    need a few of its blocks. Needs blocks of ``BlockCodec`` (``usable``)."""

    def __init__(
        self,
        searcher: Any,
        term: str,
        score: Callable[[int], float],
        keep: Callable[[int], bool],
        scored: Iterable[tuple[int, float]] = (),
    ) -> None:
        """``keep`` says which passages of the postings may come; ``scored`` adds
        passages with scores of their own (those the postings must not give)."""
        super().__init__()
        self._score = score
        self._keep = keep
        self._blocks: list[tuple[float, int, Any, int, int, Any]] = []
        """(-bound, order, leaf, docnum offset, block start, deleted) for each block."""
        self._ready = [(-value, docnum) for docnum, value in scored]
        heapq.heapify(self._ready)
        for leaf, offset, deleted in _segments(searcher, "text", term):
            while leaf.is_active():
                bound = -score(round(leaf._maxweight))
                self._blocks.append(
                    (bound, len(self._blocks), leaf, offset, leaf._block_start, deleted)
                )
                leaf._next_block()
        heapq.heapify(self._blocks)

    @staticmethod
    def usable(searcher: Any, term: str) -> bool:
        """Whether every segment holding ``term`` has blocks this stream can read."""
        return all(
            isinstance(leaf, BlockLeafMatcher) for leaf, _, _ in _segments(searcher, "text", term)
        )

    def _fill(self) -> None:
        """Decode blocks until none left could hold a passage better than the best
        decoded (a tie too: equal scores come in order of passage)."""
        blocks, ready, score, keep = self._blocks, self._ready, self._score, self._keep
        while blocks and (not ready or blocks[0][0] <= ready[0][0]):
            _, _, leaf, offset, start, deleted = heapq.heappop(blocks)
            leaf._goto(start)
            leaf._read_ids()
            leaf._read_weights()
            for docnum, weight in zip(leaf._ids, leaf._weights, strict=True):
                if docnum not in deleted and keep(docnum + offset):
                    heapq.heappush(ready, (-score(round(weight)), docnum + offset))


CommonCandidates = tuple[Ranking, Ranking, set[int] | None, wq.Query]
"""The passages that may say every clause and the rest, each best first; every passage
that says a clause, if known; and the query that finds those (for "more in this
chapter")."""


def common_candidates(searcher: Any, planned: Plan) -> CommonCandidates:
    """For a query of common words alone: the passages that may say every clause and
    those that say only some, each best first, scored as BM25 would be without its
    length normalisation (passages are all about a minute long). Also every passage
    that says a clause, for "more in this chapter".

    A passage that says every clause can earn the reranking's bonus; one that misses a
    clause cannot, and scores at most the weight of all clauses but the lightest, so it
    is ranked only when that could still matter."""
    clauses = [planned.clauses[number] for number in planned.common]
    weights = [planned.idf[number] for number in planned.common]
    spoken = wq.Or([_spoken(clause) for clause in clauses])
    if len(clauses) == 1 and not clauses[0].phrase:
        term = clauses[0].terms[0]
        if BlockMaxStream.usable(searcher, term):
            return _one_word(searcher, planned, term, weights[0], spoken)
    counts = [_counts(searcher, clause) for clause in clauses]
    pool = set().union(*counts)
    saying = set(pool)
    if planned.required is not wq.NullQuery:
        pool &= matching_docs(searcher, planned.required)
    if planned.refused is not wq.NullQuery:
        pool -= matching_docs(searcher, planned.refused)
    if len(counts) == 1:  # the score grows with the count: rank by it
        only, weight = counts[0], weights[0]
        return (
            Stream((), float),
            Stream(pool, lambda docnum: weight * _saturated(only[docnum]), order=only.__getitem__),
            saying,
            spoken,
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
    return Stream(every, score), Stream(pool - every, score, ceiling=most), saying, spoken


def _spoken(clause: Clause) -> wq.Query:
    """A clause said in the text, or in the chapter's title (as ``_counts`` counts it)."""
    terms = list(clause.terms)
    said = wq.Phrase("text", terms) if clause.phrase else wq.Term("text", terms[0])
    return wq.Or([said, wq.And([wq.Term("chapter", term) for term in clause.terms])])


def _one_word(
    searcher: Any, planned: Plan, term: str, weight: float, spoken: wq.Query
) -> CommonCandidates:
    """One common word: its postings best first, a block at a time (``BlockMaxStream``);
    the passages of chapters whose title says it count it twice more."""
    titled = matching_docs(searcher, wq.Term("chapter", term))
    required = (
        matching_docs(searcher, planned.required) if planned.required is not wq.NullQuery else None
    )
    refused = (
        matching_docs(searcher, planned.refused) if planned.refused is not wq.NullQuery else set()
    )

    def keep(docnum: int) -> bool:
        return docnum not in refused and (required is None or docnum in required)

    said = said_counts(searcher, term, titled)
    scored = [
        (docnum, weight * _saturated(said.get(docnum, 0) + CHAPTER_TITLE_COUNT))
        for docnum in titled
        if keep(docnum)
    ]
    stream = BlockMaxStream(
        searcher,
        term,
        lambda count: weight * _saturated(count),
        lambda docnum: docnum not in titled and keep(docnum),
        scored,
    )
    return Stream((), float), stream, None, spoken
