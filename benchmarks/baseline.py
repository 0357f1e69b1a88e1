"""Measure another checkout's chaptersearch on the same library and queries, in the same
run: what "today's" index time, size and query speed are, on this machine, now.

    python -m benchmarks.run --baseline PATH   # PATH: a checkout of an earlier commit

``run`` starts this file as a script with that checkout's ``src`` first on the path, so
it uses only what every version has: ``Library``, ``build_index`` and ``search``.
"""

import contextlib
import json
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    library_folder, work, queries_file = (Path(arg) for arg in sys.argv[1:4])
    from chaptersearch.index.writer import build_index
    from chaptersearch.library.store import Library
    from chaptersearch.models import Episode
    from chaptersearch.search.engine import SearchRequest, search

    episodes = [e for e in Library(library_folder).episodes() if isinstance(e, Episode)]
    shutil.rmtree(work, ignore_errors=True)
    folder = work / "whoosh"
    started = time.perf_counter()
    build_index(folder, episodes)
    built = time.perf_counter() - started
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    times = []
    for number, query in enumerate([queries[0], *queries]):
        request = SearchRequest(
            query["text"], limit=10, video=query.get("video"), channel=query.get("channel")
        )
        started = time.perf_counter()
        with contextlib.suppress(Exception):  # an old version may refuse a newer query
            search(folder, request)
        if number:  # the first is a warm-up
            times.append(time.perf_counter() - started)
    print(json.dumps({"build_seconds": built, "index_bytes": size, "latencies": times}))


if __name__ == "__main__":
    main()
