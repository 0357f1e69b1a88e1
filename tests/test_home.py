from pathlib import Path

import pytest

from chaptersearch.errors import HomeError
from chaptersearch.library.home import MARKER, Home, resolve_home


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CHAPTERSEARCH_HOME", raising=False)
    return tmp_path


def test_home_resolution_order(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_home().root == elsewhere / "xdg" / "chaptersearch"
    (elsewhere / "index").mkdir()
    (elsewhere / "index" / MARKER).write_text("chaptersearch home\n")
    assert resolve_home().root == elsewhere / "index"
    monkeypatch.setenv("CHAPTERSEARCH_HOME", str(elsewhere / "env"))
    assert resolve_home().root == elsewhere / "env"
    assert resolve_home(elsewhere / "option").root == elsewhere / "option"


def test_a_strangers_index_folder_is_never_taken_over(elsewhere: Path) -> None:
    """A web project's ``index/index.html`` must not get library/ and whoosh/ written
    beside it."""
    (elsewhere / "index").mkdir()
    (elsewhere / "index" / "index.html").write_text("<html></html>")
    assert resolve_home().root == elsewhere / "xdg" / "chaptersearch"


def test_the_checkouts_index_is_found_from_a_sub_folder(elsewhere: Path) -> None:
    (elsewhere / "index").mkdir()
    (elsewhere / "index" / MARKER).write_text("chaptersearch home\n")
    deeper = elsewhere / "docs" / "notes"
    deeper.mkdir(parents=True)
    assert resolve_home(cwd=deeper).root == elsewhere / "index"


def test_this_checkout_ships_its_marked_home() -> None:
    checkout = Path(__file__).resolve().parents[1]
    assert (checkout / "index" / MARKER).is_file()


def test_an_empty_home_option_is_refused(elsewhere: Path) -> None:
    with pytest.raises(HomeError, match="--home is empty"):
        resolve_home("")


def test_every_home_made_is_marked(tmp_path: Path) -> None:
    home = Home(tmp_path / "new")
    home.make()
    assert (home.root / MARKER).is_file()


def test_stats_names_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from chaptersearch.cli import app

    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "stats"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"home: {tmp_path / 'h'}"
    assert "episodes: 0" in result.stdout


def test_an_empty_default_home_says_where_it_is_how_it_was_chosen_and_how_to_choose(
    elsewhere: Path,
) -> None:
    from typer.testing import CliRunner

    from chaptersearch.cli import app

    default = elsewhere / "xdg" / "chaptersearch"
    result = CliRunner().invoke(app, ["search", "keeper"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        f"the home is {default}, the default (no --home, no $CHAPTERSEARCH_HOME, and no "
        f"chaptersearch index/ in {elsewhere} or above it); choose another with --home DIR "
        "or $CHAPTERSEARCH_HOME"
    )
    listed = CliRunner().invoke(app, ["--home", str(elsewhere / "h"), "list"])
    assert f"the home is {elsewhere / 'h'}, given by --home;" in listed.stderr


def test_a_folder_of_other_things_is_not_made_a_home(tmp_path: Path) -> None:
    """``--home ~`` or ``$CHAPTERSEARCH_HOME=/`` is refused in one line saying why and
    how, and nothing is written there; an empty or missing folder becomes a home, a
    home is used, and one an older chaptersearch made (unmarked) is used and marked."""
    from typer.testing import CliRunner

    from chaptersearch.cli import app

    from .helpers import talk, vtt_text

    transcript = tmp_path / "a.vtt"
    transcript.write_text(vtt_text(talk(60.0, {})), encoding="utf-8")
    stranger = tmp_path / "documents"
    stranger.mkdir()
    (stranger / "letter.txt").write_text("dear")
    refused = CliRunner().invoke(app, ["--home", str(stranger), "add", str(transcript)])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"chaptersearch: {stranger} is not empty and is not a chaptersearch home (it has no "
        f"{MARKER}): choose a new or empty folder with --home DIR or $CHAPTERSEARCH_HOME\n"
    )
    assert sorted(path.name for path in stranger.iterdir()) == ["letter.txt"]
    for reader in (["search", "x"], ["stats"], ["list"], ["sources"]):  # readers say so too
        read = CliRunner().invoke(app, ["--home", str(stranger), *reader])
        assert read.exit_code == 2 and read.stderr == refused.stderr, reader
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, tmp_path / "missing", empty):  # made, made, then used
        added = CliRunner().invoke(app, ["--home", str(folder), "add", str(transcript)])
        assert added.exit_code == 0, added.stderr
        assert (folder / MARKER).is_file()
    older = tmp_path / "older"
    (older / "library").mkdir(parents=True)
    (older / "notes.txt").write_text("mine")
    added = CliRunner().invoke(app, ["--home", str(older), "add", str(transcript)])
    assert added.exit_code == 0, added.stderr
    assert (older / MARKER).is_file()
