"""Ingest of a recorded podcast feed: ``chaptersearch add FEED_URL`` over 500 items.

    python -m benchmarks.feed_ingest [--items 500] [--corpus DIR]

The feed is written from the corpus's real transcripts (Python Bytes and Talk Python,
interleaved), one RSS item each with its ``<podcast:transcript>`` as WebVTT, and served
with ``responses`` in this process (no network), so the figure is chaptersearch's own
work: reading the feed, fetching and parsing each transcript, indexing. A second
``update`` then measures the conditional read that an unchanged feed costs.
"""

import argparse
import html
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from .corpus import DEFAULT_CORPUS, Source, sources

FEED = "https://bench.example/podcast/feed.xml"


def feed_of(chosen: list[Source]) -> tuple[str, dict[str, str]]:
    """The RSS text and the transcript pages, address to body."""
    pages: dict[str, str] = {}
    items = []
    first = datetime(2016, 1, 1, tzinfo=UTC)
    for number, source in enumerate(chosen):
        url = f"https://bench.example/transcripts/{number}.vtt"
        pages[url] = source.path.read_text(encoding="utf-8")
        title = html.escape(source.path.stem.replace("-", " ").replace("_", " "))
        items.append(
            f"<item><title>{title}</title><guid>bench-{number}</guid>"
            f"<link>https://bench.example/episodes/{number}</link>"
            f"<pubDate>{format_datetime(first + timedelta(days=number))}</pubDate>"
            f'<enclosure url="https://bench.example/audio/{number}.mp3" type="audio/mpeg" '
            f'length="1"/><description>{html.escape(source.channel)}</description>'
            f'<podcast:transcript url="{url}" type="text/vtt"/></item>'
        )
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>'
        "<title>Bench Show</title><link>https://bench.example/</link><language>en</language>"
        + "".join(reversed(items))
        + "</channel></rss>"
    )
    return rss, pages


def measure(corpus: Path, count: int, work: Path) -> dict[str, Any]:
    """Add a feed of ``count`` items to a fresh home, then update it once (304)."""
    import responses
    from typer.testing import CliRunner

    from chaptersearch.cli import app

    chosen = sources(corpus)[:count]
    rss, pages = feed_of(chosen)
    home = work / "feed-home"
    runner = CliRunner()

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        if request.headers.get("If-None-Match") == '"bench"':
            return 304, {}, ""
        return 200, {"ETag": '"bench"'}, rss

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, FEED, callback=answer, content_type="application/xml")
        for url, body in pages.items():
            mock.add(responses.GET, url, body=body, content_type="text/vtt")
        started, cpu = time.perf_counter(), time.process_time()
        added = runner.invoke(app, ["--home", str(home), "add", FEED])
        add_seconds = time.perf_counter() - started
        add_cpu = time.process_time() - cpu
        started = time.perf_counter()
        updated = runner.invoke(app, ["--home", str(home), "update"])
        update_seconds = time.perf_counter() - started
    if added.exit_code != 0 or updated.exit_code != 0:
        raise SystemExit(f"feed ingest failed: {added.stderr}{updated.stderr}")
    return {
        "items": len(chosen),
        "feed_mb": len(rss.encode()) / 1e6,
        "transcripts_mb": sum(len(body.encode()) for body in pages.values()) / 1e6,
        "add_seconds": add_seconds,
        "add_cpu": add_cpu,
        "update_seconds": update_seconds,
        "summary": added.stderr.strip().splitlines()[-1],
    }


def rows(result: dict[str, Any]) -> list[str]:
    return [
        "| items | feed | transcripts | `add FEED` | CPU | episodes/s | `update` (304) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['items']} | {result['feed_mb']:.2f} MB | {result['transcripts_mb']:.0f} MB | "
        f"{result['add_seconds']:.1f} s | {result['add_cpu']:.1f} s | "
        f"{result['items'] / result['add_seconds']:.1f} | "
        f"{result['update_seconds'] * 1000:.0f} ms |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chaptersearch-feed-") as folder:
        result = measure(args.corpus, args.items, Path(folder))
    print("\n".join(rows(result)))
    print(result["summary"], file=sys.stderr)


if __name__ == "__main__":
    main()
