"""Two hot loops of whoosh3's posting reader, done in C.

Profiled on quotes and common words, a tenth of a search went to decoding each
block's document numbers through a Python generator (``delta_decode``) and another
sixth to ``skip_to`` stepping through a block one posting at a time to reach a
target. Here the numbers are summed with ``itertools.accumulate`` and the target is
found by bisection: the same results (the tests compare them with Whoosh's own), in
a fraction of the time. whoosh3 is pinned to one version in ``pyproject.toml``.
"""

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar

ORIGINAL_READ_IDS = W3LeafMatcher._read_ids
ORIGINAL_SKIP_TO = W3LeafMatcher.skip_to


def read_ids(self: Any) -> None:
    """A block's document numbers, from their gaps."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    self._ids = ids if self._byteids else tuple(accumulate(ids))


def skip_to(self: Any, target: int) -> None:
    """Move to the first posting at or after ``target``: whole blocks by their last
    number, then by bisection within the block."""
    if not self.is_active():
        raise ReadTooFar
    if self._ids is None:
        self._read_ids()
    if target <= self._ids[self._i]:
        return
    if target > self._maxid:
        while self.is_active() and target > self._maxid:
            self._next_block()
        if not self.is_active():
            return
        if self._ids is None:
            self._read_ids()
    self._i = bisect_left(self._ids, target, self._i)


def block_ids(leaf: Any) -> Iterator[Sequence[int]]:
    """The passage numbers of each block of a leaf matcher's postings, from where it
    stands, decoded a block at once (whoosh3's blocks and ``codec``'s alike)."""
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        yield leaf._ids
        leaf._next_block()


def block_weights(leaf: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """``block_ids`` with each block's weights (for words of the text, their counts)."""
    for ids in block_ids(leaf):
        if leaf._weights is None:
            leaf._read_weights()
        yield ids, leaf._weights


def install() -> None:
    W3LeafMatcher._read_ids = read_ids
    W3LeafMatcher.skip_to = skip_to


install()
