"""Passage vectors: computed once per episode and kept beside the library, then gathered
into one memory-mapped matrix that a search loads in milliseconds.

``vectors/EPISODE.npz`` holds an episode's passage keys, its vectors (float16) and a
digest of the passages they were computed from: a rebuild reuses them as long as the
passages are the same, and only a changed episode (new chapters, say) is embedded
again. ``vectors/CURRENT`` names the folder with the search matrix (``matrix.npy``,
float32, and ``keys.txt``, one passage key a line), written whole and then named, so a
search never sees a half-written matrix.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from .home import Home

CURRENT = "CURRENT"
SETTINGS = "settings.json"


def folder_of(home: Home) -> Path:
    return home.root / "vectors"


def digest(keys: list[str], texts: list[str]) -> str:
    """What the vectors of an episode were computed from."""
    hashed = hashlib.sha1()
    for key, text in zip(keys, texts, strict=True):
        hashed.update(key.encode())
        hashed.update(b"\0")
        hashed.update(text.encode())
        hashed.update(b"\0")
    return hashed.hexdigest()


def settings(home: Home) -> dict[str, Any]:
    """The home's meaning-search settings: whether ``add`` embeds new episodes, and
    with which model folder (None: the default). Empty when there are none; a file
    that is there but damaged is an EmbeddingError, never taken for "no vectors"."""
    from .embedding import EmbeddingError

    path = folder_of(home) / SETTINGS
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        loaded = error
    if not isinstance(loaded, dict) or not isinstance(loaded.get("model_name", ""), str):
        raise EmbeddingError(f"{path} is damaged")
    return loaded


def remembered_model(home: Home) -> Path:
    """The model folder this home's passages are embedded with, ready to load; when it
    is gone (moved, the settings damaged, the default not fetched), an EmbeddingError
    that also says how to mend the home."""
    from .embedding import EmbeddingError, model_folder

    try:
        return model_folder(settings(home).get("model"))
    except EmbeddingError as error:
        raise EmbeddingError(f"{error}; {mend_hint(home)}") from None


def mend_hint(home: Home) -> str:
    """What to do when the model a home's passages were embedded with is gone."""
    return (
        "to mend the home, run `chaptersearch rebuild --embed --model PATH` with the "
        f"model's folder, or delete {folder_of(home)} to search by words only"
    )


def matrix_model(home: Home) -> str | None:
    """The model the current search matrix was made with, if there is one to read."""
    try:
        return (folder_of(home) / current_set(home) / "model.txt").read_text().strip() or None
    except (OSError, ValueError):
        return None


def save_settings(home: Home, values: dict[str, Any]) -> None:
    folder = folder_of(home)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{SETTINGS}.{os.getpid()}"
    temporary.write_text(json.dumps(values))
    os.replace(temporary, folder / SETTINGS)


def stored(home: Home, episode_id: str) -> tuple[str, str] | None:
    """(digest, model) of an episode's vectors, or None when it has none."""
    import numpy as np

    path = folder_of(home) / f"{episode_id}.npz"
    try:
        with np.load(path) as data:
            return str(data["digest"]), str(data["model"])
    except (OSError, ValueError, KeyError):
        return None


def save(home: Home, episode_id: str, keys: list[str], vectors: Any, made: str, model: str) -> None:
    import numpy as np

    folder = folder_of(home)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{episode_id}.{os.getpid()}.npz"
    np.savez(
        temporary,
        keys=np.array(keys),
        vectors=vectors.astype(np.float16),
        digest=np.array(made),
        model=np.array(model),
    )
    os.replace(temporary, folder / f"{episode_id}.npz")


def forget(home: Home, episode_id: str) -> None:
    (folder_of(home) / f"{episode_id}.npz").unlink(missing_ok=True)


def current_set(home: Home) -> str:
    """The name of the folder that holds the search matrix now."""
    return (folder_of(home) / CURRENT).read_text().strip()


def has_any(home: Home) -> bool:
    return (folder_of(home) / CURRENT).is_file()


def publish(home: Home, episode_ids: list[str], model: str) -> int:
    """Gather the vectors of ``episode_ids`` made by ``model`` into a new search matrix
    and make it current; the number of passages it holds."""
    import numpy as np

    folder = folder_of(home)
    keys: list[str] = []
    parts = []
    for episode_id in episode_ids:
        path = folder / f"{episode_id}.npz"
        try:
            with np.load(path) as data:
                if str(data["model"]) != model:
                    continue
                keys.extend(str(key) for key in data["keys"])
                parts.append(data["vectors"].astype(np.float32))
        except (OSError, ValueError, KeyError):
            continue
    numbers = [int(p.name[4:]) for p in folder.glob("set-*") if p.name[4:].isdigit()]
    target = folder / f"set-{max(numbers, default=0) + 1}"
    target.mkdir(parents=True)
    matrix = np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)
    np.save(target / "matrix.npy", matrix)
    (target / "keys.txt").write_text("\n".join(keys), encoding="utf-8")
    (target / "model.txt").write_text(model, encoding="utf-8")
    temporary = folder / f".{CURRENT}.{os.getpid()}"
    temporary.write_text(target.name)
    os.replace(temporary, folder / CURRENT)
    for old in folder.glob("set-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return len(keys)


class Matrix:
    """The search matrix, memory-mapped: row ``n`` is the vector of passage ``keys[n]``."""

    def __init__(self, home: Home, set_name: str | None = None) -> None:
        import numpy as np

        self.set_name = set_name or current_set(home)
        current = folder_of(home) / self.set_name
        self.vectors = np.load(current / "matrix.npy", mmap_mode="r")
        self.keys = (current / "keys.txt").read_text(encoding="utf-8").split("\n")
        self.model = (current / "model.txt").read_text(encoding="utf-8").strip()
        self.row_of = {key: row for row, key in enumerate(self.keys)}

    def similarities(self, query: Any) -> Any:
        """The cosine of every passage to the query vector (all vectors have unit length)."""
        return self.vectors @ query
