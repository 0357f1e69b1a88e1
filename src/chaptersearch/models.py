"""The data model: what an episode is, wherever it came from (a hit is in ``hit``).

An ``Episode`` is the unit the library stores and the index is rebuilt from, so it
carries everything needed to search and to print a hit without the network. Times are
checked here, once, for every source: finite, not negative, and no later than
``MAX_SECONDS``, so a damaged file cannot make a runaway episode.
"""

import itertools
import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from .hit import ChapterSource
from .output.terminal import printable

MAX_SECONDS = 100 * 3600.0
"""The longest episode accepted: longer than any real stream, short enough that a
mistyped ``99999:59:59`` is refused instead of filling the disk with made-up chapters."""


def _moment(value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"a time must be a finite number of seconds, not {value}")
    if value > MAX_SECONDS:
        raise ValueError(f"a time of {value:.0f} s is past {MAX_SECONDS / 3600:.0f} hours")
    return value


Seconds = Annotated[float, AfterValidator(_moment)]


def _label(text: str) -> str:
    return " ".join(printable(text).split())


Label = Annotated[str, AfterValidator(_label)]
"""A title or a channel name: one line with no control characters, escape sequences or
bidirectional overrides, cleaned when it comes in (from a flag, a file, YouTube or an
older library entry), so no output has to trust it."""

MAX_TITLE_LENGTH = 120
"""The longest chapter title kept, wherever it comes from (a chapters file, a feed's
JSON or Podlove chapters, a description, YouTube): the longest of 3,971 real ones is
66 characters, and one of 900 KB was printed whole by every command."""


def _chapter_title(text: str) -> str:
    return _label(text)[:MAX_TITLE_LENGTH].strip()


ChapterTitle = Annotated[str, AfterValidator(_chapter_title)]
"""A chapter's title: a ``Label`` of at most ``MAX_TITLE_LENGTH`` characters (cut, as
titles typed without times are)."""

MAX_DESCRIPTION = 20_000
"""The most of an episode's description (show notes) kept: YouTube allows 5,000
characters and the longest of 242 real show notes is 13,865; one listing 200,000
times had made a library entry of 18.7 MB for a 35-minute episode."""


def bounded_description(text: str) -> str:
    """``text`` up to ``MAX_DESCRIPTION`` characters, cut at a line or word end and
    marked with "…" when longer."""
    if len(text) <= MAX_DESCRIPTION:
        return text
    head = text[: MAX_DESCRIPTION - 1]
    cut = max(head.rfind("\n"), head.rfind(" "))
    return (head[:cut] if cut > MAX_DESCRIPTION // 2 else head).rstrip() + "…"


Description = Annotated[str, AfterValidator(bounded_description)]


class Cue(BaseModel):
    """One caption: words, when they are said, in seconds from the start, and who says
    them when the transcript names the speaker (left out of the library entry when it
    does not, so entries of unnamed talk grow by nothing)."""

    start: Seconds
    end: Seconds
    text: str
    speaker: Label | None = Field(default=None, exclude_if=lambda value: value is None)
    words: list[Seconds] | None = Field(default=None, exclude_if=lambda value: value is None)
    """When each word of ``text`` (split at spaces) is said, where the transcript times
    words (a transcription does): a hit is then timed to its word. Dropped when it does
    not match the text's words one for one (an entry edited by hand)."""

    @model_validator(mode="after")
    def _a_time_per_word(self) -> "Cue":
        if self.words is not None and len(self.words) != len(self.text.split()):
            self.words = None
        return self


MAX_CUE_CHARACTERS = 1000
"""A caption longer than this (a paragraph per caption, or a whole text in one) is cut
at spaces into captions of at most this length, timed evenly across its span, so no
passage and no line on the page grows without bound."""


def split_cue(cue: Cue, most: int = MAX_CUE_CHARACTERS) -> list[Cue]:
    """``cue`` as it is when short enough; else cut at spaces into pieces of at most
    ``most`` characters (a word longer than that is cut too), each starting at its
    share of the cue's time."""
    if len(cue.text) <= most:
        return [cue]
    pieces: list[str] = []
    rest = cue.text
    while len(rest) > most:
        cut = rest.rfind(" ", 0, most + 1)
        cut = cut if cut > 0 else most
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    pieces = [piece for piece in pieces if piece]
    span = cue.end - cue.start
    starts = [cue.start + span * number / len(pieces) for number in range(len(pieces))]
    words: list[list[float] | None] = [None] * len(pieces)
    if cue.words is not None:
        counts = [len(piece.split()) for piece in pieces]
        firsts = [sum(counts[:number]) for number in range(len(pieces))]
        words = [
            cue.words[first : first + count] for first, count in zip(firsts, counts, strict=True)
        ]
        starts = [times[0] if times else start for times, start in zip(words, starts, strict=True)]
    ends = [*starts[1:], cue.end]
    return [
        Cue(start=start, end=end, text=text, speaker=cue.speaker, words=times)
        for start, end, text, times in zip(starts, ends, pieces, words, strict=True)
    ]


def cut_at(cues: list[Cue], moments: list[float]) -> list[Cue]:
    """The cues, those whose words are timed cut where one of ``moments`` (chapter
    starts) falls inside them, so each word is in the chapter it is said in: a
    transcription's sentence can run across the start a file's chapters give."""
    kept: list[Cue] = []
    for cue in cues:
        times = cue.words
        inside = [moment for moment in moments if cue.start < moment <= cue.end]
        if times is None or not inside:
            kept.append(cue)
            continue
        tokens = cue.text.split()
        firsts = {0, len(tokens)}
        for moment in inside:
            firsts.add(next((n for n, said in enumerate(times) if said >= moment), len(tokens)))
        bounds = sorted(firsts)
        for begin, end in itertools.pairwise(bounds):
            kept.append(
                Cue(
                    start=cue.start if begin == 0 else times[begin],
                    end=times[end] if end < len(tokens) else cue.end,
                    text=" ".join(tokens[begin:end]),
                    speaker=cue.speaker,
                    words=times[begin:end],
                )
            )
    return kept


class Chapter(BaseModel):
    """A titled span of an episode; ``end`` is the next chapter's start or the episode's end."""

    title: ChapterTitle
    start: Seconds
    end: Seconds
    source: ChapterSource


class Mark(BaseModel):
    """A chapter start as the user wrote it, before it is fitted to a transcript."""

    start: Seconds
    title: ChapterTitle


class Origin(BaseModel):
    """Where an episode was read from, so ``show`` can say and ``add`` can tell whether
    a file changed since."""

    kind: Literal["file", "youtube", "feed"]
    location: str
    chapters_from: str | None = None
    size: int | None = None
    modified_ns: int | None = None


class Given(BaseModel):
    """What the user told chaptersearch about an episode (flags of ``add`` and ``edit``).

    Kept apart from what the source says, so a later ``add`` of the same file or video
    keeps it unless new values are given.
    """

    title: Label | None = None
    channel: Label | None = None
    url: str | None = None
    published: date | None = None
    chapters: list[Mark] | None = None
    chapter_titles: list[str] | None = None
    """Chapters given as titles without times: placed where each is discussed."""
    chapters_from: str | None = None
    chapter_notes: list[str] = Field(default_factory=list)
    """How the chapters file was read (an hour rolled over, say)."""

    def merged(self, newer: "Given") -> "Given":
        """These details with every value that ``newer`` sets replacing ours.

        Only the values either one sets count as set in the result: a value left unset
        here (``title`` when only chapters were given) must stay unset, or merging this
        into the stored details later would replace the user's title with None."""
        values = {name: getattr(self, name) for name in self.model_fields_set}
        values.update({name: getattr(newer, name) for name in newer.model_fields_set})
        return Given.model_validate(values)

    def __bool__(self) -> bool:
        return bool(self.model_fields_set)


class Episode(BaseModel):
    """One video or podcast episode with its chapters and timed transcript."""

    id: str = Field(min_length=1)
    origin: Origin
    title: Label
    channel: Label = ""
    url: str | None = None
    published: date | None = None
    duration: Seconds
    language: str | None = None
    transcript_generated: bool | None = None
    transcript_source: str | None = None
    """Who made the transcript when a machine here did (``whisper-base``); None for a
    transcript that came with the episode (see ``transcript_from``)."""
    description: Description = ""
    """Kept here only, never again in ``fetched``: where a source's chapters come from
    it, they are read from this (YouTube) or kept as marks (feeds)."""
    page: str | None = None
    """The episode's web page, when its ``url`` is the media file (podcast feeds)."""
    given: Given | None = None
    """None in entries written before details were kept apart (see ``details.given_of``)."""
    cue_count: int = 0
    """How many cues follow: always ``len(cues)``, written before them so that ``list``
    and ``stats`` can read an entry's head and stop (see ``Summary``)."""
    chapters: list[Chapter] = Field(min_length=1)
    cues: list[Cue] = Field(min_length=1)
    chapter_notes: list[str] = Field(default_factory=list)
    """Problems found in the chapter list (YouTube's rules, dropped or merged chapters)."""
    chapters_cut_by: str | None = None
    """Which method cut chapters made from the talk (``topics.METHOD``), so ``rebuild``
    can cut again the episodes an older method (or the old 10-minute spans) made."""
    fetched: dict[str, Any] | None = None
    """Raw data fetched from the network, kept so a rebuild never needs it again."""

    @property
    def transcript_from(self) -> str:
        """Where the transcript came from: ``youtube``, ``file``, ``feed``, or the model
        that made it (``whisper-base``)."""
        return self.transcript_source or self.origin.kind

    @model_validator(mode="after")
    def _chapters_tile_the_episode(self) -> "Episode":
        starts = [chapter.start for chapter in self.chapters]
        if starts != sorted(starts):
            raise ValueError("chapters are not in order")
        self.cue_count = len(self.cues)
        return self


class Summary(BaseModel):
    """An episode without its transcript: what ``list`` and ``stats`` show. Read from the
    head of a library entry (everything before its cues), so a long transcript costs
    them nothing."""

    id: str = Field(min_length=1)
    origin: Origin
    title: Label
    channel: Label = ""
    url: str | None = None
    published: date | None = None
    duration: Seconds
    cue_count: int = Field(ge=1)
    chapters: list[Chapter] = Field(min_length=1)

    @classmethod
    def of(cls, episode: Episode) -> "Summary":
        return cls.model_validate(episode.model_dump(include=set(cls.model_fields)))
