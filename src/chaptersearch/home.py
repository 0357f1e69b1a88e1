"""Where chaptersearch keeps its library and index, and the lock that guards them."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexBusyError

ENV_HOME = "CHAPTERSEARCH_HOME"
PROJECT_HOME = Path("index")


@dataclass(frozen=True)
class Home:
    """A home folder: ``library/`` is the source of truth, ``whoosh/`` is derived from it."""

    root: Path

    @property
    def library(self) -> Path:
        return self.root / "library"

    @property
    def index(self) -> Path:
        return self.root / "whoosh"

    @property
    def last_search(self) -> Path:
        return self.root / "last-search.json"

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the home's write lock, or fail at once if another process holds it.

        One lock for library and index together: an ``add`` must not slip in while a
        rebuild is reading the library, or its episode would miss the new index.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".write-lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusyError(
                    f"index is busy: another chaptersearch is writing to {self.root}; "
                    "try again when it has finished"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def resolve_home(option: Path | None = None) -> Home:
    """``--home``, else ``$CHAPTERSEARCH_HOME``, else ``./index`` if it exists, else the
    platform's user data folder."""
    if option is not None:
        return Home(option.expanduser())
    env = os.environ.get(ENV_HOME)
    if env:
        return Home(Path(env).expanduser())
    if PROJECT_HOME.is_dir():
        return Home(PROJECT_HOME.resolve())
    from platformdirs import user_data_dir

    return Home(Path(user_data_dir("chaptersearch", appauthor=False)))
