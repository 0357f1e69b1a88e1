"""The data model: what an episode is, wherever it came from, and what a hit is.

An ``Episode`` is the unit the library stores and the index is rebuilt from, so it
carries everything needed to search and to print a hit without the network.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

ChapterSource = Literal["creator", "description", "auto", "file", "generated"]
"""Where a chapter came from: the creator's player-bar chapters, the video description,
YouTube's automatic key moments, a chapters file given to ``add``, or made up by us."""


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


class Hit(BaseModel):
    """One search result: a moment in a chapter of an episode."""

    rank: int
    score: float
    video_id: str
    episode_title: str
    channel: str
    chapter_title: str
    chapter_start: float
    chapter_source: ChapterSource
    start: float
    url: str | None
    snippet: str
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    """Character spans of ``snippet`` that matched the query."""
    more_in_chapter: int = 0
    """How many other passages of the same chapter matched too."""
