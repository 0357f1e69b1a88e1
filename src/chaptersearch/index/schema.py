"""The index's shape and how to open it: what the search path needs, and no more.

Kept apart from writing (``index``), which needs the data model, so a search never
imports pydantic: a search is a new process each time, and that import alone cost
about 65 ms.
"""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import SimpleAnalyzer
from whoosh.fields import ID, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.index import Index

from ..errors import IndexMissingError, IndexUnreadableError
from . import blocks  # noqa: F401  (faster reading of posting blocks, for every reader)
from .analysis import PairsSaid, SpokenAnalyzer, SpokenPositions

SCHEMA_VERSION = "6"
"""Bump when fields or analysis change: an index of another version asks for a rebuild."""
VERSION_FILE = "chaptersearch-schema"

FIELD_BOOSTS = {"text": 1.0, "chapter": 2.0, "episode_title": 0.3}
"""Words in a chapter's title say what the whole chapter is about, so they weigh more.
Applied when a query is made, not stored in the index, so they can change without a
rebuild."""


SPEAKER_ANALYZER = SimpleAnalyzer()
"""The words of speakers' names: lower case, not stemmed (``filters.name_words``)."""


@functools.cache
def make_schema() -> Schema:
    """Every word of the text with its positions (phrases are matched exactly by the
    index), and each pair of very common words said one after the other (``pairs``:
    a phrase of such words reads the postings of its rarest pairs); titles without
    positions, which no query needs; the words of the names of who speaks in a passage
    (``speaker``: a filter, never scored)."""
    analyzer = SpokenAnalyzer()
    text = TEXT(stored=False, analyzer=analyzer, phrase=True)
    text.format = SpokenPositions(field_boost=1.0)
    return Schema(
        key=ID(unique=True),
        video=ID(stored=True),
        chapter_key=ID(sortable=True),
        channel=STORED,
        channel_key=ID,
        episode_title=TEXT(stored=True, analyzer=analyzer, phrase=False),
        chapter=TEXT(stored=True, analyzer=analyzer, phrase=False),
        text=text,
        pairs=FieldType(PairsSaid(), analyzer, scorable=False, stored=False),
        speaker=FieldType(Existence(), SPEAKER_ANALYZER, scorable=False, stored=False),
        passage=STORED,
        meta=STORED,
    )


def pack_passage(
    text: str, offsets: list[int], starts: list[float]
) -> tuple[str, list[int], list[int]]:
    """A passage's text, where each cue begins in it, and when (in hundredths of a
    second: small integers pickle and compress better than floats; Whoosh compresses
    each document's stored fields together)."""
    return text, offsets, [round(start * 100) for start in starts]


@dataclass(frozen=True)
class StoredPassage:
    """Everything a hit needs of one passage, as the index keeps it."""

    video: str
    episode_title: str
    channel: str
    chapter: str
    chapter_index: int
    number: int
    chapter_start: float
    chapter_source: str
    url: str | None
    text: str
    offsets: list[int]
    starts: list[float]
    speakers: list[str] | None = None
    """Who says each cue ("" where the transcript does not say); None when nobody is named."""

    def speaker_at(self, cue: int) -> str | None:
        return (self.speakers[cue] or None) if self.speakers and cue < len(self.speakers) else None

    @property
    def chapter_key(self) -> str:
        return f"{self.video}:{self.chapter_index}"

    @property
    def key(self) -> str:
        return f"{self.chapter_key}:{self.number}"


def stored_passage(fields: dict[str, Any]) -> StoredPassage:
    text, offsets, hundredths = fields["passage"]
    meta = fields["meta"]
    return StoredPassage(
        video=fields["video"],
        episode_title=fields["episode_title"],
        channel=fields.get("channel", ""),
        chapter=meta.get("chapter_title") or fields["chapter"],
        chapter_index=meta["chapter_index"],
        number=meta.get("number", 0),
        chapter_start=meta["chapter_start"],
        chapter_source=meta["chapter_source"],
        url=meta["url"],
        text=text,
        offsets=offsets,
        starts=[value / 100 for value in hundredths],
        speakers=meta.get("speakers"),
    )


def channel_key(name: str) -> str:
    """A channel's name as one index term: filters on it are a single term lookup, where
    a phrase over a text field had to check positions in every passage of the channel."""
    return " ".join(name.lower().split())


CURRENT = "CURRENT"
"""The file in the index folder naming the live generation (a sub-folder). A rebuild
writes a whole new generation and then replaces this one small file, so a reader sees
the old index or the new, never a folder half-swapped."""


def live_folder(folder: Path) -> Path | None:
    """The generation that ``CURRENT`` names, or None when nothing was indexed yet."""
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise IndexMissingError(
            f"the index in {folder} cannot be read ({type(error).__name__}); "
            "run `chaptersearch rebuild`"
        ) from None
    if not name or name != Path(name).name:
        raise IndexMissingError(
            f"the index in {folder} is damaged (CURRENT names {name!r}); "
            "run `chaptersearch rebuild`"
        )
    return folder / name


def open_index(folder: Path, readonly: bool = True) -> Index:
    """The live index, or a clear error naming the home when there is none.

    Readers open it read-only and never mend anything: only a writer, holding the
    home's lock, may change files, so a search cannot race a rebuild's clean-up.
    """
    live = live_folder(folder)
    if live is None:
        if any(folder.glob("_MAIN_*.toc")):
            raise IndexMissingError(
                f"the index in {folder} was made by another version of chaptersearch; "
                "run `chaptersearch rebuild`"
            )
        raise IndexMissingError(
            f"no index in {folder.parent}: add episodes with `chaptersearch add FILE`, "
            "or run `chaptersearch rebuild` if the library already has them"
        )
    marker = live / VERSION_FILE
    try:
        version = marker.read_text().strip() if marker.is_file() else None
        ix = whoosh_index.open_dir(str(live), readonly=readonly)
    except Exception as error:  # Whoosh raises many types for a damaged index
        raise IndexUnreadableError(
            f"the index in {folder} cannot be opened ({type(error).__name__}); "
            "run `chaptersearch rebuild`"
        ) from error
    if version != SCHEMA_VERSION or sorted(ix.schema.names()) != sorted(make_schema().names()):
        ix.close()
        raise IndexMissingError(
            f"the index in {folder} was made by another version of chaptersearch; "
            "run `chaptersearch rebuild`"
        )
    return ix


def create_index(folder: Path) -> Index:
    """A new, empty index of this version in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), make_schema())
    (folder / VERSION_FILE).write_text(SCHEMA_VERSION)
    return ix
