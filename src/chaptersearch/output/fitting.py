"""Text fitted to the terminal's width: long titles cut with "…", long text wrapped.

Only on a terminal: piped output keeps one record per line, whole, for ``grep``, ``cut``
and ``awk``. Widths are counted in cells, as a terminal draws them: a CJK character or
an emoji takes two, a combining accent none.
"""

import shutil
import sys
import unicodedata

ELLIPSIS = "…"


def output_width() -> int | None:
    """The terminal's width in cells when stdout is a terminal (``$COLUMNS`` first, as
    shells set it); None when piped."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # replaced or closed stdout
        return None
    return shutil.get_terminal_size().columns


def _cell(character: str) -> int:
    if unicodedata.combining(character) or character == "\u200b":
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def cells(text: str) -> int:
    """How many cells a terminal gives ``text`` (printable text: no escapes)."""
    return sum(_cell(character) for character in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in "…" when it had to be cut."""
    if cells(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for character in text:
        size = _cell(character)
        if used + size > width - 1:
            break
        kept.append(character)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Where to break ``text`` into lines of at most ``width`` cells, as (start, end)
    spans of it: at spaces, a word longer than a line cut where the line ends."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        while start < len(text) and text[start] == " ":
            start += 1
        if start >= len(text):
            break
        used = 0
        end = start
        last_space = -1
        while end < len(text):
            size = _cell(text[end])
            if used + size > width:
                break
            if text[end] == " ":
                last_space = end
            used += size
            end += 1
        if end < len(text) and text[end] != " " and last_space > start:
            end = last_space
        end = max(end, start + 1)
        lines.append((start, len(text[start:end].rstrip()) + start))
        start = end
    return lines


def hanging(prefix: str, text: str, width: int | None) -> list[str]:
    """``prefix`` then ``text``, wrapped to ``width`` with the text's column kept on the
    lines after the first; one line when ``width`` is None (piped)."""
    if width is None:
        return [f"{prefix}{text}"]
    indent = " " * cells(prefix)
    spans = wrap(text, width - len(indent)) or [(0, 0)]
    return [
        f"{prefix if number == 0 else indent}{text[start:end]}"
        for number, (start, end) in enumerate(spans)
    ]
