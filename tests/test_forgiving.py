"""What a user types, read as they meant it: filters by an id's start, colons that are
not filters, words without quotes, typos answered with a "did you mean"."""

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run
from .helpers import talk, vtt_text


def episode(folder: Path, name: str, said: dict[float, str]) -> str:
    path = folder / f"{name}.vtt"
    path.write_text(vtt_text(talk(120.0, said)), encoding="utf-8")
    return str(path)


@pytest.fixture
def shows(run: Run, tmp_path: Path) -> Run:
    """Three episodes of two channels; ids 020… and 021… share a start."""
    bytes_said = {
        10.0: "python and garbage collection, the reference counting kind",
        20.0: "pytest fixtures make asynchronous tests easy",
        30.0: "we went to re:Invent 2022 and met at 10:30 by the stage",
        40.0: "use std::vector in C++ and see https://pythonbytes.fm/episodes for more",
    }
    added = run(
        "add",
        episode(tmp_path, "002_python_bytes", bytes_said),
        episode(tmp_path, "020-hypermodern", {10.0: "python packaging and poetry"}),
        "--channel",
        "Python Bytes",
    )
    assert added.exit_code == 0, added.stderr
    talk_said = {10.0: "python web frameworks and django"}
    added = run("add", episode(tmp_path, "021-talk", talk_said), "--channel", "Talk Python To Me")
    assert added.exit_code == 0, added.stderr
    return run


def hits(result: Any) -> list[dict[str, Any]]:
    return json.loads(result.stdout) if result.stdout.strip() else []


# 6. Several words without quotes are one query


def test_words_given_apart_are_one_query(shows: Run) -> None:
    apart = shows("search", "garbage", "collection", "--json")
    together = shows("search", "garbage collection", "--json")
    assert apart.exit_code == 0, apart.stderr
    assert apart.stdout == together.stdout
    assert shows("search", "garbage", "--json", "collection").stdout == together.stdout


def test_a_query_after_double_dash_may_start_with_a_minus(shows: Run) -> None:
    result = shows("search", "--", "-django", "python")
    assert result.exit_code == 0, result.stderr
    assert "Talk Python To Me" not in result.stdout
    assert "Python Bytes" in result.stdout
