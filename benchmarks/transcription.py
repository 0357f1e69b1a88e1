"""Transcription measured: speed per CPU second, peak memory, word error rate, how close
word times are, and whether three distinctive words said together are found at their
second.

The speech is made at benchmark time (``benchmarks.speech``): espeak-ng reads the cues of
real corpus transcripts one after another, so every cue's true start is known. Synthetic
speech is easier than real speech for timing (one clean voice, no cross-talk, no music)
and harder for names (espeak reads "PyPI" and "pytest" as it spells them), so the error
rate here is a floor for a clean recording, not a promise for a noisy one.

Each model runs ``chaptersearch add`` on the clip in a process of its own, on one thread
(``CHAPTERSEARCH_THREADS=1``), so CPU time and peak memory are the whole command's: the
model's load, the decoding, the transcription and the indexing.

    python -m benchmarks.transcription [--episodes 3] [--seconds 300] [--models tiny,base]
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import DEFAULT_CORPUS, sources
from benchmarks.speech import speak
from chaptersearch.sources.transcripts import read_transcript
from chaptersearch.transcription.weights import OFFERED

WORD = re.compile(r"[a-z0-9']+")
PROBES_PER_EPISODE = 10
AT_ITS_SECOND = 3.0
"""A probe is found at its second when a hit among the first three is within this many
seconds of the moment its first word is said."""


@dataclass(frozen=True)
class Reference:
    """A clip made from one episode: what was said, and when each cue starts and ends."""

    name: str
    wav: Path
    texts: list[str]
    starts: list[float]
    ends: list[float]

    @property
    def seconds(self) -> float:
        return self.ends[-1]


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def make_reference(transcript: Path, folder: Path, seconds: float) -> Reference:
    """The first ``seconds`` of an episode's cues (by their own times), spoken."""
    cues = [cue for cue in read_transcript(transcript) if cue.start < seconds and cue.text.strip()]
    texts = [" ".join(cue.text.split()) for cue in cues]
    wav = folder / f"{transcript.stem}.wav"
    starts = speak(texts, wav, gap=0.3)
    ends = [*starts[1:], starts[-1] + 0.06 * len(texts[-1]) + 1.0]
    return Reference(transcript.stem, wav, texts, starts, ends)


def word_errors(reference: list[str], heard: list[str]) -> int:
    """Substitutions, deletions and insertions between two word lists (Levenshtein)."""
    previous = list(range(len(heard) + 1))
    for index, word in enumerate(reference, start=1):
        current = [index]
        for other, said in enumerate(heard, start=1):
            current.append(
                min(
                    previous[other] + 1,
                    current[other - 1] + 1,
                    previous[other - 1] + (word != said),
                )
            )
        previous = current
    return previous[-1]


def timed_words(entry: dict[str, object]) -> list[tuple[float, str]]:
    """(second, word) of every word of a library entry's cues, as the model timed them."""
    timed = []
    for cue in entry["cues"]:  # type: ignore[attr-defined]
        tokens = cue["text"].split()
        times = cue.get("words") or [cue["start"]] * len(tokens)
        for moment, token in zip(times, tokens, strict=True):
            for word in words(token):
                timed.append((float(moment), word))
    return timed


def onset_errors(reference: Reference, heard: list[tuple[float, str]]) -> list[float]:
    """For each cue, how far the model's time of its first word is from the true onset:
    the same word, heard nearest the onset within five seconds."""
    errors = []
    for text, start in zip(reference.texts, reference.starts, strict=True):
        first = words(text)[:1]
        if not first:
            continue
        near = [abs(moment - start) for moment, word in heard if word == first[0]]
        near = [error for error in near if error <= 5.0]
        if near:
            errors.append(min(near))
    return errors


def probes(reference: Reference, rng: random.Random) -> list[tuple[str, float]]:
    """Queries of three distinctive words said together (each said once in the clip,
    four letters or more, from one cue), with the second the first of them is said
    (the cue's onset plus its share of the cue's span, by characters)."""
    counts: dict[str, int] = {}
    for text in reference.texts:
        for word in words(text):
            counts[word] = counts.get(word, 0) + 1
    found = []
    for text, start, end in zip(reference.texts, reference.starts, reference.ends, strict=True):
        said = words(text)
        rare = [i for i, word in enumerate(said) if counts[word] == 1 and len(word) >= 4]
        for first in range(len(rare) - 2):
            if rare[first + 2] - rare[first] <= 8:
                chosen = [said[i] for i in rare[first : first + 3]]
                share = text.lower().find(chosen[0]) / max(len(text), 1)
                found.append((" ".join(chosen), start + share * (end - 0.3 - start)))
                break
    rng.shuffle(found)
    return found[:PROBES_PER_EPISODE]


@dataclass
class Run:
    model: str
    audio: float = 0.0
    cpu: float = 0.0
    wall: float = 0.0
    peak_mb: float = 0.0
    reference_words: int = 0
    errors: int = 0
    onsets: list[float] | None = None
    probes: int = 0
    found: int = 0

    def row(self) -> str:
        onsets = self.onsets or [0.0]
        return (
            f"| {self.model} | {self.audio / 60:.1f} | {self.cpu:.1f} | "
            f"{self.audio / self.cpu:.1f}× | {self.peak_mb:,.0f} | "
            f"{100 * self.errors / max(self.reference_words, 1):.1f} % | "
            f"{statistics.mean(onsets):.2f} / {statistics.median(onsets):.2f} s | "
            f"{self.found}/{self.probes} ({100 * self.found / max(self.probes, 1):.0f} %) |"
        )


def run_add(home: Path, wav: Path, model: str) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak MB of ``chaptersearch add`` in a new process."""
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home), "CHAPTERSEARCH_THREADS": "1"}
    env |= {"OMP_NUM_THREADS": "1"}
    began = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "chaptersearch", "add", str(wav), "--speech-model", model],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    said = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)  # this child's own figures, not the most of all
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"add with {model} failed: {said.decode(errors='replace')}")
    wall = time.monotonic() - began
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def search(home: Path, query: str) -> list[dict[str, object]]:
    env = {**os.environ, "CHAPTERSEARCH_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "chaptersearch", "search", query, "--json", "--limit", "3"],
        env=env,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout or "[]"))


def measure(model: str, references: list[Reference], work: Path) -> Run:
    result = Run(model=model, onsets=[])
    rng = random.Random(26)
    for reference in references:
        home = work / f"home-{model}-{reference.name}"
        cpu, wall, peak = run_add(home, reference.wav, model)
        result.audio += reference.seconds
        result.cpu += cpu
        result.wall += wall
        result.peak_mb = max(result.peak_mb, peak)
        entry = json.loads(next((home / "library").glob("*.json")).read_text(encoding="utf-8"))
        heard = timed_words(entry)
        said = [word for text in reference.texts for word in words(text)]
        result.reference_words += len(said)
        result.errors += word_errors(said, [word for _, word in heard])
        assert result.onsets is not None
        result.onsets.extend(onset_errors(reference, heard))
        for query, moment in probes(reference, rng):
            result.probes += 1
            hits = search(home, query)
            if any(abs(float(hit["start"]) - moment) <= AT_ITS_SECOND for hit in hits):  # type: ignore[arg-type]
                result.found += 1
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--first", type=int, default=0, help="of the corpus's episodes")
    parser.add_argument("--seconds", type=float, default=300.0, help="of each episode's talk")
    parser.add_argument("--models", default=",".join(OFFERED))
    parser.add_argument("--out", type=Path, help="write the table here too")
    arguments = parser.parse_args()
    chosen = sources(arguments.corpus)
    step = max(1, len(chosen) // arguments.episodes)
    picked = chosen[arguments.first :: step][: arguments.episodes]
    with tempfile.TemporaryDirectory(prefix="chaptersearch-speech-") as folder:
        work = Path(folder)
        references = [make_reference(source.path, work, arguments.seconds) for source in picked]
        print(
            f"{len(references)} clips, {sum(r.seconds for r in references) / 60:.1f} min of "
            f"speech: {', '.join(r.name for r in references)}",
            flush=True,
        )
        lines = [
            "| model | audio (min) | CPU (s) | audio per CPU second | peak memory (MB) | "
            "word errors | first-word time error (mean / median) | probes found at their second |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for model in arguments.models.split(","):
            lines.append(measure(model, references, work).row())
            print(lines[-1], flush=True)
    table = "\n".join(lines)
    print(table)
    if arguments.out:
        arguments.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
