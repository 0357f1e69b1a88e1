"""Search by meaning: vectors made on add, kept for rebuild, mixed with the words'
ranking; what happens without the extra, offline, and with a model folder of one's own.

Most tests use a small embedder made here (words hashed into a vector, with a few
synonyms sharing a slot), so they need no model files; one loads the real model from
the packages the ``bench`` extra installs."""

import hashlib
import json
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


def test_offline_without_a_cached_model_is_one_clear_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, episode: Path
) -> None:
    from chaptersearch.search import embedding

    monkeypatch.setattr(embedding, "cache_folder", lambda: tmp_path / "cache" / "model")
    monkeypatch.setattr(
        embedding,
        "MODEL_FILES",
        {name: f"http://127.0.0.1:9/{name}" for name in embedding.MODEL_FILES},
    )
    monkeypatch.setattr(embedding, "semantic_installed", lambda: True)
    monkeypatch.delenv("CHAPTERSEARCH_MODEL", raising=False)
    result = run("add", str(episode), "--embed")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert "could not be fetched" in line and "--model PATH" in line
    assert "-m benchmarks.make_model " in line  # a checkout can make one offline
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_a_model_path_that_is_not_a_model(run: Run, tmp_path: Path, episode: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    result = run("add", str(episode), "--embed", "--model", str(empty))
    assert result.exit_code == 2
    assert "not a model folder; it needs model.onnx and tokenizer.json" in result.stderr


def test_the_real_model_from_a_local_folder(run: Run, tmp_path: Path) -> None:
    from benchmarks.make_model import make_model

    model = make_model(tmp_path / "models")
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
