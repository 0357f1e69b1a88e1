"""The last search's hits, kept in the home so ``open N`` can follow them later."""

import json

from .errors import ChapterSearchError
from .hit import Hit
from .home import Home
from .timecode import format_clock


def save_last_search(home: Home, query: str, hits: list[Hit]) -> None:
    home.root.mkdir(parents=True, exist_ok=True)
    data = {"query": query, "hits": [hit.to_json() for hit in hits]}
    temporary = home.last_search.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(home.last_search)


def link_of_hit(home: Home, number: int) -> str:
    """The link of hit ``number`` (from 1) of the last search, or a clear error."""
    try:
        data = json.loads(home.last_search.read_text(encoding="utf-8"))
        hits = [Hit.from_json(item) for item in data["hits"]]
    except FileNotFoundError:
        raise ChapterSearchError(
            "no search to open a hit from: run `chaptersearch search QUERY` first"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise ChapterSearchError(
            "the last search could not be read: run the search again"
        ) from None
    if not 1 <= number <= len(hits):
        raise ChapterSearchError(
            f"the last search ({data['query']!r}) has {len(hits)} hit(s); "
            f"pick a number from 1 to {len(hits)}"
        )
    hit = hits[number - 1]
    if not hit.url:
        raise ChapterSearchError(
            f"hit {number} ({hit.episode_title}, at {format_clock(hit.start)}) has no link: "
            "add the episode with --url to get one"
        )
    return hit.url
