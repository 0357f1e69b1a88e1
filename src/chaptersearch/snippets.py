"""Where a query's words fall in a passage: the moment they are said and the snippet.

The index gives the best passages; this reads one passage's text with the same
analysis as the index and finds every match of the query's clauses: words on their own,
phrases and split names only in order. The moment of a hit is the start of the place
where the most of the query's clauses are said close together (the first such place),
so a hit on "keeper test" points at "keeper test", not at an earlier lone "test". The
snippet is cut around that moment, with every match in it marked.
"""

import bisect
from dataclasses import dataclass

from .analysis import MAX_TOKEN, TOKEN, dotted_parts, normalize
from .hit import Hit
from .query import Matching
from .schema import StoredPassage
from .youtube_urls import link_at

SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 220
CLUSTER_WORDS = 12
"""Matches within this many words of each other count as one place."""


@dataclass(frozen=True)
class Match:
    position: int
    clauses: frozenset[int]
    start: int
    end: int


def _start(raw: str) -> str:
    """A word's first two letters as its term keeps them ("i've" → "iv")."""
    return raw[0] + raw[2] if raw[1:2] in ("'", "’") and len(raw) > 2 else raw[:2]


class MatchLocator:
    """Finds where a query's clauses are said in a passage."""

    def __init__(self, matching: Matching) -> None:
        self.matching = matching
        self.wanted = set(matching.singles)
        for terms, _ in matching.sequences:
            self.wanted.update(terms)
        self.starts = {term[:2] for term in self.wanted}
        """Stemming keeps a word's first two letters (apostrophes aside: "I've" is
        "iv"), so only words that start like a wanted term are stemmed: stemming every
        word cost more than the rest of a search in a new process, whose stem cache is
        empty."""

    def matches(self, text: str, spans: bool = True) -> list[Match]:
        """Every match of a clause in ``text``, in order of position; with ``spans``
        False, without their place in the text (``start`` and ``end`` are 0), which is
        all ranking needs and half the work."""
        words = TOKEN.findall(text.lower())
        if words and max(map(len, words)) > MAX_TOKEN:
            words = [word for word in words if len(word) <= MAX_TOKEN]
        wanted, starts = self.wanted, self.starts
        at: dict[int, set[str]] = {}
        for position in [i for i, raw in enumerate(words) if _start(raw) in starts]:
            term = normalize(words[position])
            if term in wanted:
                at[position] = {term}
        if "." in text:
            for position, raw in enumerate(words):
                if "." in raw:
                    found = ({normalize(raw)} | set(dotted_parts(raw))) & wanted
                    if found:
                        at[position] = found
        if not at:
            return []
        places = self._places(text) if spans else None
        singles = self.matching.singles
        matches = []
        for place, found in at.items():
            own = [singles[term] for term in found if term in singles]
            if own:
                start, end = places[place] if places else (0, 0)
                matches.append(Match(place, frozenset().union(*own), start, end))
        for sequence, clauses in self.matching.sequences:
            length = len(sequence)
            for place, found in at.items():
                if sequence[0] in found and all(
                    word in at.get(place + offset, ()) for offset, word in enumerate(sequence)
                ):
                    start, end = (
                        (places[place][0], places[place + length - 1][1]) if places else (0, 0)
                    )
                    matches.append(Match(place, clauses, start, end))
        return sorted(matches, key=lambda match: (match.position, -match.end))

    @staticmethod
    def _places(text: str) -> list[tuple[int, int]]:
        return [match.span() for match in TOKEN.finditer(text) if len(match.group()) <= MAX_TOKEN]

    @staticmethod
    def moment(matches: list[Match]) -> Match:
        """The first match of the place where the most clauses are said together."""
        best, best_count = matches[0], 0
        for index, match in enumerate(matches):
            clauses: set[int] = set()
            for other in matches[index:]:
                if other.position - match.position >= CLUSTER_WORDS:
                    break
                clauses |= other.clauses
            if len(clauses) > best_count:
                best, best_count = match, len(clauses)
        return best

    def hit(self, rank: int, score: float, stored: StoredPassage, more: int) -> Hit | None:
        """The hit for a passage, or None when none of its spoken words match (it matched
        through its chapter title alone)."""
        matches = self.matches(stored.text)
        if not matches:
            return None
        first = self.moment(matches)
        spans = [(match.start, match.end) for match in matches]
        return make_hit(rank, score, stored, more, first.start, spans, "words")


def make_hit(
    rank: int,
    score: float,
    stored: StoredPassage,
    more: int,
    around: int,
    spans: list[tuple[int, int]],
    matched: str,
) -> Hit:
    start = cue_start_at(stored.offsets, stored.starts, around)
    snippet, highlights = _snippet(stored.text, around, spans)
    return Hit(
        rank=rank,
        score=round(score, 4),
        video_id=stored.video,
        episode_title=stored.episode_title,
        channel=stored.channel,
        chapter_title=stored.chapter,
        chapter_start=stored.chapter_start,
        chapter_source=stored.chapter_source,  # type: ignore[arg-type]
        start=start,
        url=link_at(stored.url, start),
        snippet=snippet,
        highlights=highlights,
        more_in_chapter=more,
        matched=matched,
    )


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


def cue_at(offsets: list[int], char_offset: int) -> int:
    """Which cue holds a character of a passage's text, given each cue's offset in it."""
    return max(bisect.bisect_right(offsets, char_offset) - 1, 0)


def cue_start_at(offsets: list[int], starts: list[float], char_offset: int) -> float:
    """When the cue holding a character of a passage's text starts."""
    return starts[cue_at(offsets, char_offset)]
