"""Helpers the tests share: where the real data is, and synthetic transcripts."""

import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaptersearch.models import Given

DATA = Path(__file__).parent / "data"
SHARED = Path(
    os.environ.get("CHAPTERSEARCH_SHARED", Path(__file__).resolve().parents[2] / "shared")
)


def vtt_text(cues: list[tuple[float, float, str]]) -> str:
    def stamp(seconds: float) -> str:
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"

    blocks = [f"{stamp(start)} --> {stamp(end)}\n{text}\n" for start, end, text in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


FILLER = [
    "so that is how we usually think about it",
    "and there is a lot more to say on that",
    "let us move on to the next part now",
    "right and people ask us this all the time",
]


def talk(
    seconds: float, said: dict[float, str], step: float = 5.0
) -> list[tuple[float, float, str]]:
    """Cues every ``step`` seconds up to ``seconds``; ``said`` puts given words at given times."""
    cues = []
    time = 0.0
    index = 0
    while time < seconds:
        text = said.get(time, FILLER[index % len(FILLER)])
        cues.append((time, time + step, text))
        time += step
        index += 1
    return cues


def given(chapters: Path | None = None, **values: object) -> "Given":
    """Details as ``add`` takes them from its flags, a chapters file read as it reads it."""
    from chaptersearch.models import Given
    from chaptersearch.sources.details import read_chapter_marks

    details = Given(**values)  # type: ignore[arg-type]
    return details.merged(read_chapter_marks(chapters)) if chapters else details


GARBAGE = {
    60.0: "an article called Garbage Collection in Python",
    120.0: "there are two levels of garbage collection",
    140.0: "and the garbage collector runs now and then",
    400.0: "so garbage collection is about cycles",
    700.0: "a generational garbage",
    705.0: "collection is what Python does",
    900.0: "the garbage is gone & forgotten",
}
"""An episode that says "garbage collection" four times (once across two captions),
twice in its first chapter, and "garbage" without "collection" twice."""


def skip_landings(searcher: Any, terms: Sequence[str], rng: random.Random) -> list[list[int]]:
    """Where a matcher of each term lands when skipped to 60 random passages in order
    (-1 past its end): compares one way of reading postings with another."""
    reader = searcher.reader()
    landed = []
    for term in terms:
        matcher = reader.postings("text", term)
        places = []
        for target in sorted(rng.sample(range(searcher.doc_count_all() + 5), 60)):
            if not matcher.is_active():
                break
            matcher.skip_to(target)
            places.append(matcher.id() if matcher.is_active() else -1)
        landed.append(places)
    return landed
