"""Search at ten thousand episodes: the corpora copied ``--scale`` times.

    python -m benchmarks.scale build --work DIR [--scale 10]   # the two homes
    python -m benchmarks.scale measure --work DIR [--label L]   # their search figures
    python -m benchmarks.scale adds --work DIR [--label L]      # add, as a user runs it
    python -m benchmarks.scale ten --work DIR [--label L]       # ten into the large home
    python -m benchmarks.scale profile --work DIR [--label L]   # where the mix's time goes
    python -m benchmarks.scale report --work DIR                # the tables, in markdown

``build`` adds the corpora with the CLI, one command per show, into ``DIR/home-1``
(1,047 episodes), then makes ``DIR/home-N``: its index from the episodes and ``N - 1``
copies of each with ids of their own (``x02-<id>``…), as ``rebuild`` makes an index,
and its library from links to the small one's entries under those names. ``measure``
runs the same fixed mix on both homes in one process (show-notes headings, five-word
quotes, queries of common words) and the same passages through SQLite FTS5. ``adds``
times ``add`` as a user runs it: a folder of a copy of each show into the small home,
and ten episodes into the large one.

The copies say every phrase ``N`` times, which makes quotes and common words harder
than in a real library of that size: a quote has ``N`` equally good answers.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from chaptersearch.index.passages import passages_of
from chaptersearch.index.writer import build_index
from chaptersearch.library.store import Library
from chaptersearch.models import Episode

from .corpus import DEFAULT_CORPUS, SHOWS, Source, sources, topic_queries
from .engines import BenchQuery, ChapterSearch, Fts5, plain_query
from .measure import median_process_ms, percentile, run_process
from .quality import evaluate
from .queries import COMMON_WORD_QUERIES, TOKEN_ANY
from .quotes import chaptersearch_finder, sample_quotes
from .quotes import evaluate as evaluate_quotes

CLI = str(Path(sys.executable).with_name("chaptersearch"))


def copy_name(scale_index: int, source: Source) -> str:
    """A copy's file name: the prefix survives the cut of long ids to 80 characters."""
    return f"x{scale_index:02d}-{source.path.name}"


def make_copies(corpus: Path, folder: Path, scale: int) -> dict[str, Path]:
    """Hard links (else copies) of every transcript, ``scale - 1`` times, one folder per
    show; the folders by channel name."""
    folders: dict[str, Path] = {}
    chosen = sources(corpus)
    for show, channel in SHOWS.items():
        target = folder / show
        folders[channel] = target
        for scale_index in range(2, scale + 1):
            for source in (s for s in chosen if s.channel == channel):
                path = target / copy_name(scale_index, source)
                if path.exists():
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(source.path, path)
                except OSError:
                    shutil.copy2(source.path, path)
    return folders


def add_folder(home: Path, paths: Sequence[str], channel: str) -> dict[str, float]:
    """One ``chaptersearch add`` as a user runs it: its seconds and peak memory."""
    run = run_process([CLI, "--home", str(home), "add", *paths, "--channel", channel])
    if run.returncode != 0:
        raise SystemExit(f"add failed: {run.stderr[-2000:]}")
    return {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "peak_mb": run.peak_mb}


def library_words(home: Path, channel: str) -> int:
    """Words said in a home's episodes of one channel (read from the library files)."""
    words = 0
    for path in (home / "library").glob("*.json"):
        data = json.loads(path.read_bytes())
        if data.get("channel") == channel:
            words += sum(len(cue["text"].split()) for cue in data["cues"])
    return words


def copies(episodes: list[Episode], scale: int) -> Iterator[Episode]:
    """The episodes, then ``scale - 1`` copies of each with an id of its own."""
    for number in range(1, scale + 1):
        for episode in episodes:
            yield (
                episode
                if number == 1
                else episode.model_copy(update={"id": f"x{number:02d}-{episode.id}"})
            )


def link_library(small: Path, large: Path, scale: int) -> None:
    """The large home's library: the small one's entries, linked once under their own
    names and once per copy as ``x02-<id>.json``… (an entry's id is its file name), so
    ``add`` finds the library level with the index and leaves the copies alone."""
    folder = large / "library"
    folder.mkdir(parents=True, exist_ok=True)
    (large / ".chaptersearch-home").write_text("chaptersearch home\n", encoding="utf-8")
    for entry in (small / "library").glob("*.json"):
        for number in range(1, scale + 1):
            name = entry.name if number == 1 else f"x{number:02d}-{entry.name}"
            try:
                os.link(entry, folder / name)
            except OSError:
                shutil.copy2(entry, folder / name)


def build(work: Path, corpus: Path, scale: int, processes: int) -> dict[str, Any]:
    """Both homes (written to ``work/build.json``): the small one by the CLI, one ``add``
    per show as a user runs it; the large one's index made from the copies at once, as
    ``rebuild`` makes it (adding 9,423 episodes one ``add`` at a time took hours on two
    shared cores; ``add`` is measured on its own, see ``adds``)."""
    work.mkdir(parents=True, exist_ok=True)
    small, large = work / "home-1", work / f"home-{scale}"
    figures: dict[str, Any] = {"scale": scale}
    chosen = sources(corpus)
    if not (small / "whoosh").is_dir():
        runs = {}
        for channel in SHOWS.values():
            paths = [str(s.path) for s in chosen if s.channel == channel]
            runs[channel] = add_folder(small, paths, channel) | {"episodes": len(paths)}
        figures["small"] = runs
    episodes = [e for e in Library(small / "library").episodes() if isinstance(e, Episode)]
    shutil.rmtree(large, ignore_errors=True)
    link_library(small, large, scale)
    started = time.perf_counter()
    count, passages = build_index(large / "whoosh", copies(episodes, scale), processes=processes)
    figures["large"] = {
        "episodes": count,
        "passages": passages,
        "seconds": time.perf_counter() - started,
        "processes": processes,
    }
    (work / "build.json").write_text(json.dumps(figures, indent=1))
    return figures


HEADINGS = 300
QUOTES = 50
COMMON = 30


def fixed_mix(corpus: Path, episodes: list[Episode]) -> list[BenchQuery]:
    """The issue's mix: show-notes headings as typed, five-word quotes in quotes, and
    queries of common words (seeded: every run and home gets the same ones)."""
    headings = topic_queries(corpus, {e.id for e in episodes})
    chosen = random.Random(17).sample(headings, min(HEADINGS, len(headings)))
    mix = [BenchQuery(q.text, plain_query(q.text).words, kind="heading") for q in chosen]
    mix += [
        BenchQuery(f'"{q.text}"', tuple(q.text.split()), phrase=True, kind="quote")
        for q in sample_quotes(episodes, count=QUOTES, seed=17)
    ]
    for number in range(COMMON):
        text = COMMON_WORD_QUERIES[number % len(COMMON_WORD_QUERIES)]
        phrase = text.startswith('"')
        mix.append(BenchQuery(text, tuple(TOKEN_ANY.findall(text)), phrase, kind="common words"))
    return mix


def spread(times: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max, in milliseconds."""
    return {
        "p50": percentile(times, 0.5) * 1000,
        "p95": percentile(times, 0.95) * 1000,
        "p99": percentile(times, 0.99) * 1000,
        "max": max(times) * 1000,
    }


def timed(engine: Any, mix: list[BenchQuery]) -> dict[str, Any]:
    """Latency over the whole mix and by kind, and the slowest queries: wall time, and
    the CPU time of this process (what a query costs on a core of its own: the machine
    is shared, and its wall times swing with the others' load)."""
    engine.search(mix[0], 10)
    walls, cpus, hits = [], [], []
    for query in mix:
        wall, cpu = time.perf_counter(), time.process_time()
        hits.append(engine.search(query, 10))
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    figures: dict[str, Any] = {"hits": hits}
    for label, times in (("wall", walls), ("cpu", cpus)):
        figures[label] = {"all": spread(times)}
        for kind in dict.fromkeys(q.kind for q in mix):
            chosen = [t for t, q in zip(times, mix, strict=True) if q.kind == kind]
            figures[label][kind] = spread(chosen)
    slowest = sorted(zip(cpus, mix, strict=True), key=lambda pair: -pair[0])[:8]
    figures["slowest_cpu"] = [[q.text, round(t * 1000)] for t, q in slowest]
    return figures


def segments(home: Path) -> int:
    from chaptersearch.index.schema import open_index

    ix = open_index(home / "whoosh")
    try:
        with ix.searcher() as searcher:
            return len(searcher.reader().leaf_readers())
    finally:
        ix.close()


def process_cpu_ms(engine: ChapterSearch, queries: list[BenchQuery]) -> float:
    """Median CPU time (user and system) of ``chaptersearch search`` as a new process."""
    runs = [run_process(engine.process_command(q)) for q in queries]
    return statistics.median(run.cpu_seconds for run in runs) * 1000


def measure_home(
    home: Path,
    mix: list[BenchQuery],
    fts: Path,
    episodes: list[Episode],
    scale: int,
    extras: bool,
) -> dict[str, Any]:
    """One home: chaptersearch in process and as a new process, its index, and (with
    ``extras``) SQLite FTS5 over the same passages (the small home's episodes and their
    copies)."""
    engine = ChapterSearch(home)
    figures: dict[str, Any] = {"segments": segments(home), "index_bytes": engine.size()}
    figures["chaptersearch"] = timed(engine, mix)
    plain = [q for q in mix if q.kind == "heading"][:15]
    figures["new_process_ms"] = median_process_ms([engine.process_command(q) for q in plain])
    figures["new_process_cpu_ms"] = process_cpu_ms(engine, plain)
    figures["passages"] = scale * sum(len(passages_of(e)) for e in episodes)
    if extras:
        peer = Fts5(fts)
        started = time.perf_counter()
        peer.build(copies(episodes, scale))
        figures["fts5_build_seconds"] = time.perf_counter() - started
        figures["fts5_bytes"] = peer.size()
        figures["fts5"] = timed(peer, mix)
    return figures


def load_episodes(work: Path) -> list[Episode]:
    library = Library(work / "home-1" / "library")
    return [e for e in library.episodes() if isinstance(e, Episode)]


def measure(
    work: Path, corpus: Path, scale: int, label: str, homes: list[str], extras: bool
) -> dict[str, Any]:
    """The homes named (``small``, ``large``), and with ``extras`` SQLite FTS5 over the
    same passages and quality on the small home (each written to
    ``work/measure-LABEL-HOME.json``). Each query's hits (episode ids) are kept, so two
    versions' answers can be compared."""
    small, large = work / "home-1", work / f"home-{scale}"
    episodes = [e for e in Library(small / "library").episodes() if isinstance(e, Episode)]
    mix = fixed_mix(corpus, episodes)
    figures: dict[str, Any] = {}
    for name in homes:
        home, times = (small, 1) if name == "small" else (large, scale)
        result = measure_home(home, mix, work / f"fts5-{name}.db", episodes, times, extras)
        if extras and name == "small":
            engine = ChapterSearch(small)
            queries = topic_queries(corpus, {e.id for e in episodes})
            held = [q for q in queries if q.held_out]
            result["mrr_held_out"] = evaluate(lambda q, e=engine: e.search(q, 30), held).mrr
            found = evaluate_quotes(chaptersearch_finder(small / "whoosh"), sample_quotes(episodes))
            result["quotes"] = [found.first, found.top10, found.first_with_video]
        (work / f"measure-{label}-{name}.json").write_text(json.dumps(result, indent=1))
        figures[name] = result
        print(f"{label} {name} done", file=sys.stderr, flush=True)
    return figures


def adds(work: Path, corpus: Path, scale: int, label: str) -> dict[str, Any]:
    """``add`` as a user runs it (written to ``work/adds-LABEL.json``): a folder of one
    copy of each show into a copy of the small home: throughput and peak memory."""
    small = work / "home-1"
    folders = make_copies(corpus, work / "copies", 2)
    figures: dict[str, Any] = {"label": label}
    home = work / f"add-home-{label}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(small, home)
    words = {channel: library_words(small, channel) for channel in SHOWS.values()}
    for channel, folder in folders.items():
        run = add_folder(home, [str(folder)], channel)
        run |= {"episodes": sum(1 for _ in folder.glob("*.vtt")), "words": words[channel]}
        run["words_per_second"] = run["words"] / run["seconds"]
        run["words_per_cpu_second"] = run["words"] / run["cpu_seconds"]
        figures[channel] = run
    shutil.rmtree(home, ignore_errors=True)
    (work / f"adds-{label}.json").write_text(json.dumps(figures, indent=1))
    return figures


def ten(work: Path, corpus: Path, scale: int, label: str, into: str) -> dict[str, Any]:
    """Ten episodes added to a copy of a home (``into``: small or large): seconds, what
    it merges included (written to ``work/ten-LABEL.json``)."""
    large = work / ("home-1" if into == "small" else f"home-{scale}")
    home = work / f"ten-home-{label}"
    folders = make_copies(corpus, work / "copies", 2)
    folder = work / f"ten-{label}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for path in sorted(folders["Python Bytes"].glob("*.vtt"))[:10]:
        os.link(path, folder / f"x99-{path.name}")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(large, home)
    figures: dict[str, Any] = {"label": label, "into": into, "segments_before": segments(home)}
    figures |= add_folder(home, [str(folder)], "Python Bytes")
    figures["segments_after"] = segments(home)
    shutil.rmtree(home, ignore_errors=True)
    (work / f"ten-{label}.json").write_text(json.dumps(figures, indent=1))
    return figures


def profile(work: Path, corpus: Path, scale: int, label: str, homes: list[str]) -> str:
    """cProfile of the mix on each home named, by kind of query: the functions that take
    the most time, with and without what they call (written to
    ``work/profile-LABEL-HOME.txt``)."""
    import cProfile
    import io
    import pstats

    from chaptersearch.search import engine as search_engine

    search_engine.SEARCH_SECONDS = 600.0  # the profiler slows a search several times
    mix = fixed_mix(corpus, load_episodes(work))
    out = []
    for name in homes:
        engine = ChapterSearch(work / ("home-1" if name == "small" else f"home-{scale}"))
        engine.search(mix[0], 10)
        lines = [f"# {label}, {name} home"]
        for kind in dict.fromkeys(q.kind for q in mix):
            chosen = [q for q in mix if q.kind == kind]
            profiler = cProfile.Profile()
            started = time.process_time()
            profiler.enable()
            for query in chosen:
                engine.search(query, 10)
            profiler.disable()
            cpu = time.process_time() - started
            lines.append(f"## {kind}: {len(chosen)} queries, {cpu:.1f} s CPU under the profiler")
            for order, count in (("cumulative", 30), ("tottime", 15)):
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(count)
                lines += [line for line in text.getvalue().splitlines() if line.strip()][3:]
        report = "\n".join(lines)
        (work / f"profile-{label}-{name}.txt").write_text(report)
        out.append(report)
    return "\n".join(out)


def _read(work: Path, name: str) -> dict[str, Any]:
    path = work / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def report(work: Path, scale: int) -> list[str]:
    """Markdown tables of the figures ``build``, ``measure``, ``adds`` and ``ten`` wrote
    (labels ``before`` and ``after``)."""
    built = _read(work, "build")
    runs = {
        label: {name: _read(work, f"measure-{label}-{name}") for name in ("small", "large")}
        for label in ("before", "after")
    }
    lines = [
        "| code | home | kind | p50 | p95 | p99 | max | p50 CPU | p95 CPU | p99 CPU | max CPU |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, figures in runs.items():
        for name in ("small", "large"):
            home = figures.get(name)
            if not home:
                continue
            episodes = f"{home['passages']:,} passages"
            for kind, wall in home["chaptersearch"]["wall"].items():
                cpu = home["chaptersearch"]["cpu"][kind]
                lines.append(
                    f"| {label} | {episodes} | {kind} | "
                    + " | ".join(_ms(wall[p]) for p in ("p50", "p95", "p99", "max"))
                    + " | "
                    + " | ".join(_ms(cpu[p]) for p in ("p50", "p95", "p99", "max"))
                    + " |"
                )
    lines += [
        "",
        "| code | home | segments | index | new process (median) | FTS5 p50 / p95 CPU "
        "| ratio p50 / p95 (CPU) | FTS5 index |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, figures in runs.items():
        for name in ("small", "large"):
            home = figures.get(name)
            if not home:
                continue
            peer_cells = " | | "
            if "fts5" in home:
                ours, peer = home["chaptersearch"]["cpu"]["all"], home["fts5"]["cpu"]["all"]
                peer_cells = (
                    f"{_ms(peer['p50'])} / {_ms(peer['p95'])} | "
                    f"{ours['p50'] / max(peer['p50'], 1e-3):.2f} / "
                    f"{ours['p95'] / max(peer['p95'], 1e-3):.2f} | "
                    f"{home['fts5_bytes'] / 1e6:,.0f} MB"
                )
            lines.append(
                f"| {label} | {home['passages']:,} passages | {home['segments']} | "
                f"{home['index_bytes'] / 1e6:,.0f} MB | {home['new_process_ms']:.0f} ms "
                f"({home.get('new_process_cpu_ms', float('nan')):.0f} ms CPU) | {peer_cells} |"
            )
    lines += ["", "| code | quality and quotes (small home) | figure |", "|---|---|---:|"]
    for label, homes in runs.items():
        figures = homes.get("small", {})
        if "mrr_held_out" in figures:
            first, top10, pinned = figures["quotes"]
            lines.append(f"| {label} | MRR@10, held-out third | {figures['mrr_held_out']:.3f} |")
            lines.append(
                f"| {label} | quotes: hit 1 at the second / top 10 / with `video:` | "
                f"{first:.1%} / {top10:.1%} / {pinned:.1%} |"
            )
    lines += [
        "",
        "| code | add | episodes | words | seconds | CPU seconds | words/s | words/CPU s "
        "| peak memory |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in ("before", "after"):
        for channel, run in _read(work, f"adds-{label}").items():
            if not isinstance(run, dict):
                continue
            lines.append(
                f"| {label} | a folder of {channel} copies | {run['episodes']:,} | "
                f"{run['words']:,} | {run['seconds']:.0f} | {run['cpu_seconds']:.0f} | "
                f"{run['words_per_second']:,.0f} | {run['words_per_cpu_second']:,.0f} | "
                f"{run['peak_mb']:.0f} MB |"
            )
        run = _read(work, f"ten-{label}")
        if run:
            lines.append(
                f"| {label} | 10 episodes into the {run.get('into', 'large')} home (segments "
                f"{run['segments_before']} → {run['segments_after']}) | 10 | | "
                f"{run['seconds']:.1f} | {run['cpu_seconds']:.1f} | | | {run['peak_mb']:.0f} MB |"
            )
    if built.get("large"):
        large = built["large"]
        lines += [
            "",
            f"The {scale}x index ({large['episodes']:,} episodes, {large['passages']:,} "
            f"passages) was made in {large['seconds']:.0f} s with {large['processes']} "
            "processes, as `rebuild` makes one.",
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "step", choices=["build", "measure", "process", "adds", "ten", "report", "profile"]
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--label", default="this", help="names the figures' file")
    parser.add_argument("--homes", default="small,large", help="which homes to measure")
    parser.add_argument("--extras", action="store_true", help="FTS5 and quality too")
    parser.add_argument("--processes", type=int, default=2, help="for the large index")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}: pass --corpus DIR")
    started = time.perf_counter()
    if args.step == "build":
        print(json.dumps(build(args.work, args.corpus, args.scale, args.processes), indent=1))
    elif args.step == "measure":
        homes = args.homes.split(",")
        measure(args.work, args.corpus, args.scale, args.label, homes, args.extras)
    elif args.step == "process":  # new-process CPU time alone, added to a measure's file
        for name in args.homes.split(","):
            path = args.work / f"measure-{args.label}-{name}.json"
            figures = json.loads(path.read_text())
            home = args.work / ("home-1" if name == "small" else f"home-{args.scale}")
            mix = [
                q for q in fixed_mix(args.corpus, load_episodes(args.work)) if q.kind == "heading"
            ]
            figures["new_process_cpu_ms"] = process_cpu_ms(ChapterSearch(home), mix[:15])
            path.write_text(json.dumps(figures, indent=1))
    elif args.step == "profile":
        profile(args.work, args.corpus, args.scale, args.label, args.homes.split(","))
    elif args.step == "report":
        print("\n".join(report(args.work, args.scale)))
    elif args.step == "adds":
        print(json.dumps(adds(args.work, args.corpus, args.scale, args.label), indent=1))
    else:
        into = args.homes.split(",")[-1]
        print(json.dumps(ten(args.work, args.corpus, args.scale, args.label, into), indent=1))
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
