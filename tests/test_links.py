"""Episodes added from files have no link of their own (issue 23): ``open`` falls back
to the episode's page on the local ``serve``, or says in one line how to get a link,
naming the episode; ``search --open`` prints its hits and exits 0 all the same; ``edit
--url-template`` gives many episodes a link at once."""

import json
from pathlib import Path

import pytest

from chaptersearch.library.home import Home

from .conftest import Run
from .helpers import talk, vtt_text
from .test_web import serve_process, stop


def write_vtt(path: Path, said: dict[float, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vtt_text(talk(60.0, said)), encoding="utf-8")
    return path


@pytest.fixture
def files(run: Run, tmp_path: Path) -> Path:
    """Three episodes from the folder ``shows`` (one in a folder below it) and one from
    ``other``, none with a link."""
    write_vtt(tmp_path / "shows" / "ep-one.vtt", {5.0: "the keeper test"})
    write_vtt(tmp_path / "shows" / "ep-two.vtt", {10.0: "a lighthouse keeper"})
    write_vtt(tmp_path / "shows" / "extra" / "ep-four.vtt", {20.0: "keeper of the lamp"})
    write_vtt(tmp_path / "other" / "ep-three.vtt", {15.0: "keeper of the keys"})
    for folder in ("shows", "other"):
        added = run("add", str(tmp_path / folder))
        assert added.exit_code == 0, added.stderr
    return tmp_path


def test_open_without_a_link_or_a_page_says_how_in_one_line(
    run: Run, files: Path, opened: list[str]
) -> None:
    assert run("search", '"keeper test"').exit_code == 0
    result = run("open", "1")
    assert result.exit_code == 2 and opened == []
    assert result.stderr == (
        "chaptersearch: hit 1 (ep one, at 0:05) has no link: start `chaptersearch serve` to "
        "open it on the local page, or give it one: `chaptersearch edit ep-one --url URL`\n"
    )


def test_search_open_prints_the_hits_and_the_advice_and_exits_0(
    run: Run, files: Path, opened: list[str]
) -> None:
    """The search did its work: its hits are printed, the advice is a line on stderr,
    and the exit status is the search's own (0: hits found)."""
    result = run("search", '"keeper test"', "--open", "1")
    assert result.exit_code == 0, result.stderr
    assert "ep one" in result.stdout and opened == []
    assert result.stderr.endswith(
        "hit 1 (ep one, at 0:05) has no link: start `chaptersearch serve` to open it on the "
        "local page, or give it one: `chaptersearch edit ep-one --url URL`\n"
    )
    assert "chaptersearch: warning: " in result.stderr


def test_open_falls_back_to_the_page_of_a_running_serve(
    run: Run, home: Home, files: Path, opened: list[str]
) -> None:
    """``serve`` says where it listens in the home, for as long as it runs; ``open``
    opens the episode's page there, at the moment, with the query."""
    assert run("search", "keeper", "test").exit_code == 0
    process, port = serve_process(home)
    try:
        serving = json.loads((home.root / "serving.json").read_text())
        assert serving["url"] == f"http://localhost:{port}/"
        result = run("open", "1")
        assert result.exit_code == 0, result.stderr
        page = f"http://localhost:{port}/episodes/ep-one?t=5&q=keeper+test"
        assert opened == [page]
        assert result.stderr == f"opened {page}\n"
        searched = run("search", "lighthouse", "--open", "1")
        assert searched.exit_code == 0
        assert opened[-1] == f"http://localhost:{port}/episodes/ep-two?t=10&q=lighthouse"
    finally:
        stop(process)
    assert not (home.root / "serving.json").exists()
    result = run("open", "1")  # the server is gone: the advice again
    assert result.exit_code == 2 and "start `chaptersearch serve`" in result.stderr


def test_a_stale_serving_file_is_not_trusted(
    run: Run, home: Home, files: Path, opened: list[str]
) -> None:
    """A server killed without a word leaves its file behind; nothing answers there."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (home.root / "serving.json").write_text(json.dumps({"url": f"http://localhost:{port}/"}))
    assert run("search", '"keeper test"').exit_code == 0
    result = run("open", "1")
    assert result.exit_code == 2 and opened == []
    assert "start `chaptersearch serve`" in result.stderr


def test_edit_gives_every_episode_of_a_folder_a_link(run: Run, files: Path) -> None:
    template = "https://example.com/ep/{id}"
    result = run("edit", "--folder", str(files / "shows"), "--url-template", template)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "edited ep-four: ep four\nedited ep-one: ep one\nedited ep-two: ep two\n"
    )
    hits = json.loads(run("search", "keeper", "--json").stdout)
    links = {hit["video_id"]: hit["url"] for hit in hits}
    assert links == {
        "ep-one": "https://example.com/ep/ep-one#t=5",
        "ep-two": "https://example.com/ep/ep-two#t=10",
        "ep-four": "https://example.com/ep/ep-four#t=20",
        "ep-three": None,
    }


def test_edit_gives_several_ids_a_link(run: Run, files: Path) -> None:
    template = "https://example.com/ep/{id}.mp3"
    result = run("edit", "ep-one", "ep-th", "--url-template", template)
    assert result.exit_code == 0, result.stderr
    hits = json.loads(run("search", "keeper", "--json").stdout)
    links = {hit["video_id"]: hit["url"] for hit in hits}
    assert links["ep-three"] == "https://example.com/ep/ep-three.mp3#t=15"
    assert links["ep-two"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ep-one", "--url-template", "https://example.com/ep/{id}#t={seconds}"],
            "--url-template: {seconds} is not a placeholder; use {id} (the episode's id): "
            "every link gets the moment added as #t=SECONDS",
        ),
        (
            ["ep-one", "--url-template", "https://example.com/ep"],
            "--url-template 'https://example.com/ep': put {id} where the episode's id goes",
        ),
        (["ep-one", "--url-template", "file:///{id}"], "starting with https:// or http://"),
        (
            ["ep-one", "ep-two", "--url", "https://example.com/x"],
            "--url gives 2 episodes the same link: use --url-template",
        ),
        (["ep-one", "nothing", "--url-template", "https://e.com/{id}"], "no episode 'nothing'"),
        (["--folder", "/nowhere", "--title", "x"], "no episode was added from files in /nowhere"),
        (["--title", "x"], "give the episode ids to edit, or --folder FOLDER"),
    ],
)
def test_edit_of_many_refuses_what_it_cannot_do_and_changes_nothing(
    run: Run, home: Home, files: Path, args: list[str], message: str
) -> None:
    before = {path.name: path.read_text() for path in home.library.iterdir()}
    result = run("edit", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert {path.name: path.read_text() for path in home.library.iterdir()} == before
