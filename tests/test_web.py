"""The local web page and its JSON API, through Starlette's test client: what is shown,
what is escaped, and what is refused."""

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from chaptersearch.home import Home
from chaptersearch.library import Library
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
    assert missing.status_code == 404 and "no episode" in missing.text


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
    full = re.findall(r'href="/episodes/gc\?t=(\d+)&amp;q=[^"]*"><rect class="mark"', html)
    assert sorted(map(int, full)) == [60, 120, 400, 700]  # 700: said across two captions
    partial = re.findall(r'\?t=(\d+)&amp;q=[^"]*"><rect class="mark partial"', html)
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
    assert re.findall(r"\?t=(\d+)&amp;q=[^\"]*\"><rect class=\"mark", html) == ["400"]
    assert "<mark>" not in html.split("called", 1)[1].split("</p>", 1)[0]
    html = talky.get("/episodes/gc", params={"q": "lighthouse"}).text
    assert '<rect class="mark' not in html and "is not said in this episode" in html
