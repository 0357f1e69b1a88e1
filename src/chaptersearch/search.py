"""Run a query against the index and return typed hits, timed to the spoken word.

Searching and printing are apart: this module returns ``Hit`` objects; the CLI decides
how they look. Ranking is Whoosh's BM25F over the passage text, with the chapter title
and episode title as boosted fields. Any of the words may match, and the best passages
that hold all of them are then moved up (``ALL_WORDS_BONUS``), so partial matches still
come back, below complete ones. At most ``per_chapter`` hits come from one chapter.
"""

import time
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import scoring

from .errors import ChapterSearchError, IndexEmptyError, IndexUnreadableError
from .hit import Hit
from .plan import Plan, plan
from .query import ParsedQuery, SearchRequest, parse_query
from .schema import StoredPassage, open_index, stored_passage
from .snippets import MatchLocator, make_hit

ALL_WORDS_BONUS = 1.0
"""A passage with every clause of the query scores this much more (1.0 doubles it).

Applied to the best passages found rather than inside the query: an AND of the words
beside the OR doubled the cost of every search. Whoosh's own coordination bonus
(``OrGroup.factory``) is not used either: its matcher drops the bonus once one word's
postings run out, and can rank a passage with fewer of the words above one with all."""

PROXIMITY_BONUS = 1.0
"""How much more a passage scores when the query's words are said in order, close
together (see ``plan.PROXIMITY_SLOP``). Checked on the best passages only."""

BM25 = {"B": 0.75, "K1": 1.2}
"""Whoosh's BM25F parameters: B, how much a long passage is discounted; K1, how soon
repeating a word stops adding to the score."""

READ_ATTEMPTS = 3
"""A search that finds the index changing under it (a rebuild swapped generations, an
add merged segments) reads it again from the top: the new state is whole."""

MAX_FETCH = 5000
"""The most passages one search ranks while looking for enough distinct chapters."""

__all__ = ["SearchRequest", "parse_query", "search"]


def search(index_folder: Path, request: SearchRequest) -> list[Hit]:
    """Ranked hits, at most ``per_chapter`` from any one chapter."""
    parsed = parse_query(request)
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return _search_once(index_folder, parsed, request)
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


def _search_once(index_folder: Path, parsed: ParsedQuery, request: SearchRequest) -> list[Hit]:
    ix = open_index(index_folder)
    try:
        if ix.doc_count() == 0:
            raise IndexEmptyError(
                f"nothing is indexed in {index_folder.parent} yet: add episodes with "
                "`chaptersearch add FILE`, or run `chaptersearch rebuild` if the library "
                "has them"
            )
        with ix.searcher(weighting=scoring.BM25F(**BM25)) as searcher:
            return _hits(searcher, plan(parsed, searcher), request)
    finally:
        ix.close()


def _hits(searcher: Any, planned: Plan, request: SearchRequest) -> list[Hit]:
    locator = MatchLocator(planned.matching)
    found = _top_per_chapter(searcher, planned, request)
    shown: dict[str, set[int]] = {}
    for docnum, _, key in found:
        shown.setdefault(key, set()).add(docnum)
    mentions = _mentions(searcher, planned.spoken, set(shown))
    hits = []
    for rank, (docnum, score, key) in enumerate(found, start=1):
        more = len(mentions.get(key, set()) - shown[key])
        stored = stored_passage(searcher.stored_fields(docnum))
        hit = locator.hit(rank, score, stored, more)
        hits.append(hit or _chapter_title_hit(searcher, rank, score, stored, key, more))
    return hits


def _chapter_title_hit(
    searcher: Any, rank: int, score: float, stored: StoredPassage, key: str, more: int
) -> Hit:
    """A passage that matched through its chapter title alone: the hit is the chapter's
    opening, said so, rather than a passage that happens to be in it."""
    opening = searcher.document(key=f"{key}:0")
    first = stored_passage(opening) if opening else stored
    return make_hit(rank, score, first, more, 0, [], "chapter title")


def _top_per_chapter(
    searcher: Any, planned: Plan, request: SearchRequest
) -> list[tuple[int, float, str]]:
    """The best ``limit`` passages as (docnum, score, chapter key), at most
    ``per_chapter`` from any one chapter.

    Grouping is done here rather than with Whoosh's ``collapse=``: in whoosh3 3.54
    collapsing loses chapters from other segments for some OR queries. A margin of top
    passages is fetched, and more only when a few chapters crowd out the rest.
    """
    column = searcher.reader().column_reader("chapter_key")
    chosen: list[tuple[int, float, str]] = []
    for query in planned.queries:
        chosen = _best(searcher, query, request, planned, column)
        if len(chosen) == request.limit:
            break
    return chosen


def _best(
    searcher: Any, query: wq.Query, request: SearchRequest, planned: Plan, column: Any
) -> list[tuple[int, float, str]]:
    fetch = max(50, request.limit * request.per_chapter * 4)
    while True:
        results = searcher.search(query, limit=fetch)
        found = [(result.docnum, float(result.score)) for result in results]
        docnums = {docnum for docnum, _ in found}
        complete = _holding_every_clause(searcher, planned.units, docnums)
        close = _among(searcher, planned.near, docnums) if planned.near is not None else set()
        scored = sorted(
            (
                (
                    d,
                    score
                    * (1 + ALL_WORDS_BONUS * (d in complete) + PROXIMITY_BONUS * (d in close)),
                )
                for d, score in found
            ),
            key=lambda item: -item[1],
        )
        chosen: list[tuple[int, float, str]] = []
        taken: dict[str, int] = {}
        for docnum, score in scored:
            key = column[docnum]
            if taken.get(key, 0) < request.per_chapter:
                taken[key] = taken.get(key, 0) + 1
                chosen.append((docnum, score, key))
                if len(chosen) == request.limit:
                    return chosen
        if results.scored_length() < fetch or fetch >= MAX_FETCH:
            return chosen
        fetch *= 4


def _holding_every_clause(searcher: Any, units: list[wq.Query], docnums: set[int]) -> set[int]:
    """Which of some passages hold every clause of the query, in any field."""
    if len(units) < 2:
        return set()
    holding = set(docnums)
    for unit in units:
        holding = _among(searcher, unit, holding)
    return holding


def _among(searcher: Any, query: wq.Query, docnums: set[int]) -> set[int]:
    """The passages among ``docnums`` that ``query`` matches, by skipping its postings to
    each one: far cheaper than listing every passage the query matches."""
    if query is wq.NullQuery or not docnums:
        return set()
    matcher = query.matcher(searcher)
    found: set[int] = set()
    for docnum in sorted(docnums):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found.add(docnum)
    return found


def _mentions(searcher: Any, spoken: wq.Query, chapter_keys: set[str]) -> dict[str, set[int]]:
    """The passages of some chapters whose spoken words match: every passage of a chapter
    matches through its title, so "more in this chapter" counts what is said instead."""
    if spoken is wq.NullQuery or not chapter_keys:
        return {}
    within = wq.Or([wq.Term("chapter_key", key) for key in sorted(chapter_keys)])
    column = searcher.reader().column_reader("chapter_key")
    found: dict[str, set[int]] = {}
    for docnum in _among(searcher, spoken, set(searcher.docs_for_query(within))):
        found.setdefault(column[docnum], set()).add(docnum)
    return found
