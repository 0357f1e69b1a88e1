"""The local page under load: ``chaptersearch serve`` on the benchmark's home, searched
one request at a time (latency), then by 50 clients at once (errors and latency).
Bounded: a fixed number of requests, over loopback."""

import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .engines import BenchQuery
from .measure import percentile

CLIENTS = 50
PER_CLIENT = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def measure(cli: str, home: Path, queries: list[BenchQuery]) -> list[str]:
    port = _free_port()
    server = subprocess.Popen(
        [cli, "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("serve did not start") from None
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        words = [q for q in queries if q.kind in ("one word", "two words", "three words")]
        urls = [f"{base}/api/search?{urllib.parse.urlencode({'q': q.text})}" for q in words]
        pages = [f"{base}/?{urllib.parse.urlencode({'q': q.text})}" for q in words]
        _get(urls[0])
        api = [_get(url)[1] for url in urls[:100]]
        html = [_get(url)[1] for url in pages[:100]]
        load_urls = [urls[i % len(urls)] for i in range(CLIENTS * PER_CLIENT)]

        def client(number: int) -> list[tuple[int, float]]:
            return [_get(url) for url in load_urls[number * PER_CLIENT : (number + 1) * PER_CLIENT]]

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [item for batch in pool.map(client, range(CLIENTS)) for item in batch]
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(status != 200 for status, _ in results)
    under_load = [seconds for _, seconds in results]
    return [
        "| measure | figure |",
        "|---|---:|",
        f"| `/api/search`, one client, median of {len(api)} | "
        f"{statistics.median(api) * 1000:.1f} ms |",
        f"| search page (`/?q=`, HTML), one client, median of {len(html)} | "
        f"{statistics.median(html) * 1000:.1f} ms |",
        f"| {CLIENTS} clients at once, {len(results)} requests | {errors} errors, "
        f"{len(results) / wall:.0f} requests/s |",
        f"| latency under that load, p50 / p95 | {percentile(under_load, 0.5) * 1000:.0f} ms / "
        f"{percentile(under_load, 0.95) * 1000:.0f} ms |",
    ]


if __name__ == "__main__":  # python -m benchmarks.web_load HOME
    from chaptersearch.library.store import Library
    from chaptersearch.models import Episode

    from .queries import query_mix

    home = Path(sys.argv[1])
    episodes = [e for e in Library(home / "library").episodes() if isinstance(e, Episode)]
    cli = str(Path(sys.executable).with_name("chaptersearch"))
    print("\n".join(measure(cli, home, query_mix(episodes[:100], total=300))))
