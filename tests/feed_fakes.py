"""Podcast feeds for tests, built at test time from the real data in ../shared.

Nothing here is copied into the repository: the Ship It! feed is served as archived,
with transcript pages made from the show's own transcripts in the corpus, and a Python
Bytes feed is written from the real VTT transcripts, each item exercising one thing a
real feed does (SRT under its three types, word-level JSON, HTML with times, plain
text only, none, two languages, the older namespace under another prefix, no guid).
Served with ``responses``: no test touches the network.
"""

import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import responses

from .helpers import SHARED

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
OLD_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
SHIPIT_FEED = "https://changelog.com/shipit/feed"
PB_FEED = "https://pythonbytes.fm/episodes/rss"
PB_SITE = "https://pythonbytes.fm"

_CUE = re.compile(
    r"(\d+):(\d{2}):(\d{2})\.(\d{3}) --> (\d+):(\d{2}):(\d{2})\.(\d{3})[^\n]*\n(.*?)(?:\n\n|\Z)",
    re.S,
)
_VOICE = re.compile(r"^<v ([^>]+)>")


def vtt_cues(path: Path) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker, text) of a VTT file, read plainly for building fixtures."""
    cues = []
    for match in _CUE.finditer(path.read_text(encoding="utf-8")):
        g = match.groups()
        start = int(g[0]) * 3600 + int(g[1]) * 60 + int(g[2]) + int(g[3]) / 1000
        end = int(g[4]) * 3600 + int(g[5]) * 60 + int(g[6]) + int(g[7]) / 1000
        text = " ".join(g[8].strip().splitlines())
        voice = _VOICE.match(text)
        speaker = voice.group(1) if voice else ""
        text = re.sub(r"<[^>]+>", "", text).strip()
        if text:
            cues.append((start, end, speaker, text))
    return cues


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def html_page(cues: list[tuple[float, float, str, str]], every: float = 180.0) -> str:
    """A transcript page as Changelog publishes one: speaker turns as paragraphs and a
    ``[MM:SS]`` stamp every few minutes."""
    paragraphs = []
    last = -every
    for start, _, speaker, text in cues:
        stamp = ""
        if start - last >= every:
            stamp = f"[{clock(start)}] "
            last = start
        label = f"<strong>{html.escape(speaker)}:</strong> " if speaker else ""
        paragraphs.append(f"<p>{label}{stamp}{html.escape(text)}</p>")
    body = "\n".join(paragraphs)
    return f"<!DOCTYPE html><html><head><title>Transcript</title></head><body>{body}</body></html>"


def time_tags_page(cues: list[tuple[float, float, str, str]], every: float = 120.0) -> str:
    """A transcript page in the spec's HTML shape: ``<cite>``, ``<time>``, ``<p>``."""
    parts = []
    last = -every
    for start, _, speaker, text in cues:
        if start - last >= every:
            parts.append(f"<cite>{html.escape(speaker or 'Host')}:</cite>")
            parts.append(f"<time>{clock(start)}</time>")
            last = start
        parts.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(parts)


def srt_text(cues: list[tuple[float, float, str, str]]) -> str:
    def stamp(seconds: float) -> str:
        whole = int(seconds)
        millis = round((seconds - whole) * 1000)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d},{millis:03d}"

    return "\n".join(
        f"{number}\n{stamp(start)} --> {stamp(end)}\n{text}\n"
        for number, (start, end, _, text) in enumerate(cues, 1)
    )


def word_json(cues: list[tuple[float, float, str, str]]) -> str:
    """The JSON transcript format with one segment per word, times spread over each cue."""
    segments = []
    for start, end, speaker, text in cues:
        words = text.split()
        step = max(end - start, 0.01) / max(len(words), 1)
        for index, word in enumerate(words):
            segments.append(
                {
                    "speaker": speaker or "Michael",
                    "startTime": round(start + index * step, 3),
                    "endTime": round(start + (index + 1) * step, 3),
                    "body": word,
                }
            )
    return json.dumps({"version": "1.0.0", "segments": segments})


def chapters_json(lines: list[tuple[float, str]], hidden: tuple[int, ...] = ()) -> str:
    chapters: list[dict[str, Any]] = []
    for index, (start, title) in enumerate(lines):
        chapter: dict[str, Any] = {"startTime": start, "title": title}
        if index in hidden:
            chapter["toc"] = False
        chapters.append(chapter)
    return json.dumps({"version": "1.2.0", "chapters": chapters})


def chapter_lines(path: Path) -> list[tuple[float, str]]:
    from chaptersearch.chapters.reading import parse_chapter_text

    marks, _ = parse_chapter_text(path.read_text(encoding="utf-8"))
    return [(mark.start, mark.title) for mark in marks]


@dataclass
class FakeFeed:
    """A feed's XML and every address it names, ready to serve."""

    url: str
    xml: str
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """address -> (content type, body)."""
    etag: str = '"v1"'
    missing: list[str] = field(default_factory=list)
    """Addresses the server answers with 404."""

    def serve(self, mock: responses.RequestsMock, not_modified: bool = True) -> None:
        """Register the feed (answering 304 to its own ETag) and its pages."""
        feed = self

        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            if not_modified and request.headers.get("If-None-Match") == feed.etag:
                return 304, {"ETag": feed.etag}, ""
            headers = {"ETag": feed.etag, "Last-Modified": "Mon, 30 Nov 2026 10:00:00 GMT"}
            return 200, headers, feed.xml

        mock.add_callback(
            responses.GET, self.url, callback=answer, content_type="application/rss+xml"
        )
        for address, (kind, body) in self.pages.items():
            mock.add(responses.GET, address, body=body, content_type=kind)
        for address in self.missing:
            mock.add(responses.GET, address, status=404)


def shared_ready() -> bool:
    return (SHARED / "corpora").is_dir() and (SHARED / "fixtures" / "podcast").is_dir()


def shipit_feed() -> FakeFeed:
    """The real Ship It! feed, its transcript pages made from the corpus (75 episodes) and
    its JSON chapters as published; the other episodes' pages answer 404."""
    folder = SHARED / "corpora" / "changelog" / "shipit"
    xml = (SHARED / "fixtures" / "podcast" / "changelog-ship-it.xml").read_text(encoding="utf-8")
    feed = FakeFeed(SHIPIT_FEED, xml)
    for number in re.findall(r"https://changelog\.com/shipit/(\d+)/transcript", xml):
        vtt = folder / f"{number}.vtt"
        chapters = folder / f"{number}.chapters.json"
        if not vtt.is_file():
            feed.missing.append(f"https://changelog.com/shipit/{number}/transcript")
        if vtt.is_file():
            feed.pages[f"https://changelog.com/shipit/{number}/transcript"] = (
                "text/html; charset=utf-8",
                html_page(vtt_cues(vtt)),
            )
        if chapters.is_file():
            feed.pages[f"https://changelog.com/shipit/{number}/chapters"] = (
                "application/json",
                chapters.read_text(encoding="utf-8"),
            )
    return feed


@dataclass
class PbItem:
    number: int
    title: str
    transcripts: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(url, type, language) of each transcript tag."""
    chapters_url: str | None = None
    description: str = ""
    namespace: str = "podcast"
    guid: bool = True
    seconds: float = 1800.0


PB_FIRST, PB_LAST = 21, 60
"""The episodes the Python Bytes feed lists: 40 real ones."""


def pb_transcript_files() -> dict[int, Path]:
    folder = SHARED / "corpora" / "python-bytes" / "transcripts"
    files: dict[int, Path] = {}
    for path in sorted(folder.glob("*.vtt")):
        match = re.match(r"(\d{3})", path.name)
        if match:
            files.setdefault(int(match.group(1)), path)
    return files


def pb_title(path: Path) -> str:
    words = re.sub(r"^\d+[-_]", "", path.stem).replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def python_bytes_feed(extra: int = 0) -> FakeFeed:
    """A Python Bytes feed of 40 real episodes (21-60), newest first, each item showing
    one thing real feeds do; ``extra`` more items (61 on) make a later read's news."""
    files = pb_transcript_files()
    site = PB_SITE
    pages: dict[str, tuple[str, str]] = {}
    items: list[PbItem] = []
    for number in range(PB_FIRST, PB_LAST + 1 + extra):
        path = files[number]
        cues = vtt_cues(path)
        item = PbItem(number, f"#{number} {pb_title(path)}", seconds=cues[-1][1])
        vtt_url = f"{site}/episodes/transcript/{number}.vtt"
        special = {51: "application/x-subrip", 52: "application/srt", 53: "text/srt"}
        if number in special:
            url = f"{site}/episodes/transcript/{number}.srt"
            pages[url] = (special[number], srt_text(cues))
            item.transcripts.append((url, special[number], None))
        elif number == 54:
            url = f"{site}/episodes/transcript/{number}.json"
            pages[url] = ("application/json", word_json(cues))
            item.transcripts.append((url, "application/json", None))
        elif number == 55:
            url = f"{site}/episodes/transcript/{number}.html"
            pages[url] = ("text/html", time_tags_page(cues))
            item.transcripts.append((url, "text/html", None))
        elif number == 56:
            url = f"{site}/episodes/transcript/{number}.txt"
            pages[url] = ("text/plain", " ".join(cue[3] for cue in cues))
            item.transcripts.append((url, "text/plain", None))
        elif number == 57:
            pass
        else:
            pages[vtt_url] = ("text/vtt", path.read_text(encoding="utf-8"))
            item.transcripts.append((vtt_url, "text/vtt", "en" if number == 58 else None))
        if number == 58:
            url = f"{site}/episodes/transcript/{number}.es.vtt"
            spanish = "WEBVTT\n\n" + "\n".join(
                f"{clock(start)}.000 --> {clock(end)}.000\nhablamos de python en español {i}\n"
                for i, (start, end, _, _) in enumerate(cues[:40])
            )
            pages[url] = ("text/vtt", spanish)
            item.transcripts.insert(0, (url, "text/vtt", "es"))
        if number in (48, 50):
            source = EXAMPLES / ("048-chapters.txt" if number == 48 else "050-chapters.md")
            url = f"{site}/episodes/chapters/{number}.json"
            pages[url] = ("application/json+chapters", chapters_json(chapter_lines(source), (0,)))
            item.chapters_url = url
        if number == 49:
            item.description = (
                "<p>Topics:</p><ul>"
                + "".join(
                    f"<li>{clock(start)} {html.escape(title)}</li>"
                    for start, title in chapter_lines(EXAMPLES / "049-chapters.txt")
                )
                + "</ul>"
            )
        if number == 59:
            item.namespace = "pc"
        if number == 60:
            item.guid = False
        items.append(item)
    return FakeFeed(PB_FEED, pb_rss(items), pages)


def pb_rss(items: list[PbItem]) -> str:
    first = datetime(2017, 4, 10, 8, 0, tzinfo=UTC)
    entries = []
    for item in reversed(items):
        when = first + timedelta(weeks=item.number - PB_FIRST)
        prefix = item.namespace
        tags = "".join(
            f'<{prefix}:transcript url="{url}" type="{kind}"'
            + (f' language="{language}"' if language else "")
            + " />"
            for url, kind, language in item.transcripts
        )
        if item.chapters_url:
            kind = "application/json+chapters"
            tags += f'<{prefix}:chapters url="{item.chapters_url}" type="{kind}"/>'
        guid = f'<guid isPermaLink="false">pb-{item.number:04d}</guid>' if item.guid else ""
        media = f"{PB_SITE}/episodes/download/{item.number}/episode.mp3"
        entries.append(
            f"""<item>
  <title>{html.escape(item.title)}</title>
  {guid}
  <link>{PB_SITE}/episodes/show/{item.number}</link>
  <pubDate>{format_datetime(when)}</pubDate>
  <enclosure url="{media}" length="1" type="audio/mpeg"/>
  <itunes:duration>{clock(item.seconds)}</itunes:duration>
  <description>{html.escape(item.description or item.title)}</description>
  {tags}
</item>"""
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="{PODCAST_NS}" xmlns:pc="{OLD_NS}">
<channel>
  <title>Python Bytes</title>
  <link>{PB_SITE}/</link>
  <language>en-us</language>
  <description>Python headlines delivered directly to your earbuds</description>
  {body}
</channel>
</rss>"""


TINY_FEED = "https://tiny.example/podcast/feed.xml"


def tiny_vtt(said: str, seconds: float = 600.0) -> str:
    """A made-up VTT transcript of ``seconds`` with ``said`` spoken at 2:00."""
    from .helpers import talk, vtt_text

    return vtt_text(talk(seconds, {120.0: said}))


def tiny_item(
    number: int,
    tags: str = "",
    guid: bool = True,
    title: str | None = None,
    description: str = "",
) -> str:
    """An RSS item of the tiny feed; ``tags`` are its podcast tags, written as given."""
    when = format_datetime(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=number))
    return f"""<item>
  <title>{title or f"Episode {number}"}</title>
  {f"<guid>tiny-{number}</guid>" if guid else ""}
  <link>https://tiny.example/episodes/{number}</link>
  <pubDate>{when}</pubDate>
  <enclosure url="https://cdn.tiny.example/{number}.mp3" type="audio/mpeg" length="1"/>
  <description>{html.escape(description)}</description>
  {tags}
</item>"""


def tiny_rss(*items: str, head: str = "", language: str = "en") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{head}
<rss version="2.0" xmlns:podcast="{PODCAST_NS}"
     xmlns:psc="http://podlove.org/simple-chapters">
<channel><title>Tiny Show</title><link>https://tiny.example/</link>
<language>{language}</language>
{"".join(items)}
</channel></rss>"""


def transcript_tag(url: str, kind: str = "text/vtt", language: str | None = None) -> str:
    extra = f' language="{language}"' if language else ""
    return f'<podcast:transcript url="{url}" type="{kind}"{extra}/>'
