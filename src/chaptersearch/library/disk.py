"""Writing to the home: whole files or none, and a write the disk refused said as one
line with the next step.

A full disk, a quota or a read-only home make our own writes, Whoosh's and numpy's
raise ``OSError`` in the middle of a command (and Whoosh's ``IndexingError`` once its
writer has given up on it). The user needs the cause and what to do, not the name of
an exception; what the command had finished is kept either way.
"""

import errno
import os
import tempfile
from pathlib import Path

NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}

REBUILD_LATER = (
    "run `chaptersearch rebuild`: the library has every episode added, and searches "
    "answer from the index as it was until then"
)
"""What to do once a failed index write is fixed (the next ``add`` mends it too)."""


def is_disk_error(error: BaseException) -> bool:
    """Whether ``error`` is the disk refusing a write (full, over quota, read-only)."""
    return isinstance(error, OSError) and error.errno in NO_SPACE | READ_ONLY


def cannot_write(root: Path, error: OSError, then: str) -> str:
    """The cause, named for the home at ``root``, and ``then``: what to run once it is
    fixed and what was kept."""
    reason = error.strerror or type(error).__name__
    if error.errno in NO_SPACE:
        return f"the disk holding {root} is full ({reason}): free some space, then {then}"
    if error.errno in READ_ONLY:
        return (
            f"the home {root} cannot be written ({reason}): make it writable or choose "
            f"another --home, then {then}"
        )
    where = error.filename or root
    return f"cannot write {where} ({reason}): {then}"


def write_whole(path: Path, text: str, sync: bool = True) -> None:
    """Write ``text`` to ``path`` whole or not at all: into a temporary file beside it,
    flushed to disk (``sync``: skipped for what is cheap to lose, such as the last
    search), then renamed over the old file, so a crash leaves the old file or the new,
    never half of one, and a failed write leaves no temporary file behind."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
