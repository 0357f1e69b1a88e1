"""The page in a real browser: Debian's Chromium driven by Playwright. Type a query,
see the hits, play one in place; the keyboard; the episode page at its moment; no
JavaScript; a phone's width. Skips, saying why, only where no browser can run.

Screenshots go to a temporary folder, or to ``$CHAPTERSEARCH_SCREENSHOTS`` (the README's
picture is made this way)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import GARBAGE, talk, vtt_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip("no Chromium here (CI installs Debian's chromium package)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(run: Run, home: Home, netflix_like: tuple[Path, Path], tmp_path: Path) -> Iterator[str]:
    transcript, chapters = netflix_like
    assert (
        run(
            "add",
            str(transcript),
            "--title",
            "Netflix engineering",
            "--channel",
            "Pragmatic",
            "--url",
            "https://www.youtube.com/watch?v=sAp9RjO79cU",
            "--chapters",
            str(chapters),
        ).exit_code
        == 0
    )
    podcast = tmp_path / "podcast.vtt"
    podcast.write_text(vtt_text(talk(600.0, {60.0: "the lighthouse keeper rows ashore"})))
    assert (
        run(
            "add",
            str(podcast),
            "--title",
            "Lighthouse stories",
            "--url",
            "https://example.org/lighthouse.mp3",
        ).exit_code
        == 0
    )
    garbage = tmp_path / "gc.vtt"
    garbage.write_text(vtt_text(talk(1200.0, GARBAGE)))
    plan = tmp_path / "gc.txt"
    plan.write_text("0:00 Memory\n6:00 Cycles\n10:00 Extras\n")
    assert run("add", str(garbage), "--title", "GC", "--chapters", str(plan)).exit_code == 0
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chaptersearch",
            "--home",
            str(home.root),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)  # Ctrl-C stops it cleanly
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert errors.startswith(f"serving {home.root} at http://localhost:{port}/")
    assert errors.rstrip().endswith("stopped")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CHAPTERSEARCH_SCREENSHOTS", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def test_type_see_hits_and_play_the_moment(server: str, browser: object, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.keyboard.press("/")
    page.keyboard.type("keeper test", delay=20)
    page.wait_for_selector("#results .hit")
    assert page.url.endswith("/?q=keeper%20test")  # the query is in the URL
    first = page.locator("#results .hit").first
    assert "The Keeper Test" in first.inner_text()
    assert first.locator("mark").first.inner_text().lower() == "keeper"
    page.screenshot(path=str(shots / "search.png"))
    first.locator("a.play").click()
    frame = page.wait_for_selector("#player iframe")
    source = frame.get_attribute("src")
    assert "youtube-nocookie.com/embed/sAp9RjO79cU" in source and "start=2165" in source
    assert page.locator(".hit.playing").count() == 1
    page.screenshot(path=str(shots / "playing.png"))


def test_the_keyboard_moves_and_plays(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/?q=lighthouse")
    page.wait_for_selector(".hit")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('play')")
    page.keyboard.press("Enter")
    audio = page.wait_for_selector("#player audio")
    assert audio.get_attribute("src") == "https://example.org/lighthouse.mp3#t=60"
    assert audio.get_attribute("data-start") == "60"


def test_the_episode_page_opens_at_its_moment(server: str, browser: object, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/episodes/sAp9RjO79cU?t=2165&q=keeper+test")
    current = page.locator(".cue.current")
    assert "keeper test" in current.inner_text()
    box = current.bounding_box()
    transcript = page.locator(".transcript").bounding_box()
    assert box and transcript
    assert transcript["y"] <= box["y"] <= transcript["y"] + transcript["height"]
    assert page.locator("svg.timeline rect.mark").count() >= 1
    assert page.evaluate("window.scrollY") == 0  # the transcript scrolled, not the page
    page.screenshot(path=str(shots / "episode.png"))
    page.locator(".chapters a.seek").nth(3).click()
    frame = page.wait_for_selector("#player iframe")
    assert "start=2161" in frame.get_attribute("src")


def test_the_episode_page_marks_every_place(server: str, browser: object, shots: Path) -> None:
    """Every place the words are said is a mark on the timeline, each a link to its
    moment in the transcript, where the words are highlighted."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/episodes/gc?q=garbage+collection")
    full = page.locator("svg.timeline rect.mark:not(.partial)")
    assert full.count() == 4 and page.locator("svg.timeline rect.mark.partial").count() == 2
    assert page.locator(".transcript mark").count() == 10
    page.screenshot(path=str(shots / "episode-marks.png"))
    full.nth(3).click()
    page.wait_for_url("**t=700**")
    current = page.locator(".cue.current")
    assert current.inner_text().endswith("a generational garbage")
    assert current.locator("mark").inner_text() == "garbage"
    assert page.evaluate("window.scrollY") == 0


def test_without_javascript_the_results_are_plain_links(server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/?q=keeper+test")
    link = page.locator(".hit a.play").first
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=sAp9RjO79cU&t=2165s"
    assert page.locator(".hit").count() >= 1


def test_readable_at_a_phone_width(server: str, browser: object, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.goto(server + "/?q=keeper")
    page.wait_for_selector(".hit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "phone.png"))


def test_browse_the_library_without_a_request_failing(
    server: str, browser: object, shots: Path
) -> None:
    """From the search page to the library, a show, an episode, its chapter: every page
    says which chapters were made from the talk, and no request fails (there was no
    favicon)."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.on("console", lambda message: message.type == "error" and failed.append(message.text))
    page.goto(server + "/?q=lighthouse")
    page.wait_for_selector(".hit")
    assert "made from the talk)" in page.locator(".hit .chapter").first.inner_text()
    page.fill("#q", "lighthouse keeper")
    page.wait_for_selector("#results .hit .made-up")
    page.click("header a.browse")
    page.wait_for_url("**/library")
    assert page.locator(".entry").count() == 3
    page.screenshot(path=str(shots / "library.png"))
    page.click(".shows a:has-text('Pragmatic')")
    page.wait_for_url("**/library?show=Pragmatic")
    entry = page.locator(".entry")
    assert entry.count() == 1 and "Netflix engineering" in entry.inner_text()
    entry.locator(".chapter-list a", has_text="The Keeper Test").click()
    page.wait_for_url("**/episodes/sAp9RjO79cU?t=2161")
    assert "The Keeper Test" in page.locator(".chapters").inner_text()
    page.goto(server + "/episodes/podcast")
    assert "these were made from the talk" in page.locator(".chapters").inner_text()
    page.goto(server + "/api/episodes/sAp9RjO79cU")  # no page names an icon here
    page.wait_for_timeout(300)
    assert failed == []


def test_no_inline_script_runs(server: str, browser: object) -> None:
    """The page works under its own policy: a console without CSP violations."""
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(server + "/?q=keeper")
    page.fill("#q", "lighthouse")
    page.wait_for_selector("text=Lighthouse stories")
    assert problems == []


def test_the_episode_page_opens_at_its_moment_on_a_phone(
    server: str, browser: object, shots: Path
) -> None:
    """At a phone's size the transcript is not a box of its own: the page itself goes
    to the moment, the caption below the sticky header (it had stayed at the top, the
    caption 6,439 px down)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.goto(server + "/episodes/sAp9RjO79cU?t=2165&q=keeper+test")
    current = page.locator(".cue.current")
    assert "keeper test" in current.inner_text()
    box = current.bounding_box()
    header = page.locator("header").bounding_box()
    assert box and header
    assert header["y"] + header["height"] <= box["y"]
    assert box["y"] + box["height"] <= 844
    page.screenshot(path=str(shots / "episode-phone.png"))
    page.goto(server + "/episodes/sAp9RjO79cU")  # no moment asked: the top, the title
    assert page.evaluate("window.scrollY") == 0
    desktop = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    desktop.goto(server + "/episodes/gc?t=700&q=garbage")
    assert desktop.evaluate("window.scrollY") == 0  # the transcript box scrolled instead
    box = desktop.locator(".cue.current").bounding_box()
    assert box and box["y"] > 0 and box["y"] + box["height"] <= 800
    desktop.screenshot(path=str(shots / "episode-desktop.png"))


def test_the_library_sets_each_chapter_apart(server: str, browser: object, shots: Path) -> None:
    """Made-up titles hold ``·``; the list of chapters is read one chapter a line (a
    box each), never run together with ``·`` between."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/library?show=Pragmatic")
    chapters = page.locator(".chapter-list").first.inner_text().splitlines()
    assert chapters == [
        "0:00 Intro",
        "9:00 History lesson",
        "18:00 Open Connect",
        "36:01 The Keeper Test",
        "45:00 Wrap up",
    ]
    page.goto(server + "/library")
    page.screenshot(path=str(shots / "library-chapters.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    phone.goto(server + "/library")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "library-phone.png"), full_page=True)


def test_the_page_suggests_and_shows_more_as_you_type(
    server: str, browser: object, shots: Path
) -> None:
    """Typed, not loaded: the did-you-mean of ``/api/search`` is a link on the page, and
    so is the way to more hits; the query language is a click away."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.fill("#q", "lighthose keper")
    suggestion = page.wait_for_selector("#status a.suggestion")
    assert suggestion.inner_text() == "lighthouse keeper"
    page.screenshot(path=str(shots / "did-you-mean.png"))
    suggestion.click()
    page.wait_for_url("**/?q=lighthouse+keeper")
    assert page.locator(".hit").count() >= 1
    page.goto(server + "/?q=keeper&limit=1")
    page.fill("#q", "keeper")
    page.wait_for_timeout(600)
    assert page.locator("#results .hit").count() >= 2  # typing asks for the usual page
    page.goto(server + "/?q=keeper&limit=1")
    assert page.locator(".hit").count() == 1
    page.click("a.more-hits")
    page.wait_for_url("**/?q=keeper&limit=2")
    assert page.locator(".hit").count() == 2
    page.click("details.help summary")
    assert "chapter:keeper" in page.locator("details.help").inner_text()
    page.screenshot(path=str(shots / "help.png"), full_page=True)


def test_the_page_names_who_speaks(
    server: str, browser: object, shots: Path, run: Run, tmp_path: Path
) -> None:
    """A voice-tagged transcript: a hit says who speaks at its moment, as the terminal
    does ("at 5:20, Amal Hussein"), and the episode page names the speaker where a turn
    begins, not on every caption."""
    cues = []
    for number, (start, end, text) in enumerate(talk(600.0, {320.0: "image formats like avif"})):
        who = "Henri Helvetica" if (number // 10) % 2 else "Amal Hussein"  # 50 s turns
        cues.append((start, end, f"<v {who}>{text}"))
    interview = tmp_path / "interview.vtt"
    interview.write_text(vtt_text(cues), encoding="utf-8")
    assert run("add", str(interview), "--title", "An interview").exit_code == 0
    page = browser.new_page(viewport={"width": 1100, "height": 800})  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.fill("#q", "avif")  # typed: the page's script shows the hit
    hit = page.wait_for_selector("#results .hit")
    assert "at 5:20, Amal Hussein" in hit.inner_text()
    page.screenshot(path=str(shots / "speaker-search.png"))
    hit.query_selector("a.episode-link").click()
    page.wait_for_url("**/episodes/interview?t=320**")
    current = page.locator(".cue.current")
    assert current.inner_text().endswith("image formats like avif")
    assert current.locator(".speaker").count() == 0  # the turn began at 5:00
    assert page.locator("#cue-60 .speaker").inner_text() == "Amal Hussein:"
    assert page.locator("#cue-70").inner_text().startswith("5:50 Henri Helvetica: ")
    assert page.locator(".transcript .speaker").count() == 12  # one per turn
    page.screenshot(path=str(shots / "speaker-episode.png"))
    phone = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    phone.goto(server + "/episodes/interview?t=300&q=avif")
    assert phone.locator(".cue.current .speaker").inner_text() == "Amal Hussein:"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "speaker-phone.png"))
