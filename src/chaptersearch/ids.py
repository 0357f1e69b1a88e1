"""Which episode id a user meant, by its whole or its start: one rule for the library,
a search's ``video:`` filter and the page, each saying in its own words what it found.

Pure and small (no pydantic, no index), so the search path can use it."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

CLOSE = 0.6
"""How alike (difflib's ratio) a typed id and a real one must be to be suggested."""


@dataclass(frozen=True)
class IdMatch:
    """What a typed id names: one id (``found``), or the ids it starts (more than one),
    or none, with ids spelt like it (``close``)."""

    found: str | None = None
    starting: list[str] = field(default_factory=list)
    close: list[str] = field(default_factory=list)


def match_id(text: str, ids: Iterable[str]) -> IdMatch:
    """The id itself, or the one id ``text`` is the start of; else the ids it starts, or
    those spelt like it."""
    known = list(ids)
    if text in known:
        return IdMatch(found=text)
    starting = [episode_id for episode_id in known if text and episode_id.startswith(text)]
    if len(starting) == 1:
        return IdMatch(found=starting[0])
    if starting:
        return IdMatch(starting=starting)
    return IdMatch(close=difflib.get_close_matches(text, known, n=3, cutoff=CLOSE))
