"""Output that fits the terminal: ``list`` cuts long titles with "…" (ids whole),
snippets and captions wrap to the width; piped output keeps one record per line."""

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.output.fitting import cells, cut, hanging, wrap

from .conftest import Run
from .helpers import talk, vtt_text

LONG_TITLE = (
    "Python Bytes 48: Garbage collection and memory management, with a very long "
    "subtitle that no terminal could hold on one line"
)
SAID = {
    600.0: "the origins of python go back to the nineties when guido van rossum started "
    "working on it over a christmas break at the research institute in amsterdam",
}


@pytest.fixture
def added(run: Run, tmp_path: Path) -> Run:
    transcript = tmp_path / "a-rather-long-episode-id-that-stays-whole.vtt"
    transcript.write_text(vtt_text(talk(1200.0, SAID)), encoding="utf-8")
    result = run("add", str(transcript), "--title", LONG_TITLE)
    assert result.exit_code == 0, result.stderr
    return run


def at_width(monkeypatch: pytest.MonkeyPatch, width: int | None) -> None:
    monkeypatch.setattr("chaptersearch.output.fitting.output_width", lambda: width)


def test_list_cuts_long_titles_and_keeps_ids_whole(
    added: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_width(monkeypatch, 100)
    lines = added("list").stdout.splitlines()
    assert len(lines) == 2 and all(cells(line) <= 100 for line in lines), lines
    assert lines[1].startswith("a-rather-long-episode-id-that-stays-whole ")
    assert lines[1].endswith("…")
    assert "Python Bytes 48" in lines[1]


def test_long_ids_put_the_title_on_a_line_of_its_own(
    added: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns a 41-character id leaves a title 16 cells: too few to read, so the
    title goes below, indented and cut to the width."""
    at_width(monkeypatch, 80)
    lines = added("list").stdout.splitlines()
    assert all(cells(line) <= 80 for line in lines), lines
    assert lines[0].split() == ["ID", "LENGTH", "CHAPTERS"]
    assert lines[1] == "    TITLE"
    assert lines[2].split()[0] == "a-rather-long-episode-id-that-stays-whole"
    assert lines[3].startswith("    Python Bytes 48: Garbage collection") and lines[3].endswith("…")


def test_list_piped_keeps_every_title_whole(added: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    at_width(monkeypatch, None)
    lines = added("list").stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith(LONG_TITLE)


def test_a_narrow_terminal_still_shows_the_id_whole(
    added: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_width(monkeypatch, 20)
    lines = added("list").stdout.splitlines()
    assert lines[2].startswith("a-rather-long-episode-id-that-stays-whole ")
    assert lines[3] == "    Python Bytes 48…"


def test_snippets_wrap_to_the_width(added: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    at_width(monkeypatch, 50)
    stdout = added("search", "guido amsterdam").stdout
    lines = stdout.splitlines()
    snippet = [line for line in lines[2:] if not line.startswith("   http")]
    assert len(snippet) > 2
    assert all(cells(line) <= 50 and line.startswith("   ") for line in snippet), lines
    at_width(monkeypatch, None)
    piped = added("search", "guido amsterdam").stdout.splitlines()
    assert len(piped) == 3  # title, chapter and moment, snippet: one line each
    assert " ".join(line.strip() for line in snippet) == piped[2].strip()


def test_context_lines_wrap_under_their_text(added: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    at_width(monkeypatch, 40)
    lines = added("search", "guido", "-C", "1").stdout.splitlines()
    moment = next(index for index, line in enumerate(lines) if line.startswith("   > "))
    assert lines[moment].startswith("   > 10:00  the origins")
    assert lines[moment + 1].startswith(" " * len("   > 10:00  ") + "")
    assert lines[moment + 1][len("   > 10:00  ")] != " "
    assert all(cells(line) <= 40 for line in lines[2:] if not line.startswith("   http"))


def test_the_transcript_wraps_on_a_terminal_and_not_piped(
    added: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_width(monkeypatch, 40)
    wrapped = added("show", "a-rather", "--at", "10:00").stdout.splitlines()
    assert all(cells(line) <= 40 for line in wrapped)
    at_width(monkeypatch, None)
    piped = added("show", "a-rather", "--at", "10:00").stdout.splitlines()
    assert piped[1] == f"  10:00  {SAID[600.0]}"
    assert len(wrapped) > len(piped)


def test_on_a_real_terminal_columns_set_the_width(added: Run, home: Home) -> None:
    """Through a pseudo-terminal, as a user runs it: $COLUMNS wide, titles cut."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "CHAPTERSEARCH_HOME": str(home.root), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "chaptersearch", "list"],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert done.returncode == 0, done.stderr
    lines = output.decode().replace("\r\n", "\n").splitlines()
    assert len(lines) == 4 and all(cells(line) <= 80 for line in lines) and "…" in lines[3]


def test_cells_count_wide_and_combining_characters() -> None:
    assert cells("日本語") == 6
    assert cells("e\u0301") == 1
    assert cut("日本語のタイトル", 7) == "日本語…"
    assert cut("short", 10) == "short"


def test_wrap_breaks_at_spaces_and_cuts_a_word_longer_than_a_line() -> None:
    text = "one two three " + "x" * 12
    assert [text[s:e] for s, e in wrap(text, 9)] == ["one two", "three", "xxxxxxxxx", "xxx"]
    assert hanging("> 1:00  ", "alpha beta gamma", 14) == [
        "> 1:00  alpha",
        "        beta",
        "        gamma",
    ]
    assert hanging("> 1:00  ", "alpha beta gamma", None) == ["> 1:00  alpha beta gamma"]
