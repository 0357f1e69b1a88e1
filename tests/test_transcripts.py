from pathlib import Path

import pytest

from chaptersearch.errors import TranscriptError
from chaptersearch.models import Cue
from chaptersearch.sources.transcripts import clean_cues, read_transcript

from .helpers import DATA


def test_vtt_defects_are_mended() -> None:
    cues = read_transcript(DATA / "defects.vtt")
    assert [cue.text for cue in cues] == [
        "Welcome to the show, everyone.",
        "Today we talk about Python & packaging.",
        "This cue ends before it starts.",
        "This cue goes back in time.",
        "rolling captions repeat the line before",
        "and add a new one",
        "Speaker change marked with chevrons.",
    ]
    # an end before its start becomes the start; a start that goes back keeps its place
    assert (cues[2].start, cues[2].end) == (8.0, 8.0)
    assert cues[3].start == 8.0
    starts = [cue.start for cue in cues]
    assert starts == sorted(starts)
    assert all(cue.end >= cue.start for cue in cues)


def test_bom_is_ignored() -> None:
    cues = read_transcript(DATA / "bom.vtt")
    assert cues == [Cue(start=1.0, end=2.5, text="A file that starts with a byte order mark.")]


def test_srt() -> None:
    cues = read_transcript(DATA / "sample.srt")
    assert cues == [
        Cue(start=0.0, end=3.0, text="Hello from an SRT file."),
        Cue(start=3.0, end=6.5, text="Second speaker answers here."),
    ]


def test_youtube_transcript_api_json() -> None:
    cues = read_transcript(DATA / "sample.json")
    assert cues == [
        Cue(start=0.0, end=2.5, text="hello from a transcript json"),
        Cue(start=2.5, end=5.5, text="fetched by youtube-transcript-api"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("garbage.vtt", "not a valid WebVTT file"),
        ("empty.vtt", "not a valid WebVTT file"),
        ("header-only.vtt", "holds no timed text"),
        ("missing.vtt", "no such file"),
        ("no-times.txt", "unknown transcript type .txt"),
    ],
)
def test_bad_transcripts_give_clear_errors(name: str, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        read_transcript(DATA / name)


def test_json_of_the_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "wrong.json"
    path.write_text('{"text": "not a list"}', encoding="utf-8")
    with pytest.raises(TranscriptError, match="expected a list"):
        read_transcript(path)
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(TranscriptError, match="not valid JSON"):
        read_transcript(path)


def test_srt_garbage(tmp_path: Path) -> None:
    path = tmp_path / "bad.srt"
    path.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="not a valid SRT file"):
        read_transcript(path)


def test_repeated_cues_are_merged() -> None:
    cues = clean_cues([(0, 1, ["Bye."]), (1, 2, ["Bye."]), (5, 6, ["Bye."])])
    assert [(c.start, c.end, c.text) for c in cues] == [(0, 2, "Bye."), (5, 6, "Bye.")]


def test_real_corpus_defects(shared: Path) -> None:
    corpora = shared / "corpora"
    for relative in [
        # ends before it starts
        "python-bytes/transcripts/471-the-orm-pattern-of-2026-timeline.vtt",
        "talk-python/youtube_transcripts/312-scaling.vtt",  # goes back in time, double blanks
        "talk-python/transcripts/042_startups and python.vtt",  # a space in the name
        "python-bytes/transcripts/451-databases-are-a-fad-names.vtt",  # <v Speaker> tags
    ]:
        cues = read_transcript(corpora / relative)
        assert len(cues) > 100, relative
        assert all(cue.end >= cue.start for cue in cues)
        assert [cue.start for cue in cues] == sorted(cue.start for cue in cues)
        assert not any("<" in cue.text or cue.text.startswith("- ") for cue in cues)
