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


def only_episode(home: Home) -> Any:
    from chaptersearch.library.store import Library

    library = Library(home.library)
    (episode_id,) = library.ids()
    return library.load(episode_id), home.library / f"{episode_id}.json"


def test_show_notes_listing_200000_times_make_a_small_entry(
    run: Run, home: Home, mock: Any
) -> None:
    """A 35-minute episode whose notes list 200,000 times: no chapter list (more than the
    2,000 read, as for a chapters file), a note saying so, the notes kept once and cut;
    the entry had been 13.9 MB."""
    from chaptersearch.models import MAX_DESCRIPTION

    notes = "\n".join(f"{n // 60 % 35}:{n % 60:02d} Topic {n}" for n in range(200_000))
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"), description=notes)
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("x", 35 * 60.0))
    result = run("add", TINY_FEED)
    assert result.exit_code == 0, result.stderr
    said = "the description lists 200,000 chapter times, more than the 2,000 read"
    assert said in result.stderr
    episode, entry = only_episode(home)
    assert {chapter.source for chapter in episode.chapters} == {"generated"}
    assert len(episode.description) <= MAX_DESCRIPTION and episode.description.endswith("…")
    assert "description" not in episode.fetched["item"]
    assert episode.fetched["chapters"]["marks"] == []
    assert entry.stat().st_size < 150_000


def test_only_the_chapter_marks_used_are_kept_and_said_again(
    run: Run, home: Home, mock: Any
) -> None:
    """1,999 times a second apart in a 35-minute episode's notes: within the bound, so
    a chapter list, thinned to one chapter per 10 s; only the marks used are kept, and
    an episode made again (``edit``) has the same chapters and notes."""
    notes = "\n".join(f"{n // 60}:{n % 60:02d} Topic {n}" for n in range(1999))
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"), description=notes)
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("x", 35 * 60.0))
    assert run("add", TINY_FEED).exit_code == 0
    episode, _ = only_episode(home)
    used = [chapter for chapter in episode.chapters if chapter.source == "description"]
    assert 150 < len(used) <= 200
    assert episode.fetched["chapters"]["marks"] == [[c.start, c.title] for c in used]
    assert any(note.startswith("dropped 1799 chapter(s)") for note in episode.chapter_notes)
    assert run("edit", episode.id, "--title", "Renamed").exit_code == 0
    again, _ = only_episode(home)
    assert again.chapters == episode.chapters and again.chapter_notes == episode.chapter_notes


def test_a_chapter_title_of_900_kb_is_cut(run: Run, home: Home, mock: Any) -> None:
    """Chapter titles from a feed are cut as typed ones are: 120 characters."""
    from chaptersearch.models import MAX_TITLE_LENGTH

    chapters = {
        "chapters": [{"startTime": 0, "title": "A" * 900_000}, {"startTime": 60, "title": "B"}]
    }
    item = tiny_item(
        1,
        transcript_tag("https://tiny.example/1.vtt")
        + '<podcast:chapters url="https://tiny.example/1.json" type="application/json"/>',
    )
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("x"))
    mock.add(responses.GET, "https://tiny.example/1.json", body=json.dumps(chapters))
    assert run("add", TINY_FEED).exit_code == 0
    episode, entry = only_episode(home)
    assert [chapter.title for chapter in episode.chapters] == ["A" * MAX_TITLE_LENGTH, "B"]
    assert entry.stat().st_size < 100_000
    shown = run("show", episode.id).stdout
    assert "A" * MAX_TITLE_LENGTH in shown and "A" * (MAX_TITLE_LENGTH + 1) not in shown


def test_items_that_can_be_no_episode_are_counted(run: Run, home: Home, mock: Any) -> None:
    """An item with neither guid nor enclosure, and one repeating a newer item's guid,
    are left out with a line each (they had vanished without a word); `update` says so
    on its source's line."""
    nameless = "<item><title>Nameless</title><description>no guid, no file</description></item>"
    newer = tiny_item(2, transcript_tag("https://tiny.example/2.vtt"))
    twin = tiny_item(1, transcript_tag("https://tiny.example/1.vtt")).replace("tiny-1", "tiny-2")
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(nameless, twin, newer))
    mock.add(responses.GET, "https://tiny.example/2.vtt", body=tiny_vtt("two"))
    added = run("add", TINY_FEED)
    assert added.exit_code == 0, added.stderr
    left_out = [
        "1 item has neither guid nor enclosure: left out",
        "1 item repeats the guid (or enclosure) of a newer item: left out",
    ]
    for line in left_out:
        assert f"chaptersearch: warning: {TINY_FEED}: {line}\n" in added.stderr
    assert "added 1 episode" in added.stderr
    updated = run("update")
    assert updated.exit_code == 0, updated.stderr
    assert updated.stderr.splitlines()[0] == (
        f"feed Tiny Show ({TINY_FEED}): 0 new episodes, {', '.join(left_out)}"
    )


def test_a_relative_transcript_address_is_read_against_the_feeds(
    run: Run, home: Home, mock: Any
) -> None:
    """``<podcast:transcript url="/t/1.vtt">`` is on the feed's host, as a browser reads
    it (it had been refused as not http(s)); a ``file:`` one is still refused."""
    item = tiny_item(1, transcript_tag("/t/1.vtt"))
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/t/1.vtt", body=tiny_vtt("relative"))
    result = run("add", TINY_FEED)
    assert result.exit_code == 0, result.stderr
    assert "added 1 episode" in result.stderr


def test_a_304_to_a_first_request_is_an_error(run: Run, home: Home, mock: Any) -> None:
    """Nothing was asked conditionally, so "not modified" says nothing: one line, and
    no source titled "-" is followed."""
    from chaptersearch.sources.registry import Registry

    mock.add(responses.GET, TINY_FEED, status=304)
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    assert result.stderr == (
        f"chaptersearch: feed at {TINY_FEED}: answered 304 Not Modified to a request that was "
        "not conditional\n"
    )
    assert Registry(home.root).sources == []


def test_a_socks_proxy_without_pysocks_says_so(
    run: Run, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It had been reported as a redirect to a non-http(s) address."""
    import requests

    from chaptersearch.sources.feed_http import fetch

    monkeypatch.setattr("chaptersearch.output.links.socks_supported", lambda: False)
    result = run("add", TINY_FEED, "--proxy", "socks5://user:secret@127.0.0.1:1080")
    assert result.exit_code == 2 and "secret" not in result.stderr
    assert result.stderr == (
        "chaptersearch: --proxy socks5://…: a SOCKS proxy needs PySocks, which is not "
        "installed (pip install 'requests[socks]'); or give an http(s) proxy\n"
    )

    class WithoutPySocks:  # what requests raises, given a socks proxy without PySocks
        def get(self, *args: Any, **kwargs: Any) -> Any:
            raise requests.exceptions.InvalidSchema("Missing dependencies for SOCKS support.")

    with pytest.raises(Exception, match="a SOCKS proxy needs PySocks") as raised:
        fetch(WithoutPySocks(), TINY_FEED, 1000)
    assert "redirected" not in str(raised.value)
