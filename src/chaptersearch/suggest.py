"""Did you mean: the query's unknown words, corrected from the index's own vocabulary.

Asked only when a search found no hits or few: a word no passage and no chapter title
says is corrected with Whoosh's spelling support (``reader.corrector``, which walks the
index's sorted terms with a Levenshtein automaton), closest first, the most frequent
among equals. The index holds stems (``collect``), so the typed word's stem is
corrected, and the suggestion is the word as a passage holding that stem says it
(``collection``). Words the index knows, split names it finds another way
(``cadquery``), numbers and symbols are left as typed.
"""

from collections import Counter
from pathlib import Path
from typing import Any

from whoosh import query as wq

from .analysis import TOKEN, normalize
from .plan import _splits
from .query import searched_words
from .schema import open_index, stored_passage

MIN_LETTERS = 3
"""Shorter words are too easily one edit from many others to correct."""
MAX_DISTANCE = 2
"""The most edits (Damerau-Levenshtein) a correction may be from the typed word's stem."""
SAME_START = 1
"""A correction starts with the same letter: typos rarely hit the first one, and
Whoosh's automaton then walks a fraction of the terms."""


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
    reader = searcher.reader()
    corrector = reader.corrector("text")
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        better = _correct(searcher, reader, corrector, query[start:end])
        if better is not None:
            pieces += [query[done:start], better]
            done = end
    if not pieces:
        return None
    return "".join(pieces) + query[done:]


def _correct(searcher: Any, reader: Any, corrector: Any, typed: str) -> str | None:
    word = typed.lower()
    if not word.isalpha() or len(word) < MIN_LETTERS:
        return None
    term = normalize(word)
    if reader.doc_frequency("text", term) or reader.doc_frequency("chapter", term):
        return None
    if _splits(reader, word):
        return None
    for distance in range(1, MAX_DISTANCE + 1):
        found = corrector.suggest(term, limit=1, maxdist=distance, prefix=SAME_START)
        if found:
            return _as_said(searcher, found[0])
    return None


def _as_said(searcher: Any, term: str) -> str:
    """The commonest way a passage holding ``term`` writes it (the stem ``collect`` is
    said as "collection"); the term itself when none writes it as one word."""
    docnums = searcher.docs_for_query(wq.Term("text", term))
    docnum = next(iter(docnums), None)
    if docnum is None:
        return term
    text = stored_passage(searcher.stored_fields(docnum)).text
    forms = Counter(
        match.group().lower() for match in TOKEN.finditer(text) if normalize(match.group()) == term
    )
    return forms.most_common(1)[0][0] if forms else term
