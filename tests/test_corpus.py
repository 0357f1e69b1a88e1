"""Real episodes from ../shared/corpora: many at once, and a phrase at its real second."""

import json
from pathlib import Path

from .conftest import Run

EPISODE = "048-garabage-collection-and-memory-management-in-python"


def test_fifty_real_episodes(shared: Path, run: Run) -> None:
    folder = shared / "corpora/python-bytes/transcripts"
    files = sorted(folder.glob("*.vtt"))[:50]
    assert len(files) == 50
    added = run("add", *map(str, files), "--channel", "Python Bytes")
    assert added.exit_code == 0, added.stderr
    assert "added 50 episodes" in added.stderr

    result = run("search", '"loops of memory"', "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits[0]["video_id"] == EPISODE
    # said once, in the cue at 00:05:37.540: "...you can get these loops of memory that..."
    assert hits[0]["start"] == 337.54
    assert len(hits) == 1
    # the episode has no chapters: the one the quote falls in is cut from the talk and
    # titled by what is said in it (this stretch is about reference counting)
    assert hits[0]["chapter_source"] == "generated"
    assert "Reference counting" in hits[0]["chapter_title"]
    assert hits[0]["chapter_source"] == "generated"
    assert "loops of memory" in hits[0]["snippet"]

    stats = run("stats", "--json")
    figures = json.loads(stats.stdout)
    assert figures["episodes"] == 50
    assert figures["hours"] > 15
