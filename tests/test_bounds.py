"""Hostile input, second round: raw controls in JSON, costly queries, bad numbers, the
server's port and host, rebuild workers, very large inputs, and smaller slips.

Each test fails without its fix; the comment above a group names the item of issue 16."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.search.engine import SearchRequest

from .conftest import Run
from .helpers import talk, vtt_text

RAW = "\x9b2J \x9d0;title\x07 \u202eevil \u2028line"
"""A C1 CSI, a C1 OSC, a right-to-left override and a line separator."""
NEVER_RAW = ("\x9b", "\x9d", "\u202e", "\u2028")


def write_vtt(path: Path, said: dict[float, str], seconds: float = 60.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vtt_text(talk(seconds, said)), encoding="utf-8")
    return path


# 7. JSON output escapes controls; titles and channels are cleaned when they come in


@pytest.fixture
def raw_entry(run: Run, home: Home) -> Home:
    """A library entry with raw controls in every text field, as an older version or a
    hand edit could have written it (the model would clean titles), then indexed."""
    episode = Episode(
        id="raw",
        title="Title",
        duration=9,
        chapters=[Chapter(title="Chapter", start=0, end=9, source="file")],
        cues=[Cue(start=0, end=5, text=f"keeper {RAW} words"), Cue(start=5, end=9, text="x")],
        origin=Origin(kind="file", location="/tmp/raw.vtt"),
    )
    data = json.loads(episode.model_dump_json())
    data.update(title=f"Title {RAW}", channel=f"Channel {RAW}", description=f"About {RAW}")
    data["chapters"][0]["title"] = f"Chapter {RAW}"
    home.library.mkdir(parents=True)
    (home.library / "raw.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run("rebuild").exit_code == 0
    return home


@pytest.mark.parametrize("args", [["search", "keeper"], ["list"], ["show", "raw"], ["stats"]])
def test_json_output_never_holds_raw_controls(raw_entry: Home, run: Run, args: list[str]) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    for character in NEVER_RAW:
        assert character not in result.stdout
    json.loads(result.stdout)  # still JSON


def test_json_output_keeps_the_text_said(raw_entry: Home, run: Run) -> None:
    """The transcript's words are escaped, not lost: a JSON reader gets them back."""
    result = run("search", "keeper", "--json")
    assert "\\u202e" in result.stdout and "\\u2028" in result.stdout
    assert "\u202eevil \u2028line" in json.loads(result.stdout)[0]["snippet"]


def test_titles_and_channels_are_cleaned_when_added(run: Run, home: Home, tmp_path: Path) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    result = run("add", str(tmp_path / "a.vtt"), "--title", f"T {RAW}", "--channel", f"C {RAW}")
    assert result.exit_code == 0, result.stderr
    stored = (home.library / "a.json").read_text(encoding="utf-8")
    for character in (*NEVER_RAW, "\x07"):
        assert character not in stored and json.dumps(character)[1:-1] not in stored
    episode = Library(home.library).load("a")
    assert episode.title == "T 2J evil line" and episode.channel == "C 2J evil line"


def test_the_api_escapes_controls(raw_entry: Home) -> None:
    from starlette.testclient import TestClient

    from chaptersearch.web import create_app

    site = TestClient(create_app(raw_entry), base_url="http://127.0.0.1:8765")
    for path in ("/api/search?q=keeper", "/api/episodes/raw", "/api/episodes/raw/transcript"):
        answer = site.get(path)
        assert answer.status_code == 200
        for character in NEVER_RAW:
            assert character not in answer.text
    assert "\u202eevil" in site.get("/api/episodes/raw/transcript").json()[0]["text"]


# 9. a bad ?t= on the episode page is ignored


@pytest.mark.parametrize("moment", ["nan", "inf", "-inf", "1e400", "9" * 5000, "-5", "x"])
def test_a_bad_moment_is_ignored(run: Run, home: Home, tmp_path: Path, moment: str) -> None:
    from starlette.testclient import TestClient

    from chaptersearch.web import create_app

    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    site = TestClient(create_app(home), base_url="http://127.0.0.1:8765")
    page = site.get("/episodes/a", params={"t": moment})
    assert page.status_code == 200
    assert '<p id="cue-0" class="cue current">' in page.text


# 10. serve starts again at once, and never on every interface by mistake


def test_serve_refuses_an_empty_host(run: Run) -> None:
    result = run("serve", "--host", " ")
    assert result.exit_code == 2
    assert "--host is empty" in result.stderr


def test_serve_starts_on_a_port_a_server_just_left(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that answered requests leaves its port in TIME_WAIT for a minute; a new
    one may bind it (uvicorn sets SO_REUSEADDR), so the probe must not say it is taken."""
    import socket

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            served, _ = listener.accept()
            served.close()  # the server closes first: its side waits in TIME_WAIT
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old probe did
    monkeypatch.setattr("uvicorn.Server.run", lambda self: None)
    result = run("serve", "--port", str(port))
    assert result.exit_code == 0, result.stderr
    assert f"at http://localhost:{port}/" in result.stderr


# 13. smaller slips: one clear line each, or it works


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_wait_that_is_not_a_number_of_seconds(run: Run, value: str) -> None:
    result = run("rebuild", "--wait", value)
    assert result.exit_code == 2
    assert result.stderr == f"chaptersearch: --wait {value}: give a number of seconds\n"


def test_edit_of_an_entry_whose_youtube_data_is_damaged(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    entry = home.library / "a.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["fetched"] = {"metadata": "x"}
    entry.write_text(json.dumps(data), encoding="utf-8")
    result = run("edit", "a", "--title", "New")
    assert result.exit_code == 2
    assert "a: the data kept from YouTube is damaged" in result.stderr
    assert "add a --refresh" in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("hits", ['"x"', "[1]", '{"a": 1}', "[[1, 2]]"])
def test_a_damaged_last_search(run: Run, home: Home, tmp_path: Path, hits: str) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt"), "--url", "https://example.org/a").exit_code == 0
    assert run("search", "keeper").exit_code == 0
    home.last_search.write_text(f'{{"query": "keeper", "hits": {hits}}}', encoding="utf-8")
    result = run("open", "1")
    assert result.exit_code == 2
    assert result.stderr.endswith("the last search could not be read: run the search again\n")


def test_a_home_of_spaces_from_the_environment_is_refused(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAPTERSEARCH_HOME", " ")
    result = run("stats")
    assert result.exit_code == 2
    assert "$CHAPTERSEARCH_HOME holds only spaces" in result.stderr


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u200f", "\u2028", "\ufeff"])
def test_a_link_with_an_invisible_character_is_refused(
    run: Run, tmp_path: Path, hidden: str
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    result = run("add", str(tmp_path / "a.vtt"), "--url", f"https://example.org/{hidden}gpj.exe")
    assert result.exit_code == 2
    assert f"holds the invisible character U+{ord(hidden):04X}" in result.stderr


def test_chapters_a_second_apart_are_bounded(run: Run, home: Home, tmp_path: Path) -> None:
    """A chapters file with a chapter every second gave an 18-minute episode 1,070."""
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"}, seconds=18 * 60)
    marks = tmp_path / "chapters.txt"
    marks.write_text("".join(f"{s // 60}:{s % 60:02d} Part {s}\n" for s in range(1070)))
    result = run("add", str(tmp_path / "a.vtt"), "--chapters", str(marks))
    assert result.exit_code == 0, result.stderr
    assert "dropped 963 chapter(s) starting less than 10 s before the next" in result.stderr
    chapters = Library(home.library).load("a").chapters
    assert len(chapters) == 1 + 107 and chapters[0].title == "Opening"
    assert (chapters[1].start, chapters[1].title) == (9, "Part 9")
    assert (chapters[-1].start, chapters[-1].title) == (1069, "Part 1069")


def test_a_library_entry_with_a_bom_is_read(run: Run, home: Home, tmp_path: Path) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    entry = home.library / "a.json"
    entry.write_bytes(b"\xef\xbb\xbf" + entry.read_bytes())
    assert run("show", "a").exit_code == 0
    assert "1 episode" in run("rebuild").stderr


# 11. rebuild's worker processes stop with their parent, quietly

WORKERS_SCRIPT = """
import multiprocessing, signal, sys, time
# as a shell starts a command: Ctrl-C not ignored or blocked, whatever the test runner left
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
from pathlib import Path
from chaptersearch.index.writer import build_index
from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.search.engine import SearchRequest

def episodes():
    for number in range(250):  # 250 passages: two job files, so both workers start
        yield Episode(
            id=f"e{number}", title="E", duration=5,
            chapters=[Chapter(title="All", start=0, end=5, source="file")],
            cues=[Cue(start=0, end=5, text=f"words of episode {number}")],
            origin=Origin(kind="file", location=f"/e{number}.vtt"),
        )
    while len(multiprocessing.active_children()) < 2:
        time.sleep(0.05)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(120)

try:
    build_index(Path(sys.argv[1]), episodes(), processes=2)
except KeyboardInterrupt:
    sys.exit(130)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie is dead
    except FileNotFoundError:
        return True


def _start_workers(tmp_path: Path) -> tuple["subprocess.Popen[str]", list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKERS_SCRIPT, str(tmp_path / "whoosh")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a command
    )
    assert process.stdout is not None
    workers = [int(pid) for pid in process.stdout.readline().split()]
    assert len(workers) == 2, process.stderr.read() if process.stderr else ""
    return process, workers


def _wait_gone(pids: list[int], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if all(_gone(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def linux() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("POSIX signals and the /proc of Linux")


@pytest.mark.usefixtures("linux")
def test_rebuild_workers_are_quiet_on_ctrl_c(tmp_path: Path) -> None:
    process, workers = _start_workers(tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors
    assert _wait_gone(workers, 10)


@pytest.mark.usefixtures("linux")
def test_rebuild_workers_stop_when_their_parent_is_killed(tmp_path: Path) -> None:
    process, workers = _start_workers(tmp_path)
    try:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert _wait_gone(workers, 10)
    finally:
        for pid in workers:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)


# 8. the cost of a query is bounded, and other sites cannot make the server work


def test_the_prefixes_of_a_query_share_a_bounded_number_of_words(
    run: Run, home: Home, tmp_path: Path
) -> None:
    """32 prefixes each said as 20 words: 640 words before, at most 200 together now."""
    from chaptersearch.index.schema import open_index
    from chaptersearch.search import plan
    from chaptersearch.search.query import parse_query

    letters = "abcdefghijklmnopqrstuvwxyz012345"
    words = [f"q{letter}{number:02d}" for letter in letters for number in range(20)]
    write_vtt(
        tmp_path / "many.vtt",
        {5.0 * n: " ".join(words[n * 40 : n * 40 + 40]) for n in range(16)},
        90,
    )
    assert run("add", str(tmp_path / "many.vtt")).exit_code == 0
    query = " ".join(f"q{letter}*" for letter in letters)
    ix = open_index(home.index)
    with ix.searcher() as searcher:
        planned = plan.plan(parse_query(SearchRequest(query)), searcher)
    ix.close()
    expanded = set(planned.matching.singles)
    assert 32 <= len(expanded) <= plan.MAX_QUERY_EXPANSIONS


def test_a_prefix_stands_for_words_said_in_a_bounded_number_of_passages() -> None:
    """The most frequent words that fit the share: "the" alone is too common to."""
    from chaptersearch.search import plan

    frequencies = {"the": 900, "then": 300, "there": 200, "theory": 5}

    class Reader:
        def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
            return sorted(frequencies)

        def doc_frequency(self, fieldname: str, term: str) -> int:
            return frequencies[term]

    share = plan.Share(words=50, postings=600)
    assert plan._expansions(Reader(), "text", "th", share) == ["then", "there", "theory"]


def test_a_search_that_runs_out_of_time_says_so(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    monkeypatch.setattr("chaptersearch.search.engine.SEARCH_SECONDS", 0.0)
    result = run("search", "keeper")
    assert result.exit_code == 2
    assert "the query was stopped after 0 s: it asks for too much" in result.stderr


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),
        ({"sec-fetch-site": "same-origin"}, 200),
        ({"sec-fetch-site": "none"}, 200),
        ({"origin": "http://127.0.0.1:8765", "sec-fetch-site": "same-origin"}, 200),
        ({"origin": "http://localhost:8765"}, 200),
        ({"sec-fetch-site": "cross-site"}, 403),
        ({"origin": "http://evil.example"}, 403),
        ({"origin": "http://evil.example", "sec-fetch-site": "cross-site"}, 403),
        ({"origin": "http://127.0.0.1:9999"}, 403),
        ({"origin": "null"}, 403),
    ],
)
def test_requests_from_other_sites_are_refused(
    run: Run, home: Home, tmp_path: Path, headers: dict[str, str], status: int
) -> None:
    from starlette.testclient import TestClient

    from chaptersearch.web import create_app

    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    site = TestClient(create_app(home), base_url="http://127.0.0.1:8765")
    for path in ("/?q=keeper", "/api/search?q=keeper", "/episodes/a", "/api"):
        assert site.get(path, headers=headers).status_code == status, path
    if status == 403:
        answer = site.get("/api/search?q=keeper", headers=headers)
        assert "cross-site requests are refused" in answer.json()["error"]


# 12. very large inputs: refused early, cut into bounded passages, never read whole by
# list and stats, shown a page at a time


def test_a_transcript_too_large_is_refused_before_it_is_read(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_vtt(tmp_path / "big.vtt", {5.0: "keeper"}, seconds=600)
    monkeypatch.setattr("chaptersearch.sources.transcripts.MAX_TRANSCRIPT_BYTES", 1000)
    monkeypatch.setattr("webvtt.read", lambda *a, **k: pytest.fail("read a refused file"))
    result = run("add", str(path))
    assert result.exit_code == 2
    assert f"{path}: 0 MB is more than a transcript may be (0 MB" in result.stderr
    assert "split it into episodes" in result.stderr


def test_passages_have_a_bounded_size_whatever_the_timing() -> None:
    """Every cue in the first minute (and one cue of 50,000 characters) made one passage
    of them all, which every search that found it had to read and score."""
    from chaptersearch.index.passages import MAX_PASSAGE_CHARACTERS, passages_of
    from chaptersearch.models import MAX_CUE_CHARACTERS
    from chaptersearch.sources.transcripts import clean_cues

    said = [(n * 0.01, n * 0.01 + 0.01, [f"word{n} and some more words said"]) for n in range(3000)]
    said.append((31.0, 40.0, [" ".join(f"long{n}" for n in range(8000))]))
    cues = clean_cues(said)
    assert max(len(cue.text) for cue in cues) <= MAX_CUE_CHARACTERS
    assert cues[-1].start > 31.0 and cues[-1].end == 40.0  # the long cue, spread in time
    episode = Episode(
        id="crowded",
        title="Crowded",
        duration=60,
        chapters=[Chapter(title="All", start=0, end=60, source="file")],
        cues=cues,
        origin=Origin(kind="file", location="/crowded.vtt"),
    )
    passages = passages_of(episode)
    assert len(passages) > 30
    assert max(len(passage.text) for passage in passages) <= MAX_PASSAGE_CHARACTERS
    assert "word2999" in " ".join(passage.text for passage in passages)
    # an entry kept before long cues were cut is cut when its passages are made
    kept = episode.model_copy(update={"cues": [Cue(start=0, end=60, text="x " * 30000)]})
    assert max(len(passage.text) for passage in passages_of(kept)) <= MAX_PASSAGE_CHARACTERS


def test_list_and_stats_never_read_a_transcript(
    run: Run, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"}, seconds=600)
    assert run("add", str(tmp_path / "a.vtt"), "--title", "Episode A").exit_code == 0

    def whole(path: Path) -> Episode:
        raise AssertionError(f"read {path} whole")

    monkeypatch.setattr(Library, "load_path", staticmethod(whole))
    listed = run("list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["title"] == "Episode A"
    figures = run("stats", "--json")
    assert figures.exit_code == 0, figures.stderr
    assert json.loads(figures.stdout)["cues"] == 120


def test_list_still_reads_entries_written_before_summaries(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"}, seconds=600)
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    entry = home.library / "a.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    del data["cue_count"]
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert "a    10:00" in run("list").stdout
    assert "120 cues" in run("stats").stdout


def test_the_episode_page_shows_a_long_transcript_a_page_at_a_time() -> None:
    from chaptersearch.web.view import PAGE_CUES, episode_view

    cues = [Cue(start=n, end=n + 1, text=f"cue {n}") for n in range(12_000)]
    episode = Episode(
        id="long",
        title="Long",
        duration=12_000,
        chapters=[Chapter(title="All", start=0, end=12_000, source="file")],
        cues=cues,
        origin=Origin(kind="file", location="/long.vtt"),
    )
    middle = episode_view(episode, [], 6000, "")
    shown = middle["cues"]
    assert len(shown) == PAGE_CUES + 2
    assert shown[0]["index"] == "earlier" and shown[-1]["index"] == "later"
    assert any(cue["index"] == middle["current"] == 6000 for cue in shown)
    assert "3,500 earlier captions" in shown[0]["text"]
    start = episode_view(episode, [], 0, "")["cues"]
    assert start[0]["index"] == 0 and start[-1]["index"] == "later"
    later = start[-1]["start"]
    assert episode_view(episode, [], later, "")["cues"][1]["index"] == PAGE_CUES


# issue 24, 14j: search -C is bounded


def test_context_is_bounded(run: Run, home: Home, tmp_path: Path) -> None:
    """``-C 99999999`` had printed every hit's whole transcript: above 50 it is one line
    naming the bound (exit 2); 50 itself is fine."""
    write_vtt(tmp_path / "a.vtt", {30.0: "the keeper test"}, seconds=600.0)
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    refused = run("search", "keeper", "-C", "99999999")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1
    assert "99999999 is not in the range 0<=x<=50" in refused.stderr
    assert run("search", "keeper", "-C", "50").exit_code == 0
