"""How hits look: styled with clickable links on a terminal, plain when piped, or JSON."""

from collections.abc import Sequence
from typing import Any

from ..hit import Hit
from ..timecode import format_clock
from .fitting import wrap
from .terminal import json_text, printable

BOLD = "\033[1m"
DIM = "\033[2m"
MATCH = "\033[1;33m"
RESET = "\033[0m"


def _link(url: str, styled: bool) -> str:
    """An OSC 8 hyperlink on a terminal, so the URL is clickable; the bare URL otherwise."""
    url = printable(url)
    if not styled:
        return url
    return f"\033]8;;{url}\033\\{url}\033]8;;\033\\"


def _highlight(hit: Hit, styled: bool, begin: int = 0, end: int | None = None) -> str:
    """The snippet from ``begin`` to ``end`` (one wrapped line of it), matches marked."""
    end = len(hit.snippet) if end is None else end
    if not styled:
        return printable(hit.snippet[begin:end])
    parts: list[str] = []
    position = begin
    for start, stop in hit.highlights:
        start, stop = max(start, position), min(stop, end)
        if start >= stop:
            continue
        parts.append(printable(hit.snippet[position:start]))
        parts.append(f"{MATCH}{printable(hit.snippet[start:stop])}{RESET}")
        position = stop
    parts.append(printable(hit.snippet[position:end]))
    return "".join(parts)


def _snippet_lines(hit: Hit, styled: bool, width: int | None) -> list[str]:
    """The snippet on one line, or wrapped to ``width`` on a terminal."""
    if width is None:
        return [f"   {_highlight(hit, styled)}"]
    spans = wrap(hit.snippet, width - 3) or [(0, 0)]
    return [f"   {_highlight(hit, styled, start, end)}" for start, end in spans]


def format_hit(
    hit: Hit, styled: bool, context: Sequence[str] = (), width: int | None = None
) -> str:
    """A hit as four lines: rank and episode; chapter, moment and who speaks there;
    snippet (wrapped to
    ``width`` on a terminal); link; with the ``context`` lines, captions around the
    moment, before the link."""
    bold, dim, reset = (BOLD, DIM, RESET) if styled else ("", "", "")
    channel = f"  {dim}·  {printable(hit.channel)}{reset}" if hit.channel else ""
    title = printable(hit.chapter_title)
    if hit.chapter_source == "generated":
        chapter = f"{title} ({format_clock(hit.chapter_start)}, {dim}made from the talk{reset})"
    else:
        chapter = f"{title} ({format_clock(hit.chapter_start)})"
    more = (
        f"  {dim}+{hit.more_in_chapter} more in this chapter{reset}" if hit.more_in_chapter else ""
    )
    how = {
        "chapter title": f"  {dim}(matched the chapter title){reset}",
        "meaning": f"  {dim}(matched by meaning){reset}",
    }.get(hit.matched, "")
    who = f", {printable(hit.speaker)}" if hit.speaker else ""
    lines = [
        f"{bold}{hit.rank}. {printable(hit.episode_title)}{reset}{channel}",
        f"   § {chapter}  ·  at {bold}{format_clock(hit.start)}{reset}{who}{more}{how}",
        *_snippet_lines(hit, styled, width),
    ]
    lines.extend(f"   {line}" for line in context)
    if hit.url:
        lines.append(f"   {_link(hit.url, styled)}")
    return "\n".join(lines)


def format_hits(
    hits: Sequence[Hit],
    styled: bool,
    contexts: Sequence[Sequence[str]] | None = None,
    width: int | None = None,
) -> str:
    contexts = contexts or [()] * len(hits)
    return "\n\n".join(
        format_hit(hit, styled, context, width) for hit, context in zip(hits, contexts, strict=True)
    )


def hits_json(hits: Sequence[Hit], contexts: Sequence[Any] | None = None) -> str:
    """The hits as a JSON array; with ``contexts``, each hit has its ``context``."""
    rows = [hit.to_json() for hit in hits]
    if contexts is not None:
        for row, context in zip(rows, contexts, strict=True):
            row["context"] = context
    return json_text(rows)
