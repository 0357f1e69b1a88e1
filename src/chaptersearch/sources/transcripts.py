"""Read timed transcripts (WebVTT, SRT, youtube-transcript-api's and Podcasting 2.0's
JSON) into clean cues.

WebVTT and SRT go through webvtt-py: it is maintained, pure Python, parses both
formats, handles BOMs, cue settings and voice spans, and reports malformed files with
a typed error instead of guessing. Real files still need mending after parsing, which
``clean_cues`` does: captions that end before they start, time that goes backwards,
rolling captions that repeat the previous line, markup, entities and speaker dashes.
"""

import html
import json
import math
import re
from pathlib import Path
from statistics import median
from typing import Any

from ..errors import ChapterSearchError, TranscriptError
from ..models import MAX_SECONDS, Cue, split_cue
from ..timecode import format_clock
from .files import check_regular_file

Raw = list[tuple[float, float, list[str]]]
"""Captions as read, before ``clean_cues``: (start, end, lines)."""

SUFFIXES = (".vtt", ".srt", ".json")

MAX_TRANSCRIPT_BYTES = 32_000_000
"""The largest transcript file read: twice 100 hours of speech as YouTube's JSON writes
it (the largest of the 1,047 real episodes is 0.23 MB). Reading one costs memory many
times its size; a 200 MB file had taken 3.4 GB."""

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_NAMED = re.compile(r"^\s*((?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,3}):\s+(?=\S)")
MAX_SPEAKER_CHARACTERS = 60
"""A speaker's name is cut to this length: it is shown beside every hit it says."""
MIN_NAMED_CAPTIONS = 2
"""A caption that starts "Name: " names its speaker when that name starts this many
captions of the file: "Lucas Lange: Yep." does, a lone "Note: see below" does not."""
_SPEAKER_DASH = re.compile(r"^\s*(?:-+|>>+|&gt;&gt;)\s*")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SOUND = re.compile(r"\[(?:music|applause|laughter|laughs|inaudible|silence|noise)[^\]]*\]", re.I)


def read_transcript(path: Path) -> list[Cue]:
    """Clean cues from a transcript file, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            f"{path}: unknown transcript type {suffix or '(none)'}; use .vtt, .srt or .json"
        )
    try:
        check_regular_file(path, "file")
        size = path.stat().st_size
    except (ChapterSearchError, OSError) as error:
        raise TranscriptError(str(error)) from None
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            f"{path}: {size / 1e6:,.0f} MB is more than a transcript may be "
            f"({MAX_TRANSCRIPT_BYTES / 1e6:.0f} MB, over 100 hours of speech); "
            "split it into episodes"
        )
    raw = _read_json(path) if suffix == ".json" else _read_captions(path, suffix)
    cues = clean_cues(raw, str(path), turns=suffix == ".srt")
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
    return raw_captions(captions)


def raw_captions(captions: Any) -> list[tuple[float, float, list[str]]]:
    """webvtt-py's captions as (start, end, lines), the shape ``clean_cues`` mends."""
    return [
        (_seconds(caption.start_time), _seconds(caption.end_time), caption.lines)
        for caption in captions
    ]


def _seconds(stamp: Any) -> float:
    return float(
        stamp.hours * 3600 + stamp.minutes * 60 + stamp.seconds + stamp.milliseconds / 1000
    )


def no_json_constants(name: str) -> None:
    """For ``json.loads``: NaN and Infinity are no number of seconds."""
    raise ValueError(f"{name} is not a number of seconds")


def _read_json(path: Path) -> list[tuple[float, float, list[str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"), parse_constant=no_json_constants)
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise TranscriptError(f"{path}: not a transcript (JSON nested too deeply)") from None
    except ValueError as error:  # JSONDecodeError, NaN, or an integer of thousands of digits
        reason = str(error).splitlines()[0][:100]
        raise TranscriptError(f"{path}: not valid JSON ({reason})") from None
    return snippets_to_raw(data, str(path))


def snippets_to_raw(data: Any, where: str) -> list[tuple[float, float, list[str]]]:
    """youtube-transcript-api's snippets (``{text, start, duration}``) as raw captions;
    a Podcasting 2.0 JSON transcript (``{"segments": [...]}``) as a feed's is read."""
    if isinstance(data, dict) and "segments" in data:
        return podcast_segments(data, where)
    if not isinstance(data, list):
        raise TranscriptError(
            f"{where}: expected a list of {{text, start, duration}} objects (as "
            'youtube-transcript-api writes) or {"segments": [...]} (Podcasting 2.0)'
        )
    raw = []
    for item in data:
        try:
            start = float(item["start"])
            end = start + float(item.get("duration", 0.0))
            text = str(item["text"])
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError):
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
    text = _CONTROL.sub("", _SOUND.sub("", text))
    text = _SPEAKER_DASH.sub("", text)
    return _SPACE.sub(" ", text).strip()


def _check_times(start: float, end: float, where: str) -> None:
    for value in (start, end):
        if not math.isfinite(value) or abs(value) > MAX_SECONDS:
            shown = format_clock(value) if math.isfinite(value) else str(value)
            raise TranscriptError(
                f"{where}: a caption at {shown} is not within {MAX_SECONDS / 3600:.0f} hours; "
                "is the file damaged?"
            )


def clean_cues(
    raw: list[tuple[float, float, list[str]]], where: str = "transcript", turns: bool = False
) -> list[Cue]:
    """Cues in spoken order with times that never go backwards and text said once.

    The order of the file is the order of speech, so a cue whose start goes back in time
    keeps its place and takes the previous start; an end before the start becomes the
    start. A rolling caption's first line repeats the last line of the cue before it
    and is dropped; a cue that only repeats the previous one extends it. With ``turns``
    (SRT, where "Name: " starts a speaker's turn), a caption that names no speaker is
    said by the last one named.
    """
    cues: list[Cue] = []
    previous_last_line = ""
    named = _names_said(raw)
    speaker: str | None = None
    for start, end, lines in raw:
        _check_times(start, end, where)
        said_by, lines = _speaker(lines, named)
        speaker = said_by or (speaker if turns else None)
        cleaned = [text for text in (clean_text(line) for line in lines) if text]
        if cleaned and cleaned[0] == previous_last_line and len(cleaned) > 1:
            cleaned = cleaned[1:]
        if not cleaned:
            continue
        text = " ".join(cleaned)
        start = max(start, cues[-1].start if cues else 0.0, 0.0)
        end = max(end, start)
        if cues and text == cues[-1].text and start <= cues[-1].end + 0.5:
            cues[-1] = cues[-1].model_copy(update={"end": max(end, cues[-1].end)})
        else:
            cues.extend(split_cue(Cue(start=start, end=end, text=text, speaker=speaker)))
        previous_last_line = cleaned[-1]
    return cues


def _names_said(raw: list[tuple[float, float, list[str]]]) -> set[str]:
    """The "Name: " prefixes that start at least ``MIN_NAMED_CAPTIONS`` captions."""
    counts: dict[str, int] = {}
    for _, _, lines in raw:
        found = _NAMED.match(lines[0]) if lines else None
        if found:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return {name for name, count in counts.items() if count >= MIN_NAMED_CAPTIONS}


def _speaker(lines: list[str], named: set[str]) -> tuple[str | None, list[str]]:
    """Who says a caption, and its lines without the name: a WebVTT voice tag
    (``<v Henri Helvetica>``, which Podcasting 2.0 JSON's ``speaker`` is written as
    too), else a "Name: " that starts captions of the file (SRT's convention)."""
    for line in lines:
        voice = _VOICE.search(line)
        if voice:
            return _name(voice.group(1)), lines
    found = _NAMED.match(lines[0]) if lines and named else None
    if found and found.group(1) in named:
        return _name(found.group(1)), [lines[0][found.end() :], *lines[1:]]
    return None, lines


def _name(text: str) -> str | None:
    name = clean_text(text)[:MAX_SPEAKER_CHARACTERS].strip()
    return name or None


def voice_line(speaker: str, text: str) -> str:
    """A caption line that names its speaker as WebVTT does, for ``clean_cues``."""
    name = " ".join(speaker.replace("<", " ").replace(">", " ").split())
    return f"<v {name}>{text}" if name else text


WORD_LEVEL = 1.5
"""Segments whose median length is under this many seconds are words, not captions."""
CUE_SECONDS = 8.0
CUE_CHARACTERS = 120
PAUSE = 1.5
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")


def podcast_segments(data: Any, where: str) -> Raw:
    """A Podcasting 2.0 JSON transcript's segments as raw captions, each naming its
    speaker as a WebVTT voice tag does (``voice_line``)."""
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise TranscriptError(f"{where}: a JSON transcript needs a list of segments")
    words: list[tuple[float, float, str, str]] = []
    for segment in segments:
        try:
            start = float(segment["startTime"])
            end = float(segment.get("endTime", start))
            body = str(segment.get("body", ""))
            speaker = str(segment.get("speaker") or "")
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError):
            raise TranscriptError(
                f"{where}: a segment needs startTime, endTime and body (seconds and text)"
            ) from None
        if body.strip():
            words.append((start, max(end, start), body.strip(), speaker))
    if not words:
        return []
    if median(end - start for start, end, _, _ in words) >= WORD_LEVEL:
        return [(start, end, [voice_line(who, body)]) for start, end, body, who in words]
    return _merge_words(words)


def _merge_words(words: list[tuple[float, float, str, str]]) -> Raw:
    """Word segments as caption-sized cues: a cue ends where the speaker changes, after a
    pause, at a sentence end once a few seconds long, or when it grows too long."""
    cues: Raw = []
    start, end, parts, speaker = words[0][0], words[0][1], [words[0][2]], words[0][3]
    for word_start, word_end, body, who in words[1:]:
        said = " ".join(parts)
        full = (
            who != speaker
            or word_start - end > PAUSE
            or end - start >= CUE_SECONDS
            or len(said) >= CUE_CHARACTERS
            or (_SENTENCE_END.search(said) is not None and end - start >= 3.0)
        )
        if full:
            cues.append((start, end, [voice_line(speaker, said)]))
            start, parts, speaker = word_start, [], who
        parts.append(body)
        end = max(end, word_end)
    cues.append((start, end, [voice_line(speaker, " ".join(parts))]))
    return cues
