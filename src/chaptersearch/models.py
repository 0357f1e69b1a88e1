"""The data model: what an episode is, wherever it came from (a hit is in ``hit``).

An ``Episode`` is the unit the library stores and the index is rebuilt from, so it
carries everything needed to search and to print a hit without the network.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from .hit import ChapterSource


class Cue(BaseModel):
    """One caption: words and when they are said, in seconds from the start."""

    start: float
    end: float
    text: str


class Chapter(BaseModel):
    """A titled span of an episode; ``end`` is the next chapter's start or the episode's end."""

    title: str
    start: float
    end: float
    source: ChapterSource


class Origin(BaseModel):
    """Where an episode was read from, so ``show`` can say and ``add --refresh`` can redo it."""

    kind: Literal["file", "youtube"]
    location: str
    chapters_from: str | None = None


class Episode(BaseModel):
    """One video or podcast episode with its chapters and timed transcript."""

    id: str
    title: str
    channel: str = ""
    url: str | None = None
    published: date | None = None
    duration: float
    language: str | None = None
    transcript_generated: bool | None = None
    description: str = ""
    chapters: list[Chapter]
    cues: list[Cue]
    origin: Origin
    chapter_notes: list[str] = Field(default_factory=list)
    """Problems found in the chapter list (YouTube's rules, dropped or merged chapters)."""
    fetched: dict[str, Any] | None = None
    """Raw data fetched from the network, kept so a rebuild never needs it again."""
