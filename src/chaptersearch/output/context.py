"""Captions around a moment, as ``rg -C`` shows the lines around a match.

``search -C N`` shows the N captions before and after each hit's moment, and ``show ID
--transcript [--at T]`` the transcript (from a moment). Both read the library entry: a
passage in the index holds only its own captions, and the context of a moment near a
passage's edge lies in the next one.
"""

from collections.abc import Sequence
from typing import Any

from ..hit import Hit
from ..library.home import Home
from ..models import Cue, Episode
from ..timecode import format_clock, last_at
from .fitting import hanging
from .terminal import printable

BOLD = "\033[1m"
RESET = "\033[0m"


def cue_index_at(cues: Sequence[Cue], seconds: float, whole: bool = False) -> int:
    """The caption being said at ``seconds``: the last to start at or before it. With
    ``whole``, a time given in whole seconds (as people type it, and as clocks print)
    means the caption printed at that second: 13:24 is the caption at 13:24.6."""
    return last_at([int(cue.start) if whole else cue.start for cue in cues], seconds)


def _from(episode: Episode, start: float) -> list[Cue]:
    """The captions from the one said at ``start`` (whole seconds as people mean them)."""
    return episode.cues[cue_index_at(episode.cues, start, whole=start == int(start)) :]


def around(episode: Episode, seconds: float, count: int) -> dict[str, Any]:
    """The caption at ``seconds`` and the ``count`` captions either side of it."""
    cues = episode.cues
    at = cue_index_at(cues, seconds)

    def caption(cue: Cue) -> dict[str, Any]:
        return _caption(cue, {"start": cue.start, "text": cue.text})

    return {
        "before": [caption(cue) for cue in cues[max(0, at - count) : at]],
        "at": caption(cues[at]),
        "after": [caption(cue) for cue in cues[at + 1 : at + 1 + count]],
    }


def _caption(cue: Cue, shown: dict[str, Any]) -> dict[str, Any]:
    """A caption as JSON shows it: who says it, when the transcript names them."""
    return {**shown, "speaker": cue.speaker} if cue.speaker else shown


def _turn(speaker: str | None, previous: str | None) -> str:
    """The speaker's name before a caption where a new speaker's turn begins."""
    return f"{printable(speaker)}: " if speaker and speaker != previous else ""


def hits_context(home: Home, hits: Sequence[Hit], count: int) -> list[dict[str, Any] | None]:
    """Each hit's context (None when its episode is no longer in the library), reading
    each episode once."""
    from ..errors import LibraryError
    from ..library.store import Library

    library = Library(home.library)
    episodes: dict[str, Episode | None] = {}
    found: list[dict[str, Any] | None] = []
    for hit in hits:
        if hit.video_id not in episodes:
            try:
                episodes[hit.video_id] = library.load_path(library.path(hit.video_id))
            except LibraryError:
                episodes[hit.video_id] = None
        episode = episodes[hit.video_id]
        found.append(around(episode, hit.start, count) if episode is not None else None)
    return found


def context_lines(context: dict[str, Any], styled: bool, width: int | None = None) -> list[str]:
    """The captions as lines ``  TIME  TEXT``, the moment's marked with ``>`` and the
    speaker named where a turn begins; wrapped
    to ``width`` on a terminal, the text's column kept."""
    rows = [(caption, False) for caption in context["before"]]
    rows.append((context["at"], True))
    rows.extend((caption, False) for caption in context["after"])
    clock = max(len(format_clock(caption["start"])) for caption, _ in rows)
    lines = []
    previous = None
    for caption, moment in rows:
        time = f"{format_clock(caption['start']):>{clock}}"
        said = _turn(caption.get("speaker"), previous) + printable(caption["text"])
        previous = caption.get("speaker")
        wrapped = hanging(f"{'>' if moment else ' '} {time}  ", said, width)
        if moment and styled:
            wrapped = [f"{BOLD}{line}{RESET}" for line in wrapped]
        lines.extend(wrapped)
    return lines


def transcript_lines(episode: Episode, start: float = 0.0, width: int | None = None) -> list[str]:
    """The transcript from the caption said at ``start``, one caption a line (wrapped to
    ``width`` on a terminal), with a heading where each chapter begins (and first, the
    chapter ``start`` falls in)."""
    cues = _from(episode, start)
    clock = len(format_clock(cues[-1].start))
    chapters = episode.chapters
    next_chapter = 0
    while next_chapter + 1 < len(chapters) and chapters[next_chapter + 1].start <= cues[0].start:
        next_chapter += 1
    lines = []
    previous = None
    for cue in cues:
        while next_chapter < len(chapters) and chapters[next_chapter].start <= cue.start:
            chapter = chapters[next_chapter]
            heading = f"{printable(chapter.title)} ({format_clock(chapter.start)})"
            lines.extend(hanging("§ ", heading, width))
            next_chapter += 1
            previous = None  # each chapter names who speaks first in it
        time = f"  {format_clock(cue.start):>{clock}}  "
        lines.extend(hanging(time, _turn(cue.speaker, previous) + printable(cue.text), width))
        previous = cue.speaker
    return lines


def transcript_json(episode: Episode, start: float = 0.0) -> list[dict[str, Any]]:
    cues = _from(episode, start)
    return [_caption(cue, {"start": cue.start, "end": cue.end, "text": cue.text}) for cue in cues]
