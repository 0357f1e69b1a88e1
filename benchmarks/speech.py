"""Speech made here, so every sentence's true time is known: espeak-ng reads each
cue of a transcript, and the clips are joined with a pause between them.

Used by the transcription benchmark and by the tests (which make their own clips and
never need a recording). Synthetic speech is easier for timing (no cross-talk, clean
onsets) and harder for names (espeak spells "pytest" as it reads it) than real speech.
"""

import shutil
import subprocess
import tempfile
import wave
from array import array
from pathlib import Path

RATE = 22_050
"""espeak-ng's sample rate."""


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def _said(text: str, words_per_minute: int, voice: str) -> array:
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", out.name, "--", text],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with wave.open(out.name) as clip:
            samples = array("h", clip.readframes(clip.getnframes()))
    return samples


def _onset(samples: array, threshold: int = 300) -> int:
    """The first sample loud enough to be speech."""
    for index, value in enumerate(samples):
        if abs(value) > threshold:
            return index
    return len(samples)


def speak(
    texts: list[str],
    out: Path,
    gap: float = 0.5,
    words_per_minute: int = 170,
    voice: str = "en-us",
) -> list[float]:
    """Write ``texts`` spoken one after another to the WAV file ``out``; the second
    at which each one's first word is heard."""
    joined = array("h")
    starts: list[float] = []
    pause = array("h", [0]) * int(gap * RATE)
    for text in texts:
        said = _said(text, words_per_minute, voice)
        starts.append((len(joined) + _onset(said)) / RATE)
        joined.extend(said)
        joined.extend(pause)
    with wave.open(str(out), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes(joined.tobytes())
    return starts


def silence(out: Path, seconds: float) -> None:
    """A WAV file of ``seconds`` of silence."""
    with wave.open(str(out), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes(bytes(2 * int(seconds * RATE)))


def encode(wav: Path, out: Path, chapters: list[tuple[float, str]] | None = None) -> Path:
    """``wav`` encoded into ``out``'s format by its suffix (.mp3, .ogg, .m4a, .flac,
    .opus), with ``chapters`` (start, title) written into the container where the
    format keeps them."""
    import av

    codecs = {".mp3": "libmp3lame", ".ogg": "libvorbis", ".m4a": "aac", ".flac": "flac"}
    codecs |= {".opus": "libopus", ".mka": "flac", ".webm": "libopus"}
    codec = codecs[out.suffix.lower()]
    if codec == "libvorbis" and codec not in av.codecs_available:
        codec = "vorbis"
    with av.open(str(wav)) as source, av.open(str(out), "w") as target:
        rate = 48_000 if codec == "libopus" else RATE
        stream = target.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if chapters:
            duration = float(source.duration or 0) / 1_000_000
            ends = [start for start, _ in chapters[1:]] + [duration]
            target.set_chapters(
                [
                    {
                        "id": number,
                        "start": round(start * 1000),
                        "end": round(end * 1000),
                        "time_base": _millisecond(),
                        "metadata": {"title": title},
                    }
                    for number, ((start, title), end) in enumerate(
                        zip(chapters, ends, strict=True), start=1
                    )
                ]
            )
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for frame in source.decode(audio=0):
            for piece in resampler.resample(frame):
                target.mux(stream.encode(piece))
        for piece in resampler.resample(None):
            target.mux(stream.encode(piece))
        target.mux(stream.encode(None))
    return out


def _millisecond() -> object:
    from fractions import Fraction

    return Fraction(1, 1000)
