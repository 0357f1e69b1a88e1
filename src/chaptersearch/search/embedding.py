"""Text into vectors of meaning, with a small model run locally: no cloud, no PyTorch.

ONNX Runtime runs the model and Hugging Face's ``tokenizers`` cuts the text, both small
well-kept wheels (the ``semantic`` extra); PyTorch from PyPI would
install gigabytes of CUDA libraries to do the same. A model folder holds ``model.onnx``
and ``tokenizer.json``. The default, all-MiniLM-L6-v2 (Apache-2.0, 384 dimensions,
mean-pooled, made for English retrieval), is fetched once from Hugging Face into the
user cache, or made there offline by ``chaptersearch model make`` (``model_making``);
``--model PATH`` (or ``$CHAPTERSEARCH_MODEL``) uses a folder of your own.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ChapterSearchError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
ENV_MODEL = "CHAPTERSEARCH_MODEL"
MODEL_FILES = {
    "model.onnx": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/onnx/model.onnx",
    "tokenizer.json": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/tokenizer.json",
}
NAME_FILE = "name.txt"
"""A model folder may name its model (one line); otherwise the folder's name does. The
default folder made from the model packages is named all-MiniLM-L6-v2-int8 this way:
its vectors are not quite the fetched model's, and must never pass for them."""
MAX_TOKENS = 128
"""Word pieces embedded per passage: the length all-MiniLM-L6-v2 was trained on, about
the first half of a minute's speech. 256 (the model's limit) took 2.2 times as long on
two cores (11.6 against 25.5 passages a second)."""
BATCH = 16


class EmbeddingError(ChapterSearchError):
    """Meaning search cannot run: the extra is not installed, or there is no model."""


def semantic_installed() -> bool:
    """Whether the optional runtime is importable (without importing it)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("onnxruntime", "tokenizers", "numpy"))


def require_semantic() -> None:
    if not semantic_installed():
        from ..output.install_hints import install_hint

        raise EmbeddingError(
            f"search by meaning needs the semantic extra; {install_hint('semantic')}"
        )


def cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("chaptersearch", appauthor=False)) / "models" / DEFAULT_MODEL


def complete(folder: Path) -> bool:
    """Whether ``folder`` holds a model: ``model.onnx`` and ``tokenizer.json``."""
    return all((folder / name).is_file() for name in MODEL_FILES)


def model_name(folder: Path) -> str:
    """The name a model's vectors are kept under: its ``name.txt``, else its folder's."""
    try:
        named = (folder / NAME_FILE).read_text(encoding="utf-8").strip().splitlines()
    except (OSError, ValueError):
        named = []
    return " ".join(named[0].split())[:100] if named and named[0].strip() else folder.name


def default_folder() -> Path:
    """Where the model is looked for when no ``--model`` is given:
    ``$CHAPTERSEARCH_MODEL``, else the default's folder in the user cache. This is where
    ``chaptersearch model make`` writes it."""
    chosen = os.environ.get(ENV_MODEL)
    return Path(chosen).expanduser() if chosen else cache_folder()


def model_folder(option: str | Path | None = None) -> Path:
    """The model to use: ``option``, else ``$CHAPTERSEARCH_MODEL``, else the default in
    the user cache, fetched on first use. A clear error when none can be had."""
    chosen = option or os.environ.get(ENV_MODEL)
    if chosen:
        folder = Path(chosen).expanduser()
        if not complete(folder):
            raise EmbeddingError(
                f"{folder}: not a model folder; it needs model.onnx and tokenizer.json"
            )
        return folder
    folder = cache_folder()
    if not complete(folder):
        fetch_default_model(folder)
    return folder


def fetch_default_model(folder: Path) -> None:
    """Download the default model's files into ``folder``; an EmbeddingError that says
    how else to have it when that fails."""
    try:
        download_default_model(folder)
    except (OSError, TimeoutError) as error:  # URLError is an OSError
        reason = getattr(error, "reason", None) or error
        from ..output.install_hints import make_model_hint

        raise EmbeddingError(
            f"the embedding model {DEFAULT_MODEL} is not in {folder} and could not be "
            f"fetched ({reason}); connect once, {make_model_hint()}, or give a model "
            "folder (model.onnx and tokenizer.json) with --model PATH"
        ) from None


def download_default_model(folder: Path) -> None:
    """Download the default model's files into ``folder`` (each written aside and
    renamed, so an interrupted download leaves nothing half written); OSError or
    TimeoutError when that fails."""
    import urllib.request

    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME_FILE).unlink(missing_ok=True)  # these files are the default's own
    for name, url in MODEL_FILES.items():
        target = folder / name
        if target.is_file():
            continue
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream, urllib.request.urlopen(url, timeout=30) as got:
                shutil.copyfileobj(got, stream)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class Embedder:
    """One loaded model: texts in, unit-length float32 vectors out."""

    def __init__(self, folder: Path, bulk: bool = True) -> None:
        """``bulk`` for embedding many passages; otherwise the model loads without graph
        optimisation, ten times sooner (30 ms against 360), which one short query
        repays: a search is a new process each time."""
        require_semantic()
        import onnxruntime
        from tokenizers import Tokenizer

        self.folder = folder
        self.name = model_name(folder)
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
            options.log_severity_level = 3
            if not bulk:
                options.graph_optimization_level = (
                    onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
                )
            self.session = onnxruntime.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # a damaged or foreign file: say which folder
            raise EmbeddingError(
                f"{folder}: the model could not be loaded ({type(error).__name__}: "
                f"{str(error)[:200]})"
            ) from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.inputs = {node.name for node in self.session.get_inputs()}

    def embed(self, texts: list[str]) -> Any:
        """Mean-pooled, L2-normalised vectors (as sentence-transformers makes them)."""
        import numpy as np

        encoded_all = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encoded_all[index].ids))
        parts = []
        for first in range(0, len(texts), BATCH):
            # similar lengths together: each batch is padded to its longest text
            encoded = [encoded_all[index] for index in order[first : first + BATCH]]
            width = max(len(item.ids) for item in encoded)
            for item in encoded:
                item.pad(width)
            ids = np.array([item.ids for item in encoded], dtype=np.int64)
            mask = np.array([item.attention_mask for item in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            parts.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12))
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(parts)
        return vectors


class Guarded:
    """An embedder whose failure while embedding (an error of ONNX Runtime's own, a lack
    of memory) is one EmbeddingError naming the model, kept in ``failure`` for the
    command to report. A writer given it stops embedding there and still writes the
    words (``operations.HomeWriter.store``): ``add`` uses it."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.name: str = embedder.name
        self.folder: Path = embedder.folder
        self.failure: str | None = None

    def embed(self, texts: list[str]) -> Any:
        if self.failure is not None:  # failed once: never tried again (it is slow)
            raise EmbeddingError(self.failure)
        try:
            return self.embedder.embed(texts)
        except EmbeddingError as error:
            self.failure = str(error)
            raise
        except Exception as error:
            self.failure = (
                f"{self.folder}: the model failed ({type(error).__name__}: {str(error)[:200]})"
            )
            raise EmbeddingError(self.failure) from None
