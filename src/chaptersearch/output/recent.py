"""The last search's hits, kept in the home so ``open N`` can follow them later.

Saving is a convenience, never a reason for a search to fail: a read-only home or a
full disk loses the ability to ``open N``, not the hits already printed. Each process
writes its own temporary file, so parallel searches never trip over each other; the
last to finish wins.
"""

import json

from ..errors import ChapterSearchError
from ..hit import Hit
from ..library.disk import write_whole
from ..library.home import Home
from ..timecode import format_clock


def save_last_search(home: Home, query: str, hits: list[Hit]) -> bool:
    """Keep the hits for ``open``; False (and nothing left behind) when it cannot."""
    data = json.dumps({"query": query, "hits": [hit.to_json() for hit in hits]})
    try:
        write_whole(home.last_search, data, sync=False)
        return True
    except OSError:
        return False


def link_of_hit(home: Home, number: int) -> str:
    """The link of hit ``number`` (from 1) of the last search, or a clear error."""
    try:
        data = json.loads(home.last_search.read_text(encoding="utf-8"))
        if not isinstance(data["hits"], list):
            raise TypeError("hits is not a list")
        hits = [Hit.from_json(item) for item in data["hits"]]
    except FileNotFoundError:
        raise ChapterSearchError(
            "no search to open a hit from: run `chaptersearch search QUERY` first"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
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
            "give the episode one with `chaptersearch edit ID --url URL`"
        )
    return hit.url
