"""What to run to get what is missing, written for where this copy of chaptersearch lives.

chaptersearch is not on the package index, so ``pip install 'chaptersearch[semantic]'``
works nowhere. From a checkout (an editable install, or the source run in place) an
extra is ``python -m pip install -e '.[semantic]'`` in the checkout; an installed copy
gets the extra's own packages by name, which the index has. The interpreter is named
as the user can type it from here: ``python`` when that is this environment's,
otherwise its path (``.venv/bin/python`` in a checkout whose environment is not active).
"""

import shlex
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DISTRIBUTION = "chaptersearch"


def checkout() -> Path | None:
    """The checkout this copy runs from (``src/chaptersearch`` beside a
    ``pyproject.toml``), or None for a copy installed into site-packages."""
    root = PACKAGE.parents[1]
    if PACKAGE.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def _shown(path: Path, base: Path) -> str:
    """``path`` as typed from ``base``: relative when below it, else absolute."""
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def python_command(base: Path | None = None) -> str:
    """How to run this interpreter from the folder ``base`` (default: here)."""
    interpreter = Path(sys.executable).absolute()
    on_path = shutil.which("python")
    if on_path and Path(on_path).absolute().parent == interpreter.parent:
        return "python"
    return shlex.quote(_shown(interpreter, base or Path.cwd()))


def _extra_requirements(extra: str) -> list[str]:
    """The packages an extra names in this copy's metadata (without their markers)."""
    from importlib import metadata

    try:
        declared = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    wanted = {f'extra == "{extra}"', f"extra == '{extra}'"}
    return [
        requirement.split(";")[0].strip()
        for requirement in declared
        if ";" in requirement and requirement.split(";", 1)[1].strip() in wanted
    ]


def install_hint(extra: str) -> str:
    """``install it with: COMMAND``, a command that installs ``extra`` for this copy."""
    pip = f"{python_command()} -m pip install"
    root = checkout()
    if root is not None:
        target = "." if root == Path.cwd().resolve() else str(root)
        return f"install it with: {pip} -e {shlex.quote(f'{target}[{extra}]')}"
    packages = _extra_requirements(extra)
    if not packages:
        return f"install the {extra} extra of chaptersearch with pip"
    return f"install it with: {pip} {' '.join(shlex.quote(name) for name in packages)}"


def chaptersearch_command(base: Path | None = None) -> str:
    """How to run this copy's ``chaptersearch`` from the folder ``base`` (default: here):
    by name when that is this environment's, else its path, else through Python."""
    script = Path(sys.executable).absolute().parent / "chaptersearch"
    on_path = shutil.which("chaptersearch")
    if on_path and Path(on_path).absolute() == script:
        return "chaptersearch"
    if script.is_file():
        return shlex.quote(_shown(script, base or Path.cwd()))
    return f"{python_command(base)} -m chaptersearch"
