from pathlib import Path

import pytest

from chaptersearch.home import resolve_home


def test_home_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CHAPTERSEARCH_HOME", raising=False)
    assert resolve_home().root == tmp_path / "xdg" / "chaptersearch"
    (tmp_path / "index").mkdir()
    assert resolve_home().root == tmp_path / "index"
    monkeypatch.setenv("CHAPTERSEARCH_HOME", str(tmp_path / "env"))
    assert resolve_home().root == tmp_path / "env"
    assert resolve_home(tmp_path / "option").root == tmp_path / "option"


def test_stats_names_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from chaptersearch.cli import app

    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "stats"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"home: {tmp_path / 'h'}"
    assert "episodes: 0" in result.stdout
