"""Context around a hit, as ``rg -C``: ``search -C N`` shows the captions before and after
the moment with their times (terminal and JSON); ``show ID --transcript [--at T]``
prints the transcript, from a moment."""

import json
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.output.context import around

from .conftest import Run
from .helpers import talk, vtt_text

SAID = {
    590.0: "before the moment one",
    595.0: "before the moment two",
    600.0: "the origins of python go back to the nineties",
    605.0: "after the moment one",
    610.0: "after the moment two",
    615.0: "after the moment three",
}


@pytest.fixture
def added(run: Run, tmp_path: Path) -> Run:
    transcript = tmp_path / "history.vtt"
    cues = [(start + 0.6, end + 0.6, text) for start, end, text in talk(1200.0, SAID)]
    transcript.write_text(vtt_text(cues), encoding="utf-8")
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("0:00 Intro\n9:00 History lesson\n10:05 Later\n", encoding="utf-8")
    result = run("add", str(transcript), "--chapters", str(chapters), "--title", "History")
    assert result.exit_code == 0, result.stderr
    return run


def test_search_context_prints_the_captions_around_the_moment(added: Run) -> None:
    result = added("search", "origins python", "-C", "2")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("      9:50  before the moment one")
    assert lines[start : start + 5] == [
        "      9:50  before the moment one",
        "      9:55  before the moment two",
        "   > 10:00  the origins of python go back to the nineties",
        "     10:05  after the moment one",
        "     10:10  after the moment two",
    ]
    assert "after the moment three" not in result.stdout


def test_search_context_in_json(added: Run) -> None:
    result = added("search", "origins python", "--context", "1", "--json")
    assert result.exit_code == 0, result.stderr
    context = json.loads(result.stdout)[0]["context"]
    assert context == {
        "before": [{"start": 595.6, "text": "before the moment two"}],
        "at": {"start": 600.6, "text": "the origins of python go back to the nineties"},
        "after": [{"start": 605.6, "text": "after the moment one"}],
    }


def test_without_context_the_output_is_as_before(added: Run) -> None:
    plain = added("search", "origins python", "--json")
    assert "context" not in json.loads(plain.stdout)[0]
    assert "   > " not in added("search", "origins python").stdout


def test_context_at_either_end_is_what_there_is(added: Run, home: Home) -> None:
    """The first caption has nothing before it, the last nothing after: no error."""
    episode = Library(home.library).load("history")
    first = around(episode, episode.cues[0].start, 3)
    assert first["before"] == [] and len(first["after"]) == 3
    last = around(episode, episode.cues[-1].start, 3)
    assert len(last["before"]) == 3 and last["after"] == []


def test_show_transcript_prints_every_caption_with_chapter_headings(added: Run) -> None:
    result = added("show", "history", "--transcript")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "§ Intro (0:00)"
    assert lines[1].strip().startswith("0:00  ")
    assert "§ History lesson (9:00)" in lines
    assert sum(1 for line in lines if not line.startswith("§")) == 240


def test_show_transcript_from_a_moment(added: Run) -> None:
    """13:24 typed means the caption printed at 13:24, though it starts at 13:24.6."""
    result = added("show", "hist", "--transcript", "--at", "10:00")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "§ History lesson (9:00)",
        "  10:00  the origins of python go back to the nineties",
        "§ Later (10:05)",
        "  10:05  after the moment one",
    ]
    by_seconds = added("show", "history", "--at", "600", "--json")
    cues = json.loads(by_seconds.stdout)
    assert cues[0] == {
        "start": 600.6,
        "end": 605.6,
        "text": "the origins of python go back to the nineties",
    }


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("10:99", "--at '10:99': use m:ss, h:mm:ss or seconds"),
        ("soon", "--at 'soon': use m:ss, h:mm:ss or seconds"),
        ("3:00:00", "--at 3:00:00: past the end of history (20:00)"),
    ],
)
def test_a_bad_moment_is_one_line(added: Run, at: str, message: str) -> None:
    result = added("show", "history", "--transcript", "--at", at)
    assert result.exit_code == 2
    assert result.stderr == f"chaptersearch: {message}\n"


def test_a_negative_context_is_refused(added: Run) -> None:
    result = added("search", "origins", "-C", "-1")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
