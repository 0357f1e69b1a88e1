"""Where chaptersearch keeps its library and index, and the lock that guards them.

Nothing here imports a platform-only module: the lock comes from ``filelock`` (imported
only by commands that write), so the CLI starts wherever Python runs.
"""

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HomeError, IndexBusyError

ENV_HOME = "CHAPTERSEARCH_HOME"
PROJECT_HOME = "index"
MARKER = ".chaptersearch-home"
"""Written into every home chaptersearch makes, and shipped in this checkout's
``index/``: a folder named ``index`` without it belongs to someone else."""
OLDER_HOME = {"library", "whoosh"}
"""What a home made before the marker holds (by these exact names)."""


@dataclass(frozen=True)
class Home:
    """A home folder: ``library/`` is the source of truth, ``whoosh/`` is derived from it."""

    root: Path
    chosen_by: str = field(default="", compare=False)
    """How this home was chosen (``resolve_home``), for messages about an empty one."""

    def explained(self) -> str:
        """Where this home is and how it was chosen, and how to choose another: said
        when it holds nothing, as a home chosen by default beside a full one may."""
        how = f", {self.chosen_by}" if self.chosen_by else ""
        return f"the home is {self.root}{how}; choose another with --home DIR or ${ENV_HOME}"

    @property
    def library(self) -> Path:
        return self.root / "library"

    @property
    def index(self) -> Path:
        return self.root / "whoosh"

    @property
    def pending(self) -> Path:
        """Ids written to the library whose index update is not committed yet."""
        return self.root / "pending"

    @property
    def last_search(self) -> Path:
        return self.root / "last-search.json"

    def check(self) -> None:
        """Fail clearly when the home cannot be a folder (it is a file, say), or is a
        folder of other things: every command says so, not only the ones that write."""
        if self.root.exists() and not self.root.is_dir():
            raise HomeError(f"the home {self.root} is a file, not a folder: choose another --home")
        self._refuse_a_strangers_folder()

    def make(self) -> None:
        """Create the home, marked as chaptersearch's own: a missing or empty folder
        becomes one, a home is used (one an older chaptersearch made, unmarked, is
        known by its ``library/`` or ``whoosh/`` and marked now); any other folder that
        holds something is refused, so ``--home ~`` or ``$CHAPTERSEARCH_HOME=/`` never
        fills a folder of the user's with ours."""
        self.check()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            marker = self.root / MARKER
            if not marker.exists():
                marker.write_text("chaptersearch home\n", encoding="utf-8")
        except OSError as error:
            from .disk import cannot_write

            raise HomeError(cannot_write(self.root, error, "run the command again")) from None

    def _refuse_a_strangers_folder(self) -> None:
        try:
            names = set(os.listdir(self.root))
        except OSError:  # missing (made next), or unreadable (the write will say)
            return
        if not names or MARKER in names or names & OLDER_HOME:
            return
        raise HomeError(
            f"{self.root} is not empty and is not a chaptersearch home (it has no {MARKER}): "
            f"choose a new or empty folder with --home DIR or ${ENV_HOME}"
        )

    @contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the home's write lock, waiting up to ``wait`` seconds for another writer.

        One lock for library and index together: an ``add`` must not slip in while a
        rebuild is reading the library, or its episode would miss the new index.
        Readers never take it: a search answers from the last committed index.
        """
        from filelock import FileLock, Timeout

        self.make()
        lock = FileLock(str(self.root / ".write-lock"), timeout=max(wait, 0.0))
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusyError(
                f"index is busy: another chaptersearch is writing to {self.root}; "
                "try again when it has finished, or wait for it with --wait SECONDS"
            ) from None
        except OSError as error:  # a read-only home or a full disk: nothing is changed
            from .disk import cannot_write

            raise HomeError(cannot_write(self.root, error, "run the command again")) from None
        writer = self.root / WRITER
        try:
            with contextlib.suppress(OSError):  # a note for readers; the lock guards
                writer.write_text(f"{os.getpid()} {_command()}\n", encoding="utf-8")
            yield
        finally:
            writer.unlink(missing_ok=True)
            lock.release()

    def writer(self) -> str | None:
        """The command writing to this home now ("add (process 123)"), or None: what
        ``stats`` says instead of advice that cannot work while it writes."""
        try:
            pid_text, _, command = (self.root / WRITER).read_text(encoding="utf-8").partition(" ")
            pid = int(pid_text)
        except (OSError, ValueError):
            return None
        if pid == os.getpid():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # it died without cleaning up (SIGKILL): nobody writes
        except OSError:
            pass  # alive, owned by another user
        return f"{command.strip() or 'a command'} (process {pid})"


WRITER = ".writer"
"""Names the process holding the write lock, while it holds it."""


def _command() -> str:
    """The chaptersearch command this process runs (``add``, ``rebuild``)."""
    import sys

    writers = ("add", "update", "rebuild", "edit", "remove", "sources")
    commands = [arg for arg in sys.argv[1:] if arg in writers]
    return f"`chaptersearch {commands[0]}`" if commands else "chaptersearch"


def resolve_home(option: str | Path | None = None, cwd: Path | None = None) -> Home:
    """``--home``, else ``$CHAPTERSEARCH_HOME``, else the nearest ``index/`` that
    chaptersearch marked as its own (in the current folder or above it, as git finds
    its repository), else the platform's user data folder."""
    if option is not None:
        if not str(option).strip():
            raise HomeError("--home is empty: give a folder")
        return Home(Path(option).expanduser(), "given by --home")
    env = os.environ.get(ENV_HOME)
    if env:  # set but empty counts as unset, as for NO_COLOR; only spaces is a mistake
        if not env.strip():
            raise HomeError(f"${ENV_HOME} holds only spaces: give a folder, or unset it")
        return Home(Path(env).expanduser(), f"set by ${ENV_HOME}")
    here = cwd or Path.cwd()
    project = project_home(here)
    if project is not None:
        return Home(project, f"the {PROJECT_HOME}/ found from {here}")
    from platformdirs import user_data_dir

    return Home(
        Path(user_data_dir("chaptersearch", appauthor=False)),
        f"the default (no --home, no ${ENV_HOME}, and no chaptersearch {PROJECT_HOME}/ "
        f"in {here} or above it)",
    )


def project_home(start: Path) -> Path | None:
    """The nearest ``index/`` holding chaptersearch's marker, from ``start`` upwards."""
    try:
        start = start.resolve()
    except OSError:
        return None
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_HOME
        if (candidate / MARKER).is_file():
            return candidate
    return None
