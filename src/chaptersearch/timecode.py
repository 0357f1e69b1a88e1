"""Clock times as people write them (``1:02:03``) and as seconds, and where a moment
falls among starts."""

import re
from bisect import bisect_right
from collections.abc import Sequence

_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def parse_clock(text: str) -> float:
    """Seconds in ``h:mm:ss``, ``mm:ss`` or ``m:ss`` (fractions after ``.`` or ``,``)."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"not a clock time: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise ValueError(f"not a clock time: {text!r}")
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        value += int(fraction) / 10 ** len(fraction)
    return float(value)


def format_clock(seconds: float) -> str:
    """``m:ss`` under an hour and ``h:mm:ss`` past it, as YouTube prints chapter times."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def last_at(starts: Sequence[float], moment: float) -> int:
    """The index of the last of ascending ``starts`` at or before ``moment`` (0 when
    ``moment`` is before them all): the chapter a second falls in, the caption being
    said, the caption a character of a passage belongs to."""
    return max(bisect_right(starts, moment) - 1, 0)
