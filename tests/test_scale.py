"""What keeps search fast as a library grows: few segments after adds."""

from pathlib import Path

import pytest

from chaptersearch.index.schema import open_index
from chaptersearch.index.writer import MERGE_CEILING, MERGE_FACTOR, IndexUpdater, merge_plan
from chaptersearch.search.engine import SearchRequest, search
from chaptersearch.sources.local import episode_from_file

from .helpers import given, skip_landings, talk, vtt_text


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


def test_a_segment_much_larger_than_the_rest_of_its_level_waits() -> None:
    """Commits of a few passages each must not rewrite one growing segment every time
    eight of them pile up."""
    sizes = [700] + [10] * (MERGE_FACTOR - 1)
    assert merge_plan(10, sizes) == list(range(1, MERGE_FACTOR))


def test_the_largest_segments_are_left_alone() -> None:
    assert merge_plan(100, [MERGE_CEILING] * 20) == []


def _episode(folder: Path, number: int, seconds: float = 120.0) -> object:
    path = folder / f"show-{number}.vtt"
    path.write_text(vtt_text(talk(seconds, {60.0: f"topic number{number} here"})), "utf-8")
    return episode_from_file(path, given(channel="Show"))


def test_many_commits_leave_few_segments(tmp_path: Path) -> None:
    """An add commits every few seconds; each commit made a segment, and most stayed
    (122 after adding a folder to a large home): a search pays for every one."""
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


def test_more_in_this_chapter_checks_a_phrase_without_whoosh_scanning_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's phrase matcher, skipped to a passage, scans on to the next passage that
    says the phrase: for a phrase of common words, most of the index for every chapter
    shown. Each passage is checked word by word instead, with the same answer."""
    from whoosh import query as wq

    from chaptersearch.search.postings import among

    folder = tmp_path / "whoosh"
    said = {30.0: "and I think that is right", 95.0: "I think that and is not", 150.0: "x"}
    with IndexUpdater(folder) as updater:
        for number in range(3):
            path = tmp_path / f"e{number}.vtt"
            path.write_text(vtt_text(talk(300.0, said if number != 1 else {})), "utf-8")
            updater.replace(episode_from_file(path, given(channel="Show")))
    ix = open_index(folder)
    with ix.searcher() as searcher:
        everything = set(range(searcher.doc_count_all()))
        phrases = [["i", "think", "that"], ["think", "that", "is"], ["that", "and"], ["is", "x"]]
        expected = [set(searcher.docs_for_query(wq.Phrase("text", words))) for words in phrases]
        monkeypatch.setattr(wq.Phrase, "matcher", lambda *args, **kwargs: 1 / 0)
        for words, wanted in zip(phrases, expected, strict=True):
            query = wq.Or([wq.Phrase("text", words), wq.Term("text", "nothing")])
            assert among(searcher, query, everything) == wanted
        assert wanted == set() and expected[0]
    ix.close()


def test_posting_blocks_read_faster_give_whoosh_s_own_answers(tmp_path: Path) -> None:
    """Document numbers summed in C and skips by bisection (``blocks``) land where
    Whoosh's own loops do, over blocks, segments and deleted passages."""
    import random

    from whoosh.codec.whoosh3 import W3LeafMatcher

    from chaptersearch.index import blocks

    folder = tmp_path / "whoosh"
    with IndexUpdater(folder, commit_seconds=0) as updater:
        for number in range(6):  # a few hundred passages: several blocks per word
            updater.replace(_episode(tmp_path, number, 3600.0))  # type: ignore[arg-type]
        updater.remove("show-3")
    ix = open_index(folder)
    rng = random.Random(5)

    def walk() -> list[list[int]]:
        with ix.searcher() as searcher:
            return skip_landings(searcher, ("that", "is", "number4", "topic"), rng)

    rng.seed(5)
    fast = walk()
    W3LeafMatcher._read_ids = blocks.ORIGINAL_READ_IDS
    W3LeafMatcher.skip_to = blocks.ORIGINAL_SKIP_TO
    try:
        rng.seed(5)
        assert walk() == fast
    finally:
        blocks.install()
    assert W3LeafMatcher.skip_to is blocks.skip_to
    ix.close()


def test_an_add_does_not_keep_every_episode_it_added(tmp_path: Path) -> None:
    """The report of an ``add`` kept each episode whole, cues and all (about 0.6 MB of
    a real one): 2.6 GB at the end of adding a folder of 4,188. It keeps what it
    prints."""
    from chaptersearch.library.home import Home
    from chaptersearch.operations import add_sources

    home = Home(tmp_path / "home")
    episodes = [_episode(tmp_path, number) for number in range(3)]
    report = add_sources(home, episodes, lambda episode: episode)
    assert [added.id for added in report.added] == ["show-0", "show-1", "show-2"]
    assert all(not hasattr(added, "cues") for added in report.added)


def test_common_words_read_from_whole_posting_lists_match_whoosh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries of common words alone are answered from whole posting lists read a block
    at a time (``postings``): the passages they find are Whoosh's own, across segments
    and with an episode removed."""
    from whoosh import query as wq

    from chaptersearch.search import plan as plan_module
    from chaptersearch.search.postings import common_candidates
    from chaptersearch.search.query import parse_query

    monkeypatch.setattr(plan_module, "COMMON_MIN_PASSAGES", 0)
    folder = tmp_path / "whoosh"
    with IndexUpdater(folder, commit_seconds=0) as updater:
        for number in range(5):
            updater.replace(_episode(tmp_path, number, 900.0))  # type: ignore[arg-type]
        updater.remove("show-2")
    ix = open_index(folder)
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 1
        for typed, words in (('"that is how"', ["that", "is", "how"]), ("usually", ["usual"])):
            planned = plan_module.plan(parse_query(SearchRequest(typed)), searcher)
            assert planned.common == [0]
            _, rest, saying, spoken = common_candidates(searcher, planned)
            if saying is None:  # one word: its postings read best block first
                saying = {docnum for docnum, _ in rest.take(10**6)}
            assert saying == set(searcher.docs_for_query(wq.Phrase("text", words)))
            assert saying == set(searcher.docs_for_query(spoken))
    ix.close()
