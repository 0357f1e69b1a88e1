"""Every word searchable, quotes exact at their second, split names found, and a small
query language with nothing else leaking through."""

import json
from pathlib import Path
from typing import Any

import pytest

from chaptersearch.errors import QueryError
from chaptersearch.hit import Hit
from chaptersearch.library.home import Home
from chaptersearch.operations import add_sources
from chaptersearch.search.engine import SearchRequest, search
from chaptersearch.sources.local import episode_from_file

from .conftest import Run
from .helpers import given, talk, vtt_text

SAID = {
    600.0: "we should be doing this every single week",
    2015.0: "and I know that physical contact matters",
    2100.0: "physical, you know, contact is another thing",
    900.0: "I wrote it in C++ and C# then F# on .NET",
    905.0: "the Node.js version and 3.12 came out",
    910.0: "R is for statistics and Go is the language",
    915.0: "sort the list, well, right now we go",
    1200.0: "we used CAD query for the models",
    1300.0: "and termshot for the screenshots",
    1400.0: "async and asyncio with await",
    1600.0: "Django is a web framework for python",
    1700.0: "flask is a smaller python framework",
    1800.0: "I don't know what to say",
    2400.0: "so I've had this on the list, and I’m only forced to learn it",
}


@pytest.fixture
def indexed(home: Home, tmp_path: Path) -> Home:
    transcript = tmp_path / "words.vtt"
    transcript.write_text(vtt_text(talk(3000.0, SAID)), encoding="utf-8")
    chapters = tmp_path / "chapters.txt"
    chapters.write_text(
        "0:00 Intro\n10:00 Habits\n15:00 Languages\n20:00 Tools\n26:00 Frameworks\n"
        "33:00 Contact\n45:00 Wrap up with Kubernetes\n",
        encoding="utf-8",
    )
    details = given(title="Words episode", chapters=chapters, url="https://example.org/w")
    add_sources(home, [str(transcript)], lambda source: episode_from_file(Path(source), details))
    return home


def find(home: Home, query: str, **options: object) -> list[Hit]:
    return search(home.index, SearchRequest(query, **options))  # type: ignore[arg-type]


def test_a_quote_of_common_words_is_found_at_its_second(indexed: Home) -> None:
    hits = find(indexed, '"we should be doing this"')
    assert [(hit.start, hit.chapter_title) for hit in hits] == [(600, "Habits")]


@pytest.mark.parametrize("quote", ['"so I\'ve had this on"', '"i\'m only forced to learn"'])
def test_a_quote_that_starts_with_a_contraction_is_found_at_its_second(
    indexed: Home, quote: str
) -> None:
    """ "I've" is the term "iv": its written form starts with other letters."""
    hits = find(indexed, quote)
    assert [(hit.start, hit.matched) for hit in hits] == [(2400, "words")]
    assert hits[0].highlights, "the quote is highlighted where it is said"


def test_a_phrase_matches_only_where_its_words_are_said_in_order(indexed: Home) -> None:
    hits = find(indexed, '"know that physical contact"')
    assert [hit.start for hit in hits] == [2015]  # not 2100: "physical, you know, contact"
    assert find(indexed, '"I don\'t know"')[0].start == 1800


@pytest.mark.parametrize(
    ("query", "second"),
    [
        ("go", 910),
        ("sort", 915),
        ("well", 915),
        ('"right now"', 915),
        ("C++", 900),
        ("C#", 900),
        ("F#", 900),
        (".NET", 900),
        ("Node.js", 905),
        ("node", 905),
        ("3.12", 905),
        ("R", 910),
    ],
)
def test_every_word_a_programmer_says_is_searchable(indexed: Home, query: str, second: int) -> None:
    hits = find(indexed, query, per_chapter=5)
    assert second in [hit.start for hit in hits], query
    top = next(hit for hit in hits if hit.start == second)
    assert top.highlights


def test_c_plus_plus_is_not_c(indexed: Home) -> None:
    hits = find(indexed, "C++")
    assert {hit.start for hit in hits} == {900}


def test_a_name_split_by_speech_recognition_is_found(indexed: Home) -> None:
    hit = find(indexed, "CadQuery")[0]
    assert hit.start == 1200
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert marked == ["CAD query"]


def test_two_words_find_their_joined_form(indexed: Home) -> None:
    assert find(indexed, "term shot")[0].start == 1300
    assert find(indexed, '"term shot"')[0].start == 1300


def test_exclusion(indexed: Home) -> None:
    assert {hit.start for hit in find(indexed, "python", per_chapter=5)} == {1600, 1700}
    assert {hit.start for hit in find(indexed, "python -django", per_chapter=5)} == {1700}
    assert [h.start for h in find(indexed, 'python -"web framework"', per_chapter=5)] == [1700]


def test_prefix_is_timed_and_marked_at_the_word(indexed: Home) -> None:
    hit = find(indexed, "asyn*")[0]
    assert hit.start == 1400
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert marked == ["async", "asyncio"]


def test_not_is_a_word_and_brackets_are_not_syntax(indexed: Home) -> None:
    assert find(indexed, "NOT django")[0].start == 1600
    assert find(indexed, "(django)")[0].start == 1600


def test_an_unknown_filter_lists_the_known_ones(indexed: Home) -> None:
    with pytest.raises(QueryError, match=r"unknown filter chapters: .* chapter:, title:, video:"):
        find(indexed, "chapters:foo")


def test_a_hit_on_the_chapter_title_alone_says_so(indexed: Home, run: Run) -> None:
    hits = find(indexed, "kubernetes")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.matched == "chapter title"
    assert hit.chapter_title == "Wrap up with Kubernetes"
    assert hit.start == 2700  # the chapter's opening, not a passage inside it
    assert hit.highlights == []
    printed = run("search", "kubernetes")
    assert "(matched the chapter title)" in printed.stdout
    assert json.loads(run("search", "kubernetes", "--json").stdout)[0]["matched"] == (
        "chapter title"
    )
    assert json.loads(run("search", "django", "--json").stdout)[0]["matched"] == "words"


def test_the_moment_is_where_the_words_are_said_together(indexed: Home) -> None:
    hit = find(indexed, "python framework")[0]
    assert hit.start == 1700
    assert {hit.snippet[a:b].lower() for a, b in hit.highlights} >= {"python", "framework"}


def _one_episode(home: Home, tmp_path: Path, said: dict[float, str]) -> None:
    transcript = tmp_path / "one.vtt"
    transcript.write_text(vtt_text(talk(600.0, said)), encoding="utf-8")
    add_sources(home, [str(transcript)], lambda source: episode_from_file(Path(source), given()))


def test_the_moment_is_the_caption_that_says_the_words_apart(home: Home, tmp_path: Path) -> None:
    """One caption says both words, fourteen words apart; an earlier one says one."""
    said = {
        300.0: "but the nice thing about the pytest, I'm not sure about the example",
        305.0: "and in the pytest durations, it shows, it splits out the setup and "
        "teardown and all the fixture code separate",
    }
    _one_episode(home, tmp_path, said)
    hit = find(home, "pytest fixtures")[0]
    assert hit.start == 305
    assert {hit.snippet[a:b].lower() for a, b in hit.highlights} == {"pytest", "fixture"}


def test_the_snippet_reaches_the_second_word_of_a_long_caption(home: Home, tmp_path: Path) -> None:
    filler = " ".join(["and then we talked about something else for a while"] * 3)
    said = {300.0: f"the pytest plugin, {filler}, was all about fixtures"}
    _one_episode(home, tmp_path, said)
    hit = find(home, "pytest fixtures")[0]
    assert hit.start == 300
    assert {hit.snippet[a:b].lower() for a, b in hit.highlights} == {"pytest", "fixtures"}


@pytest.mark.parametrize("long_first", [True, False])
def test_a_quote_said_in_two_episodes_ranks_its_own_sentence_first(
    home: Home, tmp_path: Path, long_first: bool
) -> None:
    """Where five words are said in two episodes, the one where they are (nearly) the
    whole caption comes first, whichever was added first."""
    quote = "we should be doing this"
    said = {  # the same words in each passage, only the captions differ
        "long": {300.0: f"and honestly I think that {quote} sort of thing", 305.0: "right?"},
        "short": {300.0: "and honestly I think that sort of thing", 305.0: f"{quote}, right?"},
    }
    order = ["long", "short"] if long_first else ["short", "long"]
    for name in order:
        transcript = tmp_path / f"{name}.vtt"
        transcript.write_text(vtt_text(talk(600.0, said[name])), encoding="utf-8")
        add_sources(
            home, [str(transcript)], lambda source: episode_from_file(Path(source), given())
        )
    hits = find(home, f'"{quote}"')
    assert [hit.video_id for hit in hits] == ["short", "long"]


def test_indexing_reads_words_straight_from_the_text() -> None:
    """The positions format makes its postings itself, the same as Whoosh's generic path
    through the analyzer would, without building a Token per word (it had been left
    nested, dead, inside another function, and every add paid for the generic path)."""
    from whoosh.formats import Positions

    from chaptersearch.index.analysis import SpokenAnalyzer, SpokenPositions

    class Refuses(SpokenAnalyzer):
        def __call__(self, *args: object, **kwargs: object) -> Any:
            raise AssertionError("the analyzer was called")

    text = "I wrote node.js and Node in C++, and the node of it " + "word " * 300
    ours = sorted(SpokenPositions(field_boost=1.0).word_values(text, Refuses()))
    generic = Positions.word_values(SpokenPositions(field_boost=1.0), text, SpokenAnalyzer())
    assert ours == sorted(generic)
