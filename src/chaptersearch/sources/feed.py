"""Make episodes from a podcast feed: one per item with a timed transcript (or, asked
to, one per item with audio, transcribed here: ``feed_audio``).

``plan_feed`` reads the feed (conditionally, when validators from the last read are
given) and lists its items newest first, each with an id made from the feed's address
and the item's guid (or enclosure URL), so a later read finds the same episode however
its title changes. ``fetch_feed_episode`` then fetches one item's transcript and
chapters, and ``episode_from_feed`` makes the episode; what was fetched besides the
cues is kept in ``Episode.fetched``, so ``edit`` and ``rebuild`` never need the network.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ..chapters.reading import ChapterMark, build_chapters
from ..chapters.topics import cut_by, topic_chapters
from ..errors import ChapterError, ChapterSearchError, Skipped, TranscriptError
from ..library.store import safe_id
from ..models import MAX_SECONDS, Chapter, Cue, Episode, Given, Mark, Origin, cut_at
from ..output.terminal import plural
from .details import given_chapters
from .feed_chapters import (
    FeedChapters,
    description_chapters,
    json_chapters,
    notes_text,
    podlove_chapters,
)
from .feed_http import MEGABYTE, FetchError, RefusedAddress, fetch, is_http
from .feed_transcripts import UntimedTranscript, decode, format_rank, read_feed_transcript
from .feeds import FeedItem, TranscriptLink, read_feed

if TYPE_CHECKING:
    from ..output.hearing import ProgressFor

MAX_FEED_BYTES = 32 * MEGABYTE
"""Large real feeds (a daily show's whole history) are a few MB; 32 MB is generous."""
MAX_TRANSCRIPT_BYTES = 8 * MEGABYTE
"""A four-hour episode's word-level JSON transcript is about 3 MB."""
MAX_CHAPTERS_BYTES = MEGABYTE
NO_TIMED = "no timed transcript"
_GENERIC = frozenset(
    "feed feeds rss atom xml podcast podcasts episodes index audio mp3 rss2 itunes".split()
)


@dataclass(frozen=True)
class Transcribing:
    """How to transcribe items that publish no transcript (``add --transcribe``): the
    speech model, and the progress to report for an item."""

    model: str | None = None
    progress_for: "ProgressFor | None" = None


@dataclass(frozen=True)
class Show:
    """The feed an item came from, as its episodes need it."""

    url: str
    title: str
    language: str | None


@dataclass(frozen=True, eq=False)
class FeedEpisode:
    """One item of a feed to add: what ``add_sources`` is handed for it."""

    show: Show
    item: FeedItem
    episode_id: str
    kind: str = "feed-item"

    def __str__(self) -> str:
        return f"{self.episode_id} ({self.item.title})"


@dataclass
class FeedPlan:
    """A feed as read: its items to try (newest first) and the validators for next time."""

    url: str
    title: str
    kind: str
    items: list[FeedEpisode] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    unnamed: int = 0
    repeated: int = 0

    def left_out(self) -> list[str]:
        """Lines on the items that were read but can be no episode, so none vanishes
        without a word."""
        lines = []
        if self.unnamed:
            have = "has" if self.unnamed == 1 else "have"
            lines.append(
                f"{plural(self.unnamed, 'item')} {have} neither guid nor enclosure: left out"
            )
        if self.repeated:
            verb = "repeats" if self.repeated == 1 else "repeat"
            lines.append(
                f"{plural(self.repeated, 'item')} {verb} the guid (or enclosure) of a newer "
                "item: left out"
            )
        return lines


def feed_slug(url: str) -> str:
    """A short readable name for a feed from its address: the last path part that is not
    a word every feed URL has (``/shipit/feed`` gives ``shipit``), else the site name."""
    parsed = urlparse(url)
    for part in reversed([p for p in parsed.path.split("/") if p]):
        stem = part.rsplit(".", 1)[0].lower()
        if stem and stem not in _GENERIC:
            return safe_id(stem)[:24].strip("-.") or "feed"
    host = (parsed.hostname or "feed").removeprefix("www.").removeprefix("feeds.")
    return safe_id(host.split(".")[0])[:24] or "feed"


def feed_episode_id(feed_url: str, key: str) -> str:
    """An item's episode id: the feed's short name and a digest of the feed's address and
    the item's guid (or enclosure URL), so it is stable when titles change, safe as a
    file name, and short enough to type the start of."""
    digest = hashlib.sha256(f"{feed_url.strip()}\n{key.strip()}".encode()).hexdigest()[:10]
    return f"{feed_slug(feed_url)}-{digest}"


def plan_feed(
    url: str,
    session: Any,
    limit: int | None = None,
    since: date | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FeedPlan:
    """Read a feed and list its items to add, newest first, ``since`` a date and at most
    ``limit`` of them; a feed not modified since the validators given lists none."""
    got = fetch(session, url, MAX_FEED_BYTES, "feed", etag, last_modified)
    if got.not_modified:
        return FeedPlan(
            url=url, title="", kind="", not_modified=True, etag=etag, last_modified=last_modified
        )
    feed = read_feed(got.body, url, got.url)
    show = Show(url=url, title=feed.title, language=feed.language)
    items = [item for item in feed.items if since is None or (item.published or date.min) >= since]
    if limit is not None:
        items = items[:limit]
    return FeedPlan(
        url=url,
        title=feed.title,
        kind=feed.kind,
        items=[FeedEpisode(show, item, feed_episode_id(url, item.key)) for item in items],
        etag=got.etag,
        last_modified=got.last_modified,
        unnamed=feed.unnamed,
        repeated=feed.repeated,
    )


def _primary(language: str | None) -> str:
    return (language or "").split("-", 1)[0].split("_", 1)[0].strip().lower()


def transcript_candidates(
    item: FeedItem, languages: list[str] | None, feed_language: str | None
) -> list[TranscriptLink]:
    """The item's timed transcripts in the order to try: the wanted languages first (by
    default the feed's own, a transcript without a language taken to be in it), then
    any; within a language WebVTT, SRT, JSON, then HTML. Untimed types are left out."""
    wanted = [_primary(code) for code in (languages or [feed_language or ""]) if _primary(code)]

    def language_rank(link: TranscriptLink) -> int:
        spoken = _primary(link.language or feed_language)
        return wanted.index(spoken) if spoken in wanted else len(wanted)

    timed = [link for link in item.transcripts if format_rank(link.type) is not None]
    return sorted(timed, key=lambda link: (language_rank(link), format_rank(link.type) or 0))


def _fetch_transcript(
    item: FeedItem, session: Any, languages: list[str] | None, show: Show
) -> tuple[list[Cue], TranscriptLink]:
    """The cues of the best transcript that can be read. An HTML page without times
    passes to the next; the first real failure is the episode's if none can be read."""
    candidates = transcript_candidates(item, languages, show.language)
    if not candidates:
        raise Skipped(f"{item.title}: {NO_TIMED}")
    first_error: ChapterSearchError | None = None
    for link in candidates:
        try:
            got = fetch(session, link.url, MAX_TRANSCRIPT_BYTES, "transcript")
            return read_feed_transcript(got.body, link.type, link.url), link
        except UntimedTranscript:
            continue
        except (FetchError, TranscriptError) as error:
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    raise Skipped(f"{item.title}: {NO_TIMED}")


def _fetch_chapters(item: FeedItem, session: Any) -> FeedChapters | None:
    """The item's own chapters: its JSON chapters file, else its Podlove chapters, else
    times in its show notes; None when it has none. A chapters file that cannot be read
    fails the episode (its reason says which file)."""
    link = item.chapters
    if link is not None:
        if not is_http(link.url):
            raise RefusedAddress(
                f"chapters at {link.url[:120]!r} refused: only http(s) addresses are followed"
            )
        got = fetch(session, link.url, MAX_CHAPTERS_BYTES, "chapters")
        marks = json_chapters(decode(got.body, link.url), link.url)
        if marks:
            return FeedChapters(marks, "feed", f"podcast:chapters {link.url}")
    found = podlove_chapters(item.podlove)
    return found or description_chapters(item.content, item.description)


def fetch_feed_episode(
    entry: FeedEpisode,
    session: Any,
    languages: list[str] | None,
    given: Given | None = None,
    transcribing: Transcribing | None = None,
) -> Episode:
    """Fetch an item's transcript (most failures show there), then its chapters. An
    item without a timed transcript is transcribed from its audio when ``transcribing``
    says how (``add --transcribe``); one whose transcript fails is not (the failure is
    the episode's, tried again by ``update``)."""
    item = entry.item
    heard: list[Mark] = []
    try:
        cues, link = _fetch_transcript(item, session, languages, entry.show)
        about = {"url": link.url, "type": link.type, "language": link.language}
    except Skipped:
        if transcribing is None:
            raise
        from .feed_audio import transcribe_enclosure

        progress_for = transcribing.progress_for
        progress = progress_for(item.title) if progress_for else None
        cues, about, heard = transcribe_enclosure(
            item, entry.show.language, session, transcribing.model, languages, progress
        )
    about["language"] = about["language"] or entry.show.language
    chapters = _fetch_chapters(item, session)
    if chapters is None and heard:  # the feed has none: the audio file's own
        marks = [ChapterMark(mark.start, mark.title) for mark in heard]
        chapters = FeedChapters(marks, "creator", "the audio file's chapters")
    fetched = {
        "feed": {"url": entry.show.url, "title": entry.show.title},
        "item": {
            "key": item.key,
            "title": item.title,
            "published": item.published.isoformat() if item.published else None,
            "duration": item.duration,
            "page": item.page if item.page and is_http(item.page) else None,
            "media": item.media if item.media and is_http(item.media) else None,
            "media_type": item.media_type,
        },
        "transcript": about,
        "chapters": None
        if chapters is None
        else {
            "source": chapters.source,
            "from": chapters.origin,
            "marks": [[mark.start, mark.title] for mark in chapters.marks],
            "notes": list(chapters.notes),
        },
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    description = notes_text(item.description or item.content).strip()
    return episode_from_feed(entry.episode_id, cues, fetched, given, description)


def _chapters(
    fetched: dict[str, Any], duration: float, given: Given, cues: list[Cue]
) -> tuple[list[Chapter], list[str], str | None]:
    """The user's chapters win; then the feed's (JSON, Podlove or description, as
    fetched); else chapters cut where the talk changes topic. YouTube's rules are no
    concern of a podcast."""
    fitted = given_chapters(given, duration, cues)
    if fitted:
        return fitted[0], fitted[1], given.chapters_from
    kept = fetched.get("chapters") or {}  # as ``_only_used`` left them: each is used
    notes = [str(note) for note in kept.get("notes") or []]
    if kept.get("marks"):
        marks = [ChapterMark(float(start), str(title)) for start, title in kept["marks"]]
        chapters, more = build_chapters(marks, duration, source=kept["source"])
        return chapters, notes + more, str(kept.get("from") or "")
    return topic_chapters(cues, duration), notes, None


def _only_used(fetched: dict[str, Any], duration: float) -> dict[str, Any]:
    """What was fetched with only the chapter marks the episode uses (those
    ``build_chapters`` keeps, its notes kept beside them, so an episode made again says
    the same) and without the description (``Episode.description`` holds it): a
    description listing thousands of times is not kept twice over."""
    item = {name: value for name, value in fetched["item"].items() if name != "description"}
    kept = fetched.get("chapters") or {}
    if not kept.get("marks"):
        return {**fetched, "item": item}
    marks = [ChapterMark(float(start), str(title)) for start, title in kept["marks"]]
    try:
        chapters, notes = build_chapters(marks, duration, source=kept["source"])
    except ChapterError as error:
        used: list[list[Any]] = []
        notes = [f"the feed's chapters were not used: {error}"]
    else:
        used = [
            [chapter.start, chapter.title] for chapter in chapters if chapter.source != "generated"
        ]
    noted = [*(kept.get("notes") or []), *notes]
    return {**fetched, "item": item, "chapters": {**kept, "marks": used, "notes": noted}}


def _published(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


_CLEAN_DESCRIPTION = re.compile(r"\n{3,}")


def episode_from_feed(
    episode_id: str,
    cues: list[Cue],
    fetched: dict[str, Any],
    given: Given | None = None,
    description: str | None = None,
) -> Episode:
    """An episode from an item's cues and what was fetched with them, with the details
    the user gave in place of the feed's. The link is the media file (a hit opens it at
    its second with ``#t=``); the episode's page is kept beside it. ``description`` is
    the show notes as text (an entry made again passes its own; entries written before
    it was kept apart hold it in ``fetched``)."""
    given = given or Given()
    item = fetched["item"]
    if description is None:
        description = str(item.get("description") or "")
    listed = item.get("duration") or 0.0
    spoken = max(cue.end for cue in cues)
    duration = max(spoken, float(listed)) if 0 < float(listed) <= MAX_SECONDS else spoken
    fetched = _only_used(fetched, duration)
    chapters, notes, chapters_from = _chapters(fetched, duration, given, cues)
    cues = cut_at(cues, [chapter.start for chapter in chapters[1:]])
    return Episode(
        id=episode_id,
        title=given.title or item.get("title") or episode_id,
        channel=given.channel or fetched["feed"].get("title") or "",
        url=given.url or item.get("media") or item.get("page"),
        page=item.get("page"),
        published=given.published or _published(item.get("published")),
        duration=duration,
        language=fetched["transcript"].get("language"),
        transcript_source=fetched["transcript"].get("made_by"),
        description=_CLEAN_DESCRIPTION.sub("\n\n", description),
        chapters=chapters,
        cues=cues,
        origin=Origin(kind="feed", location=fetched["feed"]["url"], chapters_from=chapters_from),
        given=given,
        chapter_notes=notes,
        chapters_cut_by=cut_by(chapters),
        fetched=fetched,
    )
