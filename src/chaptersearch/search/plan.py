"""A parsed query planned against one index: the Whoosh queries that rank passages,
and what counts as a match inside a passage's text.

Words match the passage text or its chapter title; the episode title only adds to a
passage that matches already, or every passage of an episode would be a hit.

Names that speech recognition splits are found both ways: a query word matches the
same letters said as two or three adjacent words ("cadquery" finds "CAD query"), and
two adjacent query words match their joined form ("term shot" finds "termshot").
Only forms the index holds are tried, so this costs a few term look-ups.

Very common words (said in more than ``COMMON_FRACTION`` of all passages) are handled
as Lucene's common-terms query does: when the query has rarer words or phrases, a
passage must hold one of those, and the common words only add to its score. Scoring
every passage that says "the" would cost more than the rest of the search and says
little about which passage is meant; with common words alone, all of them must match.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from ..index.analysis import normalize
from ..index.schema import FIELD_BOOSTS
from .filters import channel_query, name_words, speaker_query, video_id
from .query import Clause, Matching, ParsedQuery

COMMON_FRACTION = 0.05
COMMON_MIN_PASSAGES = 1000
"""Below this many passages every word is scored: the saving is small and the fraction
is noisy."""
MAX_EXPANSIONS = 50
"""A prefix stands for at most this many words, the most frequent ones: ``a*`` must not
become a query of every word in the index."""
MAX_QUERY_EXPANSIONS = 200
"""All the prefixes of one query stand for at most this many words together, shared
out evenly: 32 two-letter prefixes had made a query of 1,600 words in three fields that
took a minute to answer."""
SCAN_FACTOR = 20
"""A lone prefix looks at up to this many times ``MAX_EXPANSIONS`` words to find its most
frequent; the prefixes of a query share that many look-ups."""
MAX_PREFIX_POSTINGS = 100_000
"""The words all the prefixes of a query stand for are said in at most this many
passages together (per field), shared out evenly: the cost of a search grows with the
passages its words are said in, and the most frequent words starting with two letters
("the", "that", "this") are said in nearly every passage. The most frequent words that
fit are taken; a word too common to fit is left out."""
MIN_SPLIT_PART = 2
SPLIT_MAX_PASSAGES = 50
SPLIT_MIN_PASSAGES = 1
MAX_SPLITS = 3


@dataclass
class Plan:
    """How one query is answered by one index."""

    clauses: list[Clause]
    matching: Matching
    rare: wq.Query = wq.NullQuery
    """The clauses with a word said in few passages, for Whoosh to rank, with filters
    and exclusions applied; NullQuery when every clause is common."""
    common: list[int] = field(default_factory=list)
    """Clauses whose every word is common: answered from whole posting lists when the
    query has nothing rarer, else only counted in the passages found."""
    required: wq.Query = wq.NullQuery
    refused: wq.Query = wq.NullQuery
    spoken: wq.Query = wq.NullQuery
    """The rare clauses in the text alone: what is actually said."""
    idf: list[float] = field(default_factory=list)
    """Each clause's inverse document frequency (BM25's), to weigh common words."""
    every: wq.Query = wq.NullQuery
    """The passages that may say every clause (in the text, or in the chapter or episode
    title), for a query of two clauses or more: all that can earn the bonus for saying
    them all. A superset of what the text shows, cheap for Whoosh to find: only the
    rarer clauses are checked."""
    refusing: Matching | None = None
    """Quotes to leave out (``-"a phrase"``): a passage is left out where its text says
    one as typed, which the index's stems cannot tell, so they are checked in the text."""


def _exists(reader: Any, fieldname: str, term: str) -> bool:
    return bool(reader.doc_frequency(fieldname, term))


@dataclass(frozen=True)
class Share:
    """What one prefix of a query may stand for: so many words, said in so many
    passages together."""

    words: int = MAX_EXPANSIONS
    postings: int = MAX_PREFIX_POSTINGS
    scanned: int = SCAN_FACTOR * MAX_EXPANSIONS
    """How many words starting with the prefix are looked at to find the most frequent."""

    @classmethod
    def of(cls, clauses: list[Clause]) -> "Share":
        """An even share of the query's budget: ``MAX_EXPANSIONS`` words said in
        ``MAX_PREFIX_POSTINGS`` passages for a lone prefix, less for each of many."""
        prefixes = max(sum(clause.prefix for clause in clauses), 1)
        words = max(1, min(MAX_EXPANSIONS, MAX_QUERY_EXPANSIONS // prefixes))
        scanned = max(2 * words, SCAN_FACTOR * MAX_EXPANSIONS // prefixes)
        return cls(words, MAX_PREFIX_POSTINGS // prefixes, scanned)


def _expansions(reader: Any, fieldname: str, prefix: str, share: Share | None = None) -> list[str]:
    """The most frequent words of a field that start with ``prefix``, as many as the
    ``share`` allows."""
    share = share or Share()
    found = []
    for raw in reader.expand_prefix(fieldname, prefix):
        term = raw.decode() if isinstance(raw, bytes) else str(raw)
        found.append((reader.doc_frequency(fieldname, term), term))
        if len(found) >= share.scanned:
            break
    chosen: list[str] = []
    postings = 0
    for frequency, term in sorted(found, reverse=True):
        if postings + frequency <= share.postings:
            chosen.append(term)
            postings += frequency
            if len(chosen) == share.words:
                break
    return chosen


def _splits(reader: Any, word: str) -> list[tuple[str, ...]]:
    """The ways a rare ``word`` can be said as two (else three) words the index holds.

    Only words the index holds in at most ``SPLIT_MAX_PASSAGES`` passages are split: a
    name that speech recognition splits is rarely heard whole, and splitting common
    words ("py thon", "te sting") finds only noise, slowly. Each part must itself be
    said in ``SPLIT_MIN_PASSAGES`` passages or more.
    """
    if not word.isalpha() or len(word) < 2 * MIN_SPLIT_PART:
        return []
    if reader.doc_frequency("text", normalize(word)) > SPLIT_MAX_PASSAGES:
        return []

    def said(part: str) -> str | None:
        term = normalize(part)
        return term if reader.doc_frequency("text", term) >= SPLIT_MIN_PASSAGES else None

    least = MIN_SPLIT_PART
    cuts = range(least, len(word) - least + 1)
    two: list[tuple[str, ...]] = [
        (a, b) for cut in cuts if (a := said(word[:cut])) and (b := said(word[cut:]))
    ]
    if two:
        return two[:MAX_SPLITS]
    three: list[tuple[str, ...]] = []
    for cut in cuts:
        first = said(word[:cut])
        rest = word[cut:]
        for second in range(least, len(rest) - least + 1) if first else ():
            middle, end = said(rest[:second]), said(rest[second:])
            if middle and end:
                three.append((first, middle, end))  # type: ignore[arg-type]
    return three[:MAX_SPLITS]


def _any(queries: list[wq.Query]) -> wq.Query:
    queries = [query for query in queries if query is not wq.NullQuery]
    if not queries:
        return wq.NullQuery
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _all(fieldname: str, terms: tuple[str, ...]) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    return wq.And([wq.Term(fieldname, term) for term in terms])


@dataclass
class _Parts:
    """A clause's queries by field."""

    text: wq.Query
    chapter: wq.Query
    title: wq.Query

    def matching(self) -> wq.Query:
        chapter = self.chapter
        if chapter is not wq.NullQuery:
            chapter = chapter.with_boost(FIELD_BOOSTS["chapter"])
        return _any([self.text, chapter])


def _parts(
    clause: Clause, number: int, reader: Any, matching: Matching, share: Share | None = None
) -> _Parts:
    clauses = frozenset({number})
    if clause.prefix:
        prefix = clause.terms[0]
        words = _expansions(reader, "text", prefix, share)
        for word in words:
            matching.add_single(word, clauses)
        chapter = _expansions(reader, "chapter", prefix, share)
        title = _expansions(reader, "episode_title", prefix, share)
        return _Parts(
            _any([wq.Term("text", word) for word in words]),
            _any([wq.Term("chapter", word) for word in chapter]),
            _any([wq.Term("episode_title", word) for word in title]),
        )
    if clause.phrase:
        forms: list[wq.Query] = [wq.Phrase("text", list(clause.terms))]
        matching.add_sequence(clause.terms, clauses)
        if len(clause.raw) == 2:
            joined = normalize(clause.raw[0] + clause.raw[1])
            if _exists(reader, "text", joined):
                forms.append(wq.Term("text", joined))
                matching.add_single(joined, clauses)
        return _Parts(
            _any(forms), _all("chapter", clause.terms), _all("episode_title", clause.terms)
        )
    word = clause.terms[0]
    forms = [wq.Term("text", word)]
    matching.add_single(word, clauses)
    for split in _splits(reader, clause.raw[0]) if clause.raw else ():
        forms.append(wq.Phrase("text", list(split)))
        matching.add_sequence(split, clauses)
    return _Parts(_any(forms), wq.Term("chapter", word), wq.Term("episode_title", word))


def _titled(clause: Clause, part: _Parts) -> wq.Query:
    """A clause in the chapter or the episode title, its words in either (as the
    reranking counts them)."""
    if clause.prefix:
        return _any([part.chapter, part.title])
    return wq.And(
        [_any([wq.Term("chapter", term), wq.Term("episode_title", term)]) for term in clause.terms]
    )


def _every(
    clauses: list[Clause],
    parts: list[_Parts],
    joined: list[tuple[int, wq.Query]],
    common: list[int],
) -> wq.Query:
    """Passages that may say every clause: each rarer one said in some form or titled
    (a common word is taken as said: checking it would cost more than it saves)."""
    if len(clauses) < 2:
        return wq.NullQuery
    return _every_of(
        [
            _any(
                [part.text, _titled(clause, part)]
                + [q for n, q in joined if n in (number, number - 1)]
            )
            for number, (clause, part) in enumerate(zip(clauses, parts, strict=True))
            if number not in common
        ]
    )


def _every_of(queries: list[wq.Query]) -> wq.Query:
    if not queries:
        return wq.Every()
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _joined(parsed: ParsedQuery, reader: Any, matching: Matching) -> list[tuple[int, wq.Query]]:
    """Adjacent query words said as one ("term shot" → "termshot"), as extra forms that
    count for both words, each with the number of the first of the two."""
    found = []
    positive = parsed.positive
    for number in range(len(positive) - 1):
        first, second = positive[number], positive[number + 1]
        if first.phrase or second.phrase or first.prefix or second.prefix:
            continue
        if not (first.raw and second.raw):
            continue
        joined = normalize(first.raw[0] + second.raw[0])
        if _exists(reader, "text", joined):
            found.append((number, wq.Term("text", joined)))
            matching.add_single(joined, frozenset({number, number + 1}))
    return found


def _filters(parsed: ParsedQuery, searcher: Any) -> tuple[list[wq.Query], list[wq.Query]]:
    """Queries every hit must match, and ones none may. An episode id or channel that
    matches nothing in the index is a QueryError (see ``filters``)."""
    required: list[wq.Query] = []
    required += [_all("chapter", terms) for terms in parsed.chapter if terms]
    required += [_all("episode_title", terms) for terms in parsed.title if terms]
    required += [wq.Term("video", video_id(video, searcher)) for video in parsed.videos]
    required += [channel_query(words, searcher) for words in parsed.channels]
    required += [speaker_query(words, searcher) for words in parsed.speakers]
    refused: list[wq.Query] = []
    for name, value in parsed.excluded_filters:
        if name == "video":
            refused.append(wq.Term("video", video_id(value, searcher)))
        elif name == "channel":
            refused.append(channel_query(value, searcher))
        elif name == "speaker":
            refused.append(speaker_query(value, searcher))
        else:
            fieldname = "chapter" if name == "chapter" else "episode_title"
            terms = tuple(normalize(word) for word in value.split() if word)
            if terms:
                refused.append(_all(fieldname, terms))
    return required, refused


def plan(parsed: ParsedQuery, searcher: Any) -> Plan:
    reader = searcher.reader()
    clauses = parsed.positive
    matching = Matching()
    required, refused = _filters(parsed, searcher)
    matching.speakers = [frozenset(name_words(words)) for words in parsed.speakers]
    share = Share.of(list(parsed.clauses))
    parts = [_parts(clause, n, reader, matching, share) for n, clause in enumerate(clauses)]
    refusing = Matching()
    excluded = []
    for number, clause in enumerate(parsed.excluded):
        if clause.exact:  # checked in the text (``Plan.refusing``), not by the index
            _parts(clause, number, reader, refusing, share)
            refusing.exact[number] = "".join(clause.raw)
        else:
            excluded.append(_parts(clause, -1, reader, Matching(), share))
    pairs = _joined(parsed, reader, matching)
    joined = [query for _, query in pairs]
    total = searcher.doc_count()
    limit = max(COMMON_FRACTION * total, COMMON_MIN_PASSAGES)
    frequencies = [
        min(reader.doc_frequency("text", term) for term in clause.terms)
        if not clause.prefix
        else limit
        for clause in clauses
    ]
    common = [n for n, clause in enumerate(clauses) if not clause.prefix and frequencies[n] > limit]
    rare = [part.matching() for n, part in enumerate(parts) if n not in common] + joined
    query = _any(rare)
    quoted = _quoted(clauses, parts, common, matching)
    if query is not wq.NullQuery and quoted and len(clauses) > 1:  # one clause: the query
        query = wq.Require(query, _every_of(quoted))
    titles = _any([part.title for n, part in enumerate(parts) if n not in common])
    if query is not wq.NullQuery and titles is not wq.NullQuery:
        query = wq.AndMaybe(query, titles.with_boost(FIELD_BOOSTS["episode_title"]))
    refused += [part.matching() for part in excluded]
    if query is wq.NullQuery and not common and required:
        query = wq.And(required)  # filters alone
    elif query is not wq.NullQuery and required:
        query = wq.And([query, *required])
    if query is not wq.NullQuery and refused:
        query = wq.AndNot(query, _any(refused))
    return Plan(
        clauses=clauses,
        matching=matching,
        rare=query,
        common=common,
        required=wq.And(required) if required else wq.NullQuery,
        refused=_any(refused),
        spoken=_any([part.text for n, part in enumerate(parts) if n not in common] + joined),
        idf=[_idf(total, frequency) for frequency in frequencies],
        every=_every(clauses, parts, pairs, common),
        refusing=refusing if refusing.exact else None,
    )


def _quoted(
    clauses: list[Clause], parts: list["_Parts"], common: list[int], matching: Matching
) -> list[wq.Query]:
    """What finds the passages that may say each quoted clause, every one of which a hit
    must say (as typed: ``matching.exact``, checked in the text, which the index's
    stemmed words cannot tell); common ones are left to that check."""
    required = []
    for number, (clause, part) in enumerate(zip(clauses, parts, strict=True)):
        if clause.exact:
            matching.exact[number] = "".join(clause.raw)
            if number not in common:
                required.append(_any([part.text, _titled(clause, part)]))
    return required


def _idf(total: int, frequency: float) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
