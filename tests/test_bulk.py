"""Every match scored a block at a time (``search.bulk``) and one common word read best
block first (``postings.BlockMaxStream``) give Whoosh's own answers, on real
transcripts."""

import math
from itertools import pairwise
from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh import scoring

from chaptersearch.index.schema import open_index
from chaptersearch.index.writer import IndexUpdater
from chaptersearch.search import engine
from chaptersearch.search import plan as plan_module
from chaptersearch.search.bulk import every_match, matching_docs
from chaptersearch.search.postings import BlockMaxStream, common_candidates
from chaptersearch.search.query import SearchRequest, parse_query
from chaptersearch.sources.local import episode_from_file

from .helpers import given

QUERIES = [
    "garbage collection in python",
    "python 3.11 is faster",
    "pytest fixtures",
    "django rest framework api",
    '"reference counting" memory',
    "asyncio event loop",
    "type hints -django",
    "channel:python packaging",
    "rust python extension",
    "pip install",
    "data science notebooks jupyter",
    "web assembly pyscript",
]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .helpers import SHARED

    folder = SHARED / "corpora" / "python-bytes" / "transcripts"
    if not folder.is_dir():
        pytest.skip("../shared is not beside this checkout")
    index = tmp_path_factory.mktemp("bulk") / "whoosh"
    paths = sorted(folder.glob("*.vtt"))[:40]
    for part in (paths[:20], paths[20:]):  # two segments
        with IndexUpdater(index) as updater:
            for path in part:
                updater.replace(episode_from_file(path, given(channel="Python Bytes")))
    with IndexUpdater(index) as updater:  # and a deleted passage
        updater.remove(episode_from_file(paths[3], given(channel="Python Bytes")).id)
    return index


def _whoosh_scores(searcher: object, query: wq.Query) -> dict[int, float]:
    """Each passage Whoosh's search finds, scored by Whoosh's matcher standing on it.

    Not the score its collector reports: inside an And (a query with a filter), the
    collector moves an AndMaybe's optional part out of step and drops the episode
    title's share; the matcher on the passage adds it, as the query means."""
    found = [hit.docnum for hit in searcher.search(query, limit=None)]  # type: ignore[attr-defined]
    scores = {}
    for sub, offset in searcher.leaf_searchers():  # type: ignore[attr-defined]
        top = offset + sub.doc_count_all()
        for docnum in sorted(d for d in found if offset <= d < top):
            matcher = query.matcher(sub)
            matcher.skip_to(docnum - offset)
            assert matcher.id() == docnum - offset
            scores[docnum] = matcher.score()
    return scores


def test_every_match_has_whoosh_s_own_score(corpus_index: Path) -> None:
    ix = open_index(corpus_index)
    compared = 0
    with ix.searcher(weighting=scoring.BM25F(**engine.BM25)) as searcher:
        assert len(searcher.reader().leaf_readers()) > 1
        assert searcher.reader().has_deletions()
        for typed in QUERIES:
            planned = plan_module.plan(parse_query(SearchRequest(typed)), searcher)
            for query in (planned.rare, planned.every, planned.spoken):
                if query is wq.NullQuery:
                    continue
                ours = every_match(searcher, query)
                theirs = _whoosh_scores(searcher, query)
                assert ours.keys() == theirs.keys(), typed
                for docnum, score in theirs.items():
                    assert math.isclose(ours[docnum], score, rel_tol=1e-9), typed
                assert matching_docs(searcher, query) == set(theirs)
                compared += len(theirs)
    ix.close()
    assert compared > 5000


def _counts(searcher: object, term: str) -> dict[int, int]:
    """How often each live passage says ``term``, by Whoosh's own walk."""
    matcher = searcher.reader().postings("text", term)  # type: ignore[attr-defined]
    found = {}
    while matcher.is_active():
        found[matcher.id()] = round(matcher.weight())
        matcher.next()
    return found


def test_one_common_word_comes_best_first_as_if_every_passage_were_read(
    corpus_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stream decodes a block only when its highest count could come next, yet
    gives the order a sort of every posting gives, ties by passage."""
    monkeypatch.setattr(plan_module, "COMMON_MIN_PASSAGES", 0)
    ix = open_index(corpus_index)
    with ix.searcher(weighting=scoring.BM25F(**engine.BM25)) as searcher:
        for word, term in (("go", "go"), ("well", "well"), ("python", "python")):
            planned = plan_module.plan(parse_query(SearchRequest(word)), searcher)
            assert planned.common == [0]
            _, stream, saying, spoken = common_candidates(searcher, planned)
            assert isinstance(stream, BlockMaxStream) and saying is None
            taken = stream.take(10**6)
            counts = _counts(searcher, term)
            titled = set(searcher.docs_for_query(wq.Term("chapter", term)))
            assert {docnum for docnum, _ in taken} == set(counts) | titled
            assert [score for _, score in taken] == sorted((s for _, s in taken), reverse=True)
            for (first, score), (second, after) in pairwise(taken):
                assert score > after or first < second
            assert set(searcher.docs_for_query(spoken)) == set(counts) | titled
    ix.close()


PHRASES = [
    "you know what i mean",
    "at the end of the day",
    "i dont know",
    "right now",
    "and so i think that",
    "it is what it is",
    "the thing is",
    "if you want to",
    "i think that is",
]


def _every_position(searcher: object, terms: tuple[str, ...]) -> dict[int, int]:
    """The phrase's occurrences in each passage, from every position of every word, by
    Whoosh's own walk of the postings."""
    from chaptersearch.index.analysis import decode_positions

    places: dict[str, dict[int, set[int]]] = {}
    for term in set(terms):
        matcher = searcher.reader().postings("text", term)  # type: ignore[attr-defined]
        places[term] = {}
        while matcher.is_active():
            places[term][matcher.id()] = set(decode_positions(matcher.value()))
            matcher.next()
    counts = {}
    for docnum in set.intersection(*(set(found) for found in places.values())):
        starts = set(places[terms[0]][docnum])
        for offset, term in enumerate(terms[1:], 1):
            starts &= {place - offset for place in places[term][docnum]}
        if starts:
            counts[docnum] = len(starts)
    return counts


def test_phrases_of_common_words_read_through_their_pairs_say_what_positions_say(
    corpus_index: Path,
) -> None:
    """A phrase of common words is read from the passages that hold all its words and
    pairs (``PairsSaid``), rarest first; it finds exactly the passages, and counts, that
    every position of every word gives."""
    from chaptersearch.index.analysis import normalize
    from chaptersearch.search import postings

    ix = open_index(corpus_index)
    found = paired = 0
    with ix.searcher() as searcher:
        for phrase in PHRASES:
            terms = tuple(normalize(word) for word in phrase.split())
            paired += bool(postings._pairs(searcher, terms))  # "right now": "now" is not
            counts = postings._phrase_counts(searcher, terms)
            assert counts == _every_position(searcher, terms), phrase
            found += len(counts)
    ix.close()
    assert paired == len(PHRASES) - 1
    assert found > 100


def test_counts_read_from_the_blocks_that_hold_the_passages_are_whoosh_s(
    corpus_index: Path,
) -> None:
    """``said_counts`` jumps to the blocks that hold the passages asked about (across
    segments, passing deleted ones) and reads the same counts as Whoosh's own walk."""
    import random

    from chaptersearch.search.postings import said_counts

    ix = open_index(corpus_index)
    rng = random.Random(3)
    with ix.searcher() as searcher:
        everything = range(searcher.doc_count_all())
        for term in ("python", "the", "go", "garbag"):
            counts = _counts(searcher, term)
            for size in (1, 50, 1000):
                asked = rng.sample(everything, size)
                expected = {docnum: counts[docnum] for docnum in asked if docnum in counts}
                assert said_counts(searcher, term, asked) == expected, (term, size)
    ix.close()
