"""Times for chapters given as titles alone: find where each is discussed, in order.

Show notes often list an episode's topics without times ("#1: Pyodide", "#2: ...").
Each title is compared with every stretch of the transcript: a stretch scores by the
title's words said in its first ``REACH`` seconds, each weighted by how rare it is in
the episode, so "Pyodide" counts and "Python" barely does. The titles keep their
order, so the best placement is a path through the transcript, found by dynamic
programming; a title none of whose words is said (an "Intro", a pun) is placed between
its neighbours, near where an even spacing would put it.
"""

import math
from collections import Counter
from collections.abc import Sequence

from ..models import Chapter, Cue
from ..timecode import format_clock
from .reading import MIN_CHAPTER_SECONDS
from .topics import content_words, topic_scores

STEP = 5.0
"""Candidate starts are the captions, at most one per this many seconds."""
REACH = 10.0
"""A chapter is most likely to start just before its title's words are first said."""
EVEN_WEIGHT = 0.35
"""How strongly a title whose words are not said is drawn to its evenly spaced place."""
MIN_GAP = 40.0
CUT_WEIGHT = 0.5
"""The least time between two placed chapters."""


def room_for(duration: float) -> int:
    """How many titles an episode of ``duration`` seconds holds: one per
    ``MIN_CHAPTER_SECONDS`` on average, as every chapter list is bounded, at least one."""
    return max(1, int(duration // MIN_CHAPTER_SECONDS))


def place_titles(titles: Sequence[str], cues: Sequence[Cue], duration: float) -> list[Chapter]:
    """Chapters with ``titles`` in order, the first at 0, each at its best-matching
    moment; only the first ``room_for(duration)`` of them (``placing_notes`` says so),
    and where no caption starts after 0:00 to place them at, evenly spaced."""
    titles = list(titles[: room_for(duration)])
    if not titles:
        return []
    candidates = _candidates(cues)
    if len(titles) == 1:
        return _tile([0.0], titles, duration)
    if not candidates:
        return _tile([duration * k / len(titles) for k in range(len(titles))], titles, duration)
    words_at = _words_near(candidates, cues)
    frequency: Counter[str] = Counter()
    for words in words_at:
        frequency.update(words)
    total = len(candidates)
    idf = {word: math.log((total + 1) / (count + 0.5)) for word, count in frequency.items()}
    starts = [cue_start for cue_start, _ in candidates]
    cuts = _cut_scores(starts, cues)
    scores = [
        [
            said + CUT_WEIGHT * cut
            for said, cut in zip(_title_scores(title, words_at, idf), cuts, strict=True)
        ]
        for title in titles[1:]
    ]
    places = _best_path(scores, starts, duration, len(titles))
    return _tile([0.0, *places], titles, duration)


def placing_notes(titles: Sequence[str], placed: Sequence[Chapter], duration: float) -> list[str]:
    """What ``place_titles`` left out of ``titles`` and why, for the episode's notes."""
    if len(placed) >= len(titles):
        return []
    return [
        f"placed {len(placed):,} of {len(titles):,} topics: a {format_clock(duration)} episode "
        f"holds at most one chapter per {MIN_CHAPTER_SECONDS:.0f} s on average; left out "
        f"from {titles[len(placed)][:60]!r} on"
    ]


def _cut_scores(starts: list[float], cues: Sequence[Cue]) -> list[float]:
    """For each candidate start, how likely a topic starts there by the talk alone."""
    scored = topic_scores(cues)
    result = []
    pointer = 0
    for start in starts:
        while pointer + 1 < len(scored) and scored[pointer + 1][0] <= start:
            pointer += 1
        result.append(scored[pointer][1] if scored and scored[pointer][0] <= start else 0.0)
    return result


def _candidates(cues: Sequence[Cue]) -> list[tuple[float, int]]:
    """Candidate starts (seconds, index of the first cue there), one per ``STEP``."""
    picked: list[tuple[float, int]] = []
    for index, cue in enumerate(cues):
        if cue.start <= 0:
            continue
        if not picked or cue.start - picked[-1][0] >= STEP:
            picked.append((cue.start, index))
    return picked


def _words_near(candidates: list[tuple[float, int]], cues: Sequence[Cue]) -> list[set[str]]:
    """The content words said within ``REACH`` seconds from each candidate."""
    words = [set(content_words(cue.text)) for cue in cues]
    near: list[set[str]] = []
    for start, first in candidates:
        said: set[str] = set()
        index = first
        while index < len(cues) and cues[index].start < start + REACH:
            said |= words[index]
            index += 1
        near.append(said)
    return near


def _title_scores(title: str, words_at: list[set[str]], idf: dict[str, float]) -> list[float]:
    wanted = {word: idf.get(word, 0.0) for word in set(content_words(title))}
    weight = sum(wanted.values())
    if not weight:
        return [0.0] * len(words_at)
    return [sum(w for word, w in wanted.items() if word in said) / weight for said in words_at]


def _best_path(
    scores: list[list[float]], starts: list[float], duration: float, count: int
) -> list[float]:
    """The increasing starts, one per title after the first, of highest total score."""
    size = len(starts)
    minus_infinity = float("-inf")
    best_before: list[float] = [0.0] * size
    back: list[list[int]] = []
    previous = [0.0] * size
    for title_index, row in enumerate(scores):
        even = duration * (title_index + 1) / count
        current = [minus_infinity] * size
        choice = [-1] * size
        # best of the previous title's places at least MIN_GAP before each candidate
        running = minus_infinity
        running_at = -1
        pointer = 0
        for index in range(size):
            if title_index == 0:
                running, running_at = 0.0, -1
            else:
                while pointer < size and starts[pointer] <= starts[index] - MIN_GAP:
                    if previous[pointer] > running:
                        running, running_at = previous[pointer], pointer
                    pointer += 1
            if running == minus_infinity:
                continue
            prior = EVEN_WEIGHT * abs(starts[index] - even) / duration
            current[index] = running + row[index] - prior
            choice[index] = running_at
        back.append(choice)
        previous = current
        best_before = current
    end = max(range(size), key=lambda index: (best_before[index], -index))
    if best_before[end] == minus_infinity:
        return [duration * k / count for k in range(1, count)]
    path = [end]
    for choice in reversed(back[1:]):
        path.append(choice[path[-1]])
    return [starts[index] for index in reversed(path)]


def _tile(starts: list[float], titles: Sequence[str], duration: float) -> list[Chapter]:
    ends = [*starts[1:], max(duration, starts[-1])]
    return [
        Chapter(title=title, start=start, end=end, source="file")
        for title, start, end in zip(titles, starts, ends, strict=True)
    ]
