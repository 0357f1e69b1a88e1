"""What keeps search fast as a library grows: few segments after adds."""

from pathlib import Path

from chaptersearch.index import MERGE_CEILING, MERGE_FACTOR, IndexUpdater, merge_plan
from chaptersearch.local_source import episode_from_file
from chaptersearch.schema import open_index
from chaptersearch.search import SearchRequest, search

from .helpers import given, talk, vtt_text


def test_segments_of_one_level_merge_once_there_are_enough() -> None:
    assert merge_plan(100, [100] * (MERGE_FACTOR - 2)) == []
    assert merge_plan(100, [100] * (MERGE_FACTOR - 1)) == list(range(MERGE_FACTOR - 1))


def test_a_small_segment_is_not_merged_into_a_large_one() -> None:
    sizes = [60_000] + [100] * (MERGE_FACTOR - 1)
    assert merge_plan(100, sizes) == list(range(1, MERGE_FACTOR))


def test_a_merge_that_fills_the_level_above_merges_it_too() -> None:
    level_one = [60_000] * (MERGE_FACTOR - 1)
    small = [6_000] * (MERGE_FACTOR - 1)  # merged, they reach the level above
    assert merge_plan(100, level_one + small) == list(range(2 * MERGE_FACTOR - 2))


def test_the_largest_segments_are_left_alone() -> None:
    assert merge_plan(100, [MERGE_CEILING] * 20) == []


def _episode(folder: Path, number: int) -> object:
    path = folder / f"show-{number}.vtt"
    path.write_text(vtt_text(talk(120.0, {60.0: f"topic number{number} here"})), "utf-8")
    return episode_from_file(path, given(channel="Show"))


def test_many_commits_leave_few_segments(tmp_path: Path) -> None:
    """An add commits every few seconds; each commit made a segment that stayed (122
    after adding a folder to a large home), and a search pays for every one."""
    folder = tmp_path / "whoosh"
    with IndexUpdater(folder, commit_seconds=0) as updater:
        for number in range(3 * MERGE_FACTOR):
            updater.replace(_episode(tmp_path, number))  # type: ignore[arg-type]
        ix = open_index(folder)
        with ix.searcher() as searcher:
            assert len(searcher.reader().leaf_readers()) < MERGE_FACTOR
        ix.close()
    for number in (0, 3 * MERGE_FACTOR - 1):
        hits = search(folder, SearchRequest(f"number{number}"))
        assert [hit.video_id for hit in hits] == [f"show-{number}"]
