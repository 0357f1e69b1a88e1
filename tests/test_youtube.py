"""Adding from YouTube against recorded responses: videos, lists, faults, and bad input."""

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import NameResolutionError

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.sources.youtube_transcript import TranscriptChoice, explain

from .conftest import Run
from .youtube_fakes import PLAYER, TIMEDTEXT, VIDEO, WATCH, FakeYoutubeDL, serve_video, youtube

__all__ = ["youtube"]  # the fixture, imported for pytest

URL = f"https://www.youtube.com/watch?v={VIDEO}"


def hits(run: Run, query: str, *args: str) -> list[dict[str, Any]]:
    result = run("search", query, "--json", *args)
    return json.loads(result.stdout) if result.stdout else []


def test_add_a_video_and_find_its_chapter(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    serve_video()
    result = run("add", URL)
    assert result.exit_code == 0, result.stderr
    assert "added 1 episode " in result.stderr

    episode = Library(home.library).load(VIDEO)
    assert episode.title == "How to outsmart the Prisoner’s Dilemma - Lucas Husted"
    assert episode.channel == "TED-Ed"
    assert episode.published is not None and episode.published.isoformat() == "2020-08-27"
    assert episode.duration == 344
    assert [(c.title, c.start, c.source) for c in episode.chapters][:3] == [
        ("Intro", 0, "creator"),
        ("The Prisoners Dilemma", 60, "creator"),
        ("The Nash Equilibrium", 120, "creator"),
    ]
    assert len(episode.chapters) == 7
    assert (episode.language, episode.transcript_generated) == ("en", False)
    assert episode.fetched is not None
    assert episode.fetched["transcript"]["snippets"][0]["text"].startswith("Two perfectly")
    assert "formats" not in episode.fetched["metadata"]

    top = hits(run, "nash equilibrium")[0]
    assert top["chapter_title"] == "The Nash Equilibrium"
    assert top["chapter_start"] == 120
    assert top["start"] == 131.5
    assert top["url"] == f"https://www.youtube.com/watch?v={VIDEO}&t=131s"
    assert top["channel"] == "TED-Ed"
    # yt-dlp was asked for metadata only, once
    assert [url for url, _ in youtube.calls] == [URL]


@pytest.mark.parametrize(
    "form",
    [
        VIDEO,
        f"https://youtu.be/{VIDEO}?si=abc",
        f"https://m.youtube.com/watch?v={VIDEO}&t=10s",
        f"https://www.youtube.com/shorts/{VIDEO}",
        f"https://www.youtube.com/live/{VIDEO}",
    ],
)
def test_every_url_form_adds_the_same_video(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], form: str
) -> None:
    serve_video()
    assert run("add", form).exit_code == 0
    assert Library(home.library).has(VIDEO)


def test_adding_again_is_idempotent_until_refresh(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    serve_video()
    assert run("add", VIDEO).exit_code == 0
    calls = len(responses.calls)
    again = run("add", VIDEO)
    assert again.exit_code == 0
    assert "added 0 episodes (0 passages), skipped 1" in again.stderr
    assert len(responses.calls) == calls
    refreshed = run("add", VIDEO, "--refresh")
    assert "updated 1 episode " in refreshed.stderr
    assert len(responses.calls) > calls


def test_chapters_file_overrides_and_rechapters_offline(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], tmp_path: Path
) -> None:
    serve_video()
    assert run("add", VIDEO).exit_code == 0
    calls = len(responses.calls)
    chapters = tmp_path / "mine.txt"
    chapters.write_text("0:00 Setup\n2:00 Equilibria\n", encoding="utf-8")
    assert run("add", VIDEO, "--chapters", str(chapters)).exit_code == 0
    assert len(responses.calls) == calls  # re-chaptered from the library, no network
    episode = Library(home.library).load(VIDEO)
    assert [(c.title, c.source) for c in episode.chapters] == [
        ("Setup", "file"),
        ("Equilibria", "file"),
    ]
    assert hits(run, "nash equilibrium")[0]["chapter_title"] == "Equilibria"


def test_a_file_added_with_its_youtube_url_is_replaced_by_the_video(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], tmp_path: Path
) -> None:
    transcript = tmp_path / "local.srt"
    transcript.write_text("1\n00:00:00,000 --> 00:00:03,000\nlocal words\n", encoding="utf-8")
    assert run("add", str(transcript), "--url", URL).exit_code == 0
    serve_video()
    assert run("add", URL, "--refresh").exit_code == 0
    assert [p.name for p in home.library.glob("*.json")] == [f"{VIDEO}.json"]
    assert hits(run, "local words") == []


def test_language_choice(run: Run, home: Home, youtube: type[FakeYoutubeDL]) -> None:
    serve_video()
    assert run("add", VIDEO, "--lang", "de,en").exit_code == 0
    assert Library(home.library).load(VIDEO).language == "de"
    missing = run("add", VIDEO, "--refresh", "--lang", "xx")
    assert missing.exit_code == 2
    line = missing.stderr.strip()
    assert line.startswith(f"chaptersearch: {VIDEO}: no transcript in xx; this video has: zh (")
    assert "en (English), " in line and line.count("en (English (auto-generated))") == 1
    assert "Choose one with --lang CODE" in line


def test_translation(run: Run, home: Home, youtube: type[FakeYoutubeDL]) -> None:
    serve_video()
    assert run("add", VIDEO, "--translate", "fr").exit_code == 0
    episode = Library(home.library).load(VIDEO)
    assert episode.language == "fr"
    assert episode.fetched is not None and episode.fetched["transcript"]["translated_from"] == "en"
    assert "tlang=fr" in responses.calls[-1].request.url
    bad = run("add", VIDEO, "--refresh", "--translate", "tlh")
    assert bad.exit_code == 2
    assert "YouTube offers no translation to 'tlh' for this video" in bad.stderr


ERROR_CASES = [
    ("youtube_transcripts_disabled.innertube.json.static", "subtitles are disabled for this video"),
    ("youtube_video_unavailable.innertube.json.static", "the video is unavailable"),
    ("youtube_unplayable.innertube.json.static", "cannot be played (Custom Reason)"),
    ("youtube_age_restricted.innertube.json.static", "the video is age-restricted"),
    ("youtube_po_token_required.innertube.json.static", "proof-of-origin token"),
    (
        "youtube_request_blocked.innertube.json.static",
        "blocked the request as coming from a bot; use --proxy",
    ),
]


@pytest.mark.parametrize(("player", "message"), ERROR_CASES)
def test_youtube_errors_are_one_clear_line(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], player: str, message: str
) -> None:
    serve_video(player=player)
    result = run("add", VIDEO)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"chaptersearch: {VIDEO}: ")
    assert message in result.stderr
    assert not home.library.exists() or not list(home.library.glob("*.json"))


def test_ip_blocked_page(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    from .youtube_fakes import asset

    responses.get(
        WATCH,
        body=asset("youtube_too_many_requests.html.static"),
        content_type="text/html; charset=utf-8",
    )
    result = run("add", VIDEO)
    assert result.exit_code == 2
    assert "YouTube is blocking requests from this IP address; use --proxy URL" in result.stderr


def test_invalid_video_id_message() -> None:
    import youtube_transcript_api as yta

    line = explain(yta.InvalidVideoId("https://x"), "https://x", TranscriptChoice())
    assert line == "https://x: not a video id; give the 11-character id or the watch URL"


def test_429_is_retried_honouring_retry_after(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    responses.get(WATCH, status=429, headers={"Retry-After": "7"})
    responses.get(WATCH, status=429)
    serve_video()
    result = run("add", VIDEO, "--delay", "0")
    assert result.exit_code == 0, result.stderr
    assert [call.response.status_code for call in responses.calls[:3]] == [429, 429, 200]
    assert youtube.sleeps[0] == 7  # Retry-After
    assert 0 <= youtube.sleeps[1] <= 2  # jittered backoff, second attempt


def test_5xx_gives_up_after_a_bounded_number_of_tries(
    run: Run, youtube: type[FakeYoutubeDL]
) -> None:
    for _ in range(6):
        responses.get(WATCH, status=503)
    result = run("add", VIDEO)
    assert result.exit_code == 2
    assert len(responses.calls) == 4
    assert len(youtube.sleeps) == 3
    assert "YouTube answered with an error after several tries; try again later" in result.stderr


def test_permanent_errors_are_not_retried(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    responses.get(WATCH, status=404)
    result = run("add", VIDEO)
    assert result.exit_code == 2
    assert len(responses.calls) == 1


def test_connection_reset_is_retried(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    responses.get(WATCH, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    serve_video()
    assert run("add", VIDEO).exit_code == 0
    assert len(youtube.sleeps) == 1


def test_no_network_stops_the_batch_with_one_line(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    dns = NameResolutionError(
        "www.youtube.com", None, "[Errno -3] Temporary failure in name resolution"
    )  # type: ignore[arg-type]
    responses.get(WATCH, body=requests.exceptions.ConnectionError(dns))
    result = run("add", VIDEO, "aaaaaaaaaaa")
    assert result.exit_code == 2
    assert "chaptersearch: cannot reach www.youtube.com: no network?" in result.stderr
    assert f"chaptersearch: no network, so not added: {VIDEO}, aaaaaaaaaaa\n" in result.stderr
    assert "failed 2;" in result.stderr
    assert len(responses.calls) == 1  # not retried, and the second video was not tried
    assert youtube.sleeps == []


OFFLINE_LIST = "https://www.youtube.com/playlist?list=PLoffline"


@pytest.mark.parametrize("list_first", [True, False])
def test_a_playlist_offline_does_not_stop_the_files(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], tmp_path: Path, list_first: bool
) -> None:
    youtube.failures = {
        "PLoffline": "Unable to download API page: <urlopen error [Errno -3] "
        "Temporary failure in name resolution> (caused by URLError)"
    }
    transcript = tmp_path / "ep.vtt"
    transcript.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nhello offline\n")
    sources = [OFFLINE_LIST, str(transcript)]
    result = run("add", *(sources if list_first else sources[::-1]))
    assert result.exit_code == 2
    assert Library(home.library).ids() == ["ep"]
    assert result.stderr.splitlines() == [
        "chaptersearch: cannot reach YouTube: no network? Check the connection (or --proxy) "
        "and try again",
        f"chaptersearch: no network, so not added: {OFFLINE_LIST}",
        f"added 1 episode (1 passage), skipped 0 already in the library, failed 1; "
        f"home {home.root}",
    ]


def test_a_video_offline_after_a_file_is_named_as_failed(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], tmp_path: Path
) -> None:
    dns = NameResolutionError(
        "www.youtube.com", None, "[Errno -3] Temporary failure in name resolution"
    )  # type: ignore[arg-type]
    responses.get(WATCH, body=requests.exceptions.ConnectionError(dns))
    transcript = tmp_path / "ep.vtt"
    transcript.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nhello offline\n")
    result = run("add", str(transcript), VIDEO)
    assert result.exit_code == 2
    assert Library(home.library).ids() == ["ep"]
    assert "not tried" not in result.stderr
    assert f"chaptersearch: no network, so not added: {VIDEO}\n" in result.stderr
    assert "added 1 episode (1 passage), skipped 0 already in the library, failed 1;" in (
        result.stderr
    )


def test_unreachable_proxy_fails_fast_and_hides_credentials(run: Run, home: Home) -> None:
    """The real stack, no mocks: a proxy on a closed loopback port refuses at once."""
    started = time.monotonic()
    result = run("add", VIDEO, "--proxy", "http://user:s3cret@127.0.0.1:9")
    assert time.monotonic() - started < 30
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: cannot reach the proxy: check --proxy")
    assert "s3cret" not in result.stderr


def test_proxy_goes_to_both_libraries_and_is_never_stored(
    run: Run, home: Home, youtube: type[FakeYoutubeDL], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_video()
    monkeypatch.setenv("CHAPTERSEARCH_PROXY", "http://user:s3cret@proxy.test:3128")
    assert run("add", VIDEO).exit_code == 0
    assert youtube.calls[0][1]["proxy"] == "http://user:s3cret@proxy.test:3128"
    assert "s3cret" not in (home.library / f"{VIDEO}.json").read_text(encoding="utf-8")


@responses.activate
def test_not_youtube_and_not_a_file(run: Run) -> None:
    result = run("add", "vimeo:123")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "chaptersearch: vimeo:123: not a file, a podcast feed URL, a YouTube URL or a video id"
    )
    # any other web address may be a feed (feeds are known by their content), so it is
    # read: a page that is not one says so
    responses.get(
        "https://vimeo.com/123", body="<!DOCTYPE html><html></html>", content_type="text/html"
    )
    page = run("add", "https://vimeo.com/123")
    assert page.exit_code == 2
    assert "https://vimeo.com/123: is a web page, not a feed" in page.stderr


def test_playlist_with_one_failing_video(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    playlist = "https://www.youtube.com/playlist?list=PLtest"
    youtube.playlists[playlist] = [VIDEO, "bbbbbbbbbbb", "ccccccccccc", "ddddddddddd"]
    serve_video(
        player=lambda body: (
            "youtube_transcripts_disabled.innertube.json.static"
            if body["videoId"] == "bbbbbbbbbbb"
            else "youtube.innertube.json.static"
        )
    )
    result = run("add", f"{playlist}&si=x", "--limit", "3")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "chaptersearch: bbbbbbbbbbb: subtitles are disabled for this video; if you have a "
        "transcript file, add it with: chaptersearch add FILE --url https://youtu.be/bbbbbbbbbbb"
    )
    assert lines[-1].startswith("added 2 episodes (")
    assert "skipped 0 already in the library, failed 1;" in lines[-1]
    assert sorted(p.stem for p in home.library.glob("*.json")) == ["ccccccccccc", VIDEO]
    assert youtube.sleeps == [1.0, 1.0]  # the polite delay between the three videos
    assert youtube.calls[0][1]["playlistend"] == 3

    again = run("add", playlist, "--limit", "3", "--delay", "0")
    assert "added 0 episodes (0 passages), skipped 2" in again.stderr
    assert "failed 1" in again.stderr


def test_channel_urls_ask_for_the_videos_tab(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    youtube.playlists["https://www.youtube.com/@TED-Ed/videos"] = [VIDEO]
    serve_video()
    assert run("add", "https://www.youtube.com/@TED-Ed").exit_code == 0
    assert Library(home.library).has(VIDEO)


def test_yt_dlp_failure_is_one_line(run: Run, home: Home, youtube: type[FakeYoutubeDL]) -> None:
    serve_video()
    youtube.failures[VIDEO] = "Private video. Sign in if you've been granted access to this video"
    result = run("add", VIDEO)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"chaptersearch: {VIDEO}: Private video. "
        "Sign in if you've been granted access to this video"
    )


def test_description_chapters_when_youtube_lists_none(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    youtube.info = {
        **youtube.info,
        "chapters": None,
        "description": "Intro\n0:00 Start\n1:00 Game\n2:10 Nash\n",
    }
    serve_video()
    assert run("add", VIDEO).exit_code == 0
    episode = Library(home.library).load(VIDEO)
    assert [(c.title, c.source) for c in episode.chapters] == [
        ("Start", "description"),
        ("Game", "description"),
        ("Nash", "description"),
    ]
    youtube.info = {**youtube.info, "description": "We met at 5:30 and left at 7:45"}
    assert run("add", VIDEO, "--refresh").exit_code == 0
    episode = Library(home.library).load(VIDEO)
    assert {c.source for c in episode.chapters} == {"generated"}
    assert any("not used as chapters" in note for note in episode.chapter_notes)


def test_a_description_of_200000_times_makes_a_small_entry(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    """The description is kept once, cut to its bound, and its times read from what is
    kept; a list of more than 2,000 chapters (YouTube's or the description's) is not
    used, and a note says so, again when the episode is made again (``edit``)."""
    from chaptersearch.models import MAX_DESCRIPTION

    times = "\n".join(f"{n // 60 % 5}:{n % 60:02d} T" for n in range(200_000))
    listed = [{"start_time": n / 10, "title": f"C{n}" * 1000} for n in range(5000)]
    youtube.info = {**youtube.info, "chapters": listed, "description": times}
    serve_video()
    result = run("add", VIDEO)
    assert result.exit_code == 0, result.stderr
    assert "YouTube lists 5,000 chapters, more than the 2,000 read: not used" in result.stderr
    assert "the description lists 2,8" in result.stderr  # of the 20,000 characters kept
    episode = Library(home.library).load(VIDEO)
    assert {chapter.source for chapter in episode.chapters} == {"generated"}
    assert len(episode.description) <= MAX_DESCRIPTION
    assert episode.fetched is not None and "description" not in episode.fetched["metadata"]
    assert episode.fetched["metadata"]["chapters"] is None
    assert (home.library / f"{VIDEO}.json").stat().st_size < 150_000
    assert run("edit", VIDEO, "--title", "Renamed").exit_code == 0
    again = Library(home.library).load(VIDEO)
    assert again.chapter_notes == episode.chapter_notes and again.chapters == episode.chapters


def test_player_is_posted_for_the_right_video(run: Run, youtube: type[FakeYoutubeDL]) -> None:
    serve_video()
    run("add", VIDEO)
    posted = [
        json.loads(c.request.body)["videoId"]
        for c in responses.calls
        if c.request.url.startswith(PLAYER)
    ]
    assert posted == [VIDEO]
    assert any(c.request.url.startswith(TIMEDTEXT) for c in responses.calls)


def test_playlist_with_no_network_fails_fast_through_yt_dlp(run: Run) -> None:
    """Real yt-dlp, no mocks: its requests go to a closed loopback port."""
    started = time.monotonic()
    result = run(
        "add", "https://www.youtube.com/playlist?list=PLxyz", "--proxy", "http://u:pw@127.0.0.1:9"
    )
    assert time.monotonic() - started < 30
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: cannot reach YouTube: no network?")
    assert "pw@" not in result.stderr
