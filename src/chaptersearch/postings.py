"""Whole posting lists, read a block at a time: for queries of common words alone.

Whoosh walks postings one at a time through generic matchers, 2-3 µs each: right for
rare words, far too slow for "the" (said in 54,000 of 55,000 passages). Reading each
block's ids and positions at once costs a fraction of that. This reads whoosh3's block
format through its leaf matcher's block methods; whoosh3 is pinned to one version in
``pyproject.toml``, and the tests compare the result with Whoosh's own matcher.
"""

from typing import Any

from whoosh.matching.wrappers import FilterMatcher


def _leaf(matcher: Any) -> Any:
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def positions_by_passage(searcher: Any, fieldname: str, term: str) -> dict[int, bytes]:
    """Every live passage that holds ``term``, with its encoded positions."""
    found: dict[int, bytes] = {}
    for reader, offset in searcher.reader().leaf_readers():
        if not reader.doc_frequency(fieldname, term):
            continue
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        leaf = _leaf(reader.postings(fieldname, term))
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._values is None:
                leaf._read_values()
            for docnum, value in zip(leaf._ids, leaf._values, strict=True):
                if docnum not in deleted:
                    found[docnum + offset] = value
            leaf._next_block()
    return found
