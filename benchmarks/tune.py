"""Try one ranking configuration on the tuning queries only (the held-out third is
never looked at here): build an index from a library, then report MRR@10 on the tuning
set and query latency on part of the speed mix.

    python -m benchmarks.tune --library HOME/library --work DIR [--set NAME=VALUE ...]

``--set`` overrides a module constant for this run, e.g.
``--set chaptersearch.index.passages.TARGET_SECONDS=60`` or
``--set chaptersearch.search.engine.ALL_WORDS_BONUS=0.5``.
"""

import argparse
import ast
import importlib
import time
from pathlib import Path

from chaptersearch.library.store import Library
from chaptersearch.models import Episode

from .corpus import DEFAULT_CORPUS, topic_queries
from .engines import ChapterSearch
from .measure import latencies, percentile
from .quality import evaluate
from .queries import query_mix


def apply(setting: str) -> None:
    target, value = setting.split("=", 1)
    module_name, name = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value
    current = getattr(module, name)
    if isinstance(current, dict) and isinstance(parsed, dict):
        current.update(parsed)  # other modules hold the same dict
    else:
        setattr(module, name, parsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--set", action="append", default=[], dest="settings")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--speed", type=int, default=250, help="speed-mix queries to time")
    args = parser.parse_args()
    for setting in args.settings:
        apply(setting)
    episodes = [e for e in Library(args.library).episodes() if isinstance(e, Episode)]
    engine = ChapterSearch(args.work)
    if not args.no_build:
        started = time.perf_counter()
        passages = engine.build(episodes)
        print(f"built {passages} passages in {time.perf_counter() - started:.0f} s")
    queries = [q for q in topic_queries(args.corpus, {e.id for e in episodes}) if not q.held_out]
    started = time.perf_counter()
    quality = evaluate(lambda q: engine.search(q, 30), queries)
    print(
        f"tuning set {quality.queries}: MRR@10 {quality.mrr:.3f} R@1 {quality.recall_1:.3f} "
        f"R@10 {quality.recall_10:.3f} ({time.perf_counter() - started:.0f} s)"
    )
    mix = query_mix(episodes, total=1000)[:: max(1, 1000 // args.speed)]
    times = latencies(lambda q: engine.search(q, 10), mix)
    print(
        f"speed {len(mix)} queries: p50 {percentile(times, 0.5) * 1000:.1f} ms "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
