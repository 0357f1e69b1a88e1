"""Where a query's words fall in a passage: the moment they are said and the snippet.

The index gives the best passages; this reads one passage's text with the same
analysis as the index and finds every match of the query's clauses: words on their own,
phrases and split names only in order. The moment of a hit is the start of the place
where the most of the query's clauses are said together, close or in one caption (the
first such place), so a hit on "keeper test" points at "keeper test", not at an earlier
lone "test". The snippet is cut around that moment, reaching the place's last word when
it fits, with every match in it marked.
"""

from dataclasses import dataclass

from ..hit import Hit
from ..index.analysis import MAX_TOKEN, TOKEN, dotted_parts, normalize
from ..index.schema import StoredPassage
from ..timecode import last_at
from ..urls import link_at
from .filters import name_words
from .query import Matching, plain_word

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
            clauses = self._as_said(frozenset().union(*own), words[place : place + 1])
            if clauses:
                start, end = places[place] if places else (0, 0)
                matches.append(Match(place, clauses, start, end))
        for sequence, of_sequence in self.matching.sequences:
            length = len(sequence)
            for place, found in at.items():
                if sequence[0] in found and all(
                    word in at.get(place + offset, ()) for offset, word in enumerate(sequence)
                ):
                    clauses = self._as_said(of_sequence, words[place : place + length])
                    if not clauses:
                        continue
                    start, end = (
                        (places[place][0], places[place + length - 1][1]) if places else (0, 0)
                    )
                    matches.append(Match(place, clauses, start, end))
        return sorted(matches, key=lambda match: (match.position, -match.end))

    def _as_said(self, clauses: frozenset[int], said: list[str]) -> frozenset[int]:
        """The clauses a match of the words ``said`` counts for: a quoted one only where
        they are the quote's words as typed (a dotted name's parts each count)."""
        exact = self.matching.exact
        if not exact or exact.keys().isdisjoint(clauses):
            return clauses
        joined = "".join(plain_word(word) for word in said)
        forms = {joined, *joined.split(".")} if len(said) == 1 else {joined}
        return frozenset(c for c in clauses if c not in exact or exact[c] in forms)

    @staticmethod
    def _places(text: str) -> list[tuple[int, int]]:
        return [match.span() for match in TOKEN.finditer(text) if len(match.group()) <= MAX_TOKEN]

    @staticmethod
    def place(matches: list[Match], offsets: list[int] | None = None) -> tuple[Match, Match]:
        """The first match of the place where the most clauses are said together, and
        the last match there that adds a clause (the first such place).

        Together is within ``CLUSTER_WORDS`` words of the place's first match or, given
        each caption's offset in the text, in the same caption: a caption that says
        "pytest … fixture" fourteen words apart says both, and is the moment to show.
        """
        captions = [cue_at(offsets, match.start) if offsets else -1 for match in matches]
        best, best_last, best_count = matches[0], matches[0], 0
        for index, match in enumerate(matches):
            clauses: set[int] = set()
            last = match
            for other, caption in zip(matches[index:], captions[index:], strict=True):
                if other.position - match.position >= CLUSTER_WORDS and (
                    caption < 0 or caption != captions[index]
                ):
                    break
                if not other.clauses <= clauses:
                    clauses |= other.clauses
                    last = other
            if len(clauses) > best_count:
                best, best_last, best_count = match, last, len(clauses)
        return best, best_last

    def said(self, stored: StoredPassage, spans: bool = True) -> list[Match]:
        """The matches in a passage, only those said by a speaker the query names when
        it names one (``speaker:``)."""
        speakers = self.matching.speakers
        if not speakers:
            return self.matches(stored.text, spans)
        return [
            match
            for match in self.matches(stored.text)
            if self.by_speaker(stored, cue_at(stored.offsets, match.start))
        ]

    def by_speaker(self, stored: StoredPassage, cue: int) -> bool:
        """Whether a speaker the query names says the passage's cue ``cue``."""
        name = stored.speaker_at(cue)
        said = set(name_words(name)) if name else set()
        return all(wanted <= said for wanted in self.matching.speakers)

    def hit(self, rank: int, score: float, stored: StoredPassage, more: int) -> Hit | None:
        """The hit for a passage, or None when none of its spoken words match (it matched
        through its chapter title alone)."""
        matches = self.said(stored)
        if not matches:
            return None
        first, last = self.place(matches, stored.offsets)
        spans = [(match.start, match.end) for match in matches]
        return make_hit(rank, score, stored, more, first.start, spans, "words", last.end)


def make_hit(
    rank: int,
    score: float,
    stored: StoredPassage,
    more: int,
    around: int,
    spans: list[tuple[int, int]],
    matched: str,
    through: int | None = None,
) -> Hit:
    """A hit at the character ``around`` of a passage; its snippet reaches ``through``
    (where the words said together end) when that fits."""
    cue = cue_at(stored.offsets, around)
    start = stored.starts[cue]
    snippet, highlights = _snippet(stored.text, around, spans, through)
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
        speaker=stored.speaker_at(cue),
    )


def _snippet(
    text: str, around: int, spans: list[tuple[int, int]], through: int | None = None
) -> tuple[str, list[tuple[int, int]]]:
    """About ``SNIPPET_LENGTH`` characters of ``text`` around a match, cut at spaces; it
    starts closer to the match when that lets it reach ``through``."""
    reach = around if through is None else max(around, through)
    begin = max(0, around - SNIPPET_BEFORE)
    if reach - begin > SNIPPET_LENGTH:
        begin = max(0, min(around, reach - SNIPPET_LENGTH))
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < around else begin
    end = min(len(text), begin + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", begin, end + 1)
        end = space if space >= reach else end
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    highlights = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return f"{prefix}{text[begin:end]}{suffix}", highlights


def cue_at(offsets: list[int], char_offset: int) -> int:
    """Which cue holds a character of a passage's text, given each cue's offset in it."""
    return last_at(offsets, char_offset)
