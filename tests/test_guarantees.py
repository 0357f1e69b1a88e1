"""docs/guarantees.md keeps its word: every promise in it names the test that pins it,
and every test it names exists."""

import re
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def promises() -> list[str]:
    """Each bullet and each table row of the guarantees, joined onto one line."""
    found: list[str] = []
    for line in (CHECKOUT / "docs" / "guarantees.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(("- ", "| ")):
            found.append(line)
        elif line.startswith("  ") and found and found[-1].startswith("- "):
            found[-1] += " " + line.strip()
    return [p for p in found if not p.startswith(("|---", "| fault"))]


def test_every_promise_names_a_test() -> None:
    unpinned = [promise[:80] for promise in promises() if "`test_" not in promise]
    assert unpinned == []


def test_every_test_a_promise_names_exists() -> None:
    written = "\n".join(
        path.read_text(encoding="utf-8") for path in (CHECKOUT / "tests").glob("*.py")
    )
    defined = set(re.findall(r"^def (test_\w+)", written, re.MULTILINE))
    files = {path.stem for path in (CHECKOUT / "tests").glob("test_*.py")}
    named = {name for promise in promises() for name in re.findall(r"`(test_\w+)", promise)}
    assert sorted(named - defined - files) == []
