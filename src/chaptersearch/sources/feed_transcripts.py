"""Transcripts as podcast feeds publish them, read into clean cues.

The Podcasting 2.0 ``<podcast:transcript>`` tag names four timed formats: WebVTT, SRT,
a JSON list of ``segments`` and HTML. VTT and SRT go through webvtt-py as files do. JSON
segments are often one word each: those are merged into caption-sized cues (a speaker's
words up to a sentence end or a pause), or a search's snippet would be a single word.
HTML is timed when it carries time stamps (``<time>`` elements, or ``[12:34]`` at the
start of a paragraph); paragraphs between two stamps get times spread by their length.
HTML with no stamp at all, and plain text, are untimed: an episode is not made from them.
"""

import html
import io
import json
import re
from html.parser import HTMLParser
from itertools import pairwise

from ..errors import Skipped, TranscriptError
from ..models import Cue
from ..timecode import parse_clock
from .transcripts import Raw, clean_cues, no_json_constants, podcast_segments, raw_captions

VTT = "text/vtt"
SRT_TYPES = ("application/x-subrip", "application/srt", "text/srt")
JSON_TYPES = ("application/json",)
HTML = "text/html"


class UntimedTranscript(Skipped):
    """A transcript without times: words, but nowhere to point a hit at."""


def format_rank(kind: str) -> int | None:
    """Preference among transcript types (lower first); None for a type never used."""
    base = kind.split(";", 1)[0].strip().lower()
    if base == VTT:
        return 0
    if base in SRT_TYPES:
        return 1
    if base in JSON_TYPES:
        return 2
    if base == HTML:
        return 3
    return None


def decode(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            raise TranscriptError(f"{where}: not UTF-8 text") from None


def read_feed_transcript(body: bytes, kind: str, where: str) -> list[Cue]:
    """Clean cues from a transcript of the given type; UntimedTranscript when it has no
    times, TranscriptError when it cannot be read."""
    text = decode(body, where)
    rank = format_rank(kind)
    if rank is None:
        raise UntimedTranscript(f"{where}: a {kind or 'untyped'} transcript has no times")
    if rank in (0, 1):
        raw = _captions(text, "vtt" if rank == 0 else "srt", where)
    elif rank == 2:
        raw = json_segments(text, where)
    else:
        raw = html_transcript(text, where)
    cues = clean_cues(raw, where, turns=rank == 1)
    if not cues:
        raise TranscriptError(f"{where}: the transcript holds no timed text")
    return cues


def _captions(text: str, kind: str, where: str) -> Raw:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=kind)
    except (MalformedFileError, MalformedCaptionError):
        raise TranscriptError(f"{where}: not a valid {kind.upper()} file") from None
    return raw_captions(captions)


def json_segments(text: str, where: str) -> Raw:
    """Cues from the JSON transcript format; word-level segments merged."""
    try:
        data = json.loads(text, parse_constant=no_json_constants)
    except RecursionError:
        raise TranscriptError(f"{where}: not a transcript (JSON nested too deeply)") from None
    except ValueError as error:
        reason = str(error).splitlines()[0][:100]
        raise TranscriptError(f"{where}: not valid JSON ({reason})") from None
    return podcast_segments(data, where)


_BLOCKS = frozenset(
    "p div li dd dt h1 h2 h3 h4 h5 h6 blockquote section article tr br hr pre".split()
)
_SKIP = frozenset("script style head title nav footer template noscript".split())
_STAMP_TEXT = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_STAMP = re.compile(
    rf"^\s*(?:[^\s:\[\]()]{{1,40}}(?:\s[^\s:\[\]()]{{1,40}}){{0,3}}:\s*)?"
    rf"[\[(]\s*(?P<clock>{_STAMP_TEXT})\s*[\])]\s*"
)
_ANY_STAMP = re.compile(rf"\\?[\[(]\s*{_STAMP_TEXT}\s*\\?[\])]")
_SPEAKER = re.compile(r"^\s*[^\s:]{1,40}(?:\s[^\s:]{1,40}){0,3}:\s+")
_SPLIT = re.compile(r"(?<=[.!?…])\s+")
PIECE = 240
"""Longest cue made from an HTML paragraph, in characters: a paragraph of several
minutes is cut at sentence ends so a hit's time stays close to its words."""
CHARACTERS_PER_SECOND = 15.0
"""Speech at about 150 words a minute: times after the last stamp are spread at this pace
when the stamps give none."""


class _Blocks(HTMLParser):
    """Text blocks of a page in order, with the stamp of any ``<time>`` before them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[float | None, str, bool]] = []
        self._text: list[str] = []
        self._stamp: float | None = None
        self._skip = 0
        self._in_time = False
        self._time_text: list[str] = []
        self._label = False
        self._in_strong = 0
        self._strong_first = False

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        if text:
            self.blocks.append((self._stamp, text, self._strong_first))
            self._stamp = None
        self._text = []
        self._strong_first = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "time":
            self._flush()
            self._in_time = True
            self._time_text = []
            moment = dict(attrs).get("datetime")
            if moment:
                self._time_text.append(moment)
        elif tag == "cite":
            self._flush()
            self._skip += 1
        elif tag in ("strong", "b"):
            if not "".join(self._text).strip():
                self._strong_first = True
            self._in_strong += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP or tag == "cite":
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "time" and self._in_time:
            self._in_time = False
            text = "".join(self._time_text).strip()
            try:
                self._stamp = parse_clock(text.split()[0]) if text else None
            except ValueError:
                self._stamp = None
        elif tag in ("strong", "b"):
            self._in_strong = max(0, self._in_strong - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_time:
            self._time_text.append(data)
            return
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_transcript(text: str, where: str) -> Raw:
    """Cues from an HTML transcript with time stamps; UntimedTranscript without any."""
    parser = _Blocks()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        raise TranscriptError(f"{where}: not readable HTML") from None
    pieces: list[tuple[float | None, str]] = []
    for stamp, block, labelled in parser.blocks:
        match = _LEADING_STAMP.match(block)
        if match and stamp is None:
            stamp = parse_clock(match.group("clock"))
        if match:
            block = block[match.end() :]
        elif labelled:
            block = _SPEAKER.sub("", block, count=1)
        block = html.unescape(_ANY_STAMP.sub("", block)).strip()
        if not block:
            if stamp is not None and (not pieces or pieces[-1][0] is not None):
                pieces.append((stamp, ""))
            continue
        for index, sentence_group in enumerate(_pieces(block)):
            pieces.append((stamp if index == 0 else None, sentence_group))
    stamps = [stamp for stamp, _ in pieces if stamp is not None]
    if not stamps:
        raise UntimedTranscript(f"{where}: an HTML transcript without time stamps")
    return _timed(pieces)


def _pieces(block: str) -> list[str]:
    """A paragraph cut at sentence ends into pieces of about ``PIECE`` characters."""
    groups: list[str] = []
    current = ""
    for sentence in _SPLIT.split(block):
        if current and len(current) + len(sentence) > PIECE:
            groups.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        groups.append(current)
    return groups


def _timed(pieces: list[tuple[float | None, str]]) -> Raw:
    """Times for every piece: stamps kept where they go forward, the pieces between two
    stamps spread by their length, those after the last at the pace the stamps set."""
    anchors: list[tuple[int, float]] = []
    for index, (stamp, _) in enumerate(pieces):
        if stamp is not None and (not anchors or stamp >= anchors[-1][1]):
            anchors.append((index, stamp))
    lengths = [max(1, len(text)) for _, text in pieces]
    offsets = [0]
    for length in lengths:
        offsets.append(offsets[-1] + length)
    pace = CHARACTERS_PER_SECOND
    if len(anchors) >= 2:
        first, last = anchors[0], anchors[-1]
        spoken = offsets[last[0]] - offsets[first[0]]
        if last[1] > first[1] and spoken > 0:
            pace = spoken / (last[1] - first[1])
    starts: list[float] = [0.0] * len(pieces)
    for (begin, at), (finish, until) in pairwise(anchors):
        span = offsets[finish] - offsets[begin]
        for index in range(begin, finish):
            share = (offsets[index] - offsets[begin]) / span if span else 0.0
            starts[index] = at + share * (until - at)
    head_index, head_time = anchors[0]
    for index in range(head_index):
        starts[index] = max(0.0, head_time - (offsets[head_index] - offsets[index]) / pace)
    tail_index, tail_time = anchors[-1]
    for index in range(tail_index, len(pieces)):
        starts[index] = tail_time + (offsets[index] - offsets[tail_index]) / pace
    raw: Raw = []
    for index, (_, text) in enumerate(pieces):
        if not text:
            continue
        if index + 1 < len(pieces):
            end = max(starts[index], starts[index + 1])
        else:
            end = starts[index] + lengths[index] / pace
        raw.append((starts[index], end, [text]))
    return raw
