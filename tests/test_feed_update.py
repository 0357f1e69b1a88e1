"""``update``, ``sources`` and ``sources remove``: followed feeds, channels and playlists."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.sources.registry import Registry

from .conftest import Run
from .feed_fakes import (
    PB_FEED,
    TINY_FEED,
    python_bytes_feed,
    tiny_item,
    tiny_rss,
    tiny_vtt,
    transcript_tag,
)
from .youtube_fakes import VIDEO, FakeYoutubeDL, serve_video, youtube

__all__ = ["youtube"]  # the fixture, imported for pytest


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        yield served


def conditional_requests(mock: Any, url: str) -> list[tuple[str | None, str | None]]:
    return [
        (call.request.headers.get("If-None-Match"), call.request.headers.get("If-Modified-Since"))
        for call in mock.calls
        if call.request.url == url
    ]


def test_update_adds_only_the_new_item_then_nothing(
    shared: Any, run: Run, home: Home, mock: Any
) -> None:
    python_bytes_feed().serve(mock)
    assert run("add", PB_FEED).exit_code == 0
    (source,) = Registry(home.root).sources
    assert (source.kind, source.address, source.title) == ("feed", PB_FEED, "Python Bytes")
    assert source.etag == '"v1"' and len(source.episode_ids) == 38

    unchanged = run("update")
    assert unchanged.exit_code == 0, unchanged.stderr
    assert unchanged.stderr.splitlines() == [
        f"feed Python Bytes ({PB_FEED}): not modified since the last update",
        "updated 1 source: 0 new episodes (0 passages), 1 not modified, 0 failed; "
        f"home {home.root}",
    ]
    assert conditional_requests(mock, PB_FEED)[-1] == (
        '"v1"',
        "Mon, 30 Nov 2026 10:00:00 GMT",
    )

    mock.reset()
    newer = python_bytes_feed(extra=1)  # episode 61 is out
    newer.etag = '"v2"'
    newer.serve(mock)
    added = run("update")
    assert added.exit_code == 0, added.stderr
    # the two items that publish no timed transcript are looked at again: one may come later
    assert added.stderr.splitlines()[0] == (
        f"feed Python Bytes ({PB_FEED}): 1 new episode, 2 episodes without a timed transcript"
    )
    assert "updated 1 source: 1 new episode (" in added.stderr
    transcript_fetches = [c for c in mock.calls if "/transcript/" in c.request.url]
    assert [c.request.url for c in transcript_fetches] == [
        "https://pythonbytes.fm/episodes/transcript/61.vtt"
    ]  # nothing else fetched: the other items are known by their guid
    assert len(Library(home.library).ids()) == 39

    again = run("update")
    assert (
        again.stderr.splitlines()[0]
        == f"feed Python Bytes ({PB_FEED}): not modified since the last update"
    )
    assert conditional_requests(mock, PB_FEED)[-1][0] == '"v2"'
    assert len(Library(home.library).ids()) == 39


def test_one_failing_source_never_stops_the_others(run: Run, home: Home, mock: Any) -> None:
    other = "https://other.example/feed"
    mock.add(
        responses.GET,
        TINY_FEED,
        body=tiny_rss(tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))),
    )
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("first"))
    mock.add(responses.GET, other, body=tiny_rss())
    assert run("add", TINY_FEED, other).exit_code == 0
    mock.reset()
    mock.add(responses.GET, TINY_FEED, status=404)
    newer = tiny_item(2, transcript_tag("https://other.example/2.vtt"))
    mock.add(responses.GET, other, body=tiny_rss(newer))
    mock.add(responses.GET, "https://other.example/2.vtt", body=tiny_vtt("second"))
    result = run("update")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert (
        lines[0] == f"feed Tiny Show ({TINY_FEED}): failed: feed at {TINY_FEED}: HTTP 404 Not Found"
    )
    assert lines[1] == f"feed Tiny Show ({other}): 1 new episode"
    assert lines[-1].startswith("updated 2 sources: 1 new episode (")
    assert lines[-1].endswith(f"0 not modified, 1 failed; home {home.root}")


def test_sources_list_and_remove(run: Run, home: Home, mock: Any) -> None:
    mock.add(
        responses.GET,
        TINY_FEED,
        body=tiny_rss(tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))),
    )
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("kept"))
    assert run("sources").stderr.startswith("no sources yet")
    assert run("add", TINY_FEED).exit_code == 0
    listed = run("sources")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0] == " 1. feed     Tiny Show"
    assert lines[1] == f"    {TINY_FEED}"
    assert lines[2].startswith("    1 episode, last update 20")
    rows = json.loads(run("sources", "--json").stdout)
    assert rows[0]["episodes"] == 1 and rows[0]["kind"] == "feed"

    assert run("sources", "remove", "nothing-like-it").exit_code == 2
    removed = run("sources", "remove", "1")
    assert removed.exit_code == 0
    assert removed.stderr.strip() == (
        "no longer following Tiny Show; its episodes stay in the library (--episodes removes them)"
    )
    assert Registry(home.root).sources == [] and len(Library(home.library).ids()) == 1

    assert run("add", TINY_FEED).exit_code == 0
    gone = run("sources", "remove", "Tiny", "--episodes")
    assert gone.stderr.strip() == "no longer following Tiny Show and 1 episode"
    assert Library(home.library).ids() == []
    # written atomically: no temporary file left beside it
    assert sorted(p.name for p in home.root.glob(".*.tmp")) == []


def test_update_with_nothing_followed(run: Run) -> None:
    result = run("update")
    assert result.exit_code == 0
    assert result.stderr.startswith("no sources to update")


def test_playlists_are_remembered_and_updated(
    run: Run, home: Home, youtube: type[FakeYoutubeDL]
) -> None:
    playlist = "https://www.youtube.com/playlist?list=PLtest"
    youtube.playlists[playlist] = [VIDEO]
    serve_video()
    assert run("add", playlist, "--delay", "0").exit_code == 0
    (source,) = Registry(home.root).sources
    assert (source.kind, source.address, source.episode_ids) == ("playlist", playlist, [VIDEO])
    result = run("update")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"playlist {playlist}: 0 new episodes"


def serve_tiny(mock: Any, numbers: list[int], languages: tuple[str, ...] = ("en",)) -> None:
    """The tiny feed with these items, newest first, each with a transcript per language."""
    mock.reset()
    items = []
    for number in sorted(numbers, reverse=True):
        tags = ""
        for language in languages:
            url = f"https://tiny.example/{number}.{language}.vtt"
            tags += transcript_tag(url, language=language)
            mock.add(responses.GET, url, body=tiny_vtt(f"episode {number} in {language}"))
        items.append(tiny_item(number, tags))
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(*items))


def added_numbers(home: Home) -> list[str]:
    library = Library(home.library)
    return sorted(library.load(episode_id).title for episode_id in library.ids())


def test_update_takes_only_the_newest_items_that_add_limit_asked_for(
    run: Run, home: Home, mock: Any
) -> None:
    serve_tiny(mock, [1, 2])
    assert run("add", TINY_FEED, "--limit", "1").exit_code == 0
    assert added_numbers(home) == ["Episode 2"]
    serve_tiny(mock, [1, 2, 3, 4, 5])  # three new items since
    result = run("update")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"feed Tiny Show ({TINY_FEED}): 1 new episode"
    assert added_numbers(home) == ["Episode 2", "Episode 5"]
    listed = run("sources").stdout
    assert "newest 1" in listed


def test_update_takes_no_item_published_before_add_since(run: Run, home: Home, mock: Any) -> None:
    serve_tiny(mock, [3, 4])  # published 2026-01-04 and 2026-01-05
    assert run("add", TINY_FEED, "--since", "2026-01-05").exit_code == 0
    assert added_numbers(home) == ["Episode 4"]
    serve_tiny(mock, [1, 2, 3, 4, 6])
    assert run("update").exit_code == 0
    assert added_numbers(home) == ["Episode 4", "Episode 6"]
    assert "since 2026-01-05" in run("sources").stdout
    (source,) = json.loads(run("sources", "--json").stdout)
    assert (source["limit"], source["since"]) == (None, "2026-01-05")


def test_update_fetches_the_transcripts_in_the_languages_add_asked_for(
    run: Run, home: Home, mock: Any
) -> None:
    serve_tiny(mock, [1], languages=("en", "de"))
    assert run("add", TINY_FEED, "--lang", "de").exit_code == 0
    serve_tiny(mock, [1, 2], languages=("en", "de"))
    assert run("update").exit_code == 0
    library = Library(home.library)
    said = {
        library.load(i).title: " ".join(cue.text for cue in library.load(i).cues)
        for i in library.ids()
    }
    assert "episode 1 in de" in said["Episode 1"] and "episode 2 in de" in said["Episode 2"]
    assert "languages de" in run("sources").stdout


def test_a_failed_item_is_tried_again_by_the_next_update_though_the_feed_is_unchanged(
    run: Run, home: Home, mock: Any
) -> None:
    mock.add(
        responses.GET,
        TINY_FEED,
        body=tiny_rss(tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))),
        headers={"ETag": '"same"'},
    )
    mock.add(responses.GET, "https://tiny.example/1.vtt", status=500)
    run("add", TINY_FEED)
    assert Library(home.library).ids() == []
    mock.replace(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("at last"))
    result = run("update")
    assert result.stderr.splitlines()[0] == f"feed Tiny Show ({TINY_FEED}): 1 new episode"
    assert conditional_requests(mock, TINY_FEED)[-1] == (None, None)


def test_one_refusing_host_is_not_no_network(run: Run, home: Home, mock: Any) -> None:
    """A local feed server that is not running refuses the connection: that feed fails,
    the others are read, and nothing says the network is down."""
    refused = "http://127.0.0.1:8931/feed.xml"
    error = requests.exceptions.ConnectionError(
        "HTTPConnectionPool(host='127.0.0.1', port=8931): Max retries exceeded "
        "(Caused by NewConnectionError('[Errno 111] Connection refused'))"
    )
    mock.add(responses.GET, refused, body=error)
    serve_tiny(mock_keeping(mock), [1])
    result = run("add", refused, TINY_FEED)
    assert result.exit_code == 2
    assert "cannot reach 127.0.0.1:8931: the connection was refused" in result.stderr
    assert "no network" not in result.stderr
    assert added_numbers(home) == ["Episode 1"]
    assert len([call for call in mock.calls if call.request.url == refused]) == 1  # not retried


def mock_keeping(mock: Any) -> Any:
    """``mock`` with ``reset`` a no-op, so ``serve_tiny`` adds to what is served."""

    class Keeping:
        def reset(self) -> None:
            pass

        def add(self, *args: Any, **kwargs: Any) -> None:
            mock.add(*args, **kwargs)

    return Keeping()


def test_update_with_nothing_new_still_indexes_what_an_interrupted_command_left_out(
    run: Run, home: Home, mock: Any
) -> None:
    serve_tiny(mock, [1])
    assert run("add", TINY_FEED).exit_code == 0
    (entry,) = home.library.glob("*.json")
    (home.library / "left-out.json").write_bytes(entry.read_bytes())  # as after a kill -9
    assert json.loads(run("stats", "--json").stdout)["not_indexed"] == ["left-out"]
    result = run("update")
    assert result.exit_code == 0, result.stderr
    assert "indexed 1 library entry that an interrupted command had left out" in result.stderr
    assert json.loads(run("stats", "--json").stdout)["not_indexed"] == []


def test_ctrl_c_during_update_stops_the_whole_command(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "https://other.example/feed"
    serve_tiny(mock, [1])
    mock.add(responses.GET, other, body=tiny_rss())
    assert run("add", TINY_FEED, other).exit_code == 0
    serve_tiny(mock, [1, 2])
    mock.add(responses.GET, other, body=tiny_rss(tiny_item(7, transcript_tag("https://o/7.vtt"))))

    def interrupted(self: Any, item: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("chaptersearch.sources.adding.EpisodeMaker.__call__", interrupted)
    result = run("update")
    assert result.exit_code == 130, result.stderr
    assert result.stderr.strip().endswith("chaptersearch: interrupted")
    assert not [call for call in mock.calls if call.request.url == other]  # never read


def test_a_failing_item_is_tried_by_three_updates_then_left_alone_and_sources_says_so(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaptersearch.sources import transport

    monkeypatch.setattr(transport, "POLICY", transport.RetryPolicy(base_delay=0.001))
    broken = "https://tiny.example/1.vtt"
    mock.add(
        responses.GET,
        TINY_FEED,
        body=tiny_rss(tiny_item(1, transcript_tag(broken))),
        headers={"ETag": '"same"'},
    )
    mock.add(responses.GET, broken, status=500)
    run("add", TINY_FEED)

    def tries() -> int:
        return len([call for call in mock.calls if call.request.url == broken])

    after_add = tries()
    for update in range(1, 4):
        run("update")
        assert tries() > after_add
        after_add = tries()
        if update < 3:
            assert "1 failed, tried again by update" in run("sources").stdout
    run("update")
    assert tries() == after_add  # left alone
    assert "1 failed 3 times, no longer tried" in run("sources").stdout


def test_one_feed_under_equivalent_addresses_is_followed_once_and_added_once(
    run: Run, home: Home, mock: Any
) -> None:
    addresses = [
        TINY_FEED,
        TINY_FEED + "#",
        TINY_FEED.replace("https://tiny.example", "HTTPS://TINY.example:443"),
        TINY_FEED + "?utm_source=newsletter",
        TINY_FEED + "?utm=1",
    ]
    items = tiny_rss(tiny_item(1, transcript_tag("https://tiny.example/1.vtt")))
    mock.add(responses.GET, re.compile(r"https://tiny\.example/podcast/feed\.xml.*"), body=items)
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("said once"))
    for address in addresses:
        assert run("add", address).exit_code == 0
    assert len(Registry(home.root).sources) == 1
    assert len(Library(home.library).ids()) == 1


def test_an_item_brought_by_another_address_of_its_feed_is_not_added_again(
    run: Run, home: Home, mock: Any
) -> None:
    """``localhost`` and ``127.0.0.1`` name one server: no rule makes them one address,
    but the items' media files are the same."""
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))
    for address in ("http://localhost:8000/feed.xml", "http://127.0.0.1:8000/feed.xml"):
        mock.add(responses.GET, address, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("said once"))
    assert run("add", "http://localhost:8000/feed.xml").exit_code == 0
    again = run("add", "http://127.0.0.1:8000/feed.xml")
    assert again.exit_code == 0, again.stderr
    assert "skipped 1 already in the library" in again.stderr
    assert len(Library(home.library).ids()) == 1


def test_an_episode_the_user_removed_is_not_brought_back_by_update_until_restored(
    run: Run, home: Home, mock: Any
) -> None:
    serve_tiny(mock, [1, 2])
    assert run("add", TINY_FEED).exit_code == 0
    library = Library(home.library)
    unwanted = next(i for i in library.ids() if library.load(i).title == "Episode 1")
    assert run("remove", unwanted).exit_code == 0
    serve_tiny(mock, [1, 2, 3])  # the feed changes
    assert run("update").exit_code == 0
    assert added_numbers(home) == ["Episode 2", "Episode 3"]
    assert "1 removed by you, not added again" in run("sources").stdout
    restored = run("sources", "restore", "1")
    assert restored.stderr.startswith("1 removed episode of Tiny Show will be added again")
    serve_tiny(mock, [1, 2, 3])
    assert run("update").exit_code == 0
    assert added_numbers(home) == ["Episode 1", "Episode 2", "Episode 3"]


def test_a_source_removed_while_its_update_downloads_gets_nothing_added(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_tiny(mock, [1])
    assert run("add", TINY_FEED).exit_code == 0
    serve_tiny(mock, [1, 2, 3])
    from chaptersearch.sources.adding import EpisodeMaker

    download = EpisodeMaker._feed_item

    def meanwhile_removed(self: Any, entry: Any) -> Any:
        registry = Registry(home.root)  # as `sources remove` in another terminal does
        registry.sources = []
        registry.save()
        return download(self, entry)

    monkeypatch.setattr(EpisodeMaker, "_feed_item", meanwhile_removed)
    result = run("update")
    assert "is no longer followed (`sources remove`): not added" in result.stderr
    assert added_numbers(home) == ["Episode 1"]


def test_a_source_that_fails_after_a_304_counts_once(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed answering "not modified" whose update then fails (another writer took the
    home meanwhile) is one failed source, not "1 not modified, 1 failed" of one."""
    from chaptersearch.errors import IndexBusyError

    served = tiny_rss(tiny_item(1, transcript_tag("https://tiny.example/1.vtt")))
    mock.add(responses.GET, TINY_FEED, body=served, headers={"ETag": '"v1"'})
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("first"))
    assert run("add", TINY_FEED).exit_code == 0
    mock.reset()
    mock.add(responses.GET, TINY_FEED, status=304)

    def busy(*args: Any) -> None:
        raise IndexBusyError("index is busy: another chaptersearch is writing")

    monkeypatch.setattr("chaptersearch.sources.updating._record", busy)
    result = run("update")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].endswith(": failed: index is busy: another chaptersearch is writing")
    assert lines[-1].startswith("updated 1 source: 0 new episodes (0 passages), 0 not modified,")
    assert lines[-1].endswith(f" 1 failed; home {home.root}")


def test_an_interrupted_add_of_a_feed_is_followed_and_finished_by_update(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during ``add FEED``: the feed is followed all the same, without its
    validators, so the next ``update`` reads it whole and adds what was not."""
    items = [tiny_item(n, transcript_tag(f"https://tiny.example/{n}.vtt")) for n in (2, 1)]
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(*items), headers={"ETag": '"v1"'})
    for number in (1, 2):
        mock.add(responses.GET, f"https://tiny.example/{number}.vtt", body=tiny_vtt("said"))

    def interrupted(self: Any, item: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr("chaptersearch.sources.adding.EpisodeMaker.__call__", interrupted)
        stopped = run("add", TINY_FEED)
    assert stopped.exit_code == 130, stopped.stderr
    (source,) = Registry(home.root).sources
    assert (source.address, source.etag, source.last_modified) == (TINY_FEED, None, None)
    updated = run("update")
    assert updated.exit_code == 0, updated.stderr
    assert added_numbers(home) == ["Episode 1", "Episode 2"]
    assert Registry(home.root).sources[0].etag == '"v1"'


def test_a_sources_file_with_a_field_of_the_wrong_type_is_damaged(run: Run, home: Home) -> None:
    """``"episode_ids": "abc"`` had been "unexpected AttributeError" at the next add."""
    home.make()
    source = {"kind": "feed", "address": TINY_FEED, "episode_ids": "abc"}
    (home.root / "sources.json").write_text(json.dumps({"sources": [source]}), encoding="utf-8")
    for command in (["sources"], ["update"]):
        result = run(*command)
        assert result.exit_code == 2
        assert result.stderr == (
            f"chaptersearch: {home.root / 'sources.json'} is damaged (source 1: episode_ids is "
            "not a list of ids); remove it to start the list of sources again\n"
        )


def test_an_interrupted_add_that_cannot_follow_its_feed_still_says_what_it_did(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Following the feed after Ctrl-C takes the home's lock again: another writer
    holding it then is a warning, and the interrupted summary is still printed."""
    from chaptersearch.errors import IndexBusyError

    serve_tiny(mock, [1])

    def interrupted(self: Any, item: Any) -> None:
        raise KeyboardInterrupt

    def busy(*args: Any) -> None:
        raise IndexBusyError("index is busy: another chaptersearch is writing")

    monkeypatch.setattr("chaptersearch.sources.adding.EpisodeMaker.__call__", interrupted)
    monkeypatch.setattr("chaptersearch.sources.registry.remember_added", busy)
    result = run("add", TINY_FEED)
    assert result.exit_code == 130
    assert (
        "chaptersearch: warning: not followed: index is busy: another chaptersearch is writing"
    ) in result.stderr
    assert "chaptersearch: interrupted: added 0 episodes" in result.stderr


def conditional_tiny(mock: Any, numbers: list[int]) -> None:
    """The tiny feed answering 304 to a request that sends its ETag, as real servers do."""
    mock.reset()
    items = []
    for number in sorted(numbers, reverse=True):
        url = f"https://tiny.example/{number}.en.vtt"
        mock.add(responses.GET, url, body=tiny_vtt(f"episode {number}"))
        items.append(tiny_item(number, transcript_tag(url)))
    body = tiny_rss(*items)

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, ""
        return 200, {"ETag": '"v1"'}, body

    mock.add_callback(responses.GET, TINY_FEED, callback=answer)


def test_restore_brings_a_removed_episode_back_though_the_feed_did_not_change(
    run: Run, home: Home, mock: Any
) -> None:
    conditional_tiny(mock, [1, 2])
    assert run("add", TINY_FEED).exit_code == 0
    library = Library(home.library)
    gone = next(i for i in library.ids() if library.load(i).title == "Episode 1")
    assert run("remove", gone).exit_code == 0
    assert "not modified" in run("update").stderr  # the feed did not change
    assert run("sources", "restore", "1").exit_code == 0
    assert "1 new episode" in run("update").stderr
    assert added_numbers(home) == ["Episode 1", "Episode 2"]
    assert run("sources", "restore", "1").stderr.startswith("nothing to restore")


def test_items_that_fail_are_counted_by_sources_at_once_and_make_update_exit_2(
    run: Run, home: Home, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaptersearch.sources import transport

    monkeypatch.setattr(transport, "POLICY", transport.RetryPolicy(base_delay=0.001))
    broken = "https://tiny.example/1.vtt"
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(tiny_item(1, transcript_tag(broken))))
    mock.add(responses.GET, broken, status=500)
    assert run("add", TINY_FEED).exit_code == 2
    assert "1 failed, tried again by update" in run("sources").stdout
    result = run("update")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        "updated 1 source: 0 new episodes (0 passages), 0 not modified, 0 failed, 1 item failed;"
    )
