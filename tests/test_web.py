"""The local web page and its JSON API, through Starlette's test client: what is shown,
what is escaped, and what is refused."""

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.web import create_app

from .conftest import Run
from .helpers import GARBAGE, talk, vtt_text

XSS = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'


@pytest.fixture
def site(run: Run, home: Home, netflix_like: tuple[Path, Path], tmp_path: Path) -> TestClient:
    transcript, chapters = netflix_like
    added = run(
        "add",
        str(transcript),
        "--title",
        "Netflix engineering",
        "--url",
        "https://www.youtube.com/watch?v=sAp9RjO79cU",
        "--channel",
        "Pragmatic",
        "--chapters",
        str(chapters),
    )
    assert added.exit_code == 0, added.stderr
    podcast = tmp_path / "podcast.vtt"
    podcast.write_text(vtt_text(talk(600.0, {60.0: "the keeper of the lighthouse"})))
    assert run("add", str(podcast), "--url", "https://example.org/ep1.mp3").exit_code == 0
    hostile = Episode(
        id="hostile",
        title=f"Title {XSS}",
        channel=f"Channel {XSS}",
        url="javascript:alert(3)",
        duration=20,
        chapters=[Chapter(title=f"Chapter {XSS}", start=0, end=20, source="file")],
        cues=[Cue(start=0, end=10, text=f"keeper {XSS}"), Cue(start=10, end=20, text="end")],
        origin=Origin(kind="file", location="/x.vtt"),
    )
    Library(home.library).save(hostile)
    assert run("rebuild").exit_code == 0
    return TestClient(create_app(home), base_url="http://127.0.0.1:8765")


def test_the_page_works_without_javascript(site: TestClient) -> None:
    page = site.get("/", params={"q": "keeper test"})
    assert page.status_code == 200
    html = page.text
    assert "Netflix engineering" in html
    assert "§ The Keeper Test (36:01)" in html
    assert "at 36:05" in html
    assert "<mark>keeper</mark> <mark>test</mark>" in html
    assert 'href="https://www.youtube.com/watch?v=sAp9RjO79cU&amp;t=2165s"' in html
    assert 'data-kind="youtube" data-youtube="sAp9RjO79cU"' in html
    assert 'href="/episodes/sAp9RjO79cU?t=2165&amp;q=keeper%20test"' in html


def test_hits_are_grouped_by_episode_with_the_right_player(site: TestClient) -> None:
    html = site.get("/", params={"q": "keeper"}).text
    groups = re.findall(r'<li class="episode">\s*<h2><a href="/episodes/([^"]+)"', html)
    assert len(groups) == len(set(groups)) >= 2
    assert 'data-kind="audio" data-youtube="" data-media="https://example.org/ep1.mp3"' in html


def test_everything_from_the_data_is_escaped(site: TestClient) -> None:
    for page in (
        site.get("/", params={"q": "keeper"}),
        site.get("/episodes/hostile"),
        site.get("/episodes/hostile", params={"q": "keeper alert"}),
        site.get("/", params={"q": XSS}),
    ):
        html = page.text
        assert "<script>alert" not in html and "<img" not in html
        assert "&#34;&gt;&lt;img" in html or "&lt;img" in html or not page.text
    html = site.get("/episodes/hostile").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    marked = site.get("/episodes/hostile", params={"q": "keeper alert"}).text
    assert "<mark>keeper</mark> &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in marked
    assert 'href="javascript:' not in site.get("/", params={"q": "keeper"}).text
    assert 'href="javascript:' not in html
    api = site.get("/api/search", params={"q": "keeper"}).json()
    hostile = next(hit for hit in api["hits"] if hit["video_id"] == "hostile")
    assert "<script>" in hostile["snippet"]  # JSON carries it as text; the page's script
    assert hostile["player"]["kind"] == "link"  # puts it in with textContent


def test_scripts_come_only_from_files_and_the_policy_says_so(site: TestClient) -> None:
    page = site.get("/", params={"q": "keeper"})
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' https://www.youtube.com" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    for html in (page.text, site.get("/episodes/sAp9RjO79cU").text, site.get("/api").text):
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
        assert scripts and all(
            'src="/static/' in attrs and not body.strip() for attrs, body in scripts
        )
        assert " style=" not in html and " on" + "click=" not in html
    assert page.headers["x-content-type-options"] == "nosniff"


def test_a_foreign_host_name_is_refused(site: TestClient) -> None:
    """DNS rebinding: a page elsewhere whose name now points at 127.0.0.1."""
    assert site.get("/", headers={"host": "evil.example"}).status_code == 400
    assert site.get("/api/search?q=x", headers={"host": "evil.example:8765"}).status_code == 400
    assert site.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_read_only(site: TestClient) -> None:
    for path in ("/", "/api/search", "/api/episodes/hostile", "/episodes/hostile"):
        assert site.post(path).status_code == 405
        assert site.delete(path).status_code == 405


def test_queries_and_results_are_bounded(site: TestClient) -> None:
    long = site.get("/api/search", params={"q": "keeper " * 300})
    assert long.status_code == 400 and "longer than 1000 characters" in long.json()["error"]
    many = site.get("/api/search", params={"q": "keeper", "limit": "100000"}).json()
    assert len(many["hits"]) <= 50
    bad = site.get("/api/search", params={"q": "chapters:x"})
    assert bad.status_code == 400 and "unknown filter" in bad.json()["error"]
    assert site.get("/", params={"q": "chapters:x"}).status_code == 400


def test_an_episode_pages_query_is_bounded_and_named_once(site: TestClient) -> None:
    """A query over 1,000 characters is refused in one line, not searched nor repeated;
    one within the bound is named once in the page, and its links carry only the
    moment (a query of 60,000 characters in every caption link made a page of 304 MB)."""
    plain = site.get("/episodes/sAp9RjO79cU").text
    refused = site.get("/episodes/sAp9RjO79cU", params={"q": "keeper " * 9000})
    assert refused.status_code == 400
    assert "the query is longer than 1,000 characters: it was not searched" in refused.text
    assert "keeper keeper" not in refused.text and len(refused.text) < len(plain) + 1000
    filler = "z" * 900
    marked = site.get("/episodes/sAp9RjO79cU", params={"q": f"keeper test {filler}"})
    assert marked.status_code == 200 and "<mark>keeper</mark>" in marked.text
    assert marked.text.count(filler) <= 3  # data-query, the search box, the status line
    assert len(marked.text) < len(plain) + 10_000
    assert f'data-query="keeper test {filler}"' in marked.text
    assert re.search(r'<a class="seek time" href="\?t=2165#cue-433"', marked.text)


def test_the_api_gives_the_fields_of_json_output(site: TestClient, run: Run) -> None:
    cli = json.loads(run("search", "keeper test", "--json").stdout)[0]
    api = site.get("/api/search", params={"q": "keeper test"}).json()["hits"][0]
    assert set(cli) <= set(api)
    assert {key: api[key] for key in cli} == cli
    episode = site.get("/api/episodes/sAp9RjO79cU").json()
    assert episode["title"] == "Netflix engineering" and "cues" not in episode
    chapters = site.get("/api/episodes/sAp9RjO79cU/chapters").json()
    assert [c["title"] for c in chapters][3] == "The Keeper Test"
    transcript = site.get("/api/episodes/sAp9RjO79cU/transcript").json()
    assert transcript[0]["start"] == 0
    assert site.get("/api/episodes/nothing").status_code == 404
    assert "/api/search?q=QUERY" in site.get("/api").text


def test_the_episode_page_shows_chapters_hits_and_the_moment(site: TestClient) -> None:
    html = site.get("/episodes/sAp9RjO79cU", params={"t": "2165", "q": "keeper test"}).text
    assert "The Keeper Test" in html
    assert html.count('class="segment ') == 5
    assert html.count('class="mark"') >= 1
    current = re.search(r'<p id="cue-(\d+)" class="cue current">', html)
    assert current and int(current.group(1)) == 2165 // 5
    assert "we call it the <mark>keeper</mark> <mark>test</mark>" in html
    missing = site.get("/episodes/nothing")
    assert missing.status_code == 404 and "No episode" in missing.text


def test_serve_refuses_a_port_in_use(run: Run) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_the_moment_in_whole_seconds_is_the_cue_said_then() -> None:
    """Links carry whole seconds: ``t=297`` is the cue that starts at 297.5, not the one
    before it."""
    from chaptersearch.web.view import episode_view

    episode = Episode(
        id="e",
        title="E",
        duration=310,
        chapters=[Chapter(title="All", start=0, end=310, source="file")],
        cues=[Cue(start=288.2, end=297.5, text="before"), Cue(start=297.5, end=305, text="said")],
        origin=Origin(kind="file", location="/e.vtt"),
    )
    view = episode_view(episode, [], 297, "")
    assert view["cues"][view["current"]]["text"] == "said"


@pytest.fixture
def talky(run: Run, home: Home, tmp_path: Path) -> TestClient:
    transcript = tmp_path / "gc.vtt"
    transcript.write_text(vtt_text(talk(1200.0, GARBAGE)), encoding="utf-8")
    chapters = tmp_path / "gc.txt"
    chapters.write_text("0:00 Memory\n6:00 Cycles\n10:00 Extras\n", encoding="utf-8")
    added = run("add", str(transcript), "--title", "GC", "--chapters", str(chapters))
    assert added.exit_code == 0, added.stderr
    return TestClient(create_app(home), base_url="http://127.0.0.1:8765")


def test_the_episode_page_marks_every_place_the_words_are_said(talky: TestClient) -> None:
    """A search gives one hit per chapter (three here); the page marks each place: four
    that say both words, two that say one of them, and highlights the words."""
    html = talky.get("/episodes/gc", params={"q": "garbage collection"}).text
    full = re.findall(r'href="/episodes/gc\?t=(\d+)"><rect class="mark"', html)
    assert sorted(map(int, full)) == [60, 120, 400, 700]  # 700: said across two captions
    partial = re.findall(r'\?t=(\d+)"><rect class="mark partial"', html)
    assert sorted(map(int, partial)) == [140, 900]
    status = re.sub(r"<span[^>]*></span>", "", html)
    assert "4 places say “garbage collection”, 2 more say some of its words" in status
    assert "called <mark>Garbage</mark> <mark>Collection</mark> in Python" in html
    assert "generational <mark>garbage</mark></p>" in html
    assert "</a> <mark>collection</mark> is what Python does" in html
    assert "the <mark>garbage</mark> is gone &amp; forgotten" in html


def test_the_places_obey_the_query(talky: TestClient) -> None:
    """A phrase marks only where it is said in order; a chapter filter, only its
    chapter; words not said at all, nothing."""
    html = talky.get("/episodes/gc", params={"q": '"garbage collection"'}).text
    assert html.count('<rect class="mark"') == 4 and 'class="mark partial"' not in html
    html = talky.get("/episodes/gc", params={"q": "garbage collection chapter:cycles"}).text
    assert re.findall(r"\?t=(\d+)\"><rect class=\"mark", html) == ["400"]
    assert "<mark>" not in html.split("called", 1)[1].split("</p>", 1)[0]
    html = talky.get("/episodes/gc", params={"q": "lighthouse"}).text
    assert '<rect class="mark' not in html and "is not said in this episode" in html


@pytest.fixture
def voices(run: Run, home: Home, tmp_path: Path) -> TestClient:
    """Two minutes of two voices (Amal Hussein until 0:40, then Henri Helvetica, who says
    "lighthouse keeper" at 0:50), and an episode whose speaker's name is markup."""
    cues = []
    for number, (start, end, text) in enumerate(talk(120.0, {50.0: "the lighthouse keeper"})):
        who = "Amal Hussein" if number < 8 else "Henri Helvetica"
        cues.append((start, end, f"<v {who}>{text}"))
    transcript = tmp_path / "voices.vtt"
    transcript.write_text(vtt_text(cues), encoding="utf-8")
    assert run("add", str(transcript)).exit_code == 0
    hostile = Episode(
        id="hostile-voice",
        title="Hostile voice",
        duration=20,
        chapters=[Chapter(title="All", start=0, end=20, source="file")],
        cues=[
            Cue(start=0, end=10, text="the keeper speaks", speaker=f"Eve {XSS}"),
            Cue(start=10, end=20, text="and goes on", speaker=f"Eve {XSS}"),
        ],
        origin=Origin(kind="file", location="/x.vtt"),
    )
    Library(home.library).save(hostile)
    assert run("rebuild").exit_code == 0
    return TestClient(create_app(home), base_url="http://127.0.0.1:8765")


def test_hits_and_transcripts_name_who_speaks(voices: TestClient) -> None:
    """As the terminal says it: "at 0:50, Henri Helvetica" beside a hit, and the name
    before the caption where a turn begins (once per turn) on the episode page."""
    html = voices.get("/", params={"q": "lighthouse"}).text
    assert 'at 0:50, <span class="speaker">Henri Helvetica</span></span>' in html
    api = voices.get("/api/search", params={"q": "lighthouse"}).json()["hits"]
    assert [hit["speaker"] for hit in api] == ["Henri Helvetica"]
    page = voices.get("/episodes/voices", params={"t": "50", "q": "lighthouse"}).text
    assert re.findall(r'<span class="speaker">([^<]*)</span>', page) == [
        "Amal Hussein:",
        "Henri Helvetica:",
    ]
    assert 'data-start="40">0:40</a> <span class="speaker">Henri Helvetica:</span> ' in page
    assert '<span class="speaker">Henri Helvetica:</span> the <mark>lighthouse</mark>' not in page


def test_a_speakers_name_is_shown_as_text(voices: TestClient) -> None:
    for html in (
        voices.get("/", params={"q": "keeper"}).text,
        voices.get("/episodes/hostile-voice").text,
    ):
        assert "<script>alert" not in html and "<img" not in html
        assert '<span class="speaker">Eve &lt;script&gt;alert(1)&lt;/script&gt; ' in html
    api = voices.get("/api/search", params={"q": "speaks"}).json()["hits"]
    assert api[0]["speaker"] == f"Eve {XSS}"  # JSON carries it as text, for textContent


def test_a_transcript_page_that_starts_within_a_turn_names_its_speaker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chaptersearch.web import view

    monkeypatch.setattr(view, "PAGE_CUES", 4)
    speakers = ["Ann", "Ann", "Ann", "Ann", "Ann", "Ann", "Bo", "Bo", None, "Bo"]
    episode = Episode(
        id="e",
        title="E",
        duration=100,
        chapters=[Chapter(title="All", start=0, end=100, source="file")],
        cues=[
            Cue(start=10 * n, end=10 * n + 10, text=f"c{n}", speaker=who)
            for n, who in enumerate(speakers)
        ],
        origin=Origin(kind="file", location="/e.vtt"),
    )
    page = view.transcript_page(episode, 6)
    assert [cue["index"] for cue in page] == ["earlier", 4, 5, 6, 7, "later"]
    assert [cue["speaker"] for cue in page] == [None, "Ann", None, "Bo", None, None]


def test_made_up_chapters_say_so(site: TestClient, home: Home) -> None:
    """An episode without chapters gets chapters made from the talk; the page says so,
    as the terminal does ("§ Title (8:36, made from the talk)")."""
    html = site.get("/", params={"q": "lighthouse"}).text
    made = r'§ [^<(]+ \(\d+:\d\d, <span class="made-up">made from the talk</span>\)</span>'
    assert re.search(made, html)
    assert "§ The Keeper Test (36:01)</span>" in site.get("/", params={"q": "keeper test"}).text
    episode = site.get("/episodes/podcast").text
    assert "This episode has no chapters of its own: these were made from the talk." in episode
    assert re.search(r"<title>\d+:\d\d [^<]+ \(made from the talk\)</title>", episode)
    assert "made from the talk" not in site.get("/episodes/sAp9RjO79cU").text
    older = Episode(  # an entry from before chapters were cut from the talk
        id="older",
        title="Older",
        duration=900,
        chapters=[
            Chapter(title="0:00–10:00", start=0, end=600, source="generated"),
            Chapter(title="10:00–15:00", start=600, end=900, source="generated"),
        ],
        cues=[Cue(start=0, end=900, text="words")],
        origin=Origin(kind="file", location="/older.vtt"),
    )
    Library(home.library).save(older)
    html = site.get("/episodes/older").text
    assert 'data-start="600">10:00–15:00</a>' in html  # not "10:00 10:00–15:00"


def test_a_missing_episode_does_not_show_the_home(site: TestClient, home: Home) -> None:
    page = site.get("/episodes/sAp9RjO79cx")
    assert page.status_code == 404
    assert str(home.root) not in page.text and "/home" not in page.text
    assert "No episode &#39;sAp9RjO79cx&#39; in this library." in page.text
    assert 'Perhaps <a href="/episodes/sAp9RjO79cU">sAp9RjO79cU</a>?' in page.text
    assert '<a href="/library">Browse the library</a>' in page.text
    api = site.get("/api/episodes/nothing")
    assert api.status_code == 404 and str(home.root) not in api.text
    assert api.json() == {"error": "No episode 'nothing' in this library."}
    broken = Library(home.library).path("broken")
    broken.write_text("{", encoding="utf-8")
    page = site.get("/episodes/broken")
    assert page.status_code == 404 and str(home.root) not in page.text
    assert "cannot be read; `chaptersearch rebuild` names the problem" in page.text


def test_a_favicon_is_served(site: TestClient) -> None:
    """Chromium asks for one on every page; it logged a 404."""
    html = site.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for path in ("/static/favicon.svg", "/favicon.ico"):
        icon = site.get(path)
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.startswith("<svg") and "<script" not in icon.text


def test_the_library_page_lists_shows_and_episodes_with_chapters(site: TestClient) -> None:
    html = site.get("/").text
    assert '<a class="browse" href="/library">Library</a>' in html
    page = site.get("/library")
    assert page.status_code == 200
    html = page.text
    assert 'href="/library?show=Pragmatic">Pragmatic <span class="count">1</span>' in html
    assert 'All shows <span class="count">3</span>' in html
    assert '<a href="/episodes/sAp9RjO79cU">Netflix engineering</a>' in html
    assert (
        '<a href="/episodes/sAp9RjO79cU?t=2161"><span class="time">36:01</span> The Keeper Test'
        in html
    )
    assert "No chapters of its own; made from the talk:" in html  # the podcast
    assert '<a href="/library?show=">No show <span class="count">1</span>' in html
    assert "<script>alert" not in html and "<img" not in html
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Chapter &lt;script&gt;" in html and "Channel &lt;script&gt;" in html
    shown = site.get("/library", params={"show": "Pragmatic"}).text
    assert "Netflix engineering" in shown and "/episodes/hostile" not in shown
    assert 'aria-current="page">Pragmatic' in shown
    nameless = site.get("/library", params={"show": ""}).text
    assert titles_of(nameless) == ["/episodes/podcast"] and "of no show" in nameless


@pytest.fixture
def shelf(home: Home) -> TestClient:
    """A library of 45 episodes over two shows, dated a week apart, not indexed (the
    library page needs no index)."""
    library = Library(home.library)
    for number in range(45):
        library.save(
            Episode(
                id=f"ep{number:02d}",
                title=f"Episode {number}",
                channel="Weekly" if number % 3 else "Monthly",
                published=date(2024, 1, 1) + timedelta(days=7 * number) if number < 40 else None,
                duration=60,
                chapters=[
                    Chapter(title="Hello", start=0, end=30, source="file"),
                    Chapter(title=f"Topic {number}", start=30, end=60, source="file"),
                ],
                cues=[Cue(start=0, end=60, text="words " * 2000)],
                origin=Origin(kind="file", location=f"/ep{number}.vtt"),
            )
        )
    return TestClient(create_app(home), base_url="http://127.0.0.1:8765")


def titles_of(html: str) -> list[str]:
    return re.findall(r'<h2><a href="(/episodes/[^"]+)">', html)


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/episodes/ep\d+">([^<]*)</a></h2>', html)


def test_the_library_is_paged_newest_first(shelf: TestClient) -> None:
    first = shelf.get("/library").text
    assert titles(first) == [f"Episode {n}" for n in range(39, 19, -1)]
    assert "1–20 of 45 episodes, newest first." in first
    assert '<a href="/library?page=2" rel="next">Older →</a>' in first and "Newer" not in first
    last = shelf.get("/library", params={"page": "3"}).text
    assert titles(last) == [f"Episode {n}" for n in range(40, 45)]  # undated, by id
    assert '<a href="/library?page=2" rel="prev">← Newer</a>' in last and "Older" not in last
    for page in ("0", "-3", "x", "1e9", "99999999999999999999999"):
        html = shelf.get("/library", params={"page": page}).text
        assert len(titles(html)) in (20, 5)
    monthly = shelf.get("/library", params={"show": "Monthly"}).text
    assert titles(monthly) == [f"Episode {n}" for n in range(39, -1, -3)] + ["Episode 42"]
    assert "1–15 of 15 episodes of Monthly, newest first." in monthly
    unknown = shelf.get("/library", params={"show": "<nobody>"}).text
    assert len(titles(unknown)) == 20 and "&lt;nobody&gt;" not in unknown


def test_the_library_reads_each_entry_once(
    shelf: TestClient, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page costs a look at each file's size and time, not a read of every transcript:
    entries are read (their details only) when new or changed."""
    from chaptersearch.web import catalogue

    read: list[str] = []
    original = catalogue.read_summary

    def counting(path: Path) -> catalogue.Summary:
        read.append(path.stem)
        return original(path)

    monkeypatch.setattr(catalogue, "read_summary", counting)
    monkeypatch.setattr(Library, "load_path", staticmethod(lambda path: pytest.fail("read whole")))
    assert len(titles(shelf.get("/library").text)) == 20
    assert len(read) == 45
    shelf.get("/library", params={"page": "2"})
    assert len(read) == 45
    entry = Library(home.library).path("ep44")
    entry.write_text(entry.read_text().replace("Episode 44", "Episode 44 renamed"))
    assert "Episode 44 renamed" in shelf.get("/library", params={"page": "3"}).text
    assert read[45:] == ["ep44"]


def test_an_entry_in_another_order_is_read_whole(home: Home) -> None:
    from chaptersearch.web.catalogue import read_summary

    episode = Episode(
        id="odd",
        title="Odd",
        duration=10,
        chapters=[Chapter(title="All", start=0, end=10, source="file")],
        cues=[Cue(start=0, end=10, text='he said "cues": no')],
        origin=Origin(kind="file", location="/odd.vtt"),
    )
    data = json.loads(episode.model_dump_json())
    reordered = {"cues": data.pop("cues"), **data}
    path = home.library / "odd.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(reordered), encoding="utf-8")
    summary = read_summary(path)
    assert summary.title == "Odd" and summary.chapters[0].title == "All"


# Issue 23: what the terminal has, the page has too


def test_a_typo_gets_a_did_you_mean_on_the_page_and_in_the_api(site: TestClient) -> None:
    """The terminal's suggestion (``search.suggest``), asked as the terminal asks it:
    only when the hits do not fill the page."""
    api = site.get("/api/search", params={"q": "keper test"}).json()
    assert api["did_you_mean"] == "keeper test"
    html = site.get("/", params={"q": "keper test"}).text
    assert 'Did you mean <a class="suggestion" href="/?q=keeper+test">keeper test</a>?' in html
    full = site.get("/api/search", params={"q": "keeper", "limit": "1"}).json()
    assert full["did_you_mean"] is None and len(full["hits"]) == 1
    none = site.get("/", params={"q": "keper lighthose"})
    assert "Did you mean" in none.text and "keeper lighthouse" in none.text


def test_more_hits_are_a_link_away_up_to_a_bound(site: TestClient) -> None:
    one = site.get("/api/search", params={"q": "keeper", "limit": "1"}).json()
    assert len(one["hits"]) == 1 and one["limit"] == 1
    assert one["more"] is True and one["more_page"] == "/?q=keeper&limit=2"
    html = site.get("/", params={"q": "keeper", "limit": "1"}).text
    assert '<a class="more-hits" href="/?q=keeper&amp;limit=2">More hits</a>' in html
    every = site.get("/api/search", params={"q": "keeper", "limit": "40"}).json()
    assert every["more"] is False and every["more_page"] is None
    assert "more-hits" not in site.get("/", params={"q": "keeper", "limit": "40"}).text
    capped = site.get("/api/search", params={"q": "keeper", "limit": "100000"}).json()
    assert capped["limit"] == 100


def test_the_page_explains_the_query_language_as_the_terminal_does(site: TestClient) -> None:
    """The text of ``chaptersearch search -h`` (``QUERY_HELP``), on the search page."""
    import html as markup

    from chaptersearch.cli import QUERY_HELP

    for page in (site.get("/"), site.get("/", params={"q": "keeper"})):
        text = markup.unescape(re.sub(r"<[^>]+>", "", page.text))
        assert '<details class="help"' in page.text
        for line in QUERY_HELP.splitlines():
            assert line.strip().strip("*") in text, line


def local_address() -> str:
    """A non-loopback address of this machine: the one a UDP socket would send from to
    a documentation address (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address = str(probe.getsockname()[0])
    assert not address.startswith("127."), "this machine has no address but loopback"
    return address


def test_every_interface_accepts_the_machines_own_addresses(home: Home) -> None:
    """``--host 0.0.0.0``: another machine names this one by an address of its own (the
    hostname resolves to 127.0.0.1 here), and is answered; any other name is still
    refused (DNS rebinding)."""
    from chaptersearch.web.hosts import accepted_hosts

    address = local_address()
    hosts = accepted_hosts("0.0.0.0")
    assert address in hosts and socket.gethostname() in hosts
    assert {"127.0.0.1", "localhost"} <= set(hosts)
    client = TestClient(create_app(home, hosts), base_url=f"http://{address}:8765")
    assert client.get("/", headers={"host": f"{address}:8765"}).status_code == 200
    assert client.get("/", headers={"host": socket.gethostname()}).status_code == 200
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 400
    assert accepted_hosts("127.0.0.1") == ["127.0.0.1", "localhost"]
    assert accepted_hosts("192.0.2.77") == ["127.0.0.1", "192.0.2.77", "localhost"]


def serve_process(home: Home, *args: str) -> tuple["subprocess.Popen[str]", int]:
    """``chaptersearch serve`` on a free port, started and answering."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "chaptersearch", "--home", str(home.root), "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.05)


def stop(process: "subprocess.Popen[str]") -> str:
    """Ctrl-C, as a user stops it; what it said."""
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    return errors


def test_serve_on_every_interface_answers_another_machine(home: Home) -> None:
    """A request that reaches ``serve --host 0.0.0.0`` at a non-loopback address of the
    machine, naming it, is answered 200; a foreign name is 400. Start-up says, in one
    line, which names are answered."""
    home.make()
    address = local_address()
    process, port = serve_process(home, "--host", "0.0.0.0")
    try:
        for host, status in ((f"{address}:{port}", 200), ("evil.example", 400)):
            connection = http.client.HTTPConnection(address, port, timeout=10)
            connection.request("GET", "/", headers={"Host": host})
            assert connection.getresponse().status == status
            connection.close()
    finally:
        errors = stop(process)
    lines = errors.splitlines()
    assert lines[0] == f"serving {home.root} at http://localhost:{port}/ (Ctrl-C to stop)"
    assert lines[1].startswith("answers requests for 127.0.0.1, ")
    assert f" {address}, " in lines[1] and lines[1].endswith(
        "; any other name is refused (against DNS rebinding)"
    )


def test_the_library_lists_chapters_as_items_without_a_separator(shelf: TestClient) -> None:
    """Made-up titles hold ``·`` ("Reference counting · Garbage collector"): the list
    must not use it between chapters too. Each chapter is an item of a real list, set
    apart by its box, with no text between."""
    html = shelf.get("/library").text
    assert '<ol class="chapter-list">' in html
    assert '<li><a href="/episodes/ep39?t=0"><span class="time">0:00</span> Hello</a></li>' in html
    css = (Path(__file__).parents[1] / "src/chaptersearch/web/static/style.css").read_text()
    assert "·" not in css
