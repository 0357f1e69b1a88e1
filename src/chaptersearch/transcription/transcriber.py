"""Speech to timed words: a Whisper model run by faster-whisper on the CPU.

Each word keeps its own time (Whisper's cross-attention alignment), so a hit in a
transcribed episode is timed to the word, not to the start of its sentence. The model
is loaded once per process and kept: a feed of a hundred episodes pays for it once.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ChapterSearchError, TranscriptError
from ..models import Cue, split_cue
from ..output.hearing import Progress
from ..timecode import format_clock
from .audio import SAMPLE_RATE, AudioInfo, pieces, probe
from .weights import DEFAULT, ModelMissing, model_files, weights_named

_LOADED: dict[str, Any] = {}


@dataclass(frozen=True)
class Transcribed:
    cues: list[Cue]
    language: str
    model: str
    duration: float
    container: AudioInfo
    """What the file said of itself: its declared length, title and chapters."""

    @property
    def source(self) -> str:
        """How ``show`` names this transcript's origin: ``whisper-base``."""
        return f"whisper-{self.model}"


def load(name: str = DEFAULT) -> Any:
    """The model called ``name``, loaded once per process."""
    if name in _LOADED:
        return _LOADED[name]
    weights = weights_named(name)
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        from ..output.install_hints import install_hint

        raise ModelMissing(
            f"transcribing audio needs the transcribe extra; {install_hint('transcribe')}"
        ) from None
    files = model_files(weights)
    threads = _threads()
    try:
        model = WhisperModel(
            f"whisper-{name}", device="cpu", compute_type="int8", cpu_threads=threads, files=files
        )
    except (RuntimeError, ValueError, OSError) as error:
        raise ChapterSearchError(f"the {name} speech model cannot be loaded ({error})") from None
    _LOADED[name] = model
    return model


def _threads() -> int:
    """The cores to use, from ``$CHAPTERSEARCH_THREADS`` (0, the default: CTranslate2's
    own choice), at most the machine's: 10,000 threads on two cores had run for minutes
    and 99,999 crashed the engine. A value that is not a whole number is ignored."""
    value = os.environ.get("CHAPTERSEARCH_THREADS", "").strip()
    return min(int(value), os.cpu_count() or 1) if value.isdigit() else 0


def whisper_language(code: str) -> str | None:
    """Whisper's code for a language code (``en-US`` is ``en``), None when it knows none."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    primary = code.split("-")[0].split("_")[0].lower()
    return primary if primary in _LANGUAGE_CODES else None


def spoken_language(languages: list[str] | None, english_only: bool, model: str) -> str | None:
    """The language to transcribe in: the first of ``languages`` (None: let the model hear
    which); one line for a code Whisper does not know, before the model is loaded. An
    English-only model needs English among them."""
    codes = [whisper_language(code) or code for code in languages or [] if code]
    unknown = [code for code in codes if whisper_language(code) is None]
    if unknown:
        raise ChapterSearchError(
            f"--lang {unknown[0]}: not a language the speech model knows (such as en, de, "
            "fr, es, ja: two-letter codes)"
        )
    if english_only:
        if codes and "en" not in codes:
            raise ChapterSearchError(
                f"the {model} speech model knows English only, not {', '.join(codes)}: "
                "use --speech-model base"
            )
        return "en"
    return codes[0] if codes else None


def transcribe(
    path: Path,
    model_name: str = DEFAULT,
    languages: list[str] | None = None,
    progress: Progress | None = None,
) -> Transcribed:
    """The timed words said in an audio file; one line when it is not audio, too long,
    or says nothing.

    No prompt is given (the show's and episode's names had seemed a help with names):
    with one, the base model left out whole sentences of a clip, three of eight."""
    info = probe(path)
    weights = weights_named(model_name)
    wanted = spoken_language(languages, weights.english_only, model_name)
    model = load(model_name)
    cues: list[Cue] = []
    language = wanted
    end = 0.0
    for offset, sound in pieces(path):
        end = offset + len(sound) / SAMPLE_RATE
        total = max(info.duration, end)
        segments, found = model.transcribe(
            sound,
            language=language,
            beam_size=5,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,
        )
        language = language or found.language
        for segment in segments:
            cues.extend(_cues(segment, offset))
            if progress:
                progress(min(offset + segment.end, total), total)
        if progress:
            progress(end, total)
    if end == 0:
        raise TranscriptError(f"{path}: holds no sound (0 seconds of audio)")
    if not cues:
        raise TranscriptError(f"{path}: no speech found in {format_clock(end)} of audio")
    return Transcribed(
        cues=cues, language=language or "en", model=model_name, duration=end, container=info
    )


def _cues(segment: Any, offset: float) -> list[Cue]:
    """A segment as a cue whose ``words`` are the times of the words of its text."""
    said: list[str] = []
    times: list[float] = []
    for word in segment.words or []:
        for token in str(word.word).split():
            said.append(token)
            times.append(round(offset + float(word.start), 2))
    if not said:
        return []
    start = min(times[0], offset + float(segment.start))
    end = max(offset + float(segment.end), times[-1])
    cue = Cue(start=round(start, 2), end=round(end, 2), text=" ".join(said), words=times)
    return split_cue(cue)
