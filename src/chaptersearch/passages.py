"""Cut an episode into passages: the units the index scores and a hit points into.

A passage is a few consecutive cues of one chapter, about ``TARGET_SECONDS`` long. It
never crosses a chapter boundary, so every hit belongs to exactly one chapter. Each
passage repeats the last cue of the one before it, so a phrase split across two cues
is always whole in some passage. Passages remember where each cue starts, in the text
and in time, so a hit can be timed to the cue where its words are said.
"""

from dataclasses import dataclass

from .chapters import chapter_at
from .models import Cue, Episode

TARGET_SECONDS = 60.0


@dataclass(frozen=True)
class Passage:
    """Consecutive cues of one chapter joined into one text."""

    chapter_index: int
    number: int
    text: str
    cue_offsets: list[int]
    """Character offset in ``text`` where each cue begins."""
    cue_starts: list[float]
    """Start time of each cue, in seconds."""


def cues_by_chapter(episode: Episode) -> list[list[Cue]]:
    """The cues that start within each chapter, in order."""
    groups: list[list[Cue]] = [[] for _ in episode.chapters]
    for cue in episode.cues:
        groups[chapter_at(episode.chapters, cue.start)].append(cue)
    return groups


def passages_of(episode: Episode, target_seconds: float | None = None) -> list[Passage]:
    """All passages of an episode, chapter by chapter."""
    target = target_seconds or TARGET_SECONDS
    passages: list[Passage] = []
    for chapter_index, cues in enumerate(cues_by_chapter(episode)):
        passages.extend(_chapter_passages(chapter_index, cues, target))
    return passages


def _chapter_passages(chapter_index: int, cues: list[Cue], target: float) -> list[Passage]:
    passages: list[Passage] = []
    first, overlapping = 0, False
    while first < len(cues):
        # A passage that begins on the previous one's last cue must add at least one more.
        last = min(first + 1, len(cues) - 1) if overlapping else first
        while last + 1 < len(cues) and cues[last + 1].start - cues[first].start < target:
            last += 1
        passages.append(_join(chapter_index, len(passages), cues[first : last + 1]))
        if last + 1 >= len(cues):
            break
        first, overlapping = last, True
    return passages


def _join(chapter_index: int, number: int, cues: list[Cue]) -> Passage:
    offsets: list[int] = []
    parts: list[str] = []
    position = 0
    for cue in cues:
        offsets.append(position)
        parts.append(cue.text)
        position += len(cue.text) + 1
    return Passage(
        chapter_index=chapter_index,
        number=number,
        text=" ".join(parts),
        cue_offsets=offsets,
        cue_starts=[cue.start for cue in cues],
    )
