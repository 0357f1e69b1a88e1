"""Cut an episode into passages: the units the index scores and a hit points into.

A passage is a few consecutive cues of one chapter, about ``TARGET_SECONDS`` long. It
never crosses a chapter boundary, so every hit belongs to exactly one chapter. Each
passage repeats the last cue of the one before it, so a phrase split across two cues
is always whole in some passage. Passages remember where each cue starts, in the text
and in time, so a hit can be timed to the cue where its words are said.
"""

import re
from dataclasses import dataclass

from ..models import Cue, Episode, split_cue
from ..timecode import last_at

WORD = re.compile(r"\S+")
"""A word of a cue whose words are timed: what ``Cue.words`` counts."""
TARGET_SECONDS = 60.0
MAX_PASSAGE_CHARACTERS = 4000
"""A passage ends at this length whatever the timing: a minute of speech is about 1,000
characters, and a transcript whose cues all claim the same minute must not become one
passage of megabytes that every search reading it pays for."""


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
    cue_speakers: list[str | None]
    """Who says each cue, where the transcript names them."""


def cue_ranges(episode: Episode) -> list[range]:
    """Which of the episode's cues start within each chapter, by their index in
    ``episode.cues`` (what the episode page shows and numbers)."""
    starts = [chapter.start for chapter in episode.chapters]
    firsts = [0] * (len(starts) + 1)
    firsts[-1] = len(episode.cues)
    number = 0
    for index, cue in enumerate(episode.cues):
        chapter = last_at(starts, cue.start)
        while number < chapter:
            number += 1
            firsts[number] = index
    for later in range(number + 1, len(starts)):
        firsts[later] = len(episode.cues)
    return [range(firsts[n], firsts[n + 1]) for n in range(len(starts))]


def cues_by_chapter(episode: Episode) -> list[list[Cue]]:
    """The cues that start within each chapter, in order, each cut to at most
    ``MAX_CUE_CHARACTERS`` (entries kept before long cues were cut are cut here)."""
    return [
        [piece for index in cues for piece in split_cue(episode.cues[index])]
        for cues in cue_ranges(episode)
    ]


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
        length = sum(len(cue.text) + 1 for cue in cues[first : last + 1])
        while (
            last + 1 < len(cues)
            and cues[last + 1].start - cues[first].start < target
            and length + len(cues[last + 1].text) < MAX_PASSAGE_CHARACTERS
        ):
            last += 1
            length += len(cues[last].text) + 1
        passages.append(_join(chapter_index, len(passages), cues[first : last + 1]))
        if last + 1 >= len(cues):
            break
        first, overlapping = last, True
    return passages


def _join(chapter_index: int, number: int, cues: list[Cue]) -> Passage:
    """The cues as one text. A cue whose words are timed counts as one cue per word
    here, so the locator times a hit to its word."""
    offsets: list[int] = []
    starts: list[float] = []
    speakers: list[str | None] = []
    parts: list[str] = []
    position = 0
    for cue in cues:
        if cue.words is not None:
            places = [match.start() for match in WORD.finditer(cue.text)]
            offsets.extend(position + place for place in places)
            starts.extend(cue.words)
            speakers.extend([cue.speaker] * len(places))
        else:
            offsets.append(position)
            starts.append(cue.start)
            speakers.append(cue.speaker)
        parts.append(cue.text)
        position += len(cue.text) + 1
    return Passage(
        chapter_index=chapter_index,
        number=number,
        text=" ".join(parts),
        cue_offsets=offsets,
        cue_starts=starts,
        cue_speakers=speakers,
    )
