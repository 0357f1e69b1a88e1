"""Passage vectors: computed once per episode and kept beside the library, then gathered
into one memory-mapped matrix that a search loads in milliseconds.

``vectors/EPISODE.npz`` holds an episode's passage keys, its vectors (float16) and a
digest of the passages they were computed from: a rebuild reuses them as long as the
passages are the same, and only a changed episode (new chapters, say) is embedded
again. ``vectors/CURRENT`` names the folder with the search matrix (``matrix.npy``,
float32, and ``keys.txt``, one passage key a line), written whole and then named, so a
search never sees a half-written matrix. A vector file that cannot be used (cut short,
keys and vectors that disagree, values that are not numbers, the wrong length) is moved
to ``vectors/damaged/`` and computed again by the next writer that embeds: never fatal.
"""

import contextlib
import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..library.home import Home
from .embedding import EmbeddingError

CURRENT = "CURRENT"
SETTINGS = "settings.json"
DAMAGED = "damaged"


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
    from .embedding import model_folder

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


@dataclass
class Kept:
    """One episode's kept vectors, checked whole."""

    keys: list[str]
    vectors: Any
    """float32, one row per key."""
    digest: str
    model: str


class DamagedVectors(Exception):
    """A vector file that cannot be used as it is."""


def _read(path: Path, episode_id: str) -> Kept:
    """A vector file's contents, or DamagedVectors saying what is wrong with it."""
    import numpy as np

    try:
        with np.load(path) as data:
            kept = Kept(
                keys=[str(key) for key in data["keys"]],
                vectors=np.asarray(data["vectors"], dtype=np.float32),
                digest=str(data["digest"]),
                model=str(data["model"]),
            )
    except FileNotFoundError:
        raise
    except Exception as error:  # cut short, not a zip, fields missing: numpy and zipfile
        raise DamagedVectors(type(error).__name__) from None  # raise a dozen kinds
    if kept.vectors.ndim != 2 or kept.vectors.shape[0] != len(kept.keys):
        raise DamagedVectors(f"{len(kept.keys)} keys for vectors of shape {kept.vectors.shape}")
    if any(not key.startswith(f"{episode_id}:") for key in kept.keys):
        raise DamagedVectors("keys of another episode")
    if not np.isfinite(kept.vectors).all():
        raise DamagedVectors("values that are not numbers")
    return kept


def set_aside(home: Home, episode_id: str) -> None:
    """Move a damaged vector file to ``vectors/damaged/``, where nothing reads it: the
    episode counts as having no vectors, so the next writer that embeds computes them."""
    folder = folder_of(home)
    with contextlib.suppress(OSError):
        (folder / DAMAGED).mkdir(exist_ok=True)
        os.replace(folder / f"{episode_id}.npz", folder / DAMAGED / f"{episode_id}.npz")


def load(home: Home, episode_id: str) -> Kept | None:
    """An episode's vectors; None when it has none, or they were damaged (set aside)."""
    try:
        return _read(folder_of(home) / f"{episode_id}.npz", episode_id)
    except FileNotFoundError:
        return None
    except DamagedVectors:
        set_aside(home, episode_id)
        return None


def stored(home: Home, episode_id: str) -> tuple[str, str] | None:
    """(digest, model) of an episode's vectors, or None when it has none usable."""
    kept = load(home, episode_id)
    return None if kept is None else (kept.digest, kept.model)


def save(home: Home, episode_id: str, keys: list[str], vectors: Any, made: str, model: str) -> None:
    import numpy as np

    folder = folder_of(home)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{episode_id}.{os.getpid()}.npz"
    np.savez(
        temporary,
        keys=np.array(keys),
        # a model that gives NaN must not make every score NaN: such a row is zeros
        vectors=np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float16),
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


def summary(home: Home, episode_ids: set[str]) -> dict[str, Any]:
    """What the home holds for search by meaning, read from file names and the search
    matrix's small text files (no numpy, so ``stats`` stays quick): how many of
    ``episode_ids`` have vectors kept, how many passages the matrix holds, the model
    that made them, and whether new episodes are embedded as they are added."""
    folder = folder_of(home)
    kept: set[str] = set()
    if folder.is_dir():
        kept = {p.stem for p in folder.glob("*.npz") if not p.name.startswith(".")}
    model: str | None = None
    passages = 0
    if has_any(home):
        try:
            current = folder / current_set(home)
            model = (current / "model.txt").read_text(encoding="utf-8").strip() or None
            keys = (current / "keys.txt").read_text(encoding="utf-8")
            passages = keys.count("\n") + 1 if keys else 0
        except OSError:
            pass
    return {
        "episodes": len(kept & episode_ids),
        "passages": passages,
        "model": model,
        "embeds_new": bool(settings(home).get("embed")),
    }


def publish(
    home: Home, episode_ids: list[str], model: str, dimension: int | None = None
) -> list[str]:
    """Gather the vectors of ``episode_ids`` made by ``model`` into a new search matrix
    and make it current. Damaged files are set aside, and so are vectors of another
    length than ``dimension`` (by default the current matrix's, else the most common):
    returns the ids whose vectors were set aside."""
    import numpy as np

    folder = folder_of(home)
    found: dict[str, Kept] = {}
    damaged: list[str] = []
    for episode_id in episode_ids:
        try:
            kept = _read(folder / f"{episode_id}.npz", episode_id)
        except FileNotFoundError:
            continue
        except DamagedVectors:
            damaged.append(episode_id)
            continue
        if kept.model == model:
            found[episode_id] = kept
    widths = [kept.vectors.shape[1] for kept in found.values()]
    dimension = dimension or _matrix_dimension(home, model)
    if dimension is None and widths:
        dimension = Counter(widths).most_common(1)[0][0]
    damaged += [i for i, kept in found.items() if kept.vectors.shape[1] != dimension]
    for episode_id in damaged:
        set_aside(home, episode_id)
        found.pop(episode_id, None)
    keys = [key for kept in found.values() for key in kept.keys]
    parts = [kept.vectors for kept in found.values()]
    numbers = [int(p.name[4:]) for p in folder.glob("set-*") if p.name[4:].isdigit()]
    target = folder / f"set-{max(numbers, default=0) + 1}"
    target.mkdir(parents=True)
    matrix = np.concatenate(parts) if parts else np.zeros((0, dimension or 1), dtype=np.float32)
    np.save(target / "matrix.npy", matrix)
    (target / "keys.txt").write_text("\n".join(keys), encoding="utf-8")
    (target / "model.txt").write_text(model, encoding="utf-8")
    temporary = folder / f".{CURRENT}.{os.getpid()}"
    temporary.write_text(target.name)
    os.replace(temporary, folder / CURRENT)
    for old in folder.glob("set-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return damaged


def _matrix_dimension(home: Home, model: str) -> int | None:
    """The length of the current matrix's vectors, when it was made by ``model``."""

    try:
        matrix = Matrix(home)
    except EmbeddingError:
        return None
    width = int(matrix.vectors.shape[1])
    return width if matrix.model == model and len(matrix.keys) and width else None


class Matrix:
    """The search matrix, memory-mapped: row ``n`` is the vector of passage ``keys[n]``."""

    def __init__(self, home: Home, set_name: str | None = None) -> None:
        import numpy as np

        try:
            self.set_name = set_name or current_set(home)
            current = folder_of(home) / self.set_name
            self.vectors = np.load(current / "matrix.npy", mmap_mode="r")
            listed = (current / "keys.txt").read_text(encoding="utf-8")
            self.keys = listed.split("\n") if listed else []
            self.model = (current / "model.txt").read_text(encoding="utf-8").strip()
        except (OSError, ValueError, EOFError) as error:
            raise EmbeddingError(
                f"the search matrix in {folder_of(home)} cannot be read "
                f"({type(error).__name__}): run `chaptersearch rebuild`"
            ) from None
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.keys):
            raise EmbeddingError(
                f"the search matrix in {folder_of(home)} is damaged ({len(self.keys)} keys "
                f"for {self.vectors.shape[0]} rows): run `chaptersearch rebuild`"
            )
        self.row_of = {key: row for row, key in enumerate(self.keys)}

    def similarities(self, query: Any) -> Any:
        """The cosine of every passage to the query vector (all vectors have unit length),
        always a number: a row damaged after it was gathered scores lowest."""
        import numpy as np

        if query.shape != (self.vectors.shape[1],):
            raise EmbeddingError(
                f"the passages were embedded as vectors of {self.vectors.shape[1]} numbers, "
                f"the model gives {query.shape[0]}: run `chaptersearch rebuild --embed`"
            )
        with np.errstate(all="ignore"):
            return np.nan_to_num(self.vectors @ query, nan=-1.0, posinf=1.0, neginf=-1.0)
