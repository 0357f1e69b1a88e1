"""The README's first screen runs as written: set up, the main job, the tests."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def first_commands() -> list[str]:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_first_screen_has_set_up_main_job_and_tests() -> None:
    setup, _, tests = first_commands()
    assert setup == "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'"
    assert tests == ".venv/bin/python -m pytest -q"
    ci = (CHECKOUT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == tests


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
