"""Ranking, phrases, filters, grouping and timing, through the search API."""

from pathlib import Path

import pytest

from chaptersearch.errors import IndexMissingError, QueryError
from chaptersearch.hit import Hit
from chaptersearch.library.home import Home
from chaptersearch.operations import add_sources
from chaptersearch.search.engine import SearchRequest, search
from chaptersearch.sources.local import episode_from_file

from .helpers import given, talk, vtt_text

URL = "https://www.youtube.com/watch?v=sAp9RjO79cU"


@pytest.fixture
def indexed(home: Home, netflix_like: tuple[Path, Path], tmp_path: Path) -> Home:
    transcript, chapters = netflix_like
    other = tmp_path / "other.vtt"
    other.write_text(
        vtt_text(
            talk(
                900.0,
                {
                    100.0: "a keeper is someone you keep",
                    200.0: "unit test your code with pytest",
                    300.0: "c++ and don't and foo-bar are odd words",
                },
            )
        ),
        encoding="utf-8",
    )
    details = {
        str(transcript): given(
            title="Netflix engineering", url=URL, channel="Pragmatic", chapters=chapters
        ),
        str(other): given(title="Testing talk", channel="Talk Python"),
    }
    add_sources(
        home, list(details), lambda source: episode_from_file(Path(source), details[source])
    )
    return home


def find(home: Home, query: str, **options: object) -> list[Hit]:
    return search(home.index, SearchRequest(query, **options))  # type: ignore[arg-type]


def test_keeper_test_lands_in_its_chapter_at_the_spoken_second(indexed: Home) -> None:
    hits = find(indexed, "keeper test")
    top = hits[0]
    assert top.video_id == "sAp9RjO79cU"
    assert top.chapter_title == "The Keeper Test"
    assert top.chapter_start == 2161
    assert top.start == 2165
    assert top.url == "https://www.youtube.com/watch?v=sAp9RjO79cU&t=2165s"
    assert top.rank == 1
    # partial matches still come back, below the passage with both words
    assert any(hit.video_id == "other" for hit in hits[1:])
    marked = [top.snippet[start:end].lower() for start, end in top.highlights]
    assert "keeper" in marked and "test" in marked


def test_phrase_is_timed_to_its_own_first_word(indexed: Home) -> None:
    hits = find(indexed, '"origins of python"')
    assert sorted((hit.chapter_title, hit.start) for hit in hits) == [
        ("History lesson", 600),
        ("Open Connect", 1205),
    ]
    # the phrase spans two cues (1205 s and 1210 s) and is still found, timed to its start


def test_one_hit_per_chapter_with_a_count_of_the_rest(indexed: Home) -> None:
    hits = find(indexed, "people")
    chapters = [(hit.video_id, hit.chapter_title) for hit in hits]
    assert len(chapters) == len(set(chapters))
    assert any(hit.more_in_chapter > 0 for hit in hits)
    more = find(indexed, "people", per_chapter=3)
    grouped = [(hit.video_id, hit.chapter_title) for hit in more]
    assert len(grouped) > len(set(grouped))  # up to three from one chapter


def test_filters(indexed: Home) -> None:
    assert {h.video_id for h in find(indexed, "keeper", video="other")} == {"other"}
    assert {h.channel for h in find(indexed, "keeper", channel="talk python")} == {"Talk Python"}
    assert {h.chapter_title for h in find(indexed, "chapter:keeper")} == {"The Keeper Test"}
    assert {h.chapter_title for h in find(indexed, 'chapter:"keeper test" fight')} == {
        "The Keeper Test"
    }
    assert {h.video_id for h in find(indexed, "video:other keeper")} == {"other"}
    assert {h.channel for h in find(indexed, 'keeper channel:"talk python"')} == {"Talk Python"}
    assert {h.episode_title for h in find(indexed, "title:testing keeper")} == {"Testing talk"}


def test_limit(indexed: Home) -> None:
    assert len(find(indexed, "people", limit=2)) == 2


@pytest.mark.parametrize(
    "query", ["c++", "don't", "foo-bar", '"unbalanced', "(", "AND", "a:b:c", "[a TO", "\\"]
)
def test_stray_syntax_never_crashes(indexed: Home, query: str) -> None:
    try:
        hits = find(indexed, query)
    except QueryError as error:  # symbols alone, or an unknown filter, say so
        assert "nothing to look for" in str(error) or "unknown filter a:" in str(error)
    else:
        assert isinstance(hits, list)


def test_stray_syntax_still_finds_the_words(indexed: Home) -> None:
    assert find(indexed, "foo-bar")[0].start == 300
    assert find(indexed, "don't odd")[0].start == 300


def test_empty_query_is_an_error(indexed: Home) -> None:
    with pytest.raises(QueryError, match="empty query"):
        find(indexed, "   ")


def test_search_before_anything_was_added(home: Home) -> None:
    with pytest.raises(IndexMissingError, match=f"no index in {home.root}.*chaptersearch add"):
        find(home, "anything")


def test_no_url_means_no_link(indexed: Home) -> None:
    hit = find(indexed, "pytest")[0]
    assert hit.video_id == "other"
    assert hit.url is None
    assert hit.start == 200


def test_episode_title_boosts_but_never_matches_alone(indexed: Home) -> None:
    assert find(indexed, "engineering") == []
    boosted = find(indexed, "keeper engineering")
    plain = find(indexed, "keeper")
    assert boosted[0].video_id == plain[0].video_id == "sAp9RjO79cU"
    assert boosted[0].score > plain[0].score


def test_all_the_words_beat_some_of_them(indexed: Home) -> None:
    hits = find(indexed, "keeper fight", per_chapter=5)
    assert hits[0].start == 2165
    assert "keeper" in hits[0].snippet and "fight" in hits[0].snippet
    assert hits[0].score > max(hit.score for hit in hits[1:])


def test_a_chapter_title_match_is_a_hit(indexed: Home) -> None:
    hits = find(indexed, "wrap")
    assert [hit.chapter_title for hit in hits] == ["Wrap up"]
    assert hits[0].start == 2700


def test_every_matching_chapter_across_separate_adds(home: Home, tmp_path: Path) -> None:
    """Episodes added one by one live in separate index segments; grouping by chapter
    must still see all of them (Whoosh's own collapse lost some)."""
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("0:00 One\n5:00 Two\n10:00 Three\n", encoding="utf-8")
    for name, said in [
        ("first", {30.0: "garbage collection garbage collection", 320.0: "collection of queues"}),
        ("second", {640.0: "visualizing garbage collection algorithms"}),
    ]:
        path = tmp_path / f"{name}.vtt"
        path.write_text(vtt_text(talk(900.0, said)), encoding="utf-8")
        details = given(title=f"{name} garbage collection", chapters=chapters)
        add_sources(home, [str(path)], lambda source, d=details: episode_from_file(Path(source), d))
    hits = find(home, "garbage collection")
    assert {(hit.video_id, hit.chapter_title) for hit in hits} == {
        ("first", "One"),
        ("first", "Two"),
        ("second", "Three"),
    }


@pytest.fixture
def said_in_forms(home: Home, tmp_path: Path) -> Home:
    """Passages that say a phrase only in other forms, and one that says it as typed,
    later in a passage that first says another form."""
    forms = {
        "gc.vtt": {
            60.0 * minute: "garbage collection is how memory comes back" for minute in range(1, 15)
        },
        "exact.vtt": {
            300.0: "garbage collection again",
            360.0: "but this one was garbage collected twice",
            900.0: "we hire for platform engineering roles",
        },
        "engineer.vtt": {120.0: "she is a platform engineer at a bank"},
    }
    paths = []
    for name, lines in forms.items():
        path = tmp_path / name
        path.write_text(vtt_text(talk(1200.0, lines)), encoding="utf-8")
        paths.append(str(path))
    add_sources(home, paths, lambda source: episode_from_file(Path(source), given()))
    return home


def test_a_quote_finds_its_words_as_typed_and_no_other_form(said_in_forms: Home) -> None:
    hits = find(said_in_forms, '"garbage collected"', per_chapter=5)
    assert [(hit.video_id, hit.start) for hit in hits] == [("exact", 360.0)]
    assert "garbage collected" in hits[0].snippet
    assert hits[0].more_in_chapter == 0
    engineering = find(said_in_forms, '"platform engineering"')
    assert [(hit.video_id, hit.start) for hit in engineering] == [("exact", 900.0)]
    engineer = find(said_in_forms, '"engineer"')
    assert [hit.video_id for hit in engineer] == ["engineer"]
    # without quotes, every form is found
    assert len(find(said_in_forms, "garbage collected", limit=50, per_chapter=50)) > 10


def test_a_quote_among_other_words_must_be_said_as_typed(said_in_forms: Home) -> None:
    hits = find(said_in_forms, '"garbage collected" memory')
    assert [hit.video_id for hit in hits] == ["exact"]
    assert find(said_in_forms, '"garbage collectors"') == []


def test_a_quote_left_out_leaves_out_only_its_words_as_typed(said_in_forms: Home) -> None:
    hits = find(said_in_forms, 'garbage -"garbage collected"', limit=50, per_chapter=50)
    assert {hit.video_id for hit in hits} >= {"gc"}  # "garbage collection" stays
    assert not any("garbage collected" in hit.snippet for hit in hits)


@pytest.mark.parametrize("query", ["remix speaker:", 'remix speaker:""', "chapter: keeper"])
def test_a_filter_given_nothing_is_an_error_not_a_word(indexed: Home, query: str) -> None:
    with pytest.raises(QueryError, match=r"needs a value, as in \w+:WORDS"):
        find(indexed, query)
