import pytest

from chaptersearch.urls import (
    YouTubeTarget,
    link_at,
    parse_youtube,
    youtube_video_id,
)

ID = "sAp9RjO79cU"


@pytest.mark.parametrize(
    "text",
    [
        ID,
        f"https://www.youtube.com/watch?v={ID}",
        f"https://youtube.com/watch?v={ID}&t=2161s",
        f"https://www.youtube.com/watch?v={ID}&list=PL123&index=2",
        f"https://www.youtube.com/watch?si=abc&v={ID}",
        f"https://m.youtube.com/watch?v={ID}",
        f"https://youtu.be/{ID}",
        f"https://youtu.be/{ID}?si=xyz&t=10",
        f"https://www.youtube.com/shorts/{ID}",
        f"https://www.youtube.com/embed/{ID}?start=5",
        f"https://www.youtube.com/live/{ID}?feature=share",
        f"www.youtube.com/watch?v={ID}",
        f"youtu.be/{ID}",
    ],
)
def test_video_forms(text: str) -> None:
    assert parse_youtube(text) == YouTubeTarget("video", ID)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://www.youtube.com/playlist?list=PLabc_123",
            YouTubeTarget("playlist", "https://www.youtube.com/playlist?list=PLabc_123"),
        ),
        (
            "https://www.youtube.com/@lennyspodcast/videos",
            YouTubeTarget("channel", "https://www.youtube.com/@lennyspodcast/videos"),
        ),
        (
            "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
            YouTubeTarget("channel", "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv"),
        ),
        (
            "https://www.youtube.com/c/TalkPython/",
            YouTubeTarget("channel", "https://www.youtube.com/c/TalkPython"),
        ),
    ],
)
def test_lists(text: str, expected: YouTubeTarget) -> None:
    assert parse_youtube(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "episode.vtt",
        "https://vimeo.com/12345",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/",
        "https://youtu.be/",
        "not a url at all",
        "abc",
    ],
)
def test_not_youtube(text: str) -> None:
    assert parse_youtube(text) is None


def test_links() -> None:
    assert (
        link_at(f"https://youtu.be/{ID}", 2165.9) == f"https://www.youtube.com/watch?v={ID}&t=2165s"
    )
    assert link_at("https://pythonbytes.fm/episodes/show/48", 297.2) == (
        "https://pythonbytes.fm/episodes/show/48#t=297"
    )
    assert link_at("https://example.com/a.mp3#t=5", 60) == "https://example.com/a.mp3#t=60"
    assert link_at(None, 60) is None
    assert youtube_video_id("https://example.com") is None
