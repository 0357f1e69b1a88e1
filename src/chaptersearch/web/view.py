"""What the page shows, prepared from hits and episodes: plain data for the templates
(which escape it) and for the JSON API (which the page's script renders as text)."""

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from ..hit import Hit
from ..ids import match_id
from ..models import Episode, Summary
from ..output.context import cue_index_at
from ..output.links import is_web_url
from ..output.places import Place
from ..timecode import format_clock, last_at
from ..urls import youtube_video_id

MEDIA = {
    ".mp3": "audio",
    ".m4a": "audio",
    ".ogg": "audio",
    ".oga": "audio",
    ".wav": "audio",
    ".opus": "audio",
    ".mp4": "video",
    ".webm": "video",
    ".m4v": "video",
    ".mov": "video",
}


@functools.cache
def help_blocks(text: str | None = None) -> list[dict[str, str]]:
    """The query language as ``chaptersearch search -h`` explains it (``QUERY_HELP``,
    one text for both, so the page never tells another story), cut into the blocks a
    page shows: ``**headings**``, indented examples (kept as typed) and paragraphs.
    Cut once: every page asks for it, and nothing changes it."""
    if text is None:
        from ..cli import QUERY_HELP

        text = QUERY_HELP
    blocks: list[dict[str, str]] = []
    for chunk in text.strip().split("\n\n"):
        lines = chunk.splitlines()
        if all(line.startswith("    ") for line in lines):
            blocks.append({"kind": "code", "text": "\n".join(line[4:] for line in lines)})
        elif len(lines) == 1 and chunk.startswith("**") and chunk.endswith("**"):
            blocks.append({"kind": "heading", "text": chunk.strip("*")})
        else:
            blocks.append({"kind": "paragraph", "text": " ".join(lines)})
    return blocks


def player_of(url: str | None) -> dict[str, str | None]:
    """How a hit plays in place: the YouTube player, an audio or video element for a
    media file, or nothing (the link opens it)."""
    video = youtube_video_id(url)
    if video:
        return {"kind": "youtube", "youtube": video, "media": None}
    if url:
        base = url.split("#", 1)[0]
        path = urlparse(base).path.lower()
        for suffix, kind in MEDIA.items():
            if path.endswith(suffix):
                return {"kind": kind, "youtube": None, "media": base}
    return {"kind": "link", "youtube": None, "media": None}


def segments(hit: Hit) -> list[dict[str, Any]]:
    """The snippet as pieces, each marked as matched or not."""
    return pieces(hit.snippet, hit.highlights)


def missing_view(episode_id: str, ids: list[str], unreadable: bool) -> dict[str, Any]:
    """What the page says of an episode it cannot show: in its own words, since the
    library's errors name the home's path, which a page has no business showing; with
    the ids that were perhaps meant."""
    if unreadable:
        return {
            "error": f"The library entry {episode_id!r} cannot be read; "
            "`chaptersearch rebuild` names the problem.",
            "suggestions": [],
        }
    meant = match_id(episode_id, ids)
    if meant.starting:
        return {
            "error": f"{episode_id!r} is the start of {len(meant.starting)} episode ids.",
            "suggestions": meant.starting[:10],
        }
    return {"error": f"No episode {episode_id!r} in this library.", "suggestions": meant.close}


def hit_view(hit: Hit) -> dict[str, Any]:
    """A hit with the same fields as ``search --json``, plus what the page needs."""
    data = hit.to_json()
    data.update(
        {
            "at": format_clock(hit.start),
            "chapter_at": format_clock(hit.chapter_start),
            "segments": segments(hit),
            "player": player_of(hit.url),
            "link": hit.url if hit.url and is_web_url(hit.url) else None,
            "episode_page": f"/episodes/{hit.video_id}?{urlencode({'t': int(hit.start)})}",
        }
    )
    return data


def group_by_episode(hits: list[Hit]) -> list[dict[str, Any]]:
    """Hits grouped by episode, episodes in the order of their best hit."""
    groups: dict[str, dict[str, Any]] = {}
    for hit in hits:
        group = groups.setdefault(
            hit.video_id,
            {
                "video_id": hit.video_id,
                "title": hit.episode_title,
                "channel": hit.channel,
                "hits": [],
            },
        )
        group["hits"].append(hit_view(hit))
    return list(groups.values())


def episode_view(
    episode: Episode,
    hits: list[Hit],
    moment: float,
    query: str,
    places: Sequence[Place] = (),
) -> dict[str, Any]:
    """An episode page: its chapters laid on a timeline (SVG, in per cent of the episode),
    every place the query's words are said marked on it and highlighted in the
    transcript, and the transcript with the cue at ``moment`` current. Hits that no word
    explains (found by meaning, or by a chapter's title) are marked at their moment."""
    length = max(episode.duration, 1.0)

    def link(seconds: float) -> str:
        """The moment alone: the page names its query once (``data-query``) and the
        script adds it to the link followed; repeated in every link, a query of 1,000
        characters made a page of a transcript's length times that."""
        return f"/episodes/{quote(episode.id)}?{urlencode({'t': int(seconds)})}"

    chapters = [
        {
            "title": chapter.title,
            "at": format_clock(chapter.start),
            "start": chapter.start,
            "x": round(100 * chapter.start / length, 3),
            "width": round(100 * max(chapter.end - chapter.start, 0) / length, 3),
            "source": chapter.source,
            "made_up": chapter.source == "generated",
            "span": chapter.source == "generated"  # its title is its span: "0:00–10:00"
            and chapter.title.startswith(format_clock(chapter.start)),
            "link": link(chapter.start),
        }
        for chapter in episode.chapters
    ]
    current = cue_index_at(episode.cues, moment, whole=True)  # links give whole seconds
    spans: dict[int, list[tuple[int, int]]] = {}
    for place in places:
        for span in place.spans:
            spans.setdefault(span.cue, []).append((span.start, span.end))
    cues = transcript_page(episode, current, spans)
    marks = [
        {
            "x": round(100 * place.start / length, 3),
            "at": format_clock(place.start),
            "link": link(place.start),
            "cue": place.cue,
            "kind": "full" if place.full else "partial",
            "said": " … ".join(
                episode.cues[span.cue].text[span.start : span.end] for span in place.spans[:4]
            ),
        }
        for place in places
    ]
    marked = {place.cue for place in places}
    starts = [cue.start for cue in episode.cues]
    for hit in hits:
        where = last_at(starts, hit.start)
        if hit.matched != "words" and where not in marked:
            marked.add(where)
            how = "by meaning" if hit.matched == "meaning" else "the chapter title"
            marks.append(
                {
                    "x": round(100 * hit.start / length, 3),
                    "at": format_clock(hit.start),
                    "link": link(hit.start),
                    "cue": where,
                    "kind": "other",
                    "said": f"matched {how}",
                }
            )
    return {
        "episode": episode,
        "chapters": chapters,
        "made_up": all(chapter["made_up"] for chapter in chapters),
        "cues": cues,
        "current": current,
        "marks": marks,
        "full": sum(place.full for place in places),
        "partial": sum(not place.full for place in places),
        "query": query,
        "moment": moment,
        "at": format_clock(moment),
        "player": player_of(episode.url),
        "duration": format_clock(episode.duration),
        "machine_made": episode.transcript_source,
    }


def pieces(text: str, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """A text as pieces, each marked as matched or not; overlapping spans (a phrase and
    its own words) are merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    result: list[dict[str, Any]] = []
    position = 0
    for start, end in merged:
        if start > position:
            result.append({"text": text[position:start], "match": False})
        result.append({"text": text[start:end], "match": True})
        position = end
    if position < len(text):
        result.append({"text": text[position:], "match": False})
    return result


PAGE_CUES = 5000
"""The most captions an episode page shows (about four hours of speech): a longer
transcript is shown a page at a time around the moment, with a link to the captions
before and after, so no page grows with the transcript (one of 423 MB had been sent)."""
PAGE_CUE_CHARACTERS = 1000
"""A caption kept before long ones were cut is shown up to this length."""


def transcript_page(
    episode: Episode, current: int, spans: dict[int, list[tuple[int, int]]] | None = None
) -> list[dict[str, Any]]:
    """The captions around cue ``current``, at most ``PAGE_CUES``, with the ``spans`` of
    each that the query's words match and the speaker's name where a turn begins (and
    at the first caption shown); where some are left out, a line at either end that
    links to them (it opens the page at their moment)."""
    spans = spans or {}
    half = PAGE_CUES // 2
    first = max(0, min(current - half, len(episode.cues) - PAGE_CUES))
    last = min(len(episode.cues), first + PAGE_CUES)
    page = []
    previous = None  # the first caption shown names its speaker, as a turn beginning
    for index, cue in enumerate(episode.cues[first:last], start=first):
        text = cue.text[:PAGE_CUE_CHARACTERS]
        matched = [(start, min(end, len(text))) for start, end in spans.get(index, [])]
        matched = [(start, end) for start, end in matched if start < end]
        if len(cue.text) > len(text):
            text += "…"
        page.append(
            {
                "index": index,
                "at": format_clock(cue.start),
                "start": cue.start,
                "text": text,
                "segments": pieces(text, matched) if matched else None,
                # who speaks, named where their turn begins (as `show --transcript`)
                "speaker": cue.speaker if cue.speaker and cue.speaker != previous else None,
            }
        )
        previous = cue.speaker
    if first > 0:
        target = episode.cues[max(first - half, 0)]
        page.insert(0, _more("earlier", first, target.start))
    if last < len(episode.cues):
        target = episode.cues[min(last + half, len(episode.cues) - 1)]
        page.append(_more("later", len(episode.cues) - last, target.start))
    return page


def _more(where: str, count: int, start: float) -> dict[str, Any]:
    return {
        "index": where,
        "at": format_clock(start),
        "start": start,
        "text": f"… {count:,} {where} captions: this link shows them",
        "segments": None,
        "speaker": None,
    }


PAGE_SIZE = 20
"""Episodes on one page of the library: a page costs what it shows, whatever the size
of the library."""


def browse_view(summaries: list[Summary], show: str | None, page: int) -> dict[str, Any]:
    """A page of the library: its shows with how many episodes each has, and the
    episodes of one show (all for None; "" is the episodes without one), newest first
    (undated ones last, by id), with their chapters."""
    counts: dict[str, int] = {}
    for summary in summaries:
        counts[summary.channel] = counts.get(summary.channel, 0) + 1
    shows = [
        {"name": name, "count": count, "link": "/library?" + urlencode({"show": name})}
        for name, count in sorted(counts.items(), key=lambda item: item[0].casefold())
    ]
    if show not in counts:
        show = None
    chosen = summaries if show is None else [s for s in summaries if s.channel == show]
    chosen = sorted(
        chosen,
        key=lambda s: (s.published is None, -(s.published or date.min).toordinal(), s.id),
    )
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = max(1, min(page, pages))

    def page_link(number: int) -> str:
        query = {"page": number} if show is None else {"show": show, "page": number}
        return "/library?" + urlencode(query)

    episodes = [
        {
            "id": summary.id,
            "title": summary.title,
            "channel": summary.channel,
            "published": summary.published.isoformat() if summary.published else None,
            "duration": format_clock(summary.duration),
            "link": f"/episodes/{quote(summary.id)}",
            "made_up": all(chapter.source == "generated" for chapter in summary.chapters),
            "chapters": [
                {
                    "title": chapter.title,
                    "at": format_clock(chapter.start),
                    "link": f"/episodes/{quote(summary.id)}?{urlencode({'t': int(chapter.start)})}",
                }
                for chapter in summary.chapters
            ],
        }
        for summary in chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
    return {
        "shows": shows,
        "show": show,
        "total": len(summaries),
        "count": len(chosen),
        "episodes": episodes,
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_SIZE + 1,
        "last": (page - 1) * PAGE_SIZE + len(episodes),
        "newer": page_link(page - 1) if page > 1 else None,
        "older": page_link(page + 1) if page < pages else None,
    }
