"""The topic benchmark: find the moment a chapter was about, from the title a person gave
it, in episodes added without their chapters.

The 203 Changelog episodes in ``../shared/corpora/changelog`` carry the chapters their
shows published. They are added as bare transcripts (``build``), so chaptersearch cuts
chapters of its own from the talk and the published ones are only the answers. Every
published title of three words or more that is not boilerplate (a show's recurring
segment such as "It's party time, y'all", or intro, outro, sponsor...) is a query; a hit
is right when it is that episode and its second falls inside that chapter, 30 s either
side. A third of the episodes (by a hash of their id) is held out of all tuning.

Compared in one run: chaptersearch by words, by meaning and hybrid, and SQLite FTS5 and
tantivy over two-minute windows of captions every minute (the peers' best setting).

    python -m benchmarks.topics build --work /work/topics     # words home, then vectors
    python -m benchmarks.topics measure --work /work/topics   # the table
"""

import argparse
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaptersearch.library.store import safe_id
from chaptersearch.models import Episode

from .corpus import DEFAULT_CORPUS

CHANGELOG = DEFAULT_CORPUS / "changelog"
SHOWS = {
    "jsparty": "JS Party",
    "shipit": "Ship It!",
    "brainscience": "Brain Science",
    "founderstalk": "Founders Talk",
}
SLACK = 30.0
"""A hit this close to a chapter (before its start or after its end) still finds it."""
DEPTH = 10
BOILERPLATE = re.compile(
    r"\b(intro|outro|sponsor|sponsors|opener|closer|closing|wrap|wrapping|goodbye|"
    r"welcome|next up)\b",
    re.IGNORECASE,
)
RECURRING = 3
"""A title given in this many episodes or more is a show's segment, not a topic."""
WINDOW_SECONDS = 120.0
WINDOW_HOP = 60.0
WORD = re.compile(r"\w+")

Moment = tuple[str, float]
"""A hit as the benchmark reads it: episode id and second."""


@dataclass(frozen=True)
class ChapterQuery:
    text: str
    episode_id: str
    start: float
    end: float
    held_out: bool

    def found_by(self, moment: Moment) -> bool:
        episode, second = moment
        return episode == self.episode_id and self.start - SLACK <= second <= self.end + SLACK


def episode_id(show: str, number: str) -> str:
    return safe_id(f"{show}-{number}")


def held_out(episode: str) -> bool:
    """A third of the episodes, the same in every run."""
    return int(hashlib.sha1(episode.encode()).hexdigest(), 16) % 3 == 0


def _normal(title: str) -> str:
    return " ".join(WORD.findall(title.lower()))


def queries(
    corpus: Path = CHANGELOG, durations: dict[str, float] | None = None
) -> list[ChapterQuery]:
    """Every topic title with its chapter's span (the last chapter ends with the episode,
    or an hour after its start when the duration is not given)."""
    published: list[tuple[str, list[dict[str, Any]]]] = []
    for show in SHOWS:
        for path in sorted((corpus / show).glob("*.chapters.json")):
            number = path.name.removesuffix(".chapters.json")
            chapters = json.loads(path.read_text(encoding="utf-8")).get("chapters", [])
            chapters = sorted(
                (c for c in chapters if isinstance(c.get("startTime"), int | float)),
                key=lambda c: float(c["startTime"]),
            )
            published.append((episode_id(show, number), chapters))
    counts: Counter[str] = Counter()
    for _, chapters in published:
        counts.update({_normal(str(c.get("title", ""))) for c in chapters})
    found: list[ChapterQuery] = []
    for episode, chapters in published:
        for index, chapter in enumerate(chapters):
            title = " ".join(str(chapter.get("title", "")).split())
            start = float(chapter["startTime"])
            if index + 1 < len(chapters):
                end = float(chapters[index + 1]["startTime"])
            else:
                end = (durations or {}).get(episode, start + 3600.0)
            if (
                len([word for word in WORD.findall(title) if len(word) > 1]) < 3
                or BOILERPLATE.search(title)
                or counts[_normal(title)] >= RECURRING
            ):
                continue
            # as words: a title such as "Video: ..." would be read as a filter
            text = " ".join(WORD.findall(title))
            found.append(ChapterQuery(text, episode, start, end, held_out(episode)))
    return found


@dataclass(frozen=True)
class Score:
    queries: int
    mrr: float
    recall_1: float
    recall_10: float
    episode_mrr: float
    """MRR@10 when any hit of the right episode counts (the second aside)."""


def score(search: Callable[[str], Sequence[Moment]], chosen: Sequence[ChapterQuery]) -> Score:
    reciprocal = first = tenth = by_episode = 0.0
    for query in chosen:
        moments = list(search(query.text))[:DEPTH]
        rank = next((r for r, m in enumerate(moments, 1) if query.found_by(m)), None)
        if rank is not None:
            reciprocal += 1 / rank
            first += rank == 1
            tenth += 1
        episodes = [m[0] for m in moments]
        if query.episode_id in episodes:
            by_episode += 1 / (episodes.index(query.episode_id) + 1)
    count = max(1, len(chosen))
    return Score(len(chosen), reciprocal / count, first / count, tenth / count, by_episode / count)


def windows(episode: Episode) -> Iterable[tuple[float, str]]:
    """Two minutes of captions every minute, knowing no chapters: (start, text)."""
    start = 0.0
    while start < episode.duration:
        text = " ".join(
            cue.text for cue in episode.cues if start <= cue.start < start + WINDOW_SECONDS
        )
        if text:
            yield start, text
        start += WINDOW_HOP


class WindowFts5:
    """SQLite FTS5 (porter, unicode61), bm25, the query's words OR'd, as yt-fts does."""

    name = "SQLite FTS5, 2-min windows"

    def __init__(self, path: Path, episodes: Sequence[Episode]) -> None:
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE w USING fts5(text, episode UNINDEXED, start UNINDEXED, "
            "tokenize='porter unicode61')"
        )
        for episode in episodes:
            self.db.executemany(
                "INSERT INTO w VALUES (?, ?, ?)",
                [(text, episode.id, start) for start, text in windows(episode)],
            )
        self.db.commit()

    def search(self, text: str) -> list[Moment]:
        words = WORD.findall(text)
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self.db.execute(
            "SELECT episode, start FROM w WHERE w MATCH ? ORDER BY rank LIMIT ?", (match, DEPTH)
        )
        return [(episode, float(start)) for episode, start in rows]


class WindowTantivy:
    """tantivy with its English stemmer, BM25, words OR'd (its default)."""

    name = "tantivy, 2-min windows"

    def __init__(self, folder: Path, episodes: Sequence[Episode]) -> None:
        import shutil

        import tantivy

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
        builder.add_text_field("episode", stored=True, tokenizer_name="raw")
        builder.add_float_field("start", stored=True)
        self.index = tantivy.Index(builder.build(), path=str(folder))
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for episode in episodes:
            for start, text in windows(episode):
                writer.add_document(tantivy.Document(text=text, episode=episode.id, start=start))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def search(self, text: str) -> list[Moment]:
        words = WORD.findall(text)
        if not words:
            return []
        parsed, _ = self.index.parse_query_lenient(" ".join(words), ["text"])
        searcher = self.index.searcher()
        found = []
        for _, address in searcher.search(parsed, DEPTH).hits:
            document = searcher.doc(address)
            found.append((document["episode"][0], float(document["start"][0])))
        return found


def chaptersearch_finder(home: Path, mode: str) -> Callable[[str], list[Moment]]:
    from chaptersearch.search.engine import SearchRequest, search

    def find(text: str) -> list[Moment]:
        request = SearchRequest(text, limit=DEPTH, mode=mode)
        return [(hit.video_id, hit.start) for hit in search(home / "whoosh", request)]

    return find


def build(work: Path) -> None:
    """The home of bare transcripts (links named SHOW-N.vtt, so no chapters file lies
    beside them), a copy without vectors, then ``rebuild --embed``."""
    cli = str(Path(sys.executable).with_name("chaptersearch"))
    home = work / "home"
    for show, channel in SHOWS.items():
        folder = work / "vtt" / show
        folder.mkdir(parents=True, exist_ok=True)
        for vtt in sorted((CHANGELOG / show).glob("*.vtt")):
            link = folder / f"{show}-{vtt.name}"
            if not link.exists():
                link.symlink_to(vtt)
        subprocess.run(
            [cli, "--home", str(home), "add", str(folder), "--channel", channel], check=True
        )
    subprocess.run(["cp", "-a", str(home), str(work / "home-words")], check=True)
    subprocess.run([cli, "--home", str(home), "rebuild", "--embed"], check=True)


FUSIONS = (
    ("rrf", 0.3, 60),
    ("rrf", 0.5, 60),
    ("rrf", 0.7, 60),
    ("rrf", 0.5, 20),
    ("linear", 0.2, 0),
    ("linear", 0.5, 0),
)
"""How hybrid mixes words and meaning (``meaning.FUSION``, ``MEANING_SHARE``,
``RRF_K``): each tried on the tuning part only."""
TUNING_STEP = 3
"""Every third tuning query is enough to choose among the fusions (a search takes about
0.1 s; the whole tuning part six times over took half an hour)."""


def _set_fusion(fusion: str, share: float, k: int) -> None:
    from chaptersearch.search import meaning

    meaning.FUSION, meaning.MEANING_SHARE, meaning.RRF_K = fusion, share, k


def tune(home: Path, tuning: Sequence[ChapterQuery]) -> tuple[tuple[str, float, int], list[str]]:
    """The fusion with the best MRR@10 on the tuning part, and the table of all tried."""
    from chaptersearch.search import meaning

    kept = (meaning.FUSION, meaning.MEANING_SHARE, meaning.RRF_K)
    tried = {}
    for setting in FUSIONS:
        _set_fusion(*setting)
        tried[setting] = score(chaptersearch_finder(home, "hybrid"), tuning).mrr
    _set_fusion(*kept)
    best = max(tried, key=lambda setting: tried[setting])
    rows = ["| fusion | meaning's share | k | MRR@10 tuning |", "|---|---:|---:|---:|"]
    rows += [
        f"| {f} | {share} | {k or '-'} | {tried[(f, share, k)]:.3f} |" for f, share, k in tried
    ]
    return best, rows


def always_mixing(home: Path) -> Callable[[str], list[Moment]]:
    """Hybrid that mixes meaning into every search, as before (``engine.answered`` off)."""
    from chaptersearch.search import engine

    find = chaptersearch_finder(home, "hybrid")

    def search(text: str) -> list[Moment]:
        answered = engine.answered
        engine.answered = lambda scored: False  # type: ignore[assignment]
        try:
            return find(text)
        finally:
            engine.answered = answered  # type: ignore[assignment]

    return search


def measure(work: Path, tuned: bool = True) -> list[str]:
    from .run import load_library

    home = work / "home"
    episodes = load_library(home)
    durations = {episode.id: episode.duration for episode in episodes}
    chosen = queries(durations=durations)
    tuning = [q for q in chosen if not q.held_out]
    held = [q for q in chosen if q.held_out]
    lines: list[str] = []
    if tuned:
        best, rows = tune(home, tuning[::TUNING_STEP])
        _set_fusion(*best)
        lines += [
            f"Fusion, tried on every {TUNING_STEP}rd query of the tuning part only:",
            "",
            *rows,
            "",
            f"Chosen: {best}.",
            "",
        ]
    engines: dict[str, Callable[[str], Sequence[Moment]]] = {
        f"chaptersearch {mode}": chaptersearch_finder(home, mode)
        for mode in ("words", "meaning", "hybrid")
    }
    engines["chaptersearch hybrid, meaning mixed into every search"] = always_mixing(home)
    fts = WindowFts5(work / "windows.sqlite", episodes)
    engines[fts.name] = fts.search
    tantivy = WindowTantivy(work / "windows-tantivy", episodes)
    engines[tantivy.name] = tantivy.search
    lines += [
        f"{len(chosen)} chapter titles as queries over {len(episodes)} episodes "
        f"({len(tuning)} tuning, {len(held)} held out); right = that episode, within the "
        f"chapter ±{SLACK:.0f} s",
        "",
        "| engine | MRR@10 tuning | MRR@10 held out | R@1 held out | R@10 held out "
        "| episode MRR@10 held out |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, find in engines.items():
        a, b = score(find, tuning), score(find, held)
        lines.append(
            f"| {name} | {a.mrr:.3f} | {b.mrr:.3f} | {b.recall_1:.3f} | {b.recall_10:.3f} "
            f"| {b.episode_mrr:.3f} |"
        )
    return lines


def words_answer(home: Path, text: str) -> bool:
    """Whether a hybrid search of ``text`` is answered by its words (no model loaded)."""
    from chaptersearch.search import engine
    from chaptersearch.search.engine import SearchRequest, search

    seen: list[bool] = []
    answered = engine.answered

    def recording(scored: list[Any]) -> bool:
        seen.append(answered(scored))
        return seen[-1]

    engine.answered = recording  # type: ignore[assignment]
    try:
        search(home / "whoosh", SearchRequest(text, limit=DEPTH, mode="hybrid"))
    finally:
        engine.answered = answered  # type: ignore[assignment]
    return bool(seen and seen[0])


def cost(work: Path, count: int = 40) -> list[str]:
    """CPU of a search as a new process in the home with vectors and in the same home
    without them, for queries the words answer and the rest; and ``add --embed`` of a
    one-hour episode."""
    import statistics
    import tempfile

    from .measure import run_process

    cli = str(Path(sys.executable).with_name("chaptersearch"))
    home, bare = work / "home", work / "home-words"
    tuning = [q for q in queries() if not q.held_out]
    step = max(1, len(tuning) // (4 * count))
    sample = tuning[::step]
    kinds: dict[bool, list[str]] = {True: [], False: []}
    for query in sample:
        answered = words_answer(home, query.text)
        if len(kinds[answered]) < count:
            kinds[answered].append(query.text)
    lines = [
        "| queries | count | CPU, home with vectors (median) | CPU, same home without "
        "(median) | ratio of medians | worst ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for answered, texts in kinds.items():
        run_process([cli, "--home", str(home), "search", texts[0]])  # warm the disk cache
        run_process([cli, "--home", str(bare), "search", texts[0]])
        with_vectors, without = [], []
        for text in texts:
            with_vectors.append(run_process([cli, "--home", str(home), "search", text]).cpu_seconds)
            without.append(run_process([cli, "--home", str(bare), "search", text]).cpu_seconds)
        ratios = [a / b for a, b in zip(with_vectors, without, strict=True)]
        a, b = statistics.median(with_vectors) * 1000, statistics.median(without) * 1000
        label = "the words answer (no model loaded)" if answered else "the rest (meaning mixed in)"
        lines.append(
            f"| {label} | {len(texts)} | {a:.0f} ms | {b:.0f} ms | {a / b:.2f} | "
            f"{max(ratios):.2f} |"
        )
    hour = work / "vtt" / "jsparty" / "jsparty-304.vtt"
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        words = run_process([cli, "--home", f"{scratch}/a", "add", str(hour)])
        embedded = run_process([cli, "--home", f"{scratch}/b", "add", str(hour), "--embed"])
        keys = next(Path(scratch, "b", "vectors").glob("set-*/keys.txt")).read_text()
        passages = keys.count("\n") + 1
    extra = embedded.cpu_seconds - words.cpu_seconds
    lines += [
        "",
        f"`add --embed` of a one-hour episode ({hour.name}, {passages} passages): "
        f"{embedded.cpu_seconds:.1f} s of CPU ({words.cpu_seconds:.1f} s without --embed), "
        f"{passages / extra:.2f} passages per CPU second of embedding.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("build", "measure", "cost"))
    parser.add_argument("--work", type=Path, required=True, help="outside the repository")
    parser.add_argument(
        "--no-tune", action="store_true", help="measure the fusion the code holds, untuned"
    )
    args = parser.parse_args(argv)
    if args.step == "build":
        build(args.work)
    elif args.step == "cost":
        print("\n".join(cost(args.work)))
    else:
        print("\n".join(measure(args.work, tuned=not args.no_tune)))


if __name__ == "__main__":
    main()
