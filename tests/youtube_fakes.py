"""Recorded YouTube responses and a yt-dlp stand-in, for tests with no network.

The watch page, player JSON and error cases are the real captures that ship inside
youtube-transcript-api's wheel; the timedtext body is ours (theirs is made up too).
yt-dlp is replaced at its ``extract_info`` boundary by the real info dict in
../shared/fixtures/youtube (or a minimal one when ../shared is absent).
"""

import copy
import json
from collections.abc import Callable, Iterator
from html import escape
from importlib import resources
from typing import Any, ClassVar

import pytest
import responses

from .helpers import SHARED

WATCH = "https://www.youtube.com/watch"
PLAYER = "https://www.youtube.com/youtubei/v1/player"
TIMEDTEXT = "https://www.youtube.com/api/timedtext"
VIDEO = "emyi4z-O0ls"

SAID = {
    0.0: "Two perfectly rational gingerbread men, Crispy and Chewy,",
    64.0: "This is the prisoner's dilemma, a classic of game theory.",
    131.5: "When neither can do better by changing alone, that is a Nash equilibrium.",
    170.0: "But what if the game is played an infinite number of times?",
    290.0: "So in the end, cooperation can be the rational choice.",
}


def asset(name: str) -> str:
    folder = resources.files("youtube_transcript_api") / "test" / "assets"
    return (folder / name).read_text(encoding="utf-8")


def timedtext(said: dict[float, str] = SAID, length: float = 344.0) -> str:
    """A timedtext XML body: a line every 4 seconds, with ``said`` at its seconds."""
    lines = []
    time = 0.0
    while time < length:
        text = said.get(time, f"the fox waits at second {int(time)}")
        lines.append(f'<text start="{time}" dur="4.0">{escape(text)}</text>')
        time += 4.0
    for start, text in said.items():
        if start % 4:
            lines.append(f'<text start="{start}" dur="3.0">{escape(text)}</text>')
    lines.sort(key=lambda line: float(line.split('"')[1]))
    return '<?xml version="1.0" encoding="utf-8" ?><transcript>' + "".join(lines) + "</transcript>"


def serve_video(
    player: str | Callable[[dict[str, Any]], str] = "youtube.innertube.json.static",
    watch_status: int = 200,
) -> None:
    """Register the three requests a transcript fetch makes."""
    responses.get(
        WATCH,
        body=asset("youtube.html.static"),
        status=watch_status,
        content_type="text/html; charset=utf-8",
    )
    if callable(player):
        choose = player

        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            return 200, {}, asset(choose(json.loads(request.body)))

        responses.add_callback(
            responses.POST, PLAYER, callback=answer, content_type="application/json"
        )
    else:
        responses.post(PLAYER, body=asset(player), content_type="application/json")
    responses.get(TIMEDTEXT, body=timedtext(), content_type="text/xml; charset=utf-8")


def info_dict() -> dict[str, Any]:
    path = SHARED / "fixtures/youtube/emyi4z-O0ls.info.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip("../shared is not beside this checkout")


class FakeYoutubeDL:
    """Answers ``extract_info`` from recorded dicts, keyed by what the URL asks for."""

    playlists: ClassVar[dict[str, list[str]]] = {}
    failures: ClassVar[dict[str, str]] = {}
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    info: ClassVar[dict[str, Any]] = {}
    sleeps: ClassVar[list[float]] = []

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = params or {}

    def __enter__(self) -> "FakeYoutubeDL":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def extract_info(self, url: str, download: bool = True, **_: Any) -> dict[str, Any]:
        from yt_dlp.utils import DownloadError

        assert download is False, "chaptersearch must never download media"
        FakeYoutubeDL.calls.append((url, self.params))
        for key, message in self.failures.items():
            if key in url:
                raise DownloadError(f"ERROR: [youtube] {key}: {message}")
        if url in self.playlists:
            ids = self.playlists[url][: self.params.get("playlistend")]
            return {
                "_type": "playlist",
                "entries": [{"_type": "url", "ie_key": "Youtube", "id": i, "url": i} for i in ids],
            }
        video_id = url.split("v=", 1)[1]
        info = copy.deepcopy(self.info)
        if video_id != VIDEO:
            info.update(id=video_id, title=f"Video {video_id}", chapters=None)
        return info


@pytest.fixture
def youtube(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeYoutubeDL]]:
    """Recorded responses for youtube-transcript-api, a fake yt-dlp, and no real sleeps."""
    FakeYoutubeDL.playlists = {}
    FakeYoutubeDL.failures = {}
    FakeYoutubeDL.calls = []
    FakeYoutubeDL.info = info_dict()
    monkeypatch.setattr("yt_dlp.YoutubeDL", FakeYoutubeDL)
    sleeps: list[float] = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    FakeYoutubeDL.sleeps = sleeps
    responses.start()
    try:
        yield FakeYoutubeDL
    finally:
        responses.stop()
        responses.reset()
