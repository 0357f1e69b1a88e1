"""Read timed transcripts (WebVTT, SRT, youtube-transcript-api JSON) into clean cues.

WebVTT and SRT go through webvtt-py: it is maintained, pure Python, parses both
formats, handles BOMs, cue settings and voice spans, and reports malformed files with
a typed error instead of guessing. Real files still need mending after parsing, which
``clean_cues`` does: captions that end before they start, time that goes backwards,
rolling captions that repeat the previous line, markup, entities and speaker dashes.
"""

import html
import json
import re
from pathlib import Path
from typing import Any

from .errors import TranscriptError
from .models import Cue

SUFFIXES = (".vtt", ".srt", ".json")

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPEAKER_DASH = re.compile(r"^\s*(?:-+|>>+|&gt;&gt;)\s*")
_SPACE = re.compile(r"\s+")
_SOUND = re.compile(r"\[(?:music|applause|laughter|laughs|inaudible|silence|noise)[^\]]*\]", re.I)


def read_transcript(path: Path) -> list[Cue]:
    """Clean cues from a transcript file, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            f"{path}: unknown transcript type {suffix or '(none)'}; use .vtt, .srt or .json"
        )
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file")
    raw = _read_json(path) if suffix == ".json" else _read_captions(path, suffix)
    cues = clean_cues(raw)
    if not cues:
        raise TranscriptError(f"{path}: the transcript holds no timed text")
    return cues


def _read_captions(path: Path, suffix: str) -> list[tuple[float, float, list[str]]]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_srt(str(path)) if suffix == ".srt" else webvtt.read(str(path))
    except MalformedFileError:
        kind = "SRT" if suffix == ".srt" else "WebVTT"
        raise TranscriptError(f"{path}: not a valid {kind} file") from None
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: not UTF-8 text") from None
    return [
        (_seconds(caption.start_time), _seconds(caption.end_time), caption.lines)
        for caption in captions
    ]


def _seconds(stamp: Any) -> float:
    return float(
        stamp.hours * 3600 + stamp.minutes * 60 + stamp.seconds + stamp.milliseconds / 1000
    )


def _read_json(path: Path) -> list[tuple[float, float, list[str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TranscriptError(f"{path}: not valid JSON ({error})") from None
    return snippets_to_raw(data, str(path))


def snippets_to_raw(data: Any, where: str) -> list[tuple[float, float, list[str]]]:
    """youtube-transcript-api's snippets (``{text, start, duration}``) as raw captions."""
    if not isinstance(data, list):
        raise TranscriptError(f"{where}: expected a list of {{text, start, duration}} objects")
    raw = []
    for item in data:
        try:
            start = float(item["start"])
            end = start + float(item.get("duration", 0.0))
            text = str(item["text"])
        except (TypeError, KeyError, ValueError):
            raise TranscriptError(
                f"{where}: expected a list of {{text, start, duration}} objects"
            ) from None
        raw.append((start, end, text.splitlines()))
    return raw


def clean_text(line: str) -> str:
    """A caption line without markup, entities, sound tags such as [Music], speaker
    dashes or runs of spaces."""
    text = _TAG.sub("", line)
    text = html.unescape(text)
    text = _SOUND.sub("", text)
    text = _SPEAKER_DASH.sub("", text)
    return _SPACE.sub(" ", text).strip()


def clean_cues(raw: list[tuple[float, float, list[str]]]) -> list[Cue]:
    """Cues in spoken order with times that never go backwards and text said once.

    The order of the file is the order of speech, so a cue whose start goes back in time
    keeps its place and takes the previous start; an end before the start becomes the
    start. A rolling caption's first line repeats the last line of the cue before it
    and is dropped; a cue that only repeats the previous one extends it.
    """
    cues: list[Cue] = []
    previous_last_line = ""
    for start, end, lines in raw:
        cleaned = [text for text in (clean_text(line) for line in lines) if text]
        if cleaned and cleaned[0] == previous_last_line and len(cleaned) > 1:
            cleaned = cleaned[1:]
        if not cleaned:
            continue
        text = " ".join(cleaned)
        start = max(start, cues[-1].start if cues else 0.0, 0.0)
        end = max(end, start)
        if cues and text == cues[-1].text and start <= cues[-1].end + 0.5:
            cues[-1] = Cue(start=cues[-1].start, end=max(end, cues[-1].end), text=text)
        else:
            cues.append(Cue(start=start, end=end, text=text))
        previous_last_line = cleaned[-1]
    return cues
