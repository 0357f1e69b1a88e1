"""The progress of a transcription on a terminal: one line, written over as it goes.

A transcription takes minutes (an hour of talk is about twelve minutes of one core
with the base model), so a terminal is told how much audio is done and about how long
is left; nothing is written when stderr is not a terminal (quiet when piped).
"""

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..timecode import format_clock
from .terminal import printable

Progress = Callable[[float, float], None]
"""Told (seconds of audio done, seconds in all) as a transcription goes."""
ProgressFor = Callable[[str], Progress | None]
"""Gives the progress to report while the episode named is transcribed."""


class Hearing:
    """Makes the progress line of each episode transcribed."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = False

    def __call__(self, name: str) -> Progress:
        name = printable(name)
        shown_name = name if len(name) <= 40 else name[:39] + "…"
        first: list[tuple[float, float]] = []  # (when, audio done) at the first report

        def progress(done: float, total: float) -> None:
            now = time.monotonic()
            first[:] = first or [(now, done)]
            began, done_then = first[0]
            left = ""
            if done > done_then and total > done and now > began:
                # the pace since the first report: loading the model is behind it
                seconds = (now - began) / (done - done_then) * (total - done)
                left = (
                    ", under a minute left"
                    if seconds < 60
                    else f", about {round(seconds / 60)} min left"
                )
            line = f"transcribing {shown_name}: {format_clock(done)} of {format_clock(total)}{left}"
            self.stream.write("\r\x1b[2K" + line)
            self.stream.flush()
            self.shown = True

        return progress

    def close(self) -> None:
        """Clear the line, so the summary starts on a clean one."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
