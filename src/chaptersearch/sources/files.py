"""Opening the files a user names, with a clear line for what is not a readable file.

A folder, a pipe, a device or a symlink loop where a file is expected must not block
(a pipe would, forever) or be reported as "no such file".
"""

import stat
from pathlib import Path

from ..errors import ChapterSearchError


def check_regular_file(path: Path, what: str) -> None:
    """Fail with one line unless ``path`` is a regular file that exists."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ChapterSearchError(f"{path}: no such {what}") from None
    except OSError as error:
        raise ChapterSearchError(f"{path}: cannot read the {what} ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise ChapterSearchError(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise ChapterSearchError(f"{path}: not a regular file (a pipe or a device?)")


def read_text_file(path: Path, what: str) -> str:
    """A regular file's text (UTF-8, a BOM allowed), or one line saying why not."""
    check_regular_file(path, what)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ChapterSearchError(f"{path}: the {what} is not UTF-8 text") from None
    except OSError as error:
        raise ChapterSearchError(f"{path}: cannot read the {what} ({error.strerror})") from None


def title_from_path(path: Path) -> str:
    """A readable title from a file name such as ``042_startups-and-python.vtt``."""
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def location_of(path: Path) -> str:
    """Where a file is, as a library entry keeps it: its full path, with bytes that are
    not UTF-8 read as Windows-1252 (``terminal.mended``), the same on every read, so
    the file is found again and JSON can hold it."""
    from ..output.terminal import mended

    return mended(str(path.resolve()))
