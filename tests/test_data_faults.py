"""Faults in the data a home holds and the disk it lives on: a batch with a bad
source, two files claiming one video, a full disk or a read-only home, a model or
vector file gone or damaged, library files with odd names. Nothing is lost, nothing
is indexed twice, and each fault is one line that says what to do."""

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from chaptersearch.index.schema import open_index
from chaptersearch.index.writer import IndexUpdater, passage_documents
from chaptersearch.library.home import Home
from chaptersearch.library.store import Library

from .conftest import Run
from .helpers import talk, vtt_text


def write_vtt(path: Path, said: dict[float, str], seconds: float = 120.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vtt_text(talk(seconds, said)), encoding="utf-8")
    return path


def live_passages(home: Home) -> tuple[int, int]:
    """(live passages, distinct passage keys) in the home's index."""
    ix = open_index(home.index)
    try:
        with ix.searcher() as searcher:
            stored = list(searcher.reader().all_stored_fields())
            keys = {(f["video"], f["meta"]["chapter_index"], f["meta"]["number"]) for f in stored}
            return len(stored), len(keys)
    finally:
        ix.close()


# 1. a batch with one failed source indexes each good episode once


def test_a_batch_with_a_bad_source_indexes_the_good_ones_once(
    run: Run, home: Home, tmp_path: Path
) -> None:
    good = write_vtt(tmp_path / "good.vtt", {5.0: "a zebra crossing"})
    other = write_vtt(tmp_path / "other.vtt", {10.0: "zebra stripes again"})
    bad = tmp_path / "bad.vtt"
    bad.write_text("garbage\n", encoding="utf-8")
    result = run("add", str(good), str(other), str(bad))
    assert result.exit_code == 2 and "added 2 episodes" in result.stderr
    count, keys = live_passages(home)
    assert count == keys
    hits = json.loads(run("search", "zebra", "--per-chapter", "5", "--json").stdout)
    assert len({(hit["video_id"], hit["start"]) for hit in hits}) == len(hits)
    assert "indexed twice" not in run("stats").stdout


def test_an_episode_written_twice_in_one_writer_is_indexed_once(home: Home, tmp_path: Path) -> None:
    from chaptersearch.sources.adding import AddOptions, EpisodeMaker, Item

    path = write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    episode = EpisodeMaker(Library(home.library), AddOptions())(Item("file", str(path)))
    assert episode is not None
    expected = len(list(passage_documents(episode)))
    updater = IndexUpdater(home.index, commit_seconds=3600)
    with updater:
        updater.replace(episode)
        updater.replace(episode)
    assert live_passages(home) == (expected, expected)
    with IndexUpdater(home.index, commit_seconds=3600) as updater:
        updater.replace(episode)
        updater.remove(episode.id)
    assert not (home.index.exists() and live_passages(home)[0])


def test_stats_names_episodes_indexed_twice(run: Run, home: Home, tmp_path: Path) -> None:
    from chaptersearch.index.writer import _writer, duplicated_ids

    write_vtt(tmp_path / "a.vtt", {5.0: "keeper"})
    assert run("add", str(tmp_path / "a.vtt")).exit_code == 0
    episode = Library(home.library).load("a")
    ix = open_index(home.index, readonly=False)
    writer = _writer(ix)
    for document in passage_documents(episode):  # as the old batch-end reconcile did
        writer.add_document(**document)
    writer.commit()
    assert duplicated_ids(ix) == {"a"}
    ix.close()
    stats = run("stats").stdout
    assert "indexed twice: 1 episode (a); run `chaptersearch rebuild`" in stats
    assert json.loads(run("stats", "--json").stdout)["duplicated"] == ["a"]
    assert run("rebuild").exit_code == 0
    assert "indexed twice" not in run("stats").stdout


# 2. two files given one YouTube --url never replace each other


def test_a_second_file_with_the_same_youtube_url_is_refused(
    run: Run, home: Home, tmp_path: Path
) -> None:
    url = "https://youtu.be/dQw4w9WgXcQ"
    first = write_vtt(tmp_path / "first.vtt", {5.0: "the first transcript"})
    second = write_vtt(tmp_path / "second.vtt", {5.0: "the second transcript"})
    assert run("add", str(first), "--url", url).exit_code == 0
    kept = (home.library / "dQw4w9WgXcQ.json").read_bytes()
    result = run("add", str(second), "--url", url)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert (
        "the video dQw4w9WgXcQ is already in the library (from " in result.stderr
        and "`chaptersearch remove dQw4w9WgXcQ` first" in result.stderr
    )
    assert (home.library / "dQw4w9WgXcQ.json").read_bytes() == kept
    assert [path.name for path in home.library.glob("*.json")] == ["dQw4w9WgXcQ.json"]
    # the same file again, with the same URL, is still its own entry
    assert run("add", str(first), "--url", url, "--title", "First").exit_code == 0
    assert run("show", "dQw4w9WgXcQ").stdout.startswith("First")


# 3. a full disk or a read-only home: one line naming the cause, nothing lost


@pytest.mark.parametrize("room", [0, 100, 1_000, 3_000, 6_000])
def test_a_full_disk_during_add_names_the_cause_and_keeps_the_index(
    run: Run, home: Home, tmp_path: Path, fill_disk: Any, room: int
) -> None:
    write_vtt(tmp_path / "first.vtt", {5.0: "the keeper test"})
    assert run("add", str(tmp_path / "first.vtt")).exit_code == 0
    paths = [write_vtt(tmp_path / f"{name}.vtt", {5.0: f"{name} zebra"}) for name in "bc"]
    full = fill_disk(room)
    result = run("add", *map(str, paths))
    assert result.exit_code == 2, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert f"the disk holding {home.root} is full (No space left on device): free some space" in (
        result.stderr
    )
    assert result.stderr.splitlines()[-1].startswith("added ")  # the summary is still printed
    assert sorted(p.name for p in home.library.glob("*.json")) == ["b.json", "c.json", "first.json"]
    assert run("search", "keeper").exit_code == 0  # the last good index answers
    full.undo()
    again = run("add", *map(str, paths))
    assert again.exit_code == 0, again.stderr
    assert "indexed: 3 of 3 episodes" in run("stats").stdout
    assert run("search", "zebra").exit_code == 0


def test_a_full_disk_during_rebuild_keeps_the_previous_index(
    run: Run, home: Home, tmp_path: Path, fill_disk: Any
) -> None:
    write_vtt(tmp_path / "first.vtt", {5.0: "the keeper test"})
    assert run("add", str(tmp_path / "first.vtt")).exit_code == 0
    full = fill_disk(1_000)
    result = run("rebuild")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr == (
        f"chaptersearch: the disk holding {home.root} is full (No space left on device): "
        "free some space, then run `chaptersearch rebuild` again: the previous index is "
        "unchanged and answers searches\n"
    )
    assert run("search", "keeper").exit_code == 0
    assert len([p for p in home.index.iterdir() if p.is_dir()]) == 1
    full.undo()
    assert run("rebuild").exit_code == 0


@pytest.mark.parametrize(
    "command",
    [["add", "x.vtt"], ["remove", "first"], ["rebuild"], ["edit", "first", "--title", "X"]],
)
def test_a_read_only_home_is_one_line_for_every_writer(
    run: Run, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    import filelock

    write_vtt(tmp_path / "first.vtt", {5.0: "the keeper test"})
    assert run("add", str(tmp_path / "first.vtt")).exit_code == 0
    write_vtt(tmp_path / "x.vtt", {5.0: "another"})
    monkeypatch.chdir(tmp_path)

    def read_only(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(home.root / ".write-lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    result = run(*command)
    assert result.exit_code == 2
    assert result.stderr == (
        f"chaptersearch: the home {home.root} cannot be written (Read-only file system): make "
        "it writable or choose another --home, then run the command again\n"
    )
    assert run("search", "keeper").exit_code == 0


# 4. a home whose model is gone searches by words, and its writers say how to mend it


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Embedding by hashed words (no model is loaded), with model folders checked as
    usual: the folder returned is one ``--model`` accepts."""
    from .test_meaning import TinyEmbedder

    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)
    monkeypatch.setattr("chaptersearch.search.embedding.semantic_installed", lambda: True)
    monkeypatch.delenv("CHAPTERSEARCH_MODEL", raising=False)
    folder = tmp_path / "models" / "tiny"
    folder.mkdir(parents=True)
    for name in ("model.onnx", "tokenizer.json"):
        (folder / name).write_bytes(b"")
    return folder


def embedded_home(run: Run, tmp_path: Path, model: Path | None) -> None:
    write_vtt(tmp_path / "first.vtt", {5.0: "the keeper test", 60.0: "they fired him"})
    chosen = ["--model", str(model)] if model else []
    assert run("add", str(tmp_path / "first.vtt"), "--embed", *chosen).exit_code == 0


def check_words_only(run: Run, home: Home, tmp_path: Path, cause: str) -> None:
    """Searches answer by words with one warning; add and rebuild write the words and
    say how to mend the home."""
    searched = run("search", "keeper dismissal")
    assert searched.exit_code == 0 and "keeper test" in searched.stdout
    warning = searched.stderr.strip()
    assert warning.count("\n") == 0 and "Traceback" not in warning
    assert warning.startswith("chaptersearch: warning: searching by words only: ")
    assert cause in warning and "rebuild --embed --model PATH" in warning
    assert f"or delete {home.root / 'vectors'} to search by words only" in warning
    asked = run("search", "keeper", "--mode", "meaning")
    assert asked.exit_code == 2 and cause in asked.stderr
    write_vtt(tmp_path / "second.vtt", {5.0: "a zebra crossing"})
    added = run("add", str(tmp_path / "second.vtt"))
    assert added.exit_code == 0, added.stderr
    assert "warning: passages are not embedded: " in added.stderr and cause in added.stderr
    assert run("search", "zebra").exit_code == 0
    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0 and "passages are not embedded" in rebuilt.stderr
    assert (home.root / "vectors" / "first.npz").is_file()  # nothing embedded is lost


def test_a_moved_model_folder(run: Run, home: Home, tmp_path: Path, hashed: Path) -> None:
    embedded_home(run, tmp_path, hashed)
    moved = hashed.rename(hashed.parent / "elsewhere")
    check_words_only(run, home, tmp_path, f"{hashed}: not a model folder")
    mended = run("rebuild", "--embed", "--model", str(moved))
    assert mended.exit_code == 0, mended.stderr
    assert (home.root / "vectors" / "second.npz").is_file()  # what was missing is embedded
    searched = run("search", "keeper dismissal")
    assert searched.exit_code == 0 and searched.stderr == ""


def test_damaged_vector_settings(run: Run, home: Home, tmp_path: Path, hashed: Path) -> None:
    embedded_home(run, tmp_path, hashed)
    (home.root / "vectors" / "settings.json").write_text('{"embed": tru', encoding="utf-8")
    check_words_only(run, home, tmp_path, "settings.json is damaged")
    assert run("search", "keeper dismissal", "--model", str(hashed)).stderr == ""


def test_vectors_of_an_earlier_default_model(
    run: Run, home: Home, tmp_path: Path, hashed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A home embedded with all-MiniLM-L6-v2, the default before multilingual-e5-small:
    searches answer by words and say that ``rebuild --embed`` mends it; ``add`` embeds
    new episodes with the new default and says the same; ``rebuild --embed`` mends it."""
    from .test_meaning import TinyEmbedder

    class Earlier(TinyEmbedder):
        def __init__(self, folder: Path, bulk: bool = True) -> None:
            super().__init__(folder, bulk)
            self.name = "all-MiniLM-L6-v2"

    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", Earlier)
    embedded_home(run, tmp_path, None)
    monkeypatch.setattr("chaptersearch.search.embedding.Embedder", TinyEmbedder)  # "tiny"
    monkeypatch.setattr("chaptersearch.search.meaning._LOADED", {})
    searched = run("search", "keeper dismissal")
    assert searched.exit_code == 0 and "keeper test" in searched.stdout
    assert searched.stderr == (
        "chaptersearch: warning: searching by words only: the passages were embedded with "
        "all-MiniLM-L6-v2, not tiny: give that model with --model, or run `chaptersearch "
        "rebuild --embed`\n"
    )
    write_vtt(tmp_path / "second.vtt", {5.0: "a zebra crossing"})
    added = run("add", str(tmp_path / "second.vtt"))
    assert added.exit_code == 0
    assert (
        "warning: this home's passages were embedded with all-MiniLM-L6-v2; new ones are "
        "embedded with tiny, and until `chaptersearch rebuild --embed` embeds the rest again"
    ) in added.stderr
    assert run("rebuild", "--embed").exit_code == 0
    mended = run("search", "keeper dismissal")
    assert mended.exit_code == 0 and mended.stderr == ""


# 5. a damaged vector file is set aside and computed again; scores are always numbers


def refuse_nan(text: str) -> Any:
    """JSON as the standard reads it: NaN and Infinity are not JSON."""
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))


def damage(path: Path, how: str) -> None:
    import numpy as np

    if how == "cut short":
        path.write_bytes(path.read_bytes()[:300])
        return
    data = dict(np.load(path))
    if how == "keys and vectors disagree":
        data["keys"] = data["keys"][:-1]
    elif how == "not numbers":
        data["vectors"] = np.full_like(data["vectors"], np.nan)
    elif how == "another length":
        data["vectors"] = data["vectors"][:, :32]
    np.savez(path, **data)


@pytest.mark.parametrize(
    "how", ["cut short", "keys and vectors disagree", "not numbers", "another length"]
)
@pytest.mark.parametrize("command", [["rebuild"], ["add", "third.vtt"], ["remove", "second"]])
def test_a_damaged_vector_file_is_set_aside_and_computed_again(
    run: Run, home: Home, tmp_path: Path, hashed: Path, how: str, command: list[str]
) -> None:
    embedded_home(run, tmp_path, hashed)
    write_vtt(tmp_path / "second.vtt", {5.0: "a zebra crossing", 30.0: "more words here"})
    write_vtt(tmp_path / "third.vtt", {5.0: "a third one"})
    assert run("add", str(tmp_path / "second.vtt")).exit_code == 0
    vectors = home.root / "vectors"
    damage(vectors / "first.npz", how)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run(*command)
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr
    assert (vectors / "damaged" / "first.npz").is_file()
    if command[0] == "remove":  # no embedder at hand: a rebuild computes them
        assert not (vectors / "first.npz").exists()
        assert run("rebuild").exit_code == 0
    from chaptersearch.search import vectors as kept

    assert kept.load(home, "first") is not None  # computed again, whole
    for mode in ("hybrid", "meaning"):
        searched = run("search", "keeper", "--mode", mode, "--json")
        assert searched.exit_code == 0 and searched.stderr == ""
        assert refuse_nan(searched.stdout)[0]["video_id"] == "first"


def test_scores_are_numbers_when_the_search_matrix_holds_nan(
    run: Run, home: Home, tmp_path: Path, hashed: Path
) -> None:
    import numpy as np
    from starlette.testclient import TestClient

    from chaptersearch.web import create_app

    embedded_home(run, tmp_path, hashed)
    (matrix,) = (home.root / "vectors").glob("set-*/matrix.npy")
    np.save(matrix, np.full_like(np.load(matrix), np.nan))
    searched = run("search", "keeper dismissal", "--json")
    assert searched.exit_code == 0
    assert refuse_nan(searched.stdout)[0]["video_id"] == "first"
    site = TestClient(create_app(home), base_url="http://127.0.0.1:8765")
    answer = site.get("/api/search", params={"q": "fired", "mode": "meaning"})
    assert answer.status_code == 200
    assert all(isinstance(hit["score"], float) for hit in refuse_nan(answer.text)["hits"])


@pytest.mark.parametrize("damaged", ["keys.txt", "matrix.npy"])
def test_a_damaged_search_matrix_searches_by_words_until_a_rebuild(
    run: Run, home: Home, tmp_path: Path, hashed: Path, damaged: str
) -> None:
    embedded_home(run, tmp_path, hashed)
    (path,) = (home.root / "vectors").glob(f"set-*/{damaged}")
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    searched = run("search", "keeper dismissal")
    assert searched.exit_code == 0 and "keeper test" in searched.stdout
    assert searched.stderr.startswith("chaptersearch: warning: searching by words only: ")
    assert "run `chaptersearch rebuild`" in searched.stderr
    assert run("rebuild").exit_code == 0
    assert run("search", "keeper dismissal").stderr == ""


# 6. library files named by hand: what list and search show, show and remove find


def test_entries_named_by_hand_can_be_shown_and_removed(
    run: Run, home: Home, tmp_path: Path
) -> None:
    write_vtt(tmp_path / "good.vtt", {5.0: "the keeper test"})
    assert run("add", str(tmp_path / "good.vtt")).exit_code == 0
    entry = (home.library / "good.json").read_bytes()
    for name in ("x y", "<b>"):
        (home.library / f"{name}.json").write_bytes(entry)
    assert run("rebuild").exit_code == 0
    found = {hit["video_id"] for hit in json.loads(run("search", "keeper", "--json").stdout)}
    assert found == {"good", "x y", "<b>"}
    for name in ("x y", "<b>"):
        shown = run("show", name)
        assert shown.exit_code == 0 and f"  id: {name}" in shown.stdout
        removed = run("remove", name)
        assert removed.exit_code == 0, removed.stderr
        assert not (home.library / f"{name}.json").exists()
    found = {hit["video_id"] for hit in json.loads(run("search", "keeper", "--json").stdout)}
    assert found == {"good"}
    assert "indexed: 1 of 1 episodes" in run("stats").stdout


def test_hidden_files_in_the_library_are_not_entries(run: Run, home: Home, tmp_path: Path) -> None:
    write_vtt(tmp_path / "good.vtt", {5.0: "the keeper test"})
    write_vtt(tmp_path / "other.vtt", {5.0: "a zebra crossing"})
    assert run("add", str(tmp_path / "good.vtt")).exit_code == 0
    entry = (home.library / "good.json").read_bytes()
    for name in ("...json", ".hidden.json"):
        (home.library / name).write_bytes(entry)
    added = run("add", str(tmp_path / "other.vtt"))
    assert added.exit_code == 0, added.stderr
    removed = run("remove", "good")
    assert removed.exit_code == 0, removed.stderr
    assert run("remove", "..").stderr.startswith("chaptersearch: no episode '..' in the library")
    assert "ID" in run("list").stdout and ".." not in run("list").stdout
    assert "indexed: 1 of 1 episodes" in run("stats").stdout
    assert run("search", "keeper").exit_code == 1
    assert (home.library / "...json").is_file() and home.root.is_dir()  # nothing else touched
