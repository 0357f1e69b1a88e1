"""The real corpora in ../shared: which episodes, their episodes as chaptersearch reads
them, and the show-notes topic headings that serve as queries with known answers."""

import re
from dataclasses import dataclass
from pathlib import Path

from chaptersearch.library.store import safe_id
from chaptersearch.models import Episode, Given
from chaptersearch.sources.local import episode_from_file

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SHOWS = {"python-bytes": "Python Bytes", "talk-python": "Talk Python To Me"}


@dataclass(frozen=True)
class Source:
    path: Path
    channel: str

    @property
    def episode_id(self) -> str:
        return safe_id(self.path.stem)


def sources(corpus: Path) -> list[Source]:
    """Every transcript of both shows (``transcripts/``, not the YouTube duplicates),
    interleaved so any prefix holds both shows."""
    shows = [
        [Source(path, channel) for path in sorted((corpus / folder / "transcripts").glob("*.vtt"))]
        for folder, channel in SHOWS.items()
    ]
    mixed: list[Source] = []
    for index in range(max(len(show) for show in shows)):
        mixed.extend(show[index] for show in shows if index < len(show))
    return mixed


def load(source: Source) -> Episode:
    return episode_from_file(source.path, Given(channel=source.channel))


@dataclass(frozen=True)
class TopicQuery:
    """A show-notes topic heading: a real query whose answer is its episode."""

    text: str
    episode_id: str
    held_out: bool


_HEADING = re.compile(
    r"^\*\*(?:\(bonus\)\s*)?[A-Z][\w .'-]*?\s?#\s?\d+:?\s*(?:\*\*)?:?(?P<rest>.*)$"
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_GENERIC = {"extras", "extra", "joke", "jokes", "bonus", "joke:", "extras:", "links", ""}


def heading_title(line: str) -> str | None:
    """The title of a ``**Name #N:** [**Title**](link)`` heading, or None."""
    match = _HEADING.match(line.strip())
    if not match:
        return None
    text = _LINK.sub(r"\1", match.group("rest"))
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\s+", " ", text).strip(" :-–")
    if text.lower() in _GENERIC or not re.search(r"[A-Za-z]", text):
        return None
    return text


def topic_queries(corpus: Path, indexed: set[str]) -> list[TopicQuery]:
    """Headings of every show-notes file whose episode is indexed; every third one
    (in a fixed order) is held out of all tuning."""
    by_number = {
        int(source.path.name[:3]): source.episode_id
        for source in sources(corpus)
        if source.channel == "Python Bytes" and source.path.name[:3].isdigit()
    }
    queries: list[TopicQuery] = []
    for notes in sorted((corpus / "python-bytes" / "show_notes").glob("*.md")):
        episode_id = by_number.get(int(notes.stem)) if notes.stem.isdigit() else None
        if episode_id is None or episode_id not in indexed:
            continue
        for line in notes.read_text(encoding="utf-8").splitlines():
            title = heading_title(line)
            if title:
                queries.append(TopicQuery(title, episode_id, held_out=len(queries) % 3 == 2))
    return queries
