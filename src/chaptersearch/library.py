"""The library: one JSON file per episode, the source of truth the index is built from."""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from .errors import LibraryError
from .models import Episode

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_id(text: str) -> str:
    """An episode id usable as a file name and an index term: no spaces or slashes."""
    cleaned = _UNSAFE.sub("-", text).strip("-.")
    return cleaned or "episode"


class Library:
    """Episodes stored as ``<id>.json`` under one folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, episode_id: str) -> Path:
        return self.folder / f"{safe_id(episode_id)}.json"

    def save(self, episode: Episode) -> None:
        """Write an episode, replacing any with the same id.

        The JSON goes to a temporary file in the same folder that is then renamed over
        the old one, so a crash leaves either the old entry or the new, never half.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        data = episode.model_dump_json()
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path(episode.id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, episode_id: str) -> Episode:
        path = self.path(episode_id)
        if not path.is_file():
            raise LibraryError(
                f"no episode {episode_id!r} in the library; see `chaptersearch list`"
            )
        return self.load_path(path)

    @staticmethod
    def load_path(path: Path) -> Episode:
        try:
            return Episode.model_validate_json(path.read_bytes())
        except (ValidationError, ValueError, OSError) as error:
            reason = str(error).splitlines()[0]
            raise LibraryError(f"{path}: unreadable library entry ({reason})") from None

    def has(self, episode_id: str) -> bool:
        return self.path(episode_id).is_file()

    def remove(self, episode_id: str) -> None:
        path = self.path(episode_id)
        if not path.is_file():
            raise LibraryError(
                f"no episode {episode_id!r} in the library; see `chaptersearch list`"
            )
        path.unlink()

    def paths(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"))

    def episodes(self) -> Iterator[Episode | LibraryError]:
        """Every entry, yielding an error in place of an unreadable one so callers can
        skip it and go on."""
        for path in self.paths():
            try:
                yield self.load_path(path)
            except LibraryError as error:
                yield error
