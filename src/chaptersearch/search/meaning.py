"""Search by meaning: the query's vector against every passage's, and the mix of that
with the words' ranking.

Imported only when a search uses meaning (the home has passage vectors and the
semantic extra is installed, or ``--mode meaning|hybrid`` asks for it), so a words-only
search never pays for numpy or the model; a hybrid search loads them only when its
words do not answer well (``engine.answered``).
"""

from pathlib import Path
from typing import Any

from ..library.home import Home
from . import embedding
from .embedding import EmbeddingError
from .vectors import Matrix, current_set, has_any, remembered_model

FUSION = "linear"
"""How the two rankings are mixed: "linear" (the words' scores divided by the best, the
cosines scaled min-max, weighed by ``MEANING_SHARE``) or "rrf" (reciprocal-rank fusion:
each passage scores ``share / (RRF_K + rank)`` by each ranking). Chosen on the tuning
parts of the topic benchmark and of the show-notes queries (docs/benchmarks.md): six
fusions were within 0.012 MRR@10 on topics, then linear at 0.2 / 0.3 / 0.4 gave 0.414 /
0.418 / 0.418 there and 0.852 / 0.855 / 0.858 on show notes. Below 0.5, a passage that
says a rare word of the query always stays above passages that only resemble it (at 0.5
they tie)."""
MEANING_SHARE = 0.4
RRF_K = 60


def available(home: Home) -> bool:
    return has_any(home) and embedding.semantic_installed()


class Meaning:
    """A query's vector and the home's passage matrix, ready to score passages."""

    def __init__(self, home: Home, text: str, model: str | None) -> None:
        embedding.require_semantic()
        if not has_any(home):
            raise EmbeddingError(
                f"the home {home.root} has no passage vectors yet: run "
                "`chaptersearch rebuild --embed` (or add episodes with --embed)"
            )
        embedding.one_thread_unless_asked()  # before numpy loads OpenBLAS
        import numpy as np

        self.matrix = _matrix(home)
        folder = embedding.model_folder(model) if model else remembered_model(home)
        embedder = _embedder(folder)
        if embedder.name != self.matrix.model:
            raise EmbeddingError(
                f"the passages were embedded with {self.matrix.model}, not {embedder.name}: "
                "give that model with --model, or run `chaptersearch rebuild --embed`"
            )
        # a model that fails (ONNX Runtime's own errors) is the model's fault, said as
        # such: not taken for an unreadable index
        self.query = embedding.Guarded(embedder).query(text)
        self.cosines = self.matrix.similarities(self.query)
        self._np = np

    def best(self, count: int) -> list[tuple[str, float]]:
        """The ``count`` passages nearest in meaning, as (key, cosine), best first."""
        np = self._np
        total = len(self.matrix.keys)
        if not total:
            return []
        count = min(count, total)
        rows = np.argpartition(-self.cosines, count - 1)[:count]
        rows = rows[np.argsort(-self.cosines[rows])]
        return [(self.matrix.keys[row], float(self.cosines[row])) for row in rows]

    def cosine(self, key: str) -> float | None:
        row = self.matrix.row_of.get(key)
        return None if row is None else float(self.cosines[row])


_LOADED: dict[tuple[str, ...], Any] = {}
"""Models and matrices already loaded in this process (the web page's, a benchmark's):
loading cost more than the search itself. A matrix is keyed by the set it came from,
so a rebuild's new one is loaded afresh."""


def _embedder(folder: Path) -> Any:
    key = ("model", str(folder))
    if key not in _LOADED:
        _LOADED[key] = embedding.Embedder(folder, bulk=False)
    return _LOADED[key]


def _matrix(home: Home) -> Matrix:
    current = current_set(home)
    key = ("matrix", str(home.root), current)
    if key not in _LOADED:
        for old in [k for k in _LOADED if k[:2] == ("matrix", str(home.root))]:
            del _LOADED[old]
        _LOADED[key] = Matrix(home, current)
    matrix: Matrix = _LOADED[key]
    return matrix


def mix(words: dict[Any, float], meaning: dict[Any, float]) -> dict[Any, float]:
    """One score per passage either ranking found. ``words`` maps passages to the words'
    scores, best first; ``meaning`` maps them to their cosines."""
    if FUSION == "linear":
        return _linear(words, meaning)
    by_meaning = sorted(meaning, key=lambda key: -meaning[key])
    mixed = dict.fromkeys(words.keys() | meaning.keys(), 0.0)
    for share, order in ((1 - MEANING_SHARE, list(words)), (MEANING_SHARE, by_meaning)):
        for rank, key in enumerate(order, start=1):
            mixed[key] += share / (RRF_K + rank)
    return mixed


def _linear(words: dict[Any, float], meaning: dict[Any, float]) -> dict[Any, float]:
    """Both rankings scaled to [0, 1], mixed linearly. The words' scores are divided by
    the best one, so every passage that says the words keeps a share (min-max gave the
    weakest, or the only, passage that says a rare name nothing, and passages near in
    meaning went above it); the cosines are scaled min-max over the passages either
    found, a passage the words found but with no vector counting as the lowest."""
    high = max(words.values(), default=0.0) or 1.0
    by_words = {key: value / high for key, value in words.items()}
    low, top = min(meaning.values(), default=0.0), max(meaning.values(), default=0.0)
    span = (top - low) or 1.0
    by_meaning = {key: (value - low) / span for key, value in meaning.items()}
    return {
        key: (1 - MEANING_SHARE) * by_words.get(key, 0.0) + MEANING_SHARE * by_meaning.get(key, 0.0)
        for key in words.keys() | meaning.keys()
    }


def home_of(index_folder: Path) -> Home:
    return Home(index_folder.parent)
