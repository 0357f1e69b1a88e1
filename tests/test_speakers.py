"""Who speaks: kept from WebVTT voice tags, SRT's "Name:" turns and Podcasting 2.0 JSON
``speaker``, shown beside hits and in transcripts, and searchable with ``speaker:``."""

import json
from pathlib import Path

from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.sources.transcripts import read_transcript

from .conftest import Run
from .helpers import talk, vtt_text


def interview(tmp_path: Path) -> Path:
    """Twenty minutes in which Henri Helvetica and a host take turns, voice-tagged."""
    cues = []
    for number, (start, end, text) in enumerate(talk(1200.0, {650.0: "image formats like avif"})):
        who = "Henri Helvetica" if (number // 10) % 2 else "Amal Hussein"
        cues.append((start, end, f"<v {who}>{text}"))
    path = tmp_path / "interview.vtt"
    path.write_text(vtt_text(cues), encoding="utf-8")
    return path


def test_voice_tags_name_who_says_each_cue_and_unnamed_talk_stores_none(tmp_path: Path) -> None:
    cues = read_transcript(interview(tmp_path))
    assert {cue.speaker for cue in cues} == {"Henri Helvetica", "Amal Hussein"}
    assert not any(cue.text.startswith("<") for cue in cues)
    plain = tmp_path / "plain.vtt"
    plain.write_text(vtt_text(talk(60.0, {})), encoding="utf-8")
    (cue, *_) = read_transcript(plain)
    assert cue.speaker is None and "speaker" not in cue.model_dump_json()


def test_a_speaker_filter_finds_the_passages_they_speak_in_and_hits_say_who(
    run: Run, home: Home, tmp_path: Path
) -> None:
    assert run("add", str(interview(tmp_path))).exit_code == 0
    found = run("search", "speaker:helvetica", "--json", "--limit", "50", "--per-chapter", "50")
    assert found.exit_code == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits and all(hit["speaker"] in ("Henri Helvetica", "Amal Hussein") for hit in hits)
    said = run("search", "avif", "speaker:henri")
    assert said.exit_code == 0, said.stderr
    assert "at 10:50, Henri Helvetica" in said.stdout
    assert run("search", "--", "avif", "-speaker:helvetica").exit_code == 1
    wrong = run("search", "avif", "speaker:helvetika")
    assert wrong.exit_code == 2
    assert wrong.stderr.strip().endswith("did you mean helvetica?")


def test_transcripts_and_context_name_the_speaker_where_a_turn_begins(
    run: Run, home: Home, tmp_path: Path
) -> None:
    assert run("add", str(interview(tmp_path))).exit_code == 0
    shown = run("show", "interview", "--transcript", "--at", "0:45").stdout.splitlines()
    said = [line for line in shown if not line.startswith("§")]
    assert said[0].strip().startswith("0:45  Amal Hussein: ")
    assert said[1].strip().startswith("0:50  Henri Helvetica: ")
    assert "Helvetica" not in said[2]  # the same turn goes on
    context = run("search", "avif", "-C", "1").stdout
    assert "> 10:50  Henri Helvetica: image formats like avif" in context
    assert "  10:45  Amal Hussein: " in context


def test_srt_turns_and_podcasting_json_speakers_are_kept(shared: Path) -> None:
    examples = shared / "fixtures" / "podcast"
    srt = read_transcript(examples / "transcripts-example.srt")
    assert (srt[0].speaker, srt[0].text) == (
        "Travis",
        "When you first get started in podcasting, it's",
    )
    assert srt[1].speaker == "Travis"  # the turn goes on until another name
    assert {cue.speaker for cue in srt} == {"Travis", "Gilon", "Sarah"}
    spoken = read_transcript(examples / "transcripts-example.json")
    assert [(cue.speaker, cue.text) for cue in spoken] == [
        ("Darth Vader", "I am your father."),
        ("Luke", "Nooooo"),
    ]


def test_a_podcasting_json_transcript_is_added_from_a_file(
    shared: Path, run: Run, home: Home, tmp_path: Path
) -> None:
    copy = tmp_path / "vader.json"
    copy.write_bytes((shared / "fixtures" / "podcast" / "transcripts-example.json").read_bytes())
    added = run("add", str(copy))
    assert added.exit_code == 0, added.stderr
    (episode_id,) = Library(home.library).ids()
    assert Library(home.library).load(episode_id).cues[1].speaker == "Luke"


def test_a_lone_name_like_prefix_is_not_a_speaker(tmp_path: Path) -> None:
    lines = talk(60.0, {5.0: "Note: this is not a name", 10.0: "Travis: nor is this one"})
    path = tmp_path / "notes.vtt"
    path.write_text(vtt_text(lines), encoding="utf-8")
    cues = read_transcript(path)
    assert {cue.speaker for cue in cues} == {None}
    assert cues[1].text == "Note: this is not a name"


def test_a_real_voice_tagged_episode_is_searchable_by_speaker(
    shared: Path, run: Run, home: Home
) -> None:
    episode = shared / "corpora" / "changelog" / "jsparty" / "228.vtt"
    assert run("add", str(episode)).exit_code == 0
    found = run("search", "remix", "speaker:kent", "--json")
    hits = json.loads(found.stdout)
    assert hits and hits[0]["speaker"] == "Kent C. Dodds"
