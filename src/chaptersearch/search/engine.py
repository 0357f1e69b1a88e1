"""Run a query against the index and return typed hits, timed to the spoken word.

Searching and printing are apart: this module returns ``Hit`` objects; the CLI and the
web page decide how they look. Candidates come from Whoosh's BM25F over the passage text
with the chapter title and episode title as boosted fields (the rarer words), or from
whole posting lists (common words alone, see ``postings``). The best candidates are
then read and scored again from their own text: a bonus for saying every clause
(``ALL_WORDS_BONUS``), another for the words in order close together
(``PROXIMITY_BONUS``), and what common words add. They are read best first until no
passage left could reach the list (``streams``), so a passage that says every word is
never lost for want of depth, and the first hits are the same whatever the limit. Any
of the words may match, so partial matches still come back, below complete ones. With
passage vectors, the result is mixed with the ranking by meaning (``meaning``). At most
``per_chapter`` hits come from one chapter.
"""

import bisect
import heapq
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import scoring

from ..errors import ChapterSearchError, IndexEmptyError, IndexUnreadableError, QueryError
from ..hit import Hit
from ..index.analysis import terms
from ..index.schema import StoredPassage, open_index, stored_passage
from .bulk import every_match, matching_docs
from .plan import Plan, plan
from .postings import among, common_candidates, said_counts
from .query import ParsedQuery, SearchRequest, parse_query, plain_words, says_exactly
from .snippets import Match, MatchLocator, cue_at, make_hit
from .streams import Filling, Ranking, Stream

ALL_WORDS_BONUS = 1.0
"""A passage with every clause of the query scores this much more (1.0 doubles it).

Applied to the best passages found rather than inside the query: an AND of the words
beside the OR doubled the cost of every search. Whoosh's own coordination bonus
(``OrGroup.factory``) is not used either: its matcher drops the bonus once one word's
postings run out, and can rank a passage with fewer of the words above one with all."""

PROXIMITY_BONUS = 1.0
"""How much more a passage scores when the query's words are said in order, close
together. Checked on the best passages only."""

PROXIMITY_SLOP = 3
"""Words of the query said in order within this many words of each other make a
passage rank higher. Hosts read a topic's title aloud."""

BM25 = {"B": 0.75, "K1": 1.2}
"""Whoosh's BM25F parameters: B, how much a long passage is discounted; K1, how soon
repeating a word stops adding to the score."""

READ_ATTEMPTS = 3
"""A search that finds the index changing under it (a rebuild swapped generations, an
add merged segments) reads it again from the top: the new state is whole."""

MAX_FETCH = 5000
"""The most passages one search scores again from their text. Past this (a query whose
best passages are spread over fewer chapters than asked for), the hits are the best
among these."""

RERANK_BATCH = 10
"""How many candidates are read and scored again at a time, best first, until no
passage left could reach the list."""

MEANING_DEPTH = 50
"""How many of the passages nearest in meaning a hybrid search mixes with as many of the
words' best, whatever the limit (so the first hits are the same for every ``--limit``);
a longer list goes on with the words' next best."""

COMMON_WEIGHT = 1.0
"""How much a common word of the query adds, found in a passage its rarer words found."""

QUOTE_CAPTION_BONUS = 0.2
"""A quote (a query of one phrase) scores up to this much more where the caption it is
said in is short: five words said in several episodes are most likely the sentence they
make up, as BM25 over captions (what yt-fts does) ranks them. Small enough that saying
the phrase again still counts for more."""

SEARCH_SECONDS = 10.0
"""The longest one search may work: a query within every limit of the language can still
ask for much (many prefixes over a large library), and the web page must not be kept
busy by a page elsewhere or a stuck tab. Real queries take well under a second."""

__all__ = ["SearchRequest", "parse_query", "search"]


class Deadline:
    """When a search must stop, checked between its steps; stopping says why."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = SEARCH_SECONDS if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise QueryError(
                f"the query was stopped after {self.seconds:g} s: it asks for too much; "
                "give longer or fewer prefixes (word*), or a filter such as channel:"
            )


def search(
    index_folder: Path, request: SearchRequest, warnings: list[str] | None = None
) -> list[Hit]:
    """Ranked hits, at most ``per_chapter`` from any one chapter. ``warnings`` hears
    why a search that would mix in meaning searched by words only (its model is gone)."""
    parsed = parse_query(request)
    deadline = Deadline()
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return _search_once(index_folder, parsed, request, deadline, warnings)
        except ChapterSearchError as error:
            if not isinstance(error, IndexUnreadableError) or attempt == READ_ATTEMPTS:
                raise
        except Exception as error:  # Whoosh's files changed or are damaged
            if attempt == READ_ATTEMPTS:
                raise IndexUnreadableError(
                    f"the index in {index_folder} cannot be read ({type(error).__name__}); "
                    "run `chaptersearch rebuild`"
                ) from error
        time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


def _mode(index_folder: Path, request: SearchRequest, parsed: ParsedQuery) -> str:
    """The request's mode; by default hybrid where the home has passage vectors (and
    the extra is installed). A quote keeps a hybrid search to words: it asks for those
    words, as typed."""
    mode = request.mode
    if mode is None:
        from .meaning import available, home_of

        mode = "hybrid" if available(home_of(index_folder)) else "words"
    if mode == "hybrid" and any(clause.phrase or clause.exact for clause in parsed.clauses):
        return "words"
    return mode


class MeaningWhenNeeded:
    """The query's meaning, loaded (model, vectors, numpy) only when a search asks for it:
    a hybrid search whose words answer well never does. Where the home's default mode
    meant hybrid and meaning cannot be had, the words answer, with a warning."""

    def __init__(
        self,
        index_folder: Path,
        parsed: ParsedQuery,
        request: SearchRequest,
        warnings: list[str] | None,
    ) -> None:
        self.text = " ".join(clause.typed for clause in parsed.positive)
        if not self.text.strip():
            raise QueryError("search by meaning needs some words, not only filters")
        self.index_folder = index_folder
        self.request = request
        self.warnings = warnings
        self._loaded: Any = None

    def load(self) -> Any:
        """The loaded ``meaning.Meaning``, or None where words alone must answer."""
        if self._loaded is None:
            from .embedding import EmbeddingError
            from .meaning import Meaning, home_of

            try:
                self._loaded = Meaning(home_of(self.index_folder), self.text, self.request.model)
            except EmbeddingError as error:
                if self.request.mode is not None:  # asked for by name: say why not
                    raise
                self._loaded = False  # the home's default: the words still answer
                if self.warnings is not None:
                    self.warnings.append(f"searching by words only: {error}")
        return self._loaded or None


def _search_once(
    index_folder: Path,
    parsed: ParsedQuery,
    request: SearchRequest,
    deadline: Deadline,
    warnings: list[str] | None = None,
) -> list[Hit]:
    mode = _mode(index_folder, request, parsed)
    meaning = None
    if mode == "hybrid" and not any(clause.typed.strip() for clause in parsed.positive):
        mode = "words"  # only filters (speaker:, channel:): nothing to mean
    if mode != "words":
        meaning = MeaningWhenNeeded(index_folder, parsed, request, warnings)
        if mode == "meaning":
            meaning.load()  # asked for by name: a reason it cannot be had comes first
    ix = open_index(index_folder)
    try:
        if ix.doc_count() == 0:
            raise IndexEmptyError(
                f"nothing is indexed in {index_folder.parent} yet: add episodes with "
                "`chaptersearch add FILE`, or run `chaptersearch rebuild` if the library "
                "has them"
            )
        with ix.searcher(weighting=scoring.BM25F(**BM25)) as searcher:
            planned = plan(parsed, searcher)
            deadline.check()
            return _hits(searcher, planned, request, meaning, mode != "meaning", deadline)
    finally:
        ix.close()


@dataclass
class Ranked:
    """A candidate passage, read and scored."""

    docnum: int
    score: float
    passage: StoredPassage
    by_meaning: bool = False
    """Found by meaning, not by the query's words."""
    says_all: bool = False
    """Says every clause of the query (or its titles do)."""


def _hits(
    searcher: Any,
    planned: Plan,
    request: SearchRequest,
    meaning: MeaningWhenNeeded | None = None,
    words: bool = True,
    deadline: Deadline | None = None,
) -> list[Hit]:
    deadline = deadline or Deadline()
    locator = MatchLocator(planned.matching)
    reranker = Reranker(planned, locator, searcher)
    saying: set[int] | None = None
    spoken = planned.spoken
    scored: list[Ranked] = []
    candidates = _candidates(searcher, planned, reranker, deadline) if words else None
    if candidates is not None:
        saying = candidates.saying
        spoken = candidates.spoken or spoken
        at_least = MEANING_DEPTH if meaning is not None else 0
        scored = _best(reranker, candidates, request, at_least, deadline)
    if meaning is not None and not (words and answered(scored)):
        loaded = meaning.load()
        if loaded is not None:
            depth = MEANING_DEPTH if words else request.limit * request.per_chapter * 4
            scored = _with_meaning(searcher, planned, scored, loaded, depth, words)
    chosen = _per_chapter(scored, request)
    mentions = _mentions(searcher, spoken, saying, chosen, reranker)
    hits = []
    for rank, ranked in enumerate(chosen, start=1):
        more = mentions.get(ranked.passage.chapter_key, 0)
        hits.append(_hit(searcher, rank, ranked, more, locator))
    return hits


def answered(scored: list[Ranked]) -> bool:
    """Whether the words answer the query well enough that meaning would add nothing
    worth loading a model for: their best passage says every clause of the query. (On
    the topic benchmark, docs/benchmarks.md, mixing meaning into these too would add
    0.003 MRR@10 held out, 0.011 on the tuning part, and cost every such search the
    model.)"""
    return bool(scored) and scored[0].says_all


def _with_meaning(
    searcher: Any, planned: Plan, ranked: list[Ranked], meaning: Any, depth: int, words: bool
) -> list[Ranked]:
    """The words' ``depth`` best passages and as many nearest in meaning, scored by the
    mix of both (or by meaning alone), then the rest of the words' list as it was;
    passages found by meaning obey the query's filters too."""
    from .meaning import mix

    rest = ranked[depth:]
    ranked = ranked[:depth]
    by_words = {item.docnum: item for item in ranked}
    nearest: dict[int, float] = {}
    for key, cosine in meaning.best(depth):
        docnum = searcher.document_number(key=key)
        if docnum is not None:
            nearest[docnum] = cosine
    extra = set(nearest) - set(by_words)
    if planned.required is not wq.NullQuery:
        extra = among(searcher, planned.required, extra)
    if planned.refused is not wq.NullQuery:
        extra -= among(searcher, planned.refused, extra)
    nearest = {d: c for d, c in nearest.items() if d in extra or d in by_words}
    for docnum, item in by_words.items():
        if docnum not in nearest:
            cosine = meaning.cosine(item.passage.key)
            if cosine is not None:
                nearest[docnum] = cosine
    scores = mix({item.docnum: item.score for item in ranked}, nearest) if words else nearest
    combined = [
        Ranked(d, scores[d], by_words[d].passage)
        if d in by_words
        else Ranked(d, scores[d], stored_passage(searcher.stored_fields(d)), by_meaning=True)
        for d in scores
    ]
    mixed = sorted(combined, key=lambda item: (-item.score, item.docnum))
    floor = min((item.score for item in mixed), default=0.0)
    return mixed + [
        Ranked(item.docnum, floor, item.passage, says_all=item.says_all)
        for item in rest
        if item.docnum not in scores
    ]


Bound = Callable[[float], float]
"""The highest score a passage can be given again, from its index score."""


@dataclass
class Candidates:
    """Every passage the query finds, best first, in streams: those that may say every
    clause (only they can earn the bonus for it) and the rest; for common words, also
    every passage that says a clause."""

    every: list[Ranking]
    rest: list[Ranking]
    saying: set[int] | None = None
    spoken: wq.Query | None = None
    """What finds the passages that say a clause, where ``saying`` is not known."""
    base: dict[int, float] | None = None
    """The index's own scores, where the streams are ordered by more (``Reranker.lifted``);
    None when they are ordered by these."""


HEAD = 200
"""How many of the best passages by the index's score have their common words counted
exactly before any is scored again (``Reranker.lifted``); the rest are counted only if
the search reaches them, which a search rarely does. Counting them all read most of the
postings of "python" for every heading that says it."""


def _candidates(
    searcher: Any, planned: Plan, reranker: "Reranker", deadline: Deadline
) -> Candidates | None:
    deadline.check()
    if planned.rare is not wq.NullQuery:
        # every match is scored (a block of postings at a time): Whoosh's top-N search
        # prunes with bounds that are wrong for its preloaded OR of three words or more
        # (used below 5,000 passages), and lost the best passage of "python graph
        # gallery" at small limits
        base = every_match(searcher, planned.rare, deadline.check)
        every: set[int] = set()
        if planned.every is not wq.NullQuery and not reranker.quote:
            every = matching_docs(searcher, planned.every, deadline.check) & base.keys()
        head, tail = _split_head(base)
        lifted, said_common = reranker.lifted(base, head)
        for number, said in said_common.items():  # a common word: said, or titled
            term = planned.clauses[number].terms[0]
            titled = wq.Or([wq.Term("chapter", term), wq.Term("episode_title", term)])
            unsaid = (every & head) - said
            every -= unsaid - among(searcher, titled, unsaid)
        return Candidates(
            [_ranked(head & every, lifted), Lifting(tail & every, base, reranker)],
            [_ranked(head - every, lifted), Lifting(tail - every, base, reranker)],
            base=base,
        )
    if planned.common:
        said_all, rest, saying, spoken = common_candidates(searcher, planned)
        return Candidates([said_all], [rest], saying, spoken=spoken)
    return None


def _split_head(base: dict[int, float]) -> tuple[set[int], set[int]]:
    """The ``HEAD`` best passages by the index's score, whose common words are counted
    now, and the rest."""
    if len(base) <= HEAD:
        return set(base), set()
    best = heapq.nlargest(HEAD, base.items(), key=lambda item: (item[1], -item[0]))
    head = {docnum for docnum, _ in best}
    return head, base.keys() - head


def _ranked(docnums: set[int], scores: dict[int, float]) -> Stream:
    ranked = sorted(docnums, key=lambda docnum: (-scores[docnum], docnum))
    return Stream(ranked, scores.__getitem__, ranked=True)


class Lifting(Filling):
    """Passages best first by the index's score with what the query's common words add
    (``Reranker.lifted``), counted a chunk at a time: the next best by the index's score
    once the most the common words could add to them could matter, four times as many
    each time (counting reads the blocks of postings that hold a chunk's passages, so
    many small chunks would read the same blocks again and again). The same order as
    counting every passage first; a search rarely goes past the first chunk."""

    def __init__(self, docnums: set[int], base: dict[int, float], reranker: "Reranker") -> None:
        super().__init__()
        self._waiting = [(-base[docnum], docnum) for docnum in docnums]
        heapq.heapify(self._waiting)
        self._base = base
        self._reranker = reranker
        self._extra = reranker.extra_most()
        self._chunk = HEAD

    def _fill(self) -> None:
        waiting, ready = self._waiting, self._ready
        while waiting and (not ready or -waiting[0][0] + self._extra >= -ready[0][0]):
            chunk = [heapq.heappop(waiting)[1] for _ in range(min(self._chunk, len(waiting)))]
            self._chunk *= 4
            lifted = self._reranker.lifted(self._base, set(chunk))[0]
            for docnum in chunk:
                heapq.heappush(ready, (-lifted[docnum], docnum))


def _best(
    reranker: "Reranker",
    candidates: Candidates,
    request: SearchRequest,
    at_least: int,
    deadline: Deadline,
) -> list[Ranked]:
    """The candidates scored again, best first, read until no passage left could reach
    the list (and at least ``at_least`` of them, for a hybrid search to mix): the same
    first hits as scoring every candidate would give, whatever the limit."""
    every_bound, rest_bound = reranker.bounds()
    streams = [(stream, every_bound) for stream in candidates.every]
    streams += [(stream, rest_bound) for stream in candidates.rest]
    scored: list[tuple[float, int, int, Ranked]] = []
    """Kept in order as it grows (best first, then by passage): sorting it again at
    every batch cost a deep search as much as scoring."""
    threshold = -math.inf
    while len(scored) < MAX_FETCH:
        bounds = [bound(stream.ceiling()) for stream, bound in streams]
        best = max(bounds)
        if best == -math.inf or (best <= threshold and len(scored) >= at_least):
            break
        deadline.check()
        stream = streams[bounds.index(best)][0]
        taken = stream.take(RERANK_BATCH)
        if candidates.base is not None:
            taken = [(docnum, candidates.base[docnum]) for docnum, _ in taken]
        for docnum, base in taken:
            item = reranker.score(docnum, base)
            if item is not None:
                bisect.insort(scored, (-item.score, item.docnum, len(scored), item))
        chosen = _per_chapter((entry[-1] for entry in scored), request)
        threshold = chosen[-1].score if len(chosen) == request.limit else -math.inf
        if at_least and len(scored) >= at_least:  # the first at_least exact, too
            threshold = min(threshold, -scored[at_least - 1][0])
    return [entry[-1] for entry in scored]


class Reranker:
    """Scores candidate passages from their own text: the bonus for saying every clause
    and for saying the words in order close together, and the common words a query's
    rarer words found."""

    def __init__(self, planned: Plan, locator: MatchLocator, searcher: Any) -> None:
        self.planned = planned
        self.locator = locator
        self.searcher = searcher
        self.count_common = planned.rare is not wq.NullQuery
        self._title_terms: dict[str, set[str]] = {}
        clauses = planned.clauses
        self.in_order = len(clauses) >= 2 and all(
            not clause.phrase and not clause.prefix for clause in clauses
        )
        self.quote = len(clauses) == 1 and clauses[0].phrase
        self.refusing = MatchLocator(planned.refusing) if planned.refusing else None

    def lifted(
        self, base: dict[int, float], docnums: set[int]
    ) -> tuple[dict[int, float], dict[int, set[int]]]:
        """The index's scores of ``docnums`` with what the common words of the query
        add in each passage, counted from their postings: the order in which candidates
        are scored again, so the bound on the rest is close (see ``bounds``). Also, for
        each common clause counted, the passages among them that say it."""
        lifted = {docnum: base[docnum] for docnum in docnums}
        saying: dict[int, set[int]] = {}
        for number in self._counted():
            term = self.planned.clauses[number].terms[0]
            weight = COMMON_WEIGHT * self.planned.idf[number]
            counts = said_counts(self.searcher, term, docnums)
            for docnum, count in counts.items():
                lifted[docnum] += weight * _saturated(count)
            saying[number] = set(counts)
        return lifted, saying

    def extra_most(self) -> float:
        """The most the counted common words can add to a passage's score."""
        return COMMON_WEIGHT * sum(
            self.planned.idf[number] * (BM25["K1"] + 1) for number in self._counted()
        )

    def _counted(self) -> list[int]:
        """The common clauses whose mentions a passage's postings count exactly as its
        text does: single words that no joined form also says."""
        if not self.count_common:
            return []
        singles = self.planned.matching.singles
        sequences = self.planned.matching.sequences
        counted = []
        for number in self.planned.common:
            clause = self.planned.clauses[number]
            forms = {term for term, clauses in singles.items() if number in clauses}
            if (
                not clause.phrase
                and forms == {clause.terms[0]}
                and not any(number in clauses for _, clauses in sequences)
            ):
                counted.append(number)
        return counted

    def bounds(self) -> tuple[Bound, Bound]:
        """The highest score a passage can be given from the score its stream is ranked
        by (``lifted``): one that may say every clause, and one that does not. Common
        words not counted there add at most their weight with every mention (BM25's
        saturation), before the bonuses multiply."""
        counted = self._counted()
        extra = 0.0
        if self.count_common:
            extra = COMMON_WEIGHT * sum(
                self.planned.idf[number] * (BM25["K1"] + 1)
                for number in self.planned.common
                if number not in counted
            )
        if self.quote:
            factor = 1 + QUOTE_CAPTION_BONUS
            return (lambda base: base * factor), (lambda base: base * factor)
        every = 1.0
        if len(self.planned.clauses) >= 2:
            every += ALL_WORDS_BONUS + PROXIMITY_BONUS * self.in_order
        return (lambda base: (base + extra) * every), (lambda base: base + extra)

    def _titled(self, title: str) -> set[str]:
        if title not in self._title_terms:
            self._title_terms[title] = {term.text for term in terms(title)}
        return self._title_terms[title]

    def score(self, docnum: int, base: float) -> Ranked | None:
        """The passage scored again, or None when it does not say a quote as typed."""
        passage = stored_passage(self.searcher.stored_fields(docnum))
        if self.refusing is not None and self.refusing.matches(passage.text, spans=False):
            return None  # says a quote the query leaves out, as typed
        quotes = self.planned.matching.exact
        matches: list[Match] = []
        speakers = self.planned.matching.speakers and self.planned.clauses
        if self.quote or quotes or speakers or len(self.planned.clauses) >= 2:
            # where in the text only a quote's caption bonus needs
            matches = self.locator.said(passage, spans=self.quote)
        if quotes and not self._says_quotes(passage, matches):
            return None
        if speakers and not matches:  # the words are said, but by someone else
            return None
        if self.quote:
            bonus = self._caption_bonus(passage, matches)
            return Ranked(docnum, base * (1 + bonus), passage, says_all=True)
        if len(self.planned.clauses) < 2:  # no bonus to give: the index's score stands
            return Ranked(docnum, base, passage, says_all=True)
        said: dict[int, int] = {}
        for match in matches:
            for clause in match.clauses:
                said[clause] = said.get(clause, 0) + 1
        titles = self._titled(passage.episode_title)
        if passage.chapter_source != "generated":  # a title made from the talk is not searched
            titles |= self._titled(passage.chapter)
        matched = set(said) | {
            number
            for number, clause in enumerate(self.planned.clauses)
            if not clause.prefix and set(clause.terms) <= titles
        }
        score = base
        if self.count_common:
            score += COMMON_WEIGHT * sum(
                self.planned.idf[number] * _saturated(said[number])
                for number in self.planned.common
                if number in said
            )
        every = len(self.planned.clauses) >= 2 and len(matched) == len(self.planned.clauses)
        close = self.in_order and _in_order(matches, len(self.planned.clauses))
        score *= 1 + ALL_WORDS_BONUS * every + PROXIMITY_BONUS * close
        return Ranked(docnum, score, passage, says_all=every)

    def _says_quotes(self, passage: StoredPassage, matches: list[Match]) -> bool:
        """Whether the passage says every quoted clause as typed, or its chapter's title
        or episode's title does (a title made from the talk is not searched)."""
        said = frozenset().union(*(match.clauses for match in matches))
        titles = [passage.episode_title]
        if passage.chapter_source != "generated":
            titles.append(passage.chapter)
        return all(
            number in said or any(says_exactly(plain_words(title), quote) for title in titles)
            for number, quote in self.planned.matching.exact.items()
        )

    def _caption_bonus(self, passage: StoredPassage, matches: list[Match]) -> float:
        """The bonus for where the quote is first said (``matches``, with their places):
        the shorter its caption, the more."""
        if not matches:
            return 0.0
        offsets = passage.offsets
        cue = cue_at(offsets, matches[0].start)
        end = offsets[cue + 1] if cue + 1 < len(offsets) else len(passage.text)
        words = len(passage.text[offsets[cue] : end].split())
        quote = len(self.planned.clauses[0].terms)
        return QUOTE_CAPTION_BONUS * min(1.0, quote / max(words, 1))


def _saturated(count: int) -> float:
    return count * (BM25["K1"] + 1) / (count + BM25["K1"])


def _in_order(matches: list[Match], clauses: int) -> bool:
    """Whether clauses 0, 1, 2… are said in that order, each within ``PROXIMITY_SLOP``
    words of the one before."""
    reach: dict[int, int] = {}  # clause -> latest position ending a run up to it
    for match in matches:
        for clause in sorted(match.clauses):
            if clause == 0:
                reach[0] = match.position
            elif (
                clause - 1 in reach and 0 < match.position - reach[clause - 1] <= PROXIMITY_SLOP + 1
            ):
                reach[clause] = match.position
    return clauses - 1 in reach


def _per_chapter(ranked: Iterable[Ranked], request: SearchRequest) -> list[Ranked]:
    """The best ``limit`` passages, at most ``per_chapter`` from any one chapter."""
    chosen: list[Ranked] = []
    taken: dict[str, int] = {}
    for item in ranked:
        key = item.passage.chapter_key
        if taken.get(key, 0) < request.per_chapter:
            taken[key] = taken.get(key, 0) + 1
            chosen.append(item)
            if len(chosen) == request.limit:
                break
    return chosen


def _hit(searcher: Any, rank: int, ranked: Ranked, more: int, locator: MatchLocator) -> Hit:
    said = locator.hit(rank, ranked.score, ranked.passage, more)
    if said is not None:
        return said
    if ranked.by_meaning:  # none of the query's words: the passage as a whole is the hit
        return make_hit(rank, ranked.score, ranked.passage, more, 0, [], "meaning")
    stored = ranked.passage
    if locator.matching.speakers and not locator.matching.singles:  # speaker: alone
        cue = next((c for c in range(len(stored.offsets)) if locator.by_speaker(stored, c)), 0)
        return make_hit(rank, ranked.score, stored, more, stored.offsets[cue], [], "speaker")
    # matched through its chapter title alone: the hit is the chapter's opening, said
    # so, rather than a passage that happens to be in it
    opening = searcher.document(key=f"{ranked.passage.chapter_key}:0")
    first_passage = stored_passage(opening) if opening else ranked.passage
    return make_hit(rank, ranked.score, first_passage, more, 0, [], "chapter title")


def _mentions(
    searcher: Any,
    spoken: wq.Query,
    saying: set[int] | None,
    chosen: list[Ranked],
    reranker: "Reranker",
) -> dict[str, int]:
    """For each chapter shown, how many of its other passages say the words: every
    passage of a chapter matches through its title, so this counts what is said (and a
    quote only where it is said as typed)."""
    shown: dict[str, set[int]] = {}
    for item in chosen:
        shown.setdefault(item.passage.chapter_key, set()).add(item.docnum)
    others = {
        key: set(searcher.docs_for_query(wq.Term("chapter_key", key))) - docnums
        for key, docnums in shown.items()
    }
    if saying is None:
        saying = among(searcher, spoken, set().union(*others.values()))
    if reranker.planned.matching.exact:
        return {
            key: sum(reranker.score(docnum, 0.0) is not None for docnum in docnums & saying)
            for key, docnums in others.items()
        }
    return {key: len(docnums & saying) for key, docnums in others.items()}
