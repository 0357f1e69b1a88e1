"""Hostile input and concurrent use: nothing lost, nothing injected, nothing hangs.

One test (or one parametrised case) per defect found by trying the tool as an attacker
would; each says what a user sees."""

import errno
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chaptersearch.errors import ChapterSearchError, QueryError
from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.search.engine import SearchRequest, search

from .conftest import Run
from .helpers import talk, vtt_text

ESC = "\x1b"


def write_vtt(path: Path, said: dict[float, str], seconds: float = 60.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vtt_text(talk(seconds, said)), encoding="utf-8")
    return path


def cli(home: Home, *args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaptersearch", "--home", str(home.root), *args],
        capture_output=True,
        text=True,
        **{"timeout": 120, **options},  # type: ignore[arg-type]
    )


# 1. ids: different sources never overwrite each other


def test_non_ascii_names_keep_their_own_ids(run: Run, home: Home, tmp_path: Path) -> None:
    for name in ("日本", "中国"):
        write_vtt(tmp_path / f"{name}.vtt", {5.0: f"words of {name}"})
    result = run("add", str(tmp_path / "日本.vtt"), str(tmp_path / "中国.vtt"))
    assert "added 2 episodes" in result.stderr
    assert sorted(Library(home.library).ids()) == sorted(["日本", "中国"])
    assert run("rebuild").stderr.endswith("2 episodes, 2 passages\n")


def test_the_same_name_in_two_folders_gets_a_suffix(run: Run, home: Home, tmp_path: Path) -> None:
    first = write_vtt(tmp_path / "transcripts" / "042_show.vtt", {5.0: "first folder"})
    second = write_vtt(tmp_path / "youtube_transcripts" / "042_show.vtt", {5.0: "second one"})
    assert run("add", str(first), str(second)).exit_code == 0
    assert sorted(Library(home.library).ids()) == ["042_show", "042_show-2"]
    # adding either again keeps its own id, and nothing is overwritten
    assert "skipped 2 already in the library" in run("add", str(second), str(first)).stderr
    write_vtt(second, {5.0: "second one, edited"})
    assert run("add", str(second)).exit_code == 0
    assert Library(home.library).load("042_show-2").cues[1].text == "second one, edited"
    assert Library(home.library).load("042_show").cues[1].text == "first folder"
    assert "2 episodes" in run("rebuild").stderr


# 2. no runaway times


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"text": "hi", "start": Infinity, "duration": 1}]', "not valid JSON (Infinity"),
        ('[{"text": "hi", "start": NaN, "duration": 1}]', "not valid JSON (NaN"),
        ('[{"text": "hi", "start": 1e308, "duration": 1}]', "is not within 100 hours"),
        ('[{"text": "hi", "start": 1' + "0" * 5000 + ', "duration": 1}]', "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"text": "not a list"}', "expected a list of {text, start, duration} objects"),
    ],
)
def test_hostile_json_transcripts_fail_fast(
    run: Run, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = run("add", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_caption_at_99999_hours_is_refused(run: Run, home: Home, tmp_path: Path) -> None:
    path = tmp_path / "far.vtt"
    path.write_text("WEBVTT\n\n99999:59:59.000 --> 99999:59:59.999\nhello\n", encoding="utf-8")
    result = run("add", str(path))
    assert result.exit_code == 2
    assert "a caption at" in result.stderr and "is the file damaged?" in result.stderr
    assert not home.library.exists() or not any(home.library.iterdir())


def test_silence_makes_no_empty_generated_chapters(run: Run, home: Home, tmp_path: Path) -> None:
    path = tmp_path / "gap.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n\n"
        "90:00:00.000 --> 90:00:02.000\ngoodbye\n",
        encoding="utf-8",
    )
    assert run("add", str(path)).exit_code == 0
    episode = Library(home.library).load("gap")
    assert len(episode.chapters) <= 2
    for chapter in episode.chapters:
        assert any(chapter.start <= cue.start < chapter.end for cue in episode.cues), chapter


# 3. nothing from the data reaches the terminal as a control sequence

HOSTILE = (
    f"{ESC}[2J{ESC}]0;pwned{ESC}\\{ESC}]52;c;ZXZpbA=={ESC}\\"
    f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\\x9b31m\x07\u202eevil"
)


@pytest.fixture
def hostile_home(home: Home) -> Home:
    """An entry whose every field holds escape sequences, written straight to the
    library (as a hand-edited or old entry could be), then indexed."""
    cues = [Cue(start=0, end=5, text=f"keeper {HOSTILE} words"), Cue(start=5, end=9, text="more")]
    episode = Episode(
        id="hostile",
        title=f"Title {HOSTILE}",
        channel=f"Channel {HOSTILE}",
        url=f"https://example.org/x{ESC}\\{ESC}]8;;https://evil.example{ESC}\\",
        duration=9,
        chapters=[Chapter(title=f"Chapter {HOSTILE}", start=0, end=9, source="file")],
        cues=cues,
        origin=Origin(kind="file", location=f"/tmp/{HOSTILE}.vtt"),
    )
    Library(home.library).save(episode)
    assert cli(home, "rebuild").returncode == 0
    return home


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize(
    "args", [["search", "keeper"], ["list"], ["show", "hostile"], ["stats"], ["show", "nope"]]
)
def test_no_escape_sequence_from_the_data_is_printed(
    hostile_home: Home, args: list[str], color: str
) -> None:
    result = cli(hostile_home, *args, "--color", color)
    for stream in (result.stdout, result.stderr):
        assert "\x07" not in stream and "\x9b" not in stream and "\u202e" not in stream
        assert "]0;" not in stream and "]52;" not in stream and "evil.example" not in stream
        if color == "never":
            assert ESC not in stream
        else:  # only our own styling: SGR colours and our one link per hit
            leftover = stream
            for ours in ("\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[1;33m", "\x1b]8;;", "\x1b\\"):
                leftover = leftover.replace(ours, "")
            assert ESC not in leftover


def test_json_output_escapes_controls(hostile_home: Home) -> None:
    result = cli(hostile_home, "search", "keeper", "--json")
    assert ESC not in result.stdout and "\x07" not in result.stdout
    assert "\\u001b" in result.stdout


def test_controls_in_a_transcript_are_dropped_when_it_is_read(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "x.vtt", {5.0: f"keeper {ESC}[2J words"})
    assert run("add", str(tmp_path / "x.vtt")).exit_code == 0
    assert ESC not in (home.library / "x.json").read_text(encoding="utf-8").replace("\\u001b", ESC)


# 4 and 5. concurrent searches never fail


@pytest.fixture
def twenty(tmp_path: Path, home: Home) -> Home:
    folder = tmp_path / "twenty"
    for number in range(20):
        write_vtt(folder / f"ep{number:02d}.vtt", {30.0: f"keeper harbour {number}"}, 600.0)
    assert cli(home, "add", str(folder)).returncode == 0
    return home


def test_searches_during_repeated_rebuilds_never_fail(twenty: Home) -> None:
    stop = threading.Event()
    rebuilds = 0

    def rebuild_again_and_again() -> None:
        nonlocal rebuilds
        while not stop.is_set():
            assert cli(twenty, "rebuild").returncode == 0
            rebuilds += 1

    rebuilder = threading.Thread(target=rebuild_again_and_again)
    rebuilder.start()
    failures: list[str] = []

    def one(number: int) -> None:
        try:
            hits = search(twenty.index, SearchRequest("keeper harbour"))
            if len(hits) != 10:
                failures.append(f"{number}: {len(hits)} hits")
        except Exception as error:  # any failure counts
            failures.append(f"{number}: {type(error).__name__}: {error}")

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(400)))
        deadline = time.monotonic() + 60
        while rebuilds < 3 and time.monotonic() < deadline:
            one(-1)
    finally:
        stop.set()
        rebuilder.join()
    assert rebuilds >= 3
    assert failures == []


def test_fifty_parallel_searches_all_succeed(twenty: Home) -> None:
    def one(_: int) -> subprocess.CompletedProcess[str]:
        return cli(twenty, "search", "keeper")

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(one, range(50)))
    assert [result.returncode for result in results] == [0] * 50
    assert all(result.stderr == "" for result in results)
    assert not list(twenty.root.glob("*.tmp")) and not list(twenty.root.glob(".last-search.*"))
    assert json.loads(twenty.last_search.read_text())["query"] == "keeper"


# 6. saving the last search never fails a search


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_search_succeeds_when_the_last_search_cannot_be_saved(
    run: Run, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("tempfile.mkstemp", full)
    result = run("search", "keeper")
    assert result.exit_code == 0
    assert "keeper" in result.stdout and result.stderr == ""
    assert not list(home.root.glob("*.tmp"))


# 7. one source's surprise fails that source alone


def test_a_write_error_fails_one_source_and_the_batch_goes_on(
    run: Run, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [write_vtt(tmp_path / f"{name}.vtt", {5.0: f"{name} keeper"}) for name in "abc"]
    save = Library.save

    def failing_save(self: Library, episode: Episode) -> None:
        if episode.id == "b":
            raise OSError(errno.ENOSPC, "No space left on device", str(self.folder / "b.json"))
        save(self, episode)

    with monkeypatch.context() as patch:
        patch.setattr(Library, "save", failing_save)
        result = run("add", *map(str, paths))
    assert result.exit_code == 2
    assert "b.vtt: cannot write" in result.stderr and "No space left on device" in result.stderr
    assert "added 2 episodes" in result.stderr and "failed 1;" in result.stderr
    figures = json.loads(run("stats", "--json").stdout)
    assert (figures["episodes"], figures["indexed"], figures["not_indexed"]) == (2, 2, [])


# 8. a bad library entry is skipped, never fatal


def test_an_entry_with_no_chapters_is_skipped_by_rebuild(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "good.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "good.vtt")).exit_code == 0
    entry = json.loads((home.library / "good.json").read_text())
    entry["chapters"] = []
    (home.library / "empty-chapters.json").write_text(json.dumps(entry))
    result = run("rebuild")
    assert result.exit_code == 0
    assert "skipped" in result.stderr and "empty-chapters.json" in result.stderr
    assert "1 episode, " in result.stderr


# 9. links: http(s) only


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "--help", "ftp://x.org/a"],
)
def test_only_web_urls_are_taken(run: Run, tmp_path: Path, url: str) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    result = run("add", str(tmp_path / "a.vtt"), f"--url={url}")
    assert result.exit_code == 2
    assert "starting with https:// or http://" in result.stderr


def test_open_refuses_a_link_that_is_not_web(
    run: Run, home: Home, tmp_path: Path, opened: list[str]
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt"), "--url", "https://example.org/a").exit_code == 0
    saved = json.loads((home.library / "a.json").read_text())
    saved["url"] = "file:///%2e%2e/etc/passwd"
    (home.library / "a.json").write_text(json.dumps(saved))
    assert run("rebuild").exit_code == 0
    assert run("search", "keeper").exit_code == 0
    result = run("open", "1")
    assert result.exit_code == 2
    assert "only http and https links are opened" in result.stderr
    assert opened == []


# 10 and 11. bounded queries, and advice instead of "unexpected"


@pytest.fixture
def small(run: Run, tmp_path: Path) -> Run:
    write_vtt(tmp_path / "a.vtt", {5.0: "apple avocado keeper", 10.0: "another word"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    return run


@pytest.mark.parametrize(
    ("query", "exit_code", "message"),
    [
        ("a*", 2, "a prefix needs at least 2 letters"),
        ("[a TO z]", 0, ""),
        ("*a* *e* *i* *o* *u*", 0, ""),
        ("x" * 100_000, 2, "the query is 100,000 characters long"),
        ("(" * 5000 + "keeper" + ")" * 5000, 2, "the query is 10,006 characters long"),
        ("(" * 400 + ")" * 400, 2, "nothing to look for"),
        ("meta:x keeper", 0, "note: meta: is not a filter; searched meta:x as text"),
        ("chapters:foo", 2, "unknown filter chapters: in 'chapters:foo'; did you mean chapter:?"),
        ("-keeper", 2, "nothing to look for"),
    ],
)
def test_queries_are_bounded_and_explained(
    small: Run, query: str, exit_code: int, message: str
) -> None:
    result = small("search", "--", query)
    assert result.exit_code == exit_code, result.stderr
    assert message in result.stderr
    assert "unexpected" not in result.stderr


def test_a_prefix_stands_for_a_bounded_number_of_words(home: Home, tmp_path: Path) -> None:
    from chaptersearch.search import plan

    words = " ".join(f"zq{number:03d}" for number in range(300))
    write_vtt(tmp_path / "many.vtt", {5.0: words})
    assert cli(home, "add", str(tmp_path / "many.vtt")).returncode == 0
    hits = search(home.index, SearchRequest("zq*"))
    assert hits and hits[0].highlights
    assert len(hits[0].highlights) <= plan.MAX_EXPANSIONS


def test_a_damaged_index_asks_for_a_rebuild(small: Run, home: Home) -> None:
    for terms in home.index.glob("g*/*.trm"):
        terms.write_bytes(b"\0" * 64)
    result = small("search", "keeper")
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: the index in")
    assert result.stderr.rstrip().endswith("run `chaptersearch rebuild`")
    assert small("rebuild").exit_code == 0
    assert small("search", "keeper").exit_code == 0


@pytest.mark.parametrize("command", [["list"], ["stats"], ["search", "x"], ["add", "x.vtt"]])
def test_a_home_that_is_a_file(tmp_path: Path, command: list[str]) -> None:
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("I am a file")
    result = cli(Home(not_a_folder), *command)
    assert result.returncode == 2
    assert f"the home {not_a_folder} is a file, not a folder" in result.stderr


# 12. nothing misleading, nothing blocking


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_pipes_folders_and_loops_named_like_transcripts(
    run: Run, home: Home, tmp_path: Path
) -> None:
    os.mkfifo(tmp_path / "pipe.vtt")
    (tmp_path / "folder.vtt").mkdir()
    (tmp_path / "loop.vtt").symlink_to(tmp_path / "loop.vtt")
    result = run("add", str(tmp_path / "pipe.vtt"))
    assert "pipe.vtt: not a regular file (a pipe or a device?)" in result.stderr
    result = run("add", str(tmp_path / "folder.vtt"))
    assert "folder.vtt: no transcripts (.vtt, .srt, .json) or audio in this folder" in result.stderr
    result = run("add", str(tmp_path / "loop.vtt"))
    assert "loop.vtt: cannot read the file (Too many levels of symbolic links)" in result.stderr
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    os.mkfifo(tmp_path / "chapters.txt")
    result = run("add", str(tmp_path / "a.vtt"), "--chapters", str(tmp_path / "chapters.txt"))
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    os.mkfifo(home.library / "pipe.json")
    listed = cli(home, "list", timeout=30)  # would block forever reading the pipe
    assert listed.returncode == 0 and "pipe.json: unreadable library entry" in listed.stderr


def test_a_bad_proxy_is_named_as_such(run: Run) -> None:
    result = run("add", "emyi4z-O0ls", "--proxy", "user:secret@proxy")
    assert result.exit_code == 2
    assert "--proxy 'proxy': give a proxy URL such as http://host:8080" in result.stderr
    assert "secret" not in result.stderr


def test_an_entry_whose_id_differs_from_its_file_name(run: Run, home: Home, tmp_path: Path) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    (home.library / "a.json").rename(home.library / "renamed.json")
    assert run("show", "renamed").exit_code == 0
    assert run("remove", "renamed").exit_code == 0
    assert not list(home.library.glob("*.json"))


def test_a_lost_table_of_contents_is_not_silently_replaced(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    write_vtt(tmp_path / "b.vtt", {5.0: "harbour"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    for toc in home.index.glob("g*/_MAIN_*.toc"):
        toc.unlink()
    result = run("add", str(tmp_path / "b.vtt"))
    assert result.exit_code == 2 and "run `chaptersearch rebuild`" in result.stderr
    assert not (home.library / "b.json").exists()  # nothing written against a broken index
    assert run("rebuild").stderr.endswith("1 episode, 1 passage\n")
    assert run("add", str(tmp_path / "b.vtt")).exit_code == 0
    assert "indexed: 2 of 2 episodes" in run("stats").stdout


def test_stats_names_entries_the_index_lacks_and_rebuild_mends_them(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    entry = (home.library / "a.json").read_text()
    (home.library / "copy.json").write_text(entry)  # as a killed add could leave it
    stats = run("stats").stdout
    assert "not in the index: 1 episode (copy); run `chaptersearch rebuild`" in stats
    assert run("rebuild").exit_code == 0
    assert "indexed: 2 of 2 episodes" in run("stats").stdout


def test_parse_errors_never_escape_as_other_types() -> None:
    from chaptersearch.search.query import parse_query

    for query in ['"', "-", "--", 'chapter:"', "video:", "::", "*", "-*", "\\", "\0"]:
        try:
            parse_query(SearchRequest(query))
        except QueryError:
            pass
        except ChapterSearchError as error:  # pragma: no cover - would be a wrong type
            raise AssertionError(query) from error


def test_names_that_are_not_utf8_are_added_read_as_windows_1252(
    run: Run, home: Home, tmp_path: Path
) -> None:
    """A file from an old archive named in Latin-1, and titles typed in a Latin-1
    terminal: Python hands them over as lone surrogates, which JSON cannot hold (they
    had been "unexpected PydanticSerializationError", and edit left pending/ behind)."""
    name = os.fsdecode(b"caf\xe9 na\xefve.vtt")
    path = tmp_path / name
    path.write_text(vtt_text(talk(60.0, {5.0: "latte art"})), encoding="utf-8")
    added = run("add", str(path), "--channel", os.fsdecode(b"Radio Fran\xe7aise"))
    assert added.exit_code == 0, added.stderr
    (episode,) = [Library(home.library).load(i) for i in Library(home.library).ids()]
    assert (episode.title, episode.channel) == ("café naïve", "Radio Française")
    assert "skipped 1 already in the library" in run("add", str(path)).stderr
    edited = run("edit", episode.id, "--title", os.fsdecode(b"Cr\xe8me br\xfbl\xe9e"))
    assert edited.exit_code == 0, edited.stderr
    assert Library(home.library).load(episode.id).title == "Crème brûlée"
    assert not list(home.pending.glob("*")) if home.pending.is_dir() else True
