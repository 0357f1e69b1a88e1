"""A newcomer's first five minutes: empty and half-built homes, re-adding and editing,
the conventions of a command-line tool, and ids typed by hand."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import DATA, talk, vtt_text

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def test_a_failed_first_add_leaves_search_with_one_clear_line(run: Run, home: Home) -> None:
    added = run("add", "episode.vtt", "--chapters", str(EXAMPLES / "keeper-test-chapters.txt"))
    assert added.exit_code == 2
    assert added.stderr == "chaptersearch: episode.vtt: no such file\n"
    assert not home.index.exists()
    searched = run("search", "keeper test")
    assert searched.exit_code == 2
    assert searched.stderr.startswith(f"chaptersearch: no index in {home.root}: add episodes")
    assert "unexpected" not in searched.stderr


def test_search_after_rebuilding_an_empty_home(run: Run, home: Home) -> None:
    assert run("rebuild").exit_code == 0
    searched = run("search", "keeper test")
    assert searched.exit_code == 2
    assert searched.stderr == (
        f"chaptersearch: nothing is indexed in {home.root} yet: add episodes with "
        "`chaptersearch add FILE`, or run `chaptersearch rebuild` if the library has them; "
        f"the home is {home.root}, set by $CHAPTERSEARCH_HOME; choose another with --home "
        "DIR or $CHAPTERSEARCH_HOME\n"
    )


def test_every_command_on_an_empty_home(run: Run, home: Home) -> None:
    assert run("list").exit_code == 0
    assert run("stats").exit_code == 0
    assert run("show", "x").exit_code == 2
    assert run("remove", "x").exit_code == 2
    assert run("open").exit_code == 2
    for result in (run("show", "x"), run("remove", "x"), run("open"), run("search", "x")):
        assert result.stderr.count("\n") == 1 and "unexpected" not in result.stderr


def add_example(run: Run, *more: str) -> None:
    result = run(
        "add",
        str(EXAMPLES / "keeper-test.vtt"),
        "--chapters",
        str(EXAMPLES / "keeper-test-chapters.txt"),
        "--title",
        "Example Show 1",
        "--channel",
        "Example Show",
        "--url",
        "https://example.org/episodes/1",
        "--published",
        "2024-03-01",
        *more,
    )
    assert result.exit_code == 0, result.stderr


def test_adding_again_keeps_what_was_given(run: Run) -> None:
    add_example(run)
    again = run("add", str(EXAMPLES / "keeper-test.vtt"), "--published", "2024-03-02")
    assert again.exit_code == 0, again.stderr
    entry = json.loads(run("show", "keeper-test", "--json").stdout)
    assert entry["title"] == "Example Show 1"
    assert entry["channel"] == "Example Show"
    assert entry["url"] == "https://example.org/episodes/1"
    assert entry["published"] == "2024-03-02"
    assert [c["title"] for c in entry["chapters"]][2] == "The keeper test"
    hit = json.loads(run("search", '"keeper test"', "--json", "-n", "1").stdout)[0]
    assert (hit["chapter_title"], hit["url"]) == ("The keeper test", hit["url"])
    assert hit["url"].startswith("https://example.org/episodes/1#t=")


def test_adding_an_unchanged_file_again_is_skipped(run: Run) -> None:
    add_example(run)
    again = run("add", str(EXAMPLES / "keeper-test.vtt"))
    assert again.exit_code == 0
    assert "added 0 episodes (0 passages), skipped 1 already in the library" in again.stderr
    refreshed = run("add", str(EXAMPLES / "keeper-test.vtt"), "--refresh")
    assert "updated 1 episode (" in refreshed.stderr


def test_edit_changes_details_and_reindexes(run: Run, tmp_path: Path) -> None:
    add_example(run)
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("0:00 Hello\n1:50 Who we keep\n3:10 Feedback\n", encoding="utf-8")
    edited = run(
        "edit",
        "keeper",
        "--title",
        "Who we keep",
        "--channel",
        "Renamed Show",
        "--url",
        "https://example.org/e/1",
        "--published",
        "2024-05-05",
        "--chapters",
        str(chapters),
    )
    assert edited.exit_code == 0, edited.stderr
    assert edited.stderr == "edited keeper-test: Who we keep\n"
    hit = json.loads(run("search", '"keeper test"', "--json", "-n", "1").stdout)[0]
    assert hit["episode_title"] == "Who we keep"
    assert hit["channel"] == "Renamed Show"
    assert hit["chapter_title"] == "Who we keep"
    assert hit["url"].startswith("https://example.org/e/1#t=")
    assert json.loads(run("show", "keeper-test", "--json").stdout)["published"] == "2024-05-05"
    back = run("edit", "keeper-test", "--no-chapters")
    assert back.exit_code == 0, back.stderr
    hit = json.loads(run("search", '"keeper test"', "--json", "-n", "1").stdout)[0]
    assert hit["chapter_source"] == "generated"
    nothing = run("edit", "keeper-test")
    assert (nothing.exit_code, nothing.stderr.startswith("chaptersearch: nothing to change")) == (
        2,
        True,
    )
    bad = run("edit", "keeper-test", "--url", "javascript:alert(1)")
    assert bad.exit_code == 2 and "starting with https:// or http://" in bad.stderr


def test_ids_by_unique_prefix_with_did_you_mean(run: Run, home: Home, tmp_path: Path) -> None:
    for name in ("016-python-3", "017-python-4", "talk-223"):
        path = tmp_path / f"{name}.vtt"
        path.write_text(vtt_text(talk(30.0, {5.0: "hello"})), encoding="utf-8")
        assert run("add", str(path)).exit_code == 0
    shown = run("show", "016")
    assert shown.exit_code == 0 and "  id: 016-python-3" in shown.stdout
    ambiguous = run("show", "01")
    assert ambiguous.exit_code == 2
    assert "'01' is the start of 2 episode ids (016-python-3, 017-python-4)" in ambiguous.stderr
    typo = run("show", "talk-232")
    assert typo.stderr == (
        f"chaptersearch: no episode 'talk-232' in the library of {home.root}; "
        "did you mean talk-223?\n"
    )
    assert run("remove", "talk").stderr == "removed talk-223: talk 223\n"
    assert run("remove", "???").exit_code == 2


def test_a_folder_given_to_add_adds_the_transcripts_in_it(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "show"
    (folder / "season-1").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for name in ("season-1/a.vtt", "b.srt", ".hidden/c.vtt", "notes.txt"):
        (folder / name).write_text(
            vtt_text(talk(30.0, {5.0: "folder words"})) if name.endswith(".vtt") else "x"
        )
    (folder / "b.srt").write_text((DATA / "sample.srt").read_text())
    result = run("add", str(folder) + "/")
    assert result.exit_code == 0, result.stderr
    assert "added 2 episodes" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run("add", str(empty))
    assert nothing.exit_code == 2
    assert (
        nothing.stderr
        == f"chaptersearch: {empty}: no transcripts (.vtt, .srt, .json) or audio in this folder\n"
    )


def test_list_show_and_stats_read_well(run: Run, home: Home) -> None:
    add_example(run)
    listed = run("list").stdout.splitlines()
    assert listed == [
        "ID           LENGTH  CHAPTERS  TITLE",
        "keeper-test    4:50  5 file    Example Show 1",
    ]
    rows = json.loads(run("list", "--json").stdout)
    assert rows[0]["id"] == "keeper-test" and rows[0]["chapters"] == 5
    shown = run("show", "keeper-test").stdout.splitlines()
    assert shown[:4] == [
        "Example Show 1",
        "  id: keeper-test",
        "  channel: Example Show",
        "  url: https://example.org/episodes/1",
    ]
    assert "  5 chapters:" in shown
    assert "  given by you: channel, chapters, chapters_from, published, title, url" in shown
    stats = run("stats").stdout.splitlines()
    assert stats[0] == f"home: {home.root}"
    assert stats[1] == "episodes: 1 (0.1 hours, 51 cues)"
    assert stats[3] == "indexed: 1 of 1 episodes"
    figures = json.loads(run("stats", "--json").stdout)
    assert figures["episodes"] == 1 and figures["not_indexed"] == []


def test_version_short_help_and_completion(run: Run) -> None:
    from chaptersearch import __version__

    assert run("--version").stdout == f"chaptersearch {__version__}\n"
    short = run("-h")
    assert short.exit_code == 0 and "--install-completion" in short.stdout
    assert "Usage: chaptersearch" in run("search", "-h").stdout


def test_help_shows_the_query_language_without_escape_artefacts(run: Run) -> None:
    for args in (["-h"], ["search", "--help"], ["add", "--help"], ["edit", "-h"]):
        text = run(*args).stdout
        assert "\\[" not in text, args
    text = run("search", "--help").stdout
    for example in ('"keeper test"', "chapter:keeper", 'channel:"talk python"', "Examples"):
        assert example in text
    assert 'Words, "quoted phrases" and filters' in text


def test_debug_and_home_after_the_subcommand(run: Run, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    result = run("search", "anything", "--home", str(elsewhere), "--debug")
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "IndexMissingError"
    assert str(elsewhere) in str(result.exception)
    assert run("stats", f"--home={elsewhere}").stdout.startswith(f"home: {elsewhere}\n")


def test_color_choices(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    add_example(run)
    assert "\033[" in run("search", "keeper", "--color", "always").stdout
    assert "\033[" not in run("search", "keeper", "--color", "never").stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in run("search", "keeper").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run("search", "keeper").stdout
    bad = run("search", "keeper", "--color", "sometimes")
    assert bad.exit_code == 2 and "use auto, always or never" in bad.stderr


def cli_process(home: Home, *args: str, **options: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "chaptersearch", "--home", str(home.root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize("args", [["list"], ["show", "keeper-test"], ["search", "keeper"]])
def test_quiet_and_exit_0_when_the_reader_goes_away(run: Run, home: Home, args: list[str]) -> None:
    """``chaptersearch list | head -1``: the reader closes the pipe before the output is
    written, which is what a long list into ``head`` does."""
    add_example(run)
    process = cli_process(home, *args)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert errors == b""


def test_open_fails_where_no_browser_can_be_started(run: Run, home: Home, tmp_path: Path) -> None:
    add_example(run)
    assert run("search", "keeper").exit_code == 0
    bare = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
    }
    bare["PATH"] = str(tmp_path / "no-programs-here")
    process = cli_process(home, "open", "1", env=bare)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert errors.decode().startswith("chaptersearch: no web browser could be started here")


def test_open_hands_the_link_to_the_users_browser(run: Run, home: Home, tmp_path: Path) -> None:
    add_example(run)
    assert run("search", '"keeper test"').exit_code == 0
    caught = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {caught}\n')
    browser.chmod(0o755)
    process = cli_process(home, "open", "1", env={**os.environ, "BROWSER": str(browser)})
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    assert caught.read_text().startswith("https://example.org/episodes/1#t=")


def test_the_cli_starts_without_posix_only_modules(run: Run, home: Home) -> None:
    """What CI here can tell of Windows: no POSIX-only import on the search path."""
    add_example(run)
    code = (
        "import sys\n"
        "for name in ('fcntl', 'termios', 'pwd', 'grp', 'resource'):\n"
        "    sys.modules[name] = None\n"
        "from chaptersearch.cli import main\n"
        "sys.argv = ['chaptersearch', *sys.argv[1:]]\n"
        "main()\n"
    )
    for args in (["--version"], ["search", "keeper"], ["list"], ["show", "keeper"], ["stats"]):
        result = subprocess.run(
            [sys.executable, "-c", code, "--home", str(home.root), *args],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (args, result.stderr)
