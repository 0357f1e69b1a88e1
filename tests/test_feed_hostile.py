"""Hostile feeds: a feed, and everything it points at, is someone else's input.

Each must end in one clear line (or one failed episode), nothing read that should not
be, and no traceback.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from chaptersearch.library.home import Home
from chaptersearch.sources.feed import MAX_FEED_BYTES
from chaptersearch.sources.feed_chapters import MAX_CHAPTERS, json_chapters

from .conftest import Run
from .feed_fakes import TINY_FEED, tiny_item, tiny_rss, tiny_vtt, transcript_tag

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>"""


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        yield served


def library_files(home: Home) -> list[str]:
    return sorted(path.name for path in home.library.glob("*.json"))


def test_billion_laughs_is_refused(run: Run, home: Home, mock: Any) -> None:
    mock.add(responses.GET, TINY_FEED, body=BILLION_LAUGHS)
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"chaptersearch: {TINY_FEED}: refused: the feed declares XML entities or external "
        "references (EntitiesForbidden); a podcast feed needs neither"
    )
    assert library_files(home) == []


def test_external_entity_naming_a_local_file_is_refused_unread(
    run: Run, home: Home, mock: Any, tmp_path: Any
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    body = tiny_rss(
        tiny_item(1, transcript_tag("https://tiny.example/1.vtt"), title="&xxe;"),
        head=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    mock.add(responses.GET, TINY_FEED, body=body)
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("x"))
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    assert "refused: the feed declares XML entities" in result.stderr
    assert "TOP-SECRET" not in result.stderr + result.stdout
    assert library_files(home) == []


@pytest.mark.parametrize("declared", [True, False])
def test_a_100_mb_feed_is_not_read_past_the_limit(
    run: Run, home: Home, mock: Any, declared: bool
) -> None:
    huge = b"<rss><channel>" + b" " * (100 * 1024 * 1024) + b"</channel></rss>"
    mock.add(responses.GET, TINY_FEED, body=huge, auto_calculate_content_length=declared)
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    limit = f"{MAX_FEED_BYTES / 1024 / 1024:g} MB"
    assert result.stderr.strip().endswith(f"over the {limit} read"), result.stderr
    assert library_files(home) == []


def test_a_web_page_instead_of_a_feed(run: Run, mock: Any) -> None:
    page = "<!DOCTYPE html><html><head><title>My show</title></head><body><p>Hi<br></body></html>"
    mock.add(responses.GET, "https://tiny.example/", body=page, content_type="text/html")
    result = run("add", "https://tiny.example/")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "chaptersearch: https://tiny.example/: is a web page, not a feed; give the feed's "
        "address (the page's RSS link, often ending in /feed or .xml)"
    )


def test_a_transcript_at_a_file_url_is_refused_and_counted(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open = open

    def watching_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    hostile = tiny_item(1, transcript_tag("file:///etc/passwd"))
    fine = tiny_item(
        2,
        transcript_tag("file:///etc/passwd") + transcript_tag("https://tiny.example/2.vtt"),
    )
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(hostile, fine))
    mock.add(responses.GET, "https://tiny.example/2.vtt", body=tiny_vtt("a safe one"))
    monkeypatch.setattr("builtins.open", watching_open)
    result = run("add", TINY_FEED)
    assert "/etc/passwd" not in opened
    assert result.exit_code == 2
    assert (
        "chaptersearch: Episode 1: transcript at 'file:///etc/passwd' refused: only http(s) "
        "addresses are followed"
    ) in result.stderr
    assert "added 1 episode" in result.stderr and "failed 1" in result.stderr
    assert "root:" not in result.stderr


def test_a_chapters_file_of_100000_chapters_fails_its_episode(
    run: Run, home: Home, mock: Any
) -> None:
    chapters = {
        "version": "1.2.0",
        "chapters": [{"startTime": n, "title": f"Chapter {n}"} for n in range(100_000)],
    }
    item = tiny_item(
        1,
        transcript_tag("https://tiny.example/1.vtt")
        + '<podcast:chapters url="https://tiny.example/1.json" type="application/json"/>',
    )
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item, tiny_item(2)))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("x"))
    mock.add(responses.GET, "https://tiny.example/1.json", body=json.dumps(chapters))
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    assert (
        "chaptersearch: Episode 1: chapters at https://tiny.example/1.json is over the 1 MB read"
    ) in result.stderr
    assert "1 episode has no timed transcript" in result.stderr  # episode 2: none published
    # under the size limit, the count is bounded too
    many = json.dumps({"chapters": [{"startTime": n, "title": "c"} for n in range(2001)]})
    with pytest.raises(Exception, match=f"more than the {MAX_CHAPTERS:,} read"):
        json_chapters(many, "x.json")


def test_redirects_are_bounded_and_stay_on_http(run: Run, mock: Any) -> None:
    mock.add(
        responses.GET,
        "https://tiny.example/loop",
        status=302,
        headers={"Location": "https://tiny.example/loop"},
    )
    looped = run("add", "https://tiny.example/loop")
    assert looped.exit_code == 2
    assert looped.stderr.strip() == (
        "chaptersearch: feed at https://tiny.example/loop: more than 5 redirects"
    )
    mock.add(
        responses.GET,
        "https://tiny.example/away",
        status=301,
        headers={"Location": "file:///etc/passwd"},
    )
    away = run("add", "https://tiny.example/away")
    assert away.exit_code == 2
    assert "redirected to a non-http(s) address" in away.stderr
