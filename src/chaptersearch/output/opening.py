"""Opening a hit in the user's browser, and saying so when that cannot be done.

A hit opens its episode's link at the moment. An episode added from a file has no link
unless the user gave one; its hit opens the episode's own page on the local web page
instead, when ``serve`` runs for this home: ``serve`` writes where it listens into the
home (``serving.json``, removed when it stops) and ``open`` asks that address whether
it answers for the episode before handing it to the browser. Otherwise one line says
how to get either (naming the episode's real id).
"""

import json
import os
import webbrowser
from pathlib import Path
from urllib.parse import quote, urlencode

from ..errors import ChapterSearchError
from ..hit import Hit
from ..library.disk import write_whole
from ..library.home import Home
from ..timecode import format_clock
from .links import is_web_url

SERVING = "serving.json"
"""Where a running ``serve`` says, in its home, the address it listens at."""
ANSWER_SECONDS = 2.0
"""How long ``open`` waits for the local page to answer before calling it gone."""


class NoLinkError(ChapterSearchError):
    """The hit has no link and no local page serves its episode: the message says how
    to get either."""


def open_link(link: str) -> None:
    """Hand an http(s) link to the browser (``$BROWSER`` first, as Python's webbrowser
    does); fail with one line when none could be started.

    Links come from the library, which only takes http(s) URLs; a link of another kind
    (an entry edited by hand, say) is refused rather than given to the system opener.
    """
    if not is_web_url(link):
        raise ChapterSearchError(f"will not open {link!r}: only http and https links are opened")
    try:
        opened = webbrowser.open(link)
    except webbrowser.Error:
        opened = False
    if not opened:
        raise ChapterSearchError(
            f"no web browser could be started here; open the link yourself: {link}"
        )


def serving_file(home: Home) -> Path:
    return home.root / SERVING


def local_url(host: str, port: int) -> str:
    """The address this machine's browser reaches a server listening on ``host`` at:
    loopback for loopback and for every interface, else the address itself."""
    if host in ("127.0.0.1", "0.0.0.0", "localhost"):
        return f"http://localhost:{port}/"
    return f"http://{host}:{port}/"


def announce_server(home: Home, url: str) -> bool:
    """Say in the home that a page is served at ``url``, for ``open``; False when the
    home cannot be written (the page works all the same, ``open`` just cannot find it)."""
    data = json.dumps({"url": url, "pid": os.getpid()})
    try:
        write_whole(serving_file(home), data, sync=False)
        return True
    except OSError:
        return False


def withdraw_server(home: Home) -> None:
    """Remove the home's note of this process's server; a note another ``serve`` wrote
    since (two on one home) is theirs, and stays."""
    try:
        data = json.loads(serving_file(home).read_text(encoding="utf-8"))
        if data.get("pid") == os.getpid():
            serving_file(home).unlink()
    except (OSError, ValueError, AttributeError):
        pass


def served_page(home: Home, episode_id: str) -> str | None:
    """The address of the page ``serve`` gives this home, if a server there answers
    for the episode now (a server killed without a word leaves its note behind, and
    its port may be another program's since)."""
    import urllib.request

    try:
        url = json.loads(serving_file(home).read_text(encoding="utf-8"))["url"]
        if not isinstance(url, str) or not is_web_url(url) or not url.endswith("/"):
            return None
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: no proxy
        address = f"{url}api/episodes/{quote(episode_id, safe='')}"
        with direct.open(address, timeout=ANSWER_SECONDS) as answer:
            found = json.loads(answer.read(1 << 20))
        return url if found.get("id") == episode_id else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def last_hit(home: Home, number: int) -> tuple[str, Hit] | None:
    """The query and hit ``number`` of the last search, or None when there is no such
    hit or it cannot be read (``recent.link_of_hit`` then says why)."""
    try:
        data = json.loads(home.last_search.read_text(encoding="utf-8"))
        return str(data["query"]), Hit.from_json(data["hits"][number - 1])
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def page_for_unlinked_hit(home: Home, number: int) -> str | None:
    """Where to open hit ``number`` of the last search when it has no link: its
    episode's page on the local ``serve``, at its moment, with the query's words
    marked. None when the hit has a link (or cannot be read); a NoLinkError saying
    how to get a page or a link when no server answers."""
    if number < 1:
        return None
    found = last_hit(home, number)
    if found is None or found[1].url:
        return None
    query, hit = found
    base = served_page(home, hit.video_id)
    if base is None:
        raise NoLinkError(
            f"hit {number} ({hit.episode_title}, at {format_clock(hit.start)}) has no link: "
            f"start `chaptersearch serve` to open it on the local page, or give it one: "
            f"`chaptersearch edit {hit.video_id} --url URL`"
        )
    moment = urlencode({"t": int(hit.start), "q": query})
    return f"{base}episodes/{quote(hit.video_id, safe='')}?{moment}"
