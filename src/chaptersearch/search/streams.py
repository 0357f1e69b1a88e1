"""Candidate passages best first by the index's score, read only as deep as a search
needs.

A search scores its best candidates again from their text (``search.Reranker``), which
can raise a passage up to a known factor. Reading candidates from a stream, best first,
lets it stop as soon as no passage left could reach its list (``search._best``): the
hits are then the same as if every candidate had been scored again, whatever the limit.
"""

import heapq
import math
from collections.abc import Callable, Collection
from typing import Protocol


class Stream:
    """Passages in order of their index score (highest first, then lowest docnum).

    Either given ranked, or as a set with a score for each, put in order as they are
    taken (a heap: the common words' pools hold most of the index, and sorting all of
    one would cost more than the search). ``ceiling``, when given, bounds every score
    before any is computed, so a stream that cannot matter is never ordered at all.
    """

    def __init__(
        self,
        docnums: Collection[int],
        score: Callable[[int], float],
        ranked: bool = False,
        ceiling: float | None = None,
        order: Callable[[int], float] | None = None,
    ) -> None:
        self._docnums = docnums
        self._score = score
        self._order = order or score
        self._ranked: list[int] | None = list(docnums) if ranked else None
        self._heap: list[tuple[float, int]] | None = None
        self._ceiling = ceiling
        self._next = 0

    def _peek(self) -> int | None:
        """The best passage not taken yet, if any."""
        if self._ranked is not None:
            return self._ranked[self._next] if self._next < len(self._ranked) else None
        if self._heap is None:
            order = self._order
            self._heap = [(-order(docnum), docnum) for docnum in self._docnums]
            heapq.heapify(self._heap)
        return self._heap[0][1] if self._heap else None

    def ceiling(self) -> float:
        """The highest score not taken yet; -inf when every passage is taken."""
        if self._ranked is None and self._heap is None and self._ceiling is not None:
            return self._ceiling if self._docnums else -math.inf
        best = self._peek()
        return -math.inf if best is None else self._score(best)

    def take(self, count: int) -> list[tuple[int, float]]:
        """The next ``count`` passages (fewer at the end), with their scores."""
        taken: list[int] = []
        while len(taken) < count and (best := self._peek()) is not None:
            taken.append(best)
            if self._heap is not None:
                heapq.heappop(self._heap)
            else:
                self._next += 1
        return [(docnum, self._score(docnum)) for docnum in taken]


class Ranking(Protocol):
    """Passages best first, read as deep as a search needs: ``Stream``, ``Filling``."""

    def ceiling(self) -> float:
        """The highest score not taken yet; -inf when every passage is taken."""
        ...

    def take(self, count: int) -> list[tuple[int, float]]:
        """The next ``count`` passages (fewer at the end), with their scores."""
        ...


class Filling:
    """Passages best first from a heap of those ready (scored exactly), which
    ``_fill`` tops up from what is not read yet until nothing unread could come before
    the best ready one. Subclasses say how (``postings.BlockMaxStream``: a block of
    postings at a time; ``engine.Lifting``: a chunk of candidates counted)."""

    def __init__(self) -> None:
        self._ready: list[tuple[float, int]] = []
        """(-score, docnum): best first, then by passage."""

    def _fill(self) -> None:
        raise NotImplementedError

    def ceiling(self) -> float:
        self._fill()
        return -self._ready[0][0] if self._ready else -math.inf

    def take(self, count: int) -> list[tuple[int, float]]:
        taken: list[tuple[int, float]] = []
        while len(taken) < count:
            self._fill()
            if not self._ready:
                break
            score, docnum = heapq.heappop(self._ready)
            taken.append((docnum, -score))
        return taken
