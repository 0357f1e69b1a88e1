"""The house: every import points down. ``search`` and ``index`` never reach up into
``sources`` (what both use lives below them: ``urls``, ``models``), and no module
imports, directly or through others, one that imports it back."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chaptersearch"


def own_imports(path: Path) -> set[str]:
    """The package's modules a module imports (relative imports, at any depth)."""
    package = path.relative_to(PACKAGE).parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - (node.level - 1)])
            found.add(".".join(base + ([node.module] if node.module else [])))
    return found


def graph() -> dict[str, set[str]]:
    modules = {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts): own_imports(path)
        for path in PACKAGE.rglob("*.py")
    }
    return {name: {other for other in uses if other in modules} for name, uses in modules.items()}


def test_search_and_index_import_nothing_from_sources() -> None:
    upward = [
        (name, used)
        for name, uses in graph().items()
        for used in uses
        if name.split(".")[0] in ("search", "index") and used.startswith("sources")
    ]
    assert upward == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    modules = graph()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for used in modules[todo.pop()]:
                if used == goal:
                    return True
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
        return False

    cycles = sorted({tuple(sorted((a, b))) for a in modules for b in modules[a] if reaches(b, a)})
    assert cycles == []
