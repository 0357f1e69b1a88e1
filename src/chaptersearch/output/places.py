"""Every place in an episode where a query's words are said, for the episode page.

A search gives one hit per chapter (its best moment, and a count of the others); the
episode page marks them all on the timeline and highlights the words in the
transcript. The transcript is read chapter by chapter, caption by caption as the page
shows them (not cut as the index cuts long ones), with the
matching a hit's snippet uses (``MatchLocator``, planned against the index, so
prefixes, split names and phrases match as they do in a search); matches said close
together (``CLUSTER_WORDS``) are one place. Only the chapters the search found are read,
so the query's filters and exclusions hold here too.

A place that says every word (and phrase) of the query is a full one; a place that says
some of them is partial, and is left out when all it says are words common in the
index: every "python" of a Python podcast would bury the places that matter.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..chapters.reading import chapter_at
from ..hit import Hit
from ..index.passages import cue_ranges
from ..index.schema import open_index
from ..models import Episode
from ..search.plan import plan
from ..search.query import Matching, SearchRequest, parse_query
from ..search.snippets import CLUSTER_WORDS, Match, MatchLocator, cue_at


@dataclass(frozen=True)
class Span:
    """Matched characters of one cue's text."""

    cue: int
    start: int
    end: int


@dataclass(frozen=True)
class Place:
    """Where some of the query is said: from the cue ``cue`` on, at ``start`` seconds."""

    cue: int
    start: float
    full: bool
    """It says every word and phrase of the query."""
    spans: tuple[Span, ...]


def find_places(index_folder: Path, query: str, episode: Episode, hits: list[Hit]) -> list[Place]:
    """The places of ``episode`` that say the words of ``query``, in the chapters that
    ``hits`` (a search of this episode) found."""
    parsed = parse_query(SearchRequest(query, video=episode.id))
    ix = open_index(index_folder)
    try:
        with ix.searcher() as searcher:
            planned = plan(parsed, searcher)
    finally:
        ix.close()
    if not planned.clauses:
        return []
    chapters = {chapter_at(episode.chapters, hit.chapter_start) for hit in hits}
    return places_in(episode, planned.matching, len(planned.clauses), set(planned.common), chapters)


def places_in(
    episode: Episode,
    matching: Matching,
    clauses: int,
    common: set[int] | None = None,
    chapters: Iterable[int] | None = None,
) -> list[Place]:
    """The places in the given chapters (all by default) that say some of ``clauses``
    clauses of a query, in order; partial places saying only ``common`` clauses are
    left out."""
    locator = MatchLocator(matching)
    wanted = None if chapters is None else set(chapters)
    common = common or set()
    places: list[Place] = []
    for number, cues in enumerate(cue_ranges(episode)):
        first = cues.start  # the episode's index of the chapter's first cue
        if wanted is None or number in wanted:
            texts = [episode.cues[index].text for index in cues]
            offsets = [0]
            for text in texts[:-1]:
                offsets.append(offsets[-1] + len(text) + 1)
            for group in _groups(locator.matches(" ".join(texts))):
                said = frozenset().union(*(match.clauses for match in group))
                full = len(said) >= clauses
                if not full and said <= common:
                    continue
                spans = tuple(
                    span
                    for match in group
                    for span in _spans(match.start, match.end, offsets, texts, first)
                )
                cue = first + cue_at(offsets, group[0].start)
                places.append(Place(cue, episode.cues[cue].start, full, spans))
    return places


def _groups(matches: list[Match]) -> list[list[Match]]:
    """Matches said within ``CLUSTER_WORDS`` words of a group's first one, grouped."""
    groups: list[list[Match]] = []
    for match in matches:
        if groups and match.position - groups[-1][0].position < CLUSTER_WORDS:
            groups[-1].append(match)
        else:
            groups.append([match])
    return groups


def _spans(start: int, end: int, offsets: list[int], texts: list[str], first: int) -> list[Span]:
    """A match in a chapter's joined text as spans of its cues (a phrase may be said
    across two captions)."""
    spans = []
    for index in range(cue_at(offsets, start), cue_at(offsets, max(start, end - 1)) + 1):
        begin = max(start - offsets[index], 0)
        stop = min(end - offsets[index], len(texts[index]))
        if stop > begin:
            spans.append(Span(first + index, begin, stop))
    return spans
