"""Text into vectors of meaning, with a small model run locally: no cloud, no PyTorch.

ONNX Runtime runs the model and Hugging Face's ``tokenizers`` cuts the text, both small
well-kept wheels (the ``semantic`` extra); PyTorch from PyPI would
install gigabytes of CUDA libraries to do the same. A model folder holds ``model.onnx``
and ``tokenizer.json``. The default, all-MiniLM-L6-v2 (Apache-2.0, 384 dimensions,
mean-pooled, made for English retrieval), is fetched once from Hugging Face into the
user cache; ``--model PATH`` (or ``$CHAPTERSEARCH_MODEL``) uses a folder of your own.
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


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MODEL_FILES)


def model_folder(option: str | Path | None = None) -> Path:
    """The model to use: ``option``, else ``$CHAPTERSEARCH_MODEL``, else the default in
    the user cache, fetched on first use. A clear error when none can be had."""
    chosen = option or os.environ.get(ENV_MODEL)
    if chosen:
        folder = Path(chosen).expanduser()
        if not _complete(folder):
            raise EmbeddingError(
                f"{folder}: not a model folder; it needs model.onnx and tokenizer.json"
            )
        return folder
    folder = cache_folder()
    if not _complete(folder):
        fetch_default_model(folder)
    return folder


def fetch_default_model(folder: Path) -> None:
    """Download the default model's files into ``folder`` (each written aside and
    renamed, so an interrupted download leaves nothing half written)."""
    import urllib.error
    import urllib.request

    folder.mkdir(parents=True, exist_ok=True)
    for name, url in MODEL_FILES.items():
        target = folder / name
        if target.is_file():
            continue
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream, urllib.request.urlopen(url, timeout=30) as got:
                shutil.copyfileobj(got, stream)
            os.replace(temporary, target)
        except (OSError, TimeoutError) as error:  # URLError is an OSError
            Path(temporary).unlink(missing_ok=True)
            reason = getattr(error, "reason", None) or error
            from ..output.install_hints import make_model_hint

            make = make_model_hint(folder.parent)
            raise EmbeddingError(
                f"the embedding model {DEFAULT_MODEL} is not in {folder} and could not be "
                f"fetched ({reason}); connect once, or give a model folder (model.onnx and "
                "tokenizer.json) with --model PATH" + (f"; {make}" if make else "")
            ) from None


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
        self.name = folder.name
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
