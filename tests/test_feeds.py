"""``add FEED_URL``: podcast feeds with published transcripts and chapters.

Served with ``responses`` (no network): the spec's own examples, the real Ship It! feed
with transcript pages made from the show's transcripts, and a Python Bytes feed of 40
real episodes built at test time from ../shared (those skip when it is absent).
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Episode
from chaptersearch.sources.feed import feed_episode_id, transcript_candidates
from chaptersearch.sources.feed_chapters import json_chapters
from chaptersearch.sources.feed_transcripts import UntimedTranscript, read_feed_transcript
from chaptersearch.sources.feeds import read_feed

from .conftest import Run
from .feed_fakes import (
    PB_FEED,
    SHIPIT_FEED,
    TINY_FEED,
    FakeFeed,
    python_bytes_feed,
    shipit_feed,
    tiny_item,
    tiny_rss,
    tiny_vtt,
    transcript_tag,
)


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        yield served


def episodes(home: Home) -> list[Episode]:
    return [entry for entry in Library(home.library).episodes() if isinstance(entry, Episode)]


def by_number(home: Home) -> dict[int, Episode]:
    return {int(e.title.split()[0].lstrip("#")): e for e in episodes(home)}


def hits(run: Run, query: str, *args: str) -> list[dict[str, Any]]:
    result = run("search", query, "--json", *args)
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


# --- the specification's own examples --------------------------------------------------


def test_spec_example_feed_lists_every_transcript_of_an_item(shared: Path) -> None:
    body = (shared / "fixtures" / "podcast" / "example.xml").read_bytes()
    feed = read_feed(body, "https://example.com/feed")
    assert feed.kind == "rss"
    newest = feed.items[0]
    assert newest.title == "Episode 3 - The Future"
    assert [(t.type, t.language) for t in newest.transcripts] == [
        ("text/plain", None),
        ("text/vtt", "es"),
    ]
    assert newest.chapters is not None and newest.chapters.url.endswith("ep3_chapters.json")
    # plain text is never a candidate; the VTT is, even in another language than asked
    chosen = transcript_candidates(newest, None, feed.language)
    assert [t.url for t in chosen] == ["https://example.com/episode1/transcript.vtt"]
    # items with only plain text have no timed transcript to try
    assert transcript_candidates(feed.items[-1], None, feed.language) == []


def test_spec_example_transcripts_in_every_format(shared: Path) -> None:
    folder = shared / "fixtures" / "podcast"

    def cues(name: str, kind: str) -> list[Any]:
        return read_feed_transcript((folder / name).read_bytes(), kind, name)

    vtt = cues("transcripts-example.vtt", "text/vtt")
    assert vtt[0].text == "In today's episode, you'll learn whether or not you"
    for kind in ("application/x-subrip", "application/srt", "text/srt"):
        srt = cues("transcripts-example.srt", kind)
        assert srt[0].start == pytest.approx(0.179) and len(srt) > 200
    words = cues("transcripts-example.json", "application/json")
    assert [(c.start, c.end, c.text) for c in words] == [
        (0.5, 2.5, "I am your father."),
        (2.75, 3.0, "Nooooo"),
    ]  # one segment per word, merged into a cue per speaker
    page = cues("transcripts-example.html", "text/html")
    assert page[0].start == 0.0 and page[0].text.startswith("When you first get started")
    # the <time>0:53</time> before Sarah's paragraph starts her first sentence
    sarah = next(c for c in page if c.text.startswith("Creating good audio"))
    assert sarah.start == pytest.approx(53.0)
    assert "Travis:" not in " ".join(c.text for c in page)  # <cite> speakers are not speech


def test_spec_example_chapters(shared: Path) -> None:
    folder = shared / "fixtures" / "podcast"
    simple = json_chapters((folder / "chapters-example.json").read_text(), "x")
    assert [(m.start, m.title) for m in simple][:3] == [
        (0.0, "Intro"),
        (168.0, "Hearing Aids"),
        (260.0, "Progress Report"),
    ]
    complex_ = json.loads((folder / "chapters-exampleComplex.json").read_text())
    hidden = [c["startTime"] for c in complex_["chapters"] if c.get("toc") is False]
    marks = json_chapters(json.dumps(complex_), "x")
    assert hidden == [4826] and 4826 not in {m.start for m in marks}
    complex_["chapters"][1]["toc"] = False  # a titled chapter kept out of the table too
    assert "Hearing Aids" not in {m.title for m in json_chapters(json.dumps(complex_), "x")}


def test_untimed_html_is_not_a_transcript() -> None:
    with pytest.raises(UntimedTranscript):
        read_feed_transcript(b"<p>Hello there.</p><p>No times here.</p>", "text/html", "x")


# --- a generated feed of 40 real Python Bytes episodes ---------------------------------


def test_python_bytes_feed(shared: Path, run: Run, home: Home, mock: Any) -> None:
    feed = python_bytes_feed()
    feed.serve(mock)
    result = run("add", feed.url)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("added 38 episodes ("), result.stderr
    assert "failed 0; 2 episodes have no timed transcript; home" in result.stderr
    found = by_number(home)
    assert sorted(found) == [n for n in range(21, 61) if n not in (56, 57)]

    # JSON chapters, the one marked toc: false left out; the source recorded
    e48 = found[48]
    titles = [c.title for c in e48.chapters]
    assert "Welcome" not in titles and "Things you need to know about garbage collection" in (
        " ".join(titles)
    )
    assert {c.source for c in e48.chapters} == {"feed", "generated"}  # and the Opening
    assert e48.origin.kind == "feed" and e48.origin.location == PB_FEED
    assert (
        e48.origin.chapters_from
        == "podcast:chapters https://pythonbytes.fm/episodes/chapters/48.json"
    )
    # times in the description
    assert {c.source for c in found[49].chapters} == {"description"}
    assert found[49].chapters[1].title == "Think like a Pythonista" or len(found[49].chapters) > 3
    # no chapters of its own: generated spans
    assert {c.source for c in found[30].chapters} == {"generated"}

    # details: title, show as channel, date, duration, page and media
    assert e48.channel == "Python Bytes"
    assert e48.url == "https://pythonbytes.fm/episodes/download/48/episode.mp3"
    assert e48.page == "https://pythonbytes.fm/episodes/show/48"
    assert e48.published is not None and e48.duration == pytest.approx(e48.cues[-1].end, abs=1)

    # SRT under its three types, word-level JSON merged, HTML with <time> stamps
    for number in (51, 52, 53, 54, 55):
        assert len(found[number].cues) > 100, number
    words = found[54].cues
    assert (
        max(len(c.text) for c in words) < 200 and sum(len(c.text) for c in words) / len(words) > 30
    )
    assert found[55].cues[0].start == 0.0 and found[55].cues[-1].start > 20 * 60

    # two languages: the feed's own (en-us) chosen over the Spanish listed first
    assert "español" not in found[58].cues[3].text
    # the older namespace URI under another prefix; an item without a guid
    assert len(found[59].cues) > 100
    assert found[60].id == feed_episode_id(
        PB_FEED, "https://pythonbytes.fm/episodes/download/60/episode.mp3"
    )

    # a hit names the chapter from the JSON chapters and opens the audio at the second
    top = hits(run, '"garbage collection"', "--video", e48.id)[0]
    assert top["chapter_title"] == "Things you need to know about garbage collection in Python"
    assert top["chapter_source"] == "feed"
    assert top["url"] == f"{e48.url}#t={int(top['start'])}"

    show = run("show", e48.id)
    assert "page: https://pythonbytes.fm/episodes/show/48" in show.stdout
    assert "chapters from: podcast:chapters" in show.stdout

    # the page plays it in an audio element at that second
    from chaptersearch.web.view import player_of

    assert player_of(top["url"]) == {"kind": "audio", "youtube": None, "media": e48.url}


def test_lang_limit_and_since(shared: Path, run: Run, home: Home, mock: Any) -> None:
    python_bytes_feed().serve(mock)
    result = run("add", PB_FEED, "--lang", "es", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    found = by_number(home)
    assert sorted(found) == [58, 59, 60]  # newest first
    assert found[58].cues[0].text.startswith("hablamos de python en español")
    assert found[58].language == "es"
    assert found[59].language == "en-us"  # no Spanish there: any language will do

    since = run("add", PB_FEED, "--since", "2017-12-18")  # items 57 to 60, a week apart
    assert since.exit_code == 0, since.stderr
    assert "skipped 3 already in the library" in since.stderr
    assert "1 episode has no timed transcript" in since.stderr  # 57 publishes none
    assert sorted(by_number(home)) == [58, 59, 60]
    bad = run("add", PB_FEED, "--since", "last week")
    assert bad.exit_code == 2 and "--since 'last week': use YYYY-MM-DD" in bad.stderr


def test_renamed_items_are_not_added_twice(shared: Path, run: Run, home: Home, mock: Any) -> None:
    feed = python_bytes_feed()
    feed.serve(mock)
    assert run("add", PB_FEED, "--limit", "5").exit_code == 0
    before = sorted(e.id for e in episodes(home))
    mock.reset()
    renamed = FakeFeed(PB_FEED, feed.xml.replace("<title>#", "<title>Episode #"), feed.pages)
    renamed.serve(mock, not_modified=False)
    again = run("add", PB_FEED, "--limit", "5")
    assert "added 0 episodes" in again.stderr and "skipped 3 already in the library" in again.stderr
    assert sorted(e.id for e in episodes(home)) == before


# --- the real Ship It! feed --------------------------------------------------------------


def test_ship_it_listener(shared: Path, run: Run, home: Home, mock: Any) -> None:
    shipit_feed().serve(mock)
    result = run("add", SHIPIT_FEED, "--limit", "12")
    assert result.exit_code == 0, result.stderr
    assert "added 11 episodes" in result.stderr
    assert "1 episode has no timed transcript" in result.stderr  # #135 publishes none
    library = episodes(home)
    assert {e.channel for e in library} == {"Ship It! Cloud, SRE, Platform Engineering"}
    honeycomb = next(e for e in library if e.title == "AI IRL at Honeycomb")
    assert honeycomb.origin.chapters_from == (
        "podcast:chapters https://changelog.com/shipit/134/chapters"
    )
    assert honeycomb.page == "https://changelog.com/shipit/134"
    # HTML pages with a stamp every few minutes: times between stamps are spread
    starts = [cue.start for cue in honeycomb.cues]
    assert starts == sorted(starts) and starts[-1] > 50 * 60
    top = hits(run, "honeycomb", "--video", honeycomb.id)[0]
    assert top["chapter_source"] == "feed"
    assert top["url"].startswith(
        "https://op3.dev/e/https://cdn.changelog.com/uploads/shipit/134/ship-it-134.mp3#t="
    )


def test_ship_it_episode_without_its_page_fails_alone(
    shared: Path, run: Run, home: Home, mock: Any
) -> None:
    feed = shipit_feed()
    del feed.pages["https://changelog.com/shipit/133/transcript"]
    feed.missing.append("https://changelog.com/shipit/133/transcript")
    feed.serve(mock)
    result = run("add", SHIPIT_FEED, "--limit", "4")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert (
        lines[0]
        == (
            "chaptersearch: Cloud Native Compute Foundation (CNCF) projects: transcript at "
            "https://changelog.com/shipit/133/transcript: HTTP 404 Not Found"
        )
        or "shipit/133/transcript: HTTP 404 Not Found" in lines[0]
    )
    assert "added 2 episodes" in lines[-1] and "failed 1;" in lines[-1]


# --- small made-up feeds: Atom, Podlove, failures of one episode ----------------------


def test_atom_feed_recognised_by_its_content(run: Run, home: Home, mock: Any) -> None:
    atom = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="https://podcastindex.org/namespace/1.0">
  <title>Atom Show</title><id>urn:atom-show</id><updated>2026-01-02T00:00:00Z</updated>
  <entry><title>First</title><id>urn:atom-show:1</id><updated>2026-01-02T00:00:00Z</updated>
    <link rel="alternate" href="https://atom.example/1"/>
    <link rel="enclosure" href="https://atom.example/1.m4a" type="audio/mp4"/>
    <p:transcript url="https://atom.example/1.vtt" type="text/vtt"/>
  </entry>
</feed>"""
    mock.add(responses.GET, "https://atom.example/show", body=atom, content_type="text/plain")
    mock.add(responses.GET, "https://atom.example/1.vtt", body=tiny_vtt("atom feeds work too"))
    result = run("add", "https://atom.example/show")
    assert result.exit_code == 0, result.stderr
    (episode,) = episodes(home)
    assert episode.title == "First" and episode.channel == "Atom Show"
    assert episode.url == "https://atom.example/1.m4a" and episode.page == "https://atom.example/1"


def test_podlove_chapters_when_no_json_chapters(run: Run, home: Home, mock: Any) -> None:
    podlove = (
        '<psc:chapters version="1.2"><psc:chapter start="00:00:00.000" title="Hello"/>'
        '<psc:chapter start="00:03:00" title="Main part"/></psc:chapters>'
    )
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt") + podlove)
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("podlove chapters"))
    assert run("add", TINY_FEED).exit_code == 0
    (episode,) = episodes(home)
    assert [(c.title, c.start, c.source) for c in episode.chapters] == [
        ("Hello", 0.0, "feed"),
        ("Main part", 180.0, "feed"),
    ]
    assert episode.origin.chapters_from == "Podlove Simple Chapters in the feed"


def test_a_broken_transcript_or_chapters_file_fails_that_episode_only(
    run: Run, home: Home, mock: Any
) -> None:
    good = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))
    broken = tiny_item(2, transcript_tag("https://tiny.example/2.srt", "application/srt"))
    chapters = tiny_item(
        3,
        transcript_tag("https://tiny.example/3.vtt")
        + '<podcast:chapters url="https://tiny.example/3.json" type="application/json"/>',
    )
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(good, broken, chapters))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("the good one"))
    mock.add(responses.GET, "https://tiny.example/2.srt", body="1\nnot a time\nhello\n")
    mock.add(responses.GET, "https://tiny.example/3.vtt", body=tiny_vtt("bad chapters"))
    mock.add(responses.GET, "https://tiny.example/3.json", body='{"chapters": [')
    result = run("add", TINY_FEED)
    assert result.exit_code == 2
    assert "chaptersearch: Episode 2: https://tiny.example/2.srt: not a valid SRT file" in (
        result.stderr
    )
    assert "chaptersearch: Episode 3: https://tiny.example/3.json: not valid JSON" in result.stderr
    assert "added 1 episode" in result.stderr and "failed 2" in result.stderr
    assert [e.title for e in episodes(home)] == ["Episode 1"]


def test_a_feed_with_one_item_takes_the_episode_flags(run: Run, home: Home, mock: Any) -> None:
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("flags"))
    assert run("add", TINY_FEED, "--title", "My name for it").exit_code == 0
    (episode,) = episodes(home)
    assert episode.title == "My name for it" and episode.channel == "Tiny Show"
    edited = run("edit", episode.id, "--channel", "Renamed")
    assert edited.exit_code == 0, edited.stderr
    (episode,) = episodes(home)
    assert episode.channel == "Renamed" and episode.url == "https://cdn.tiny.example/1.mp3"


def test_search_does_not_import_the_feed_readers(run: Run, home: Home, mock: Any) -> None:
    item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))
    mock.add(responses.GET, TINY_FEED, body=tiny_rss(item))
    mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("keeper test"))
    assert run("add", TINY_FEED).exit_code == 0
    code = (
        "import sys\n"
        "from chaptersearch.cli import main\n"
        "sys.argv = ['chaptersearch', 'search', 'keeper test']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "names = ('feedparser', 'defusedxml', 'requests', 'chaptersearch.sources.feeds')\n"
        "print(code, [m for m in names if m in sys.modules])\n"
    )
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home.root)}
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip().splitlines()[-1] == "0 []"


def test_add_help_says_what_a_feed_gives(run: Run) -> None:
    text = " ".join(run("add", "-h").stdout.replace("│", " ").split())
    assert "podcast feed URLs (RSS or Atom)" in text
    assert "A podcast feed gives an episode per item that publishes a timed transcript" in text
    assert "(MEDIA#t=SECONDS)" in text and "chaptersearch update" in text
