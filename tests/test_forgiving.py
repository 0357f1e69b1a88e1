"""What a user types, read as they meant it: filters by an id's start, colons that are
not filters, words without quotes, typos answered with a "did you mean"."""

import json
import time
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
        5.0: "we collect what py and tets say",
        10.0: "python and garbage collection, the reference counting kind",
        20.0: "pytest fixtures make asynchronous tests easy, suds or not",
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


# 4. Filters take an id's start; a value that matches nothing is an error


@pytest.mark.parametrize("args", [("python", "--video", "002"), ("python video:002",)])
def test_a_video_filter_takes_the_start_of_an_id(shows: Run, args: tuple[str, ...]) -> None:
    result = shows("search", *args, "--json")
    assert result.exit_code == 0, result.stderr
    assert {hit["video_id"] for hit in hits(result)} == {"002_python_bytes"}


def test_an_ambiguous_start_lists_the_ids_it_could_be(shows: Run) -> None:
    result = shows("search", "python", "--video", "02")
    assert result.exit_code == 2
    assert result.stderr == (
        "chaptersearch: video '02' is the start of 2 episode ids "
        "(020-hypermodern, 021-talk); type more of it\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--video", "002_pythn_bytes"),
            "video '002_pythn_bytes': no such episode in the index; did you mean 002_python_bytes?",
        ),
        (
            ("--video", "nonexistent"),
            "video 'nonexistent': no such episode in the index; the episodes are "
            "002_python_bytes, 020-hypermodern, 021-talk",
        ),
        (
            ("--channel", "python bites"),
            "channel 'python bites': no channel of that name in the index; "
            'did you mean "Python Bytes"?',
        ),
        (
            ("--channel", "talk pyton"),
            "channel 'talk pyton': no channel of that name in the index; "
            'did you mean "Talk Python To Me"?',
        ),
        (
            ("--channel", "real python"),
            "channel 'real python': no channel of that name in the index; "
            "the channels are Python Bytes, Talk Python To Me",
        ),
    ],
)
def test_an_unknown_video_or_channel_is_an_error_with_a_did_you_mean(
    shows: Run, args: tuple[str, ...], message: str
) -> None:
    result = shows("search", "python", *args)
    assert result.exit_code == 2
    assert result.stderr == f"chaptersearch: {message}\n"
    assert result.stdout == ""


def test_filters_in_the_query_are_checked_too(shows: Run) -> None:
    assert shows("search", 'python channel:"python bites"').exit_code == 2
    assert shows("search", "python -video:nonexistent").exit_code == 2
    assert shows("search", "python -video:02").exit_code == 2
    kept = hits(shows("search", "python -video:020", "--json"))
    assert {hit["video_id"] for hit in kept} == {"002_python_bytes", "021-talk"}
    talk_only = hits(shows("search", "python", "--channel", "talk", "--json"))
    assert {hit["channel"] for hit in talk_only} == {"Talk Python To Me"}


# 5. Only the filter names are syntax


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("Re:Invent 2022", "note: Re: is not a filter; searched Re:Invent as text"),
        ("10:30", None),
        ("std::vector", None),
        ("https://pythonbytes.fm/episodes", None),
    ],
)
def test_a_colon_that_is_no_filter_is_searched_as_text(
    shows: Run, query: str, note: str | None
) -> None:
    result = shows("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert [hit["start"] for hit in hits(result)][:1] == [30.0 if query[0] in "R1" else 40.0]
    if note:
        assert result.stderr == f"chaptersearch: {note}\n"
    else:
        assert result.stderr == ""


def test_a_name_spelt_like_a_filter_is_still_an_error(shows: Run) -> None:
    result = shows("search", "chanel:python")
    assert result.exit_code == 2
    assert "unknown filter chanel: in 'chanel:python'; did you mean channel:?" in result.stderr


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


# 7. A typo gets a "did you mean" from the index's own words


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("garbge colection", "garbage collection"),
        ("pytets", "pytest"),
        ("asyncronous", "asynchronous"),
        ("colection video:002", "collection video:002"),
    ],
)
def test_a_typo_gets_a_did_you_mean(shows: Run, query: str, meant: str) -> None:
    result = shows("search", query)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"no hits for {query!r}; did you mean: {meant}\n"


def test_a_typo_is_corrected_though_its_halves_are_words(shows: Run) -> None:
    """ "pytets" could be "py tets", but no passage says that: it is a typo."""
    assert shows("search", "pytets").stderr == "no hits for 'pytets'; did you mean: pytest\n"


def test_the_suggestion_is_said_as_typed_not_as_first_found(shows: Run) -> None:
    """ "collect" is said first; "colection" means "collection", "colect" "collect"."""
    assert shows("search", "colection").stderr.endswith("did you mean: collection\n")
    assert shows("search", "colect").stderr.endswith("did you mean: collect\n")


def test_short_words_get_fewer_edits(shows: Run) -> None:
    """Two edits make a short word into too many others: "stq" is not "suds"."""
    assert shows("search", "stq").stderr == "no hits for 'stq'\n"
    assert shows("search", "pythx").stderr == "no hits for 'pythx'\n"
    assert shows("search", "pythn").stderr == "no hits for 'pythn'; did you mean: python\n"


def test_with_json_the_suggestion_is_on_stderr_and_stdout_stays_an_array(shows: Run) -> None:
    result = shows("search", "pytets", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert json.loads(result.stderr) == {"did_you_mean": "pytest"}


def test_few_hits_and_an_unknown_word_get_a_suggestion_too(shows: Run) -> None:
    result = shows("search", "garbage colection")
    assert result.exit_code == 0
    assert result.stderr == "did you mean: garbage collection\n"


def test_no_suggestion_when_every_word_is_known_or_hits_fill_the_page(
    shows: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = shows("search", "django", "--channel", "python bytes")
    assert (result.exit_code, result.stderr) == (1, "no hits for 'django'\n")
    assert shows("search", "xylophone").stderr == "no hits for 'xylophone'\n"

    def refuse(*_: object) -> None:
        raise AssertionError("the corrector ran although the hits filled the page")

    monkeypatch.setattr("chaptersearch.search.suggest.suggestion", refuse)
    assert shows("search", "python pyton", "-n", "1").exit_code == 0


def test_real_typos_in_real_episodes(shared: Path, run: Run) -> None:
    folder = shared / "corpora/python-bytes/transcripts"
    files = [next(folder.glob(f"{number}*.vtt")) for number in ("009", "010", "048", "049")]
    assert run("add", *map(str, files), "--channel", "Python Bytes").exit_code == 0
    for typo, meant in [
        ("garbge colection", "garbage collection"),
        ("pytets", "pytest"),
        ("asyncronous", "asynchronous"),
    ]:
        started = time.monotonic()
        result = run("search", typo)
        assert time.monotonic() - started < 5
        assert (result.exit_code, result.stderr) == (
            1,
            f"no hits for {typo!r}; did you mean: {meant}\n",
        )
