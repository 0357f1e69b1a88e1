"""Generated chapters measured against the chapters people published.

``../shared/corpora/changelog/`` holds 203 episodes of four Changelog shows, each with
the transcript and the chapters the show published. Each transcript is cut without its
chapters and the cuts are compared with the published starts:

- boundary F1 within ±10, ±30 and ±60 s (the start at 0 left out; each published start
  matched at most once), pooled over all episodes;
- baselines from the same run: a chapter every 10 minutes (what chaptersearch did
  before) and evenly spaced chapters told the published count;
- titles: for matched chapters, the share whose generated title shares a stemmed
  content word with the published one, and a sample side by side;
- times from a list: the published titles given without their times, placed by
  ``placing.place_titles``, and the same F1.

A third of the episodes (by a hash of their name) is held out of all tuning; both parts
are reported. Run: ``python -m benchmarks.chapters [--out FILE] [--search WORK]``;
``--search`` also compares known-item ranking with the old spans and the new chapters.
"""

import argparse
import functools
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chaptersearch.chapters.placing import place_titles
from chaptersearch.chapters.reading import generated_chapters
from chaptersearch.chapters.topics import content_words, topic_chapters
from chaptersearch.models import Cue
from chaptersearch.sources.transcripts import read_transcript

from .corpus import DEFAULT_CORPUS

CHANGELOG = DEFAULT_CORPUS / "changelog"
TOLERANCES = (10.0, 30.0, 60.0)


@dataclass(frozen=True)
class Published:
    name: str
    cues: list[Cue]
    duration: float
    starts: list[float]
    titles: list[str]

    @property
    def held_out(self) -> bool:
        return int(hashlib.sha1(self.name.encode()).hexdigest(), 16) % 3 == 0


def load(root: Path = CHANGELOG) -> list[Published]:
    episodes = []
    for chapters_file in sorted(root.glob("*/*.chapters.json")):
        transcript = chapters_file.with_name(chapters_file.name.replace(".chapters.json", ".vtt"))
        if not transcript.exists():
            continue
        cues = read_transcript(transcript)
        chapters = json.loads(chapters_file.read_text(encoding="utf-8"))["chapters"]
        duration = max(cue.end for cue in cues)
        marks = [(float(c["startTime"]), str(c["title"])) for c in chapters]
        marks = [(start, title) for start, title in marks if start < duration]
        episodes.append(
            Published(
                name=f"{chapters_file.parent.name}/{chapters_file.name.split('.')[0]}",
                cues=cues,
                duration=duration,
                starts=[start for start, _ in marks],
                titles=[title for _, title in marks],
            )
        )
    return episodes


def matches(
    made: Sequence[float], published: Sequence[float], tolerance: float
) -> list[tuple[int, int]]:
    """Pairs (made index, published index) within ``tolerance``, each used once; on a line
    the greedy sweep in time order finds a largest such matching."""
    pairs = []
    i = j = 0
    while i < len(made) and j < len(published):
        if abs(made[i] - published[j]) <= tolerance:
            pairs.append((i, j))
            i += 1
            j += 1
        elif made[i] < published[j]:
            i += 1
        else:
            j += 1
    return pairs


@dataclass
class Score:
    made: int = 0
    published: int = 0
    hits: dict[float, int] = field(default_factory=lambda: dict.fromkeys(TOLERANCES, 0))

    def add(self, made: Sequence[float], published: Sequence[float]) -> None:
        made = [m for m in made if m > 0]
        published = [p for p in published if p > 0]
        self.made += len(made)
        self.published += len(published)
        for tolerance in TOLERANCES:
            self.hits[tolerance] += len(matches(made, published, tolerance))

    def f1(self, tolerance: float) -> float:
        hit = self.hits[tolerance]
        if not hit:
            return 0.0
        precision, recall = hit / self.made, hit / self.published
        return 2 * precision * recall / (precision + recall)


def every_ten_minutes(episode: Published) -> list[float]:
    return [c.start for c in generated_chapters(episode.duration)]


def evenly_told_count(episode: Published) -> list[float]:
    count = len(episode.starts)
    return [episode.duration * k / count for k in range(count)]


def generated(episode: Published) -> list[float]:
    return [c.start for c in topic_chapters(episode.cues, episode.duration)]


def from_list(episode: Published) -> list[float]:
    return [c.start for c in place_titles(episode.titles, episode.cues, episode.duration)]


METHODS: dict[str, Callable[[Published], list[float]]] = {
    "a chapter every 10 minutes (before)": every_ten_minutes,
    "evenly spaced, told the published count": evenly_told_count,
    "generated (topic cuts)": generated,
    "times from the list of titles": from_list,
}


def title_overlap(episodes: Sequence[Published]) -> tuple[float, int, list[tuple[str, str, str]]]:
    """Share of matched chapters (±30 s) whose titles share a stemmed content word."""
    shared = total = 0
    sample: list[tuple[str, str, str]] = []
    for episode in episodes:
        chapters = topic_chapters(episode.cues, episode.duration)
        made = [c for c in chapters if c.start > 0]
        published = [(s, t) for s, t in zip(episode.starts, episode.titles, strict=True) if s > 0]
        for i, j in matches([c.start for c in made], [s for s, _ in published], 30.0):
            total += 1
            ours, theirs = made[i].title, published[j][1]
            if set(content_words(ours)) & set(content_words(theirs)):
                shared += 1
            sample.append((episode.name, ours, theirs))
    return (shared / total if total else 0.0), total, sample


def report(episodes: Sequence[Published]) -> str:
    lines = ["## Generated chapters against published ones", ""]
    parts = {
        "tuning": [e for e in episodes if not e.held_out],
        "held out": [e for e in episodes if e.held_out],
    }
    lines.append(
        f"{len(episodes)} Changelog episodes ({len(parts['tuning'])} tuning, "
        f"{len(parts['held out'])} held out), {sum(len(e.starts) for e in episodes)} published "
        "chapters. Boundary F1 pooled over episodes; the start at 0 left out."
    )
    lines.append("")
    lines.append("| method | part | F1 ±10 s | F1 ±30 s | F1 ±60 s | made | published | time |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for method_name, method in METHODS.items():
        for part_name, part in parts.items():
            score = Score()
            began = time.perf_counter()
            for episode in part:
                score.add(method(episode), episode.starts)
            spent = time.perf_counter() - began
            lines.append(
                f"| {method_name} | {part_name} | {score.f1(10):.3f} | {score.f1(30):.3f} | "
                f"{score.f1(60):.3f} | {score.made} | {score.published} | {spent:.1f} s |"
            )
    lines.append("")
    for part_name, part in parts.items():
        overlap, total, sample = title_overlap(part)
        lines.append(
            f"Titles, {part_name}: {overlap:.1%} of {total} matched chapters (±30 s) share a "
            "stemmed content word with the published title."
        )
        if part_name == "held out":
            lines += ["", "| episode | generated title | published title |", "|---|---|---|"]
            step = max(1, len(sample) // 30)
            for name, ours, theirs in sample[::step][:30]:
                lines.append(f"| {name} | {ours} | {theirs} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N episodes")
    parser.add_argument(
        "--search",
        type=Path,
        metavar="WORK",
        help="also measure search over the Python Bytes and Talk Python corpus (in WORK)",
    )
    args = parser.parse_args()
    episodes = load()
    if args.limit:
        episodes = episodes[: args.limit]
    text = report(episodes)
    if args.search:
        text += search_quality(args.search)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


SEARCHES = (
    "garbage collection",
    "pytest fixtures",
    "async await",
    "type hints",
    "packaging with poetry",
)
"""Five searches whose first hit's chapter is shown before and after."""


def search_quality(work: Path) -> str:
    """Known-item ranking over the Python Bytes and Talk Python corpus, with the old
    10-minute spans and with chapters cut from the talk (chapter titles are a boosted
    field, so titles change ranking); and five searches' first hits, before and after."""
    from chaptersearch.search.engine import SearchRequest, search

    from .corpus import load as load_source
    from .corpus import sources, topic_queries
    from .engines import ChapterSearch
    from .quality import evaluate

    after = [load_source(source) for source in sources(DEFAULT_CORPUS)]
    before = [
        episode.model_copy(
            update={"chapters": generated_chapters(episode.duration), "chapters_cut_by": None}
        )
        for episode in after
    ]
    queries = topic_queries(DEFAULT_CORPUS, {episode.id for episode in after})
    lines = [
        "",
        "### Search with chapters cut from the talk",
        "",
        f"Known-item ranking over {len(after)} episodes (none has chapters of its own), "
        "show-notes headings as queries, chapters as 10-minute spans (before) and cut "
        "from the talk (after):",
        "",
        "| chapters | MRR@10 tuning | MRR@10 held out | R@10 held out |",
        "|---|---:|---:|---:|",
    ]
    engines = {}
    for name, episodes in (("10-minute spans (before)", before), ("cut from the talk", after)):
        engine = ChapterSearch(work / name.split()[0])
        engine.build(episodes)
        engines[name] = engine
        ranked = functools.partial(engine.search, limit=30)
        tuning = evaluate(ranked, [q for q in queries if not q.held_out])
        held = evaluate(ranked, [q for q in queries if q.held_out])
        lines.append(f"| {name} | {tuning.mrr:.3f} | {held.mrr:.3f} | {held.recall_10:.3f} |")
    lines += ["", "Five searches, the first hit's chapter before and after:", ""]
    lines += ["| search | episode | before | after |", "|---|---|---|---|"]
    for text in SEARCHES:
        row = []
        for engine in engines.values():
            hits = search(engine.folder, SearchRequest(text, limit=1))
            row.append(hits[0] if hits else None)
        first = row[0] or row[1]
        shown = [
            f"§ {hit.chapter_title} ({hit.chapter_start:.0f} s)" if hit else "-" for hit in row
        ]
        lines.append(f"| {text} | {first.video_id if first else '-'} | {shown[0]} | {shown[1]} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
