"""The README's first screen runs as written: set up, the main job, the tests."""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def first_commands() -> list[str]:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


SET_UP = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' "
    "&& .venv/bin/pip install --no-deps -r benchmarks/model-packages.txt"
)


def test_the_first_screen_has_set_up_main_job_and_tests() -> None:
    setup, _, tests = first_commands()
    assert setup == SET_UP
    assert tests == ".venv/bin/python -m pytest -q"
    ci = (CHECKOUT / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()
    assert ci[-1] == tests
    assert setup in ci, "CI sets up as the README says"


def test_the_set_up_installs_what_the_tests_need() -> None:
    """`dev` brings the page's and meaning's extras, so their tests run rather than skip;
    the set-up line also installs the model packages the real-model test reads."""
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    dev = extras["dev"]
    assert "chaptersearch[web,semantic,onnx,transcribe]" in dev
    assert "playwright" in " ".join(dev)
    assert "benchmarks/model-packages.txt" in first_commands()[0]


def test_only_a_missing_browser_or_shared_folder_skips() -> None:
    """No test skips for want of a package: the set-up installs them all, and a missing
    one fails loudly. The skips left name their reason: Chromium or espeak-ng (Debian's,
    which CI installs), ../shared, or the platform (named pipes, POSIX signals), and skip
    nothing on Linux."""
    allowed = ("Chromium", "espeak-ng", "../shared", "named pipes", "POSIX")
    for path in sorted((CHECKOUT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            assert name != "importorskip", f"{path.name}:{node.lineno} skips for a package"
            if name in ("skip", "skipif"):
                text = ast.unparse(node)
                assert any(reason in text for reason in allowed), f"{path.name}:{node.lineno}"


def test_the_main_job_runs_verbatim_on_a_fresh_checkout(tmp_path: Path) -> None:
    """In a copy of what a clone holds (the example and the marked ``index/``), with
    this environment standing in for the ``.venv`` that the set-up line makes."""
    clone = tmp_path / "chaptersearch"
    shutil.copytree(CHECKOUT / "docs" / "examples", clone / "docs" / "examples")
    (clone / "index").mkdir()
    for name in (".chaptersearch-home", "README.md"):
        shutil.copy(CHECKOUT / "index" / name, clone / "index" / name)
    (clone / ".venv").symlink_to(Path(sys.prefix))
    env = {k: v for k, v in os.environ.items() if k not in ("CHAPTERSEARCH_HOME", "NO_COLOR")}
    main_job = first_commands()[1]
    result = subprocess.run(
        ["bash", "-c", main_job], cwd=clone, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "added 1 episode (7 passages), skipped 0 already in the library, failed 0; "
        f"home {clone / 'index'}\n"
    )
    first = result.stdout.split("\n\n")[0].splitlines()
    assert first[:2] == [
        "1. Example Show 1: Who we keep",
        "   § The keeper test (1:50)  ·  at 2:58  +1 more in this chapter",
    ]
    assert (clone / "index" / "library" / "keeper-test.json").is_file()
