"""The query language: what a user may type, read into clauses and filters.

    word              passages that say it (stemmed: deploying finds deploy)
    "two words"       passages that say those words in that order, as said: no other
                      forms (case and punctuation aside); every quote must be said
    word*             words that start with it (two letters at least)
    -word  -"a b"     passages that do not say it
    chapter:WORDS     only chapters whose title says them (chapter:"keeper test")
    title:WORDS       only episodes whose title says them
    video:ID          only that episode (its id, or a YouTube URL)
    channel:WORDS     only channels whose name holds all of them
    speaker:WORDS     only passages where a speaker whose name holds them speaks

Nothing else is syntax: brackets, ``AND``, ``NOT``, ``~`` and the like are ordinary
characters, so no engine's query syntax leaks through and no query can ask for an
unbounded amount of work. A typed chunk that holds several words (``foo-bar``) is a
phrase. Only the filter names are syntax: ``Re:Invent``, ``std::vector`` and URLs are
searched as text (with a note saying so). A name spelt like a filter's (``chapters:``)
is an error that names the filter, since the typo would otherwise search for words
nobody said.

This module needs no index; ``plan`` turns a parsed query into index queries.
"""

import difflib
import re
from dataclasses import dataclass, field

from ..errors import QueryError
from ..index.analysis import MAX_TOKEN, TOKEN, normalize
from ..urls import youtube_video_id

FILTERS = ("chapter", "title", "video", "channel", "speaker")
MAX_QUERY_CHARACTERS = 1000
MAX_CLAUSES = 32
MIN_PREFIX = 2
FILTER_TYPO = 0.8
"""A ``name:`` this much like a filter's name (difflib's ratio) is taken for a typo of
it: ``chapters:``, ``titel:``, ``chanel:``; ``Re:`` and ``https:`` are not."""

_CHUNK = re.compile(
    r"(?P<minus>-(?=\S))?"
    r'(?:(?P<name>[A-Za-z]+):(?P<value>"[^"]*"?|[^\s"]\S*)'
    r'|"(?P<phrase>[^"]*)"?'
    r"|(?P<word>\S+))"
)


@dataclass(frozen=True)
class Clause:
    """One thing to look for: a word, a phrase (several words in order) or a prefix."""

    terms: tuple[str, ...]
    """The analysed words, in order; one for a word or a prefix."""
    typed: str
    raw: tuple[str, ...] = ()
    """The words as typed (lower case, no apostrophes), for joining and splitting."""
    prefix: bool = False
    excluded: bool = False
    exact: bool = False
    """Quoted: said as typed, not in another form of its words."""

    @property
    def phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """A query taken apart: clauses to rank by and filters every hit must satisfy."""

    clauses: tuple[Clause, ...] = ()
    chapter: tuple[tuple[str, ...], ...] = ()
    """Each ``chapter:`` value's words: the chapter title must say all of them."""
    title: tuple[tuple[str, ...], ...] = ()
    videos: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    """Each ``speaker:`` value: a passage where a speaker of that name speaks."""
    excluded_filters: tuple[tuple[str, str], ...] = ()
    """``-chapter:x`` and the like: (filter, value) pairs no hit may match."""
    notes: tuple[str, ...] = ()
    """What the user may want to know about how the query was read (``Re:`` is not a
    filter, so it was searched as text)."""

    @property
    def positive(self) -> list[Clause]:
        return [clause for clause in self.clauses if not clause.excluded]

    @property
    def excluded(self) -> list[Clause]:
        return [clause for clause in self.clauses if clause.excluded]

    @property
    def has_filters(self) -> bool:
        return bool(self.chapter or self.title or self.videos or self.channels or self.speakers)


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for."""

    query: str
    limit: int = 10
    video: str | None = None
    channel: str | None = None
    per_chapter: int = 1
    mode: str | None = None
    """"words", "meaning" or "hybrid"; None: hybrid when the home has passage vectors
    and the semantic extra is installed, else words."""
    model: str | None = None
    """A model folder for the query's vector (None: the home's, else the default)."""


def plain_words(text: str) -> list[str]:
    """The words of a text as a quote is compared with them (``plain_word``)."""
    return [plain_word(word) for word in TOKEN.findall(text) if len(word) <= MAX_TOKEN]


def _clause(text: str, excluded: bool, quoted: bool) -> Clause | None:
    """A clause for a typed chunk, or None when it holds no word at all (``(``, ``&``)."""
    if not quoted and text.endswith("*"):
        stem = text.rstrip("*")
        raw = plain_words(stem)
        if len(raw) == 1 and TOKEN.fullmatch(stem):
            if len(raw[0]) < MIN_PREFIX:
                raise QueryError(
                    f"{text!r}: a prefix needs at least {MIN_PREFIX} letters before the *"
                )
            return Clause((raw[0],), text, tuple(raw), prefix=True, excluded=excluded)
    raw = plain_words(text)
    if not raw:
        return None
    terms = tuple(normalize(word) for word in raw)
    return Clause(terms, text, tuple(raw), excluded=excluded, exact=quoted)


def parse_query(request: SearchRequest) -> ParsedQuery:
    """Read the query language; a QueryError says what could not be read and why."""
    text = request.query
    if not text.strip():
        raise QueryError(
            'empty query: give some words to search for, e.g. chaptersearch search "keeper test"'
        )
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryError(
            f"the query is {len(text):,} characters long; give at most "
            f"{MAX_QUERY_CHARACTERS:,} (a few words find more than a paragraph)"
        )
    clauses: list[Clause] = []
    filters: dict[str, list[str]] = {name: [] for name in FILTERS}
    excluded_filters: list[tuple[str, str]] = []
    notes: list[str] = []
    for match in _CHUNK.finditer(text):
        minus = bool(match.group("minus"))
        name = match.group("name")
        phrase = match.group("phrase")
        typed = phrase if phrase is not None else match.group("word")
        if name is None and typed.endswith(":") and typed[:-1].lower() in FILTERS:
            raise QueryError(_empty_filter(typed[:-1]))
        if name is not None:
            if name.lower() in FILTERS:
                value = match.group("value").strip('"').strip()
                if not value:
                    raise QueryError(_empty_filter(name))
                if minus:
                    excluded_filters.append((name.lower(), value))
                else:
                    filters[name.lower()].append(value)
                continue
            typed = _not_a_filter(match, text, notes)
        clause = _clause(typed, minus, phrase is not None)
        if clause is not None:
            clauses.append(clause)
    if len(clauses) > MAX_CLAUSES:
        raise QueryError(
            f"the query has {len(clauses)} words and phrases; give at most {MAX_CLAUSES}"
        )
    videos = [youtube_video_id(value) or value for value in filters["video"]]
    if request.video:
        videos.append(youtube_video_id(request.video) or request.video)
    channels = list(filters["channel"]) + ([request.channel] if request.channel else [])
    parsed = ParsedQuery(
        clauses=tuple(clauses),
        chapter=tuple(_filter_terms(value) for value in filters["chapter"]),
        title=tuple(_filter_terms(value) for value in filters["title"]),
        videos=tuple(videos),
        channels=tuple(channels),
        speakers=tuple(filters["speaker"]),
        excluded_filters=tuple(excluded_filters),
        notes=tuple(notes),
    )
    if not parsed.positive and not parsed.has_filters:
        raise QueryError(
            f"nothing to look for in {text!r}: give some words (a query of only "
            "-exclusions, or of symbols, matches nothing)"
        )
    return parsed


def _empty_filter(name: str) -> str:
    """A filter given nothing to filter by: said, rather than searched as a word."""
    return f'{name}: needs a value, as in {name.lower()}:WORDS or {name.lower()}:"two words"'


def _not_a_filter(match: re.Match[str], text: str, notes: list[str]) -> str:
    """The text of a ``name:value`` chunk whose name is no filter, to search for as
    words; a name spelt like a filter's is an error naming it, and any other gets a
    note (but for ``std::vector`` and URLs, plainly not filters)."""
    name = match.group("name")
    close = difflib.get_close_matches(name.lower(), FILTERS, n=1, cutoff=FILTER_TYPO)
    if close:
        known = ", ".join(f"{known}:" for known in FILTERS)
        raise QueryError(
            f"unknown filter {name}: in {text!r}; did you mean {close[0]}:? The filters are "
            f'{known} (put the word in quotes to search for it: "{name}:...")'
        )
    value = match.group("value")
    if not value.startswith((":", "/")):
        notes.append(f"{name}: is not a filter; searched {name}:{value} as text")
    return f"{name}:{value}"


def searched_words(text: str) -> list[tuple[int, int]]:
    """Where the words searched for as said stand in a query (start, end): not filter
    values, exclusions or prefixes. A spelling suggestion replaces only these."""
    spans = []
    for match in _CHUNK.finditer(text):
        name = match.group("name")
        if match.group("minus") or (name and name.lower() in FILTERS):
            continue
        chunk = match.group()
        if match.group("phrase") is None and chunk.endswith("*"):
            continue
        for word in TOKEN.finditer(chunk):
            spans.append((match.start() + word.start(), match.start() + word.end()))
    return spans


def _filter_terms(value: str) -> tuple[str, ...]:
    return tuple(normalize(word) for word in plain_words(value))


@dataclass
class Matching:
    """What counts as a match of the query inside a passage's text, by clause: words
    on their own, and sequences that count only in order (phrases, split names)."""

    singles: dict[str, set[int]] = field(default_factory=dict)
    """term -> the clauses it matches."""
    sequences: list[tuple[tuple[str, ...], frozenset[int]]] = field(default_factory=list)
    """(terms in order, the clauses they match)."""
    exact: dict[int, str] = field(default_factory=dict)
    """Quoted clauses: their words as typed, joined; a match of one counts only where
    the words said, joined, are the same (``says_exactly``)."""
    speakers: list[frozenset[str]] = field(default_factory=list)
    """Each ``speaker:`` filter's words: a match counts only where a speaker whose name
    holds them says it."""

    def add_single(self, term: str, clauses: set[int] | frozenset[int]) -> None:
        self.singles.setdefault(term, set()).update(clauses)

    def add_sequence(self, terms: tuple[str, ...], clauses: frozenset[int]) -> None:
        if len(terms) == 1:
            self.add_single(terms[0], clauses)
        elif (terms, clauses) not in self.sequences:
            self.sequences.append((terms, clauses))


def plain_word(word: str) -> str:
    """A word as a quote is compared: lower case, no apostrophes (``don't`` is
    ``dont``), as ``Clause.raw`` keeps the words typed."""
    return word.lower().replace("'", "").replace("’", "")


def says_exactly(words: list[str], quote: str) -> bool:
    """Whether plain ``words`` say the ``quote`` (its words joined) as typed: some run of
    them that, joined, is the quote, so "garbage collected" is found in "garbage
    collected" and in "garbagecollected", never in "garbage collection"."""
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if not quote.startswith(joined):
                break
            if joined == quote:
                return True
    return False
