"""Words as said and as typed, turned into the terms the index holds.

Every word is kept, with its real position: "the", "go", "well" and one-letter words
such as "R" are as searchable as any other, so a quoted phrase matches exactly where it
is said. Tokens programmers say stay whole: ``C++``, ``C#``, ``F#``, ``.NET``,
``Node.js``, ``3.12``, ``x86_64``. A dotted name also gives its parts at the same
position (``node.js`` → ``node``, ``js``), so either finds it. Apostrophes are dropped
(``don't`` → ``dont``), letters are lower-cased and plain words are Porter-stemmed
(``deploying`` → ``deploy``); tokens holding digits or symbols are kept as they are.

One regular expression and a cached stemmer: the chain of generator filters that
Whoosh's ``StemmingAnalyzer`` uses cost more than the rest of indexing.
"""

import functools
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.formats import Existence, Positions
from whoosh.lang.porter import stem

TOKEN = re.compile(
    r"[A-Za-z](?:\+\+|#)(?![\w+#])"  # C++, C#, F#
    r"|\.(?=[A-Za-z])\w+"  # .NET, .py
    r"|\w+(?:['’]\w+)*(?:\.\w+)*",  # words, don't, node.js, 3.12, e.g
)
_APOSTROPHE = re.compile(r"['’]")
WIDE = 255
WIDE_MARK = bytes([WIDE])
"""Positions whose gaps all fit in a byte below this are stored a byte each; others
follow this marker as 4-byte integers."""
MAX_TOKEN = 60
"""Longer runs of letters are not words anyone says (a pasted hash, a base64 blob)."""


@functools.lru_cache(maxsize=200_000)
def normalize(raw: str) -> str:
    """The term for one token as written: lower case, no apostrophes, stemmed when it
    is a plain word."""
    word = _APOSTROPHE.sub("", raw.lower())
    return stem(word) if word.isalpha() else word


def dotted_parts(raw: str) -> list[str]:
    """The pieces of a dotted token (``node.js`` → ``node``, ``js``), none for others."""
    if "." not in raw:
        return []
    return [normalize(piece) for piece in raw.split(".") if piece]


@dataclass(frozen=True)
class Term:
    """One term of a text: what it is, its word position, and where it is written."""

    text: str
    position: int
    start: int
    end: int


def terms(text: str) -> Iterator[Term]:
    """Every term of ``text`` in order, a dotted token followed by its parts at the
    same position."""
    position = 0
    for match in TOKEN.finditer(text):
        raw = match.group()
        if len(raw) > MAX_TOKEN:
            continue
        word = normalize(raw)
        start, end = match.span()
        yield Term(word, position, start, end)
        for part in dotted_parts(raw):
            if part != word:
                yield Term(part, position, start, end)
        position += 1


class SpokenAnalyzer(Analyzer):  # type: ignore[misc]
    """``terms`` in the shape Whoosh's indexing and query code expect."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpokenAnalyzer)

    def __hash__(self) -> int:
        return hash(SpokenAnalyzer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term in terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def _spoken_places(value: str) -> dict[str, list[int]]:
    """Each term of a text with its positions."""
    found: dict[str, list[int]] = {}
    position = 0
    for match in TOKEN.finditer(value):
        raw = match.group()
        if len(raw) > MAX_TOKEN:
            continue
        word = normalize(raw)
        places = found.get(word)
        if places is None:
            found[word] = [position]
        else:
            places.append(position)
        if "." in raw:
            for part in dotted_parts(raw):
                if part != word:
                    found.setdefault(part, []).append(position)
        position += 1
    return found


_last: list[Any] = [None, None]
"""The last text read and what ``_spoken_places`` found in it: a passage's text is read
for its words and again for its pairs, in one document."""


def spoken_places(value: str) -> dict[str, list[int]]:
    """``_spoken_places`` of ``value``, worked out once for its two fields."""
    if _last[0] is not value:
        _last[0], _last[1] = value, _spoken_places(value)
    found: dict[str, list[int]] = _last[1]
    return found


class SpokenPositions(Positions):  # type: ignore[misc]
    """Whoosh's positions format, fed straight from ``TOKEN`` matches (building a Token
    object per word for Whoosh's generic path cost a quarter of indexing time), with
    positions stored as one byte per gap: Whoosh pickles a list per posting, which made
    the postings of every word twice the size."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        found = spoken_places(value)
        boost = self.field_boost
        return [
            (word, len(places), len(places) * boost, self.encode(places))
            for word, places in found.items()
        ]

    def encode(self, positions: list[int]) -> bytes:
        gaps = [later - earlier for earlier, later in zip([0, *positions], positions, strict=False)]
        if max(gaps) < WIDE:
            return bytes(gaps)
        return bytes([WIDE]) + array("I", gaps).tobytes()

    def decode_positions(self, value: bytes) -> list[int]:
        return decode_positions(value)

    def decode_frequency(self, value: bytes) -> int:
        return decode_frequency(value)


PAIR_WORDS = frozenset(
    "and the to a that it of you so i is on like in thi but for just yeah have do there "
    "your thing with know right or if be can all what us realli go about not we think ar "
    "at then some out as get wa well want becaus peopl dont kind im thei up work lot an "
    "how someth sai".split()
)
"""The 63 words said in the most passages of 1,047 real episodes (as terms: stemmed),
"python" aside: said in a fifth to nine tenths of all passages each. A phrase made of
such words ("at the end of the day") had to read every posting of each; the pairs of
them said one after the other ("at the", "of the") are terms of their own
(``PairsSaid``), each said in far fewer passages."""

PAIR_JOIN = " "
"""Between the two words of a pair's term: no single term holds a space."""


def pair_term(first: str, second: str) -> str:
    return f"{first}{PAIR_JOIN}{second}"


class PairsSaid(Existence):  # type: ignore[misc]
    """Each pair of adjacent words both in ``words`` as one term, present or not
    (Lucene's common grams, without positions: a phrase is still checked word by word,
    in the few passages that say all of its pairs). ``words`` is kept with the index's
    schema, so an index keeps the list it was written with."""

    def __init__(self, words: frozenset[str] = PAIR_WORDS, **options: Any) -> None:
        super().__init__(**options)
        self.words = words

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        found = spoken_places(value)
        at: dict[int, list[str]] = {}
        for word in self.words & found.keys():
            for position in found[word]:
                at.setdefault(position, []).append(word)
        pairs = {
            pair_term(first, second)
            for position, firsts in at.items()
            if position + 1 in at
            for first in firsts
            for second in at[position + 1]
        }
        return [(pair, 1, 1.0, b"") for pair in pairs]


def decode_positions(value: bytes) -> list[int]:
    """The word positions one posting of ``SpokenPositions`` holds."""
    gaps = array("I", value[1:]) if value[:1] == WIDE_MARK else value
    return list(accumulate(gaps))


def decode_frequency(value: bytes) -> int:
    """How many times one posting of ``SpokenPositions`` says its word."""
    return (len(value) - 1) // 4 if value[:1] == WIDE_MARK else len(value)
