"""Reading audio from strangers: what a file holds, and its sound in bounded pieces.

PyAV (FFmpeg, in process) decodes every container a podcast uses. The sound is never
held whole: an hour is 230 MB of samples, so it comes out in pieces of about five
minutes, each cut where the sound is quietest near its end (between words, not through
one), which also bounds memory and lets Ctrl-C be heard between pieces.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..models import MAX_TITLE_LENGTH, Mark
from ..timecode import format_clock

SAMPLE_RATE = 16_000
MAX_AUDIO_SECONDS = 12 * 3600.0
"""The longest audio transcribed: longer than nearly every podcast episode; a 20-hour
file (a stream left running, a damaged header) would take the base model four CPU-hours."""
PIECE_SECONDS = 300.0
"""The model reads this much sound at a time. Its features for a piece are made at once
(about 100 MB a minute of sound at their largest): pieces of ten minutes took the base
model to a peak of 1.2 GB, whatever the episode's length."""
SEARCH_SECONDS = 20.0
"""How far back from a piece's end the quietest moment is looked for."""


@dataclass(frozen=True)
class AudioInfo:
    """What a file says of itself before any sound is decoded."""

    duration: float
    chapters: list[Mark] = field(default_factory=list)
    title: str | None = None


def _av() -> Any:
    try:
        import av
    except ImportError:
        from ..output.install_hints import install_hint
        from .weights import ModelMissing

        raise ModelMissing(
            f"transcribing audio needs the transcribe extra; {install_hint('transcribe')}"
        ) from None
    return av


def _unreadable(path: Path, error: Exception) -> TranscriptError:
    reason = str(getattr(error, "strerror", None) or error).strip().rstrip(".")
    reason = reason.split(": '")[0] if reason else type(error).__name__
    return TranscriptError(f"{path}: not audio that can be read ({reason})")


def probe(path: Path) -> AudioInfo:
    """The duration, chapters and title a file's container declares; one line when it
    is not audio, holds no sound or is longer than ``MAX_AUDIO_SECONDS``."""
    av = _av()
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise TranscriptError(f"{path}: holds no audio")
            stream = container.streams.audio[0]
            duration = _seconds(container.duration, 1 / 1_000_000) or _seconds(
                stream.duration, stream.time_base
            )
            chapters = _chapters(container)
            title = str((container.metadata or {}).get("title") or "")[:MAX_TITLE_LENGTH]
    except TranscriptError:
        raise
    except (av.FFmpegError, OSError, ValueError, UnicodeError) as error:
        raise _unreadable(path, error) from None
    if duration is not None and duration > MAX_AUDIO_SECONDS:
        raise TranscriptError(
            f"{path}: {format_clock(duration)} of audio is more than the "
            f"{MAX_AUDIO_SECONDS / 3600:.0f} hours chaptersearch transcribes"
        )
    return AudioInfo(duration=duration or 0.0, chapters=chapters, title=title or None)


def _seconds(value: Any, unit: Any) -> float | None:
    if value is None or unit is None:
        return None
    seconds = float(value * unit)
    return seconds if seconds > 0 else None


MAX_MARKS = 2000
"""The most chapters read from a file, as from a description: 30,000 in one tag had been
kept whole in the library entry (4.4 MB for 43 seconds of audio)."""


def _chapters(container: Any) -> list[Mark]:
    """The chapters the container carries (ID3 CHAP, MP4 and Matroska chapters), those
    with a usable time and title, at most ``MAX_MARKS``."""
    marks: list[Mark] = []
    for chapter in (container.chapters() if hasattr(container, "chapters") else [])[:MAX_MARKS]:
        try:
            start = float(chapter["start"] * chapter["time_base"])
            title = (chapter.get("metadata") or {}).get("title", "")
            marks.append(Mark(start=start, title=title))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    return [mark for mark in marks if mark.title]


def pieces(path: Path, piece_seconds: float = PIECE_SECONDS) -> Iterator[tuple[float, Any]]:
    """The sound as (start in seconds, mono 16 kHz float32 samples), piece by piece."""
    av = _av()
    import numpy as np

    size = int(piece_seconds * SAMPLE_RATE)
    limit = int(MAX_AUDIO_SECONDS * SAMPLE_RATE)
    buffered: list[Any] = []
    held = 0
    done = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    buffered.append(samples)
                    held += len(samples)
                if done + held > limit:
                    raise TranscriptError(
                        f"{path}: more than the {MAX_AUDIO_SECONDS / 3600:.0f} hours of audio "
                        "chaptersearch transcribes"
                    )
                if held >= size + SEARCH_SECONDS * SAMPLE_RATE:
                    sound = np.concatenate(buffered)
                    cut = quiet_cut(sound, size)
                    yield done / SAMPLE_RATE, sound[:cut]
                    buffered, held, done = [sound[cut:]], len(sound) - cut, done + cut
            for out in resampler.resample(None):
                buffered.append(out.to_ndarray().reshape(-1))
    except TranscriptError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        if done == 0 and not buffered:
            raise _unreadable(path, error) from None
        # A file cut short: what was decoded is kept, as a player would play it.
    if buffered:
        sound = np.concatenate(buffered)
        if len(sound):
            yield done / SAMPLE_RATE, sound


def quiet_cut(sound: Any, size: int) -> int:
    """Where to end a piece of about ``size`` samples: the quietest tenth of a second
    in the ``SEARCH_SECONDS`` before it."""
    import numpy as np

    window = SAMPLE_RATE // 10
    first = max(0, size - int(SEARCH_SECONDS * SAMPLE_RATE))
    stretch = sound[first:size]
    usable = len(stretch) // window * window
    if usable == 0:
        return size
    energy = np.square(stretch[:usable].reshape(-1, window)).mean(axis=1)
    quietest = int(np.argmin(energy))
    return first + quietest * window + window // 2
