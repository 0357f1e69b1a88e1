"""Which library entries may be ahead of the index.

An entry is marked before it is written to the library and unmarked once the index
commit that holds it is durable. A process killed in between (SIGKILL, power loss)
leaves the mark, and the next command that writes indexes those entries again.
"""

from pathlib import Path

from .store import entry_name_ok


class Pending:
    """One empty file per episode id under the home's ``pending/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def mark(self, episode_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._file(episode_id).touch()

    def clear(self, episode_ids: list[str]) -> None:
        for episode_id in episode_ids:
            if entry_name_ok(episode_id):  # an index may hold any id; ".." is no mark
                self._file(episode_id).unlink(missing_ok=True)

    def _file(self, episode_id: str) -> Path:
        if not entry_name_ok(episode_id):
            raise ValueError(f"{episode_id!r} cannot name a pending mark")
        return self.folder / episode_id

    def ids(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {path.name for path in self.folder.iterdir() if not path.name.startswith(".")}
