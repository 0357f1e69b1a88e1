"""Read a podcast feed (RSS 2.0 or Atom) into items: details, transcripts and chapters.

Two readers over the same bytes, each for what it does best. defusedxml goes first: it
refuses entity declarations and external entities (billion laughs, a DTD naming a local
file) before anything trusts the XML, and its tree gives each item's own
``<podcast:transcript>`` and ``<podcast:chapters>`` tags (all of them, under both
namespace URIs, whatever the prefix) and Podlove chapters. feedparser then reads the
details (dates in every shape feeds use, durations, links, enclosures, content), from
bytes, so it never fetches anything itself.
"""

import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urljoin

from ..errors import ChapterSearchError
from ..timecode import parse_clock

PODCAST_NAMESPACES = (
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
PODLOVE = "http://podlove.org/simple-chapters"
ATOM = "http://www.w3.org/2005/Atom"
RDF_ITEM = "{http://purl.org/rss/1.0/}item"


class FeedError(ChapterSearchError):
    """A document that is not a feed, or one refused as unsafe."""


@dataclass(frozen=True)
class TranscriptLink:
    """One ``<podcast:transcript>`` of an item."""

    url: str
    type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class ChaptersLink:
    """An item's ``<podcast:chapters>``."""

    url: str
    type: str


@dataclass
class FeedItem:
    """One episode as a feed lists it, before anything it points at is fetched."""

    key: str
    """The item's guid, else its enclosure URL: what its episode id is made from."""
    title: str
    published: date | None = None
    duration: float | None = None
    page: str | None = None
    media: str | None = None
    media_type: str | None = None
    description: str = ""
    content: str = ""
    transcripts: list[TranscriptLink] = field(default_factory=list)
    chapters: ChaptersLink | None = None
    podlove: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Feed:
    """A feed's show and its items, newest first; ``unnamed`` counts items with neither
    a guid nor an enclosure (they cannot be told apart on a later read, so are left out)
    and ``repeated`` items whose guid (or enclosure) an item newer than them has (they
    would be the same episode)."""

    kind: str
    title: str
    language: str | None
    page: str | None
    items: list[FeedItem]
    unnamed: int = 0
    repeated: int = 0


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def safe_tree(body: bytes, url: str) -> Any:
    """The feed's XML tree, refusing entity declarations and external entities."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise FeedError(
            f"{url}: refused: the feed declares XML entities or external references "
            f"({type(error).__name__}); a podcast feed needs neither"
        ) from None
    except ParseError as error:
        if _looks_like_html(body):
            raise FeedError(_web_page(url)) from None
        raise FeedError(f"{url}: not an RSS or Atom feed (XML error: {error})") from None


def _web_page(url: str) -> str:
    return (
        f"{url}: is a web page, not a feed; give the feed's address "
        "(the page's RSS link, often ending in /feed or .xml)"
    )


def _items(root: Any, url: str) -> tuple[str, list[Any]]:
    name = _local(root.tag)
    if name == "rss":
        channel = root.find("channel")
        return "rss", [] if channel is None else list(channel.iter("item"))
    if name == "RDF":
        return "rss", list(root.iter(RDF_ITEM))
    if name == "feed" and _namespace(root.tag) == ATOM:
        return "atom", list(root.iter(f"{{{ATOM}}}entry"))
    if name.lower() == "html":
        raise FeedError(_web_page(url))
    raise FeedError(f"{url}: not an RSS or Atom feed (its root element is <{name}>)")


def _podcast_tags(element: Any, name: str) -> list[Any]:
    return [
        child
        for child in element
        if _local(child.tag) == name and _namespace(child.tag) in PODCAST_NAMESPACES
    ]


def _transcripts(element: Any) -> list[TranscriptLink]:
    links = []
    for tag in _podcast_tags(element, "transcript"):
        url = (tag.get("url") or "").strip()
        if url:
            links.append(
                TranscriptLink(
                    url=url,
                    type=(tag.get("type") or "").strip().lower(),
                    language=(tag.get("language") or "").strip() or None,
                    rel=(tag.get("rel") or "").strip() or None,
                )
            )
    return links


def _chapters(element: Any) -> ChaptersLink | None:
    for tag in _podcast_tags(element, "chapters"):
        url = (tag.get("url") or "").strip()
        if url:
            return ChaptersLink(url=url, type=(tag.get("type") or "").strip().lower())
    return None


def _podlove(element: Any) -> list[tuple[float, str]]:
    marks = []
    for block in element.iter(f"{{{PODLOVE}}}chapters"):
        for tag in block.iter(f"{{{PODLOVE}}}chapter"):
            start = _clock_or_none((tag.get("start") or "").strip())
            title = (tag.get("title") or "").strip()
            if start is not None and title:
                marks.append((start, title))
    return marks


_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


def _clock_or_none(text: str) -> float | None:
    """Seconds from ``1234``, ``12:34``, ``1:02:03`` or ``01:02:03.500`` (Podlove's
    normal play time and iTunes durations); None for anything else."""
    if not text:
        return None
    try:
        if _SECONDS.match(text):
            return float(text)
        return parse_clock(text)
    except ValueError:
        return None


def _date(entry: Any) -> date | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed = entry.get(name)
        if parsed:
            try:
                return date(parsed[0], parsed[1], parsed[2])
            except (TypeError, ValueError):
                continue
    return None


def _enclosure(entry: Any) -> tuple[str | None, str | None]:
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and link.get("href"):
            return str(link["href"]).strip(), link.get("type")
    return None, None


def _content(entry: Any) -> str:
    for block in entry.get("content", []) or []:
        value = block.get("value")
        if value:
            return str(value)
    return ""


def _item(element: Any, entry: Any, base: str) -> FeedItem | None:
    """One item, its addresses read against ``base`` (the feed's own address), as a
    browser reads a relative link: ``/t/1.vtt`` is on the feed's host. Its key stays
    the guid or the enclosure as written, so ids made before this do not change."""
    media, media_type = _enclosure(entry)
    guid = str(entry.get("id") or "").strip()
    key = guid or media
    if not key:
        return None
    duration = _clock_or_none(str(entry.get("itunes_duration") or "").strip())
    page = str(entry.get("link") or "").strip() or None
    return FeedItem(
        key=key,
        title=str(entry.get("title") or "").strip() or key,
        published=_date(entry),
        duration=duration if duration and duration > 0 else None,
        page=page and _absolute(base, page),
        media=media and _absolute(base, media),
        media_type=media_type,
        description=str(entry.get("summary") or ""),
        content=_content(entry),
        transcripts=[
            replace(link, url=_absolute(base, link.url)) for link in _transcripts(element)
        ],
        chapters=_absolute_chapters(base, _chapters(element)),
        podlove=_podlove(element),
    )


def _absolute(base: str, url: str) -> str:
    """``url`` read against ``base``; an address with a scheme of its own (``file:``
    too, which the fetch then refuses) is left as written."""
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _absolute_chapters(base: str, link: ChaptersLink | None) -> ChaptersLink | None:
    return None if link is None else replace(link, url=_absolute(base, link.url))


def read_feed(body: bytes, url: str, base: str | None = None) -> Feed:
    """A feed from its bytes: recognised by its content (an RSS or Atom root), items
    newest first, relative addresses read against ``base`` (where it was read from,
    redirects followed; else ``url``). Items without a guid or an enclosure, and items
    repeating a newer one's, are counted, not kept."""
    import feedparser

    root = safe_tree(body, url)
    kind, elements = _items(root, url)
    # no HTML sanitising or URL rewriting inside descriptions: they become plain text
    # (``feed_chapters.notes_text``) and every output escapes them; it made reading a feed
    # three times slower
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries", [])
    if len(entries) != len(elements):
        raise FeedError(
            f"{url}: the feed's items could not be read consistently "
            f"({len(elements)} in the XML, {len(entries)} understood)"
        )
    items: list[FeedItem] = []
    unnamed = 0
    for element, entry in zip(elements, entries, strict=True):
        item = _item(element, entry, base or url)
        if item is None:
            unnamed += 1
        else:
            items.append(item)
    items.sort(key=lambda item: item.published or date.min, reverse=True)
    items, repeated = _first_of_each(items)
    channel = parsed.get("feed", {})
    language = str(channel.get("language") or "").strip() or None
    return Feed(
        kind=kind,
        title=str(channel.get("title") or "").strip() or url,
        language=language,
        page=str(channel.get("link") or "").strip() or None,
        items=items,
        unnamed=unnamed,
        repeated=repeated,
    )


def _first_of_each(items: list[FeedItem]) -> tuple[list[FeedItem], int]:
    """The items with each key once (the first, the newest), and how many repeated one."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            kept.append(item)
    return kept, len(items) - len(kept)
