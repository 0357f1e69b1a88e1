"""Text fit for a terminal: every piece of data is cleaned before it is printed.

Transcripts, titles, chapter names, channels, URLs and file names come from outside.
Printed raw, an escape sequence in them could clear the screen, retitle the window,
write the clipboard (OSC 52) or forge a link (OSC 8). ``printable`` removes escape
sequences, C0 and C1 control characters and bidirectional overrides, and turns tabs
and line breaks into spaces, so a field stays on its line. It is the one sanitiser:
every command's text output goes through it; JSON output (``json_text``) keeps every
character but writes these as ``\\uXXXX`` escapes, so a JSON reader gets them back and
a terminal showing the JSON never sees them raw.
"""

import json
import os
import re
from typing import Any

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:"
    r"\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, clear screen
    r"|[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|[ -/]*[0-~]?"  # any other two-character escape
    r")"
)
_C1_STRING = re.compile(r"[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAK = re.compile(r"[\t\n\r\v\f\u2028\u2029]+")


_UNDECODED = re.compile("[\udc80-\udcff]")
"""What Python makes of bytes that are not UTF-8 in a file name or an argument."""


def mended(text: str) -> str:
    """``text`` with the bytes that were not UTF-8 (a Latin-1 file name from an old
    archive, a title typed in a Latin-1 terminal) read as Windows-1252 instead: JSON
    cannot hold them as they are, and "Caf\udce9" was meant as "Café"."""
    if not _UNDECODED.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def printable(text: str) -> str:
    """``text`` with nothing a terminal would act on, on one line."""
    text = _BREAK.sub(" ", mended(text))
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _C1_STRING.sub("", text)
    return _CONTROL.sub("", text)


_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
"""What ``json.dumps`` leaves raw that a terminal or a JavaScript parser would act on: DEL,
C1 controls, bidirectional overrides and the line and paragraph separators."""


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON, readable (UTF-8, not ``\\u`` for every accent) but with every
    control, bidirectional override and line separator escaped. Such characters can only
    stand inside JSON strings, so escaping them in the text keeps the JSON the same."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def color_wanted(choice: str, is_terminal: bool) -> bool:
    """Whether to style output: ``always``/``never`` as told; ``auto`` styles a terminal
    unless NO_COLOR is set or TERM is dumb, and anything when FORCE_COLOR is set."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return is_terminal and os.environ.get("TERM") != "dumb"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 episode``, ``2 episodes``; with thousands separators."""
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{count:,} {word}"
