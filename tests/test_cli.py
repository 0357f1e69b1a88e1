"""The command line end to end: what a user types, what they see, and the exit codes."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import DATA

URL = "https://www.youtube.com/watch?v=sAp9RjO79cU"


@pytest.fixture
def added(run: Run, netflix_like: tuple[Path, Path]) -> Run:
    transcript, chapters = netflix_like
    result = run(
        "add",
        str(transcript),
        "--title",
        "Netflix engineering",
        "--url",
        URL,
        "--channel",
        "Pragmatic",
        "--chapters",
        str(chapters),
    )
    assert result.exit_code == 0, result.stderr
    return run


def test_add_search_json_open(added: Run, opened: list[str]) -> None:
    result = added("search", "keeper test")
    assert result.exit_code == 0
    first = result.stdout.split("\n\n")[0].splitlines()
    assert first[:2] == [
        "1. Netflix engineering  ·  Pragmatic",
        "   § The Keeper Test (36:01)  ·  at 36:05",
    ]
    assert "we call it the keeper test if someone wanted to leave" in first[2]
    assert first[3] == "   https://www.youtube.com/watch?v=sAp9RjO79cU&t=2165s"
    assert len(first) == 4

    result = added("search", '"origins of python"', "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert {hit["start"] for hit in hits} == {600, 1205}
    for hit in hits:
        assert set(hit) >= {
            "rank",
            "score",
            "video_id",
            "episode_title",
            "channel",
            "chapter_title",
            "chapter_start",
            "start",
            "url",
            "snippet",
        }
        assert hit["url"] == f"{URL}&t={int(hit['start'])}s"
        assert "\033" not in hit["snippet"]
    assert [hit["rank"] for hit in hits] == [1, 2]

    assert added("open", "2").exit_code == 0
    assert opened == [hits[1]["url"]]
    assert added("search", "keeper", "--open", "1").exit_code == 0
    assert opened[-1] == f"{URL}&t=2165s"


def test_open_errors(added: Run) -> None:
    result = added("open", "1")
    assert result.exit_code == 2
    assert "no search to open a hit from" in result.stderr
    added("search", '"origins of python"')
    result = added("open", "9")
    assert result.exit_code == 2
    assert "has 2 hit(s); pick a number from 1 to 2" in result.stderr


def test_no_hits_exits_1(added: Run) -> None:
    result = added("search", "xylophone")
    assert result.exit_code == 1
    assert result.stdout == ""
    result = added("search", "xylophone", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, [])


def test_empty_query_exits_2(added: Run) -> None:
    result = added("search", "")
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: empty query")


def test_manage_the_library(added: Run) -> None:
    listed = added("list")
    assert listed.stdout.splitlines() == [
        "ID           LENGTH  CHAPTERS  TITLE",
        "sAp9RjO79cU   50:00  5 file    Netflix engineering",
    ]
    shown = added("show", "sAp9RjO79cU")
    assert "    36:01  The Keeper Test  [file]" in shown.stdout
    stats = added("stats")
    assert "episodes: 1 (0.8 hours, 600 cues)" in stats.stdout
    assert "chapters: 5 (5 file)" in stats.stdout
    removed = added("remove", "sAp9RjO79cU")
    assert removed.exit_code == 0
    assert removed.stderr == "removed sAp9RjO79cU: Netflix engineering\n"
    emptied = added("search", "keeper")
    assert emptied.exit_code == 2
    assert "nothing is indexed in" in emptied.stderr
    assert added("show", "sAp9RjO79cU").exit_code == 2


def test_adding_again_replaces(added: Run, netflix_like: tuple[Path, Path], home: Home) -> None:
    transcript, _ = netflix_like
    result = added("add", str(transcript), "--url", URL, "--title", "Renamed")
    assert result.exit_code == 0
    assert len(list(home.library.glob("*.json"))) == 1
    hits = json.loads(added("search", "keeper test", "--json").stdout)
    assert {hit["episode_title"] for hit in hits} == {"Renamed"}
    # the chapters given before are kept: only what is given again changes
    assert {hit["chapter_source"] for hit in hits} == {"file"}
    assert hits[0]["channel"] == "Pragmatic"


def test_rebuild(added: Run, home: Home) -> None:
    (home.library / "broken.json").write_text("{oops", encoding="utf-8")
    result = added("rebuild")
    assert result.exit_code == 0
    assert "skipped" in result.stderr and "broken.json" in result.stderr
    assert "1 episode, " in result.stderr
    assert added("search", "keeper test").exit_code == 0


def test_interrupted_rebuild_keeps_the_old_index(
    added: Run, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chaptersearch.index.writer as index_module

    def crash(episode: object) -> object:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(index_module, "passage_documents", crash)
        result = added("rebuild")
    assert result.exit_code == 130
    assert result.stderr == (
        "chaptersearch: interrupted: the index was not rebuilt and the previous one is "
        "unchanged (passage vectors computed so far are kept); run `chaptersearch rebuild` "
        "again\n"
    )
    assert sorted(path.name for path in home.index.iterdir()) == ["CURRENT", "g000001"]
    assert added("search", "keeper test").exit_code == 0


def test_a_generation_left_by_a_crash_is_cleaned_by_the_next_writer(added: Run, home: Home) -> None:
    stale = home.index / "g000009"
    stale.mkdir()
    (stale / "_MAIN_1.toc").write_bytes(b"half written")
    assert added("search", "keeper test").exit_code == 0
    assert stale.exists()  # a search never changes the index
    assert added("add", str(DATA / "sample.srt")).exit_code == 0
    assert not stale.exists()
    assert added("search", "keeper test").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "nope.vtt"], "nope.vtt: no such file"),
        (["add", str(DATA / "garbage.vtt")], "not a valid WebVTT file"),
        (["add", str(DATA / "empty.vtt")], "not a valid WebVTT file"),
        (["add", str(DATA / "header-only.vtt")], "holds no timed text"),
        (
            ["add", str(DATA / "sample.srt"), "--chapters", str(DATA / "prose-notes.txt")],
            "no chapter times found",
        ),
        (["add", str(DATA / "sample.srt"), "--chapters", "missing.txt"], "no such chapters file"),
        (["search", "anything"], "no index in"),
        (["show", "nothing"], "no episode 'nothing' in the library"),
        (
            ["add", str(DATA / "sample.srt"), str(DATA / "bom.vtt"), "--title", "x"],
            "describe one episode",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(run: Run, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("chaptersearch:")]
    assert any(message in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr


def test_chapters_past_the_end(run: Run, tmp_path: Path) -> None:
    chapters = tmp_path / "late.txt"
    chapters.write_text("10:00 Way later\n20:00 Even later\n", encoding="utf-8")
    result = run("add", str(DATA / "sample.srt"), "--chapters", str(chapters))
    assert result.exit_code == 2
    assert "every chapter starts after the transcript ends (0:06)" in result.stderr
    chapters.write_text("0:00 Start\n0:03 Answer\n9:00 Too late\n", encoding="utf-8")
    result = run("add", str(DATA / "sample.srt"), "--chapters", str(chapters))
    assert result.exit_code == 0
    assert "dropped 1 chapter(s) starting after the end (0:06)" in result.stderr


def test_one_bad_file_does_not_stop_the_batch(run: Run) -> None:
    result = run("add", str(DATA / "sample.srt"), str(DATA / "garbage.vtt"), str(DATA / "bom.vtt"))
    assert result.exit_code == 2
    assert "added 2 episodes" in result.stderr
    assert "failed 1;" in result.stderr
    assert run("search", "byte order mark").exit_code == 0


def test_search_before_add_names_the_home(run: Run, home: Home) -> None:
    result = run("search", "keeper")
    assert result.stderr.strip() == (
        f"chaptersearch: no index in {home.root}: add episodes with `chaptersearch add FILE`, "
        "or run `chaptersearch rebuild` if the library already has them; the home is "
        f"{home.root}, set by $CHAPTERSEARCH_HOME; choose another with --home DIR or "
        "$CHAPTERSEARCH_HOME"
    )


def test_busy_index(added: Run, home: Home) -> None:
    with home.writing():
        result = added("add", str(DATA / "sample.srt"))
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "chaptersearch: index is busy: another chaptersearch is writing"
        )
        assert added("rebuild").exit_code == 2
        assert added("remove", "sAp9RjO79cU").exit_code == 2
        # readers are never blocked
        assert added("search", "keeper").exit_code == 0
    assert not (home.library / "sample.json").exists()


def test_busy_index_held_by_another_process(added: Run, home: Home) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from chaptersearch.library.home import Home\n"
            "with Home(Path(sys.argv[1])).writing():\n print('held', flush=True); time.sleep(30)",
            str(home.root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = added("add", str(DATA / "sample.srt"))
        assert result.exit_code == 2
        assert "index is busy" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert added("add", str(DATA / "sample.srt")).exit_code == 0


def test_debug_shows_the_traceback(run: Run) -> None:
    result = run("--debug", "search", "anything")
    assert result.exit_code != 0
    assert result.exception is not None
    assert type(result.exception).__name__ == "IndexMissingError"


def test_hits_on_a_terminal_are_styled_and_clickable() -> None:
    from chaptersearch.hit import Hit
    from chaptersearch.output.render import format_hit

    hit = Hit(
        rank=1,
        score=1.0,
        video_id="v",
        episode_title="E",
        channel="",
        chapter_title="C",
        chapter_start=0,
        chapter_source="generated",
        start=65,
        url="https://x.test/a#t=65",
        snippet="say keeper here",
        highlights=[(4, 10)],
    )
    styled = format_hit(hit, styled=True)
    assert "\033]8;;https://x.test/a#t=65\033\\" in styled
    assert "\033[1;33mkeeper\033[0m" in styled
    plain = format_hit(hit, styled=False)
    assert "\033" not in plain
    assert "§ C (0:00, made from the talk)  ·  at 1:05" in plain


def test_search_does_not_import_the_network_stack_or_pydantic(added: Run, home: Home) -> None:
    code = (
        "import sys\n"
        "from chaptersearch.cli import main\n"
        "sys.argv = ['chaptersearch', 'search', 'keeper test']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "names = ('yt_dlp', 'youtube_transcript_api', 'requests', 'pydantic',\n"
        "         'faster_whisper', 'ctranslate2', 'av')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home.root)}
    started = time.monotonic()
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip().splitlines()[-1] == "0 []"
    assert time.monotonic() - started >= 0  # behaviour only: speed is measured in benchmarks/


def test_an_index_from_another_version_asks_for_a_rebuild(added: Run, home: Home) -> None:
    import shutil

    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    shutil.rmtree(home.index)
    home.index.mkdir()
    whoosh_index.create_in(str(home.index), Schema(old=ID(stored=True)))
    result = added("search", "keeper")
    assert result.exit_code == 2
    assert (
        "was made by another version of chaptersearch; run `chaptersearch rebuild`" in result.stderr
    )
    assert added("rebuild").exit_code == 0
    assert added("search", "keeper").exit_code == 0


def test_a_home_of_the_previous_index_format_asks_for_a_rebuild(added: Run, home: Home) -> None:
    """Index version 5 (pairs of common words, flat posting blocks): a home written by
    version 4 is never searched with answers it cannot give; every command says in one
    line what mends it, and ``rebuild`` does, from the library."""
    from chaptersearch.index.schema import VERSION_FILE, live_folder

    live = live_folder(home.index)
    assert live is not None
    (live / VERSION_FILE).write_text("4")
    result = added("search", "keeper")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "another version of chaptersearch; run `chaptersearch rebuild`" in result.stderr
    assert added("rebuild").exit_code == 0
    assert added("search", "keeper").exit_code == 0


def test_rebuild_with_two_processes(added: Run) -> None:
    result = added("rebuild", "--processes", "2")
    assert result.exit_code == 0, result.stderr
    assert "1 episode, " in result.stderr
    hits = json.loads(added("search", "keeper test", "--json").stdout)
    assert hits[0]["start"] == 2165


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["search", "garbage", "-collection"],
            "No such option '-c' (a word that starts with - goes after --: `chaptersearch "
            "search -- garbage -collection`; see `chaptersearch search -h`)",
        ),
        (["rebuild", "-x"], "No such option '-x' (see `chaptersearch rebuild -h`)"),
        (
            ["serch", "foo"],
            "No such command 'serch' (did you mean one of: 'search', 'serve'?) "
            "(see `chaptersearch -h`)",
        ),
        (
            ["search", "--limit", "many", "foo"],
            "Invalid value for '--limit' / '-n': 'many' is not a valid integer range "
            "(see `chaptersearch search -h`)",
        ),
    ],
)
def test_usage_errors_are_one_line_like_every_other_error(
    run: Run, args: list[str], line: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"chaptersearch: {line}\n"
