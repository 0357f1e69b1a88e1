"""Did you mean: the query's unknown words, corrected from the index's own vocabulary.

Asked only when a search found no hits or few: a word no passage and no chapter title
says is corrected from the index's terms within two edits (Damerau-Levenshtein, as
Whoosh's ``terms_within`` finds them), the closest first and the most frequent among
equals. (Whoosh's ``Corrector.suggest`` ranks by frequency alone, so a common
word two edits away beat the word one edit away.) The index holds stems (``collect``),
so the typed word's stem is corrected, and the suggestion is the word as passages
holding that stem say it, in the form closest to what was typed (``collection``).
Words the index knows, names it finds said as two words (``cadquery``), numbers and
symbols are left as typed.
"""

from collections import Counter
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from ..index.analysis import TOKEN, normalize
from ..index.schema import open_index, stored_passage
from .plan import _splits
from .query import searched_words

MIN_LETTERS = 4
"""Shorter words (``std``, ``gc``) are one or two edits from too many others."""
MAX_DISTANCE = 2
"""The most edits (Damerau-Levenshtein) a correction may be from the typed word's stem."""
ONE_EDIT_BELOW = 6
"""Words shorter than this get one edit at most, as Lucene's "AUTO" fuzziness gives:
two edits turn a short word into too many others (``std`` became ``suds``)."""
SAME_START = 1
"""A correction starts with the same letter: typos rarely hit the first one, and only
the terms with that start are walked."""
FORMS_FROM = 20
"""How many passages holding the corrected stem are read for the ways it is said."""


def suggestion(index_folder: Path, query: str) -> str | None:
    """The query with its unknown words corrected, or None when there is nothing to
    correct (or no correction)."""
    spans = searched_words(query)
    if not spans:
        return None
    ix = open_index(index_folder)
    try:
        with ix.searcher() as searcher:
            return _corrected(searcher, query, spans)
    finally:
        ix.close()


def _corrected(searcher: Any, query: str, spans: list[tuple[int, int]]) -> str | None:
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        better = _correct(searcher, query[start:end])
        if better is not None:
            pieces += [query[done:start], better]
            done = end
    if not pieces:
        return None
    return "".join(pieces) + query[done:]


def _correct(searcher: Any, typed: str) -> str | None:
    reader = searcher.reader()
    word = typed.lower()
    if not word.isalpha() or len(word) < MIN_LETTERS:
        return None
    term = normalize(word)
    if reader.doc_frequency("text", term) or reader.doc_frequency("chapter", term):
        return None
    if any(_said(searcher, split) for split in _splits(reader, word)):
        return None  # found as the words speech recognition split it into
    edits = 1 if len(word) < ONE_EDIT_BELOW else MAX_DISTANCE
    near = [
        (damerau_levenshtein(term, other), -reader.doc_frequency("text", other), other)
        for other in _within(reader, term, edits)
    ]
    return _as_said(searcher, min(near)[2], word) if near else None


def _within(reader: Any, term: str, edits: int) -> set[str]:
    """The index's terms within ``edits`` edits of ``term`` that start as it
    does, as Whoosh's ``IndexReader.terms_within`` finds them, with terms of a length
    too far off skipped before the distance is computed. (A segment's own
    ``terms_within`` builds a Levenshtein automaton first, in pure Python: on the
    1,047-episode corpus 48-66 ms of CPU a word in one segment and 190-220 ms over the
    nine an ``add`` left, where this walk finds the same terms in 9-31 ms.)"""
    found: set[str] = set()
    for raw in reader.expand_prefix("text", term[:SAME_START]):
        other = raw.decode() if isinstance(raw, bytes) else str(raw)
        if abs(len(other) - len(term)) > edits or other == term:
            continue
        if damerau_levenshtein(term, other, limit=edits + 1) <= edits:
            found.add(other)
    return found


def _said(searcher: Any, words: tuple[str, ...]) -> bool:
    """Whether some passage says these words in a row (each may be said apart)."""
    return next(iter(searcher.docs_for_query(wq.Phrase("text", list(words)))), None) is not None


def _as_said(searcher: Any, term: str, typed: str) -> str:
    """How passages holding ``term`` say it, in the form closest to what was typed (the
    stem ``collect`` is "collection" for "colection", "collect" for "colect"); the term
    itself when none says it as one word (a part of ``node.js``)."""
    forms: Counter[str] = Counter()
    for number, docnum in enumerate(searcher.docs_for_query(wq.Term("text", term))):
        if number == FORMS_FROM:
            break
        text = stored_passage(searcher.stored_fields(docnum)).text
        forms.update(
            match.group().lower()
            for match in TOKEN.finditer(text)
            if normalize(match.group()) == term
        )
    if not forms:
        return term
    return min(forms, key=lambda form: (damerau_levenshtein(form, typed), -forms[form]))
