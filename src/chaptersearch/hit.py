"""What a search returns: one moment in a chapter of an episode.

A plain dataclass rather than a pydantic model like the rest of the data model: a search
is a new process each time, and importing pydantic and building its models cost more
(about 65 ms) than the search itself. Hits only ever come from our own index or from
our own last-search file, so there is nothing to validate.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

ChapterSource = Literal["creator", "description", "auto", "file", "feed", "generated"]
"""Where a chapter came from: the creator's player-bar chapters, the video or episode
description, YouTube's automatic key moments, a chapters file given to ``add``, a
podcast feed's own chapters (Podcasting 2.0 JSON or Podlove), or made up by us."""


@dataclass(frozen=True)
class Hit:
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
    highlights: list[tuple[int, int]] = field(default_factory=list)
    """Character spans of ``snippet`` that matched the query."""
    more_in_chapter: int = 0
    """How many other passages of the same chapter say the words too."""
    matched: str = "words"
    """What matched: "words" said in the passage, or "chapter title" when only the
    chapter's title holds them (the snippet is then the chapter's opening)."""
    speaker: str | None = None
    """Who says the words at ``start``, when the transcript names the speaker."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(span) for span in self.highlights]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Hit":
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["highlights"] = [tuple(span) for span in values.get("highlights", [])]
        return cls(**values)
