"""Peak memory and time of adding one very long transcript, as WebVTT, SRT and JSON.

    python -m benchmarks.long_transcript --work /tmp/long [--hours 55 --hours 100]

Writes synthetic transcripts (a caption every 2.5 s, 8 to 16 words of a technical talk
each; the 100-hour one with longer captions, to come close to the 32 MB a transcript
may be) into ``--work``, adds each into a fresh home in a child process, and prints a
Markdown table: file size, hours, captions, wall and CPU seconds, peak resident memory.
``docs/guarantees.md`` quotes it. Run it alone, under ``../shared/tools/quiet-run``.
"""

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

from .measure import run_process

WORDS = (
    "the python garbage collector reference counting memory arena object allocation "
    "generation threshold cycle detection weak references finalizers interpreter lock "
    "threads async await event loop packaging wheel"
).split()
STEP = 2.5


def _clock(seconds: float, comma: bool = False) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    stamp = f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"
    return stamp.replace(".", ",") if comma else stamp


def captions(hours: float, longest: int) -> list[tuple[float, str]]:
    """A caption every ``STEP`` seconds for ``hours``, of 8 to ``longest`` words."""
    chance = random.Random(hours)
    count = int(hours * 3600 / STEP)
    return [
        (n * STEP, " ".join(chance.choice(WORDS) for _ in range(chance.randint(8, longest))))
        for n in range(count)
    ]


def write(folder: Path, hours: float, kind: str) -> tuple[Path, int]:
    """The transcript of ``hours`` in ``kind`` (vtt, srt, json), and its captions."""
    said = captions(hours, 16 if hours < 80 else 36)
    path = folder / f"talk-{hours:g}h.{kind}"
    with open(path, "w", encoding="utf-8") as stream:
        if kind == "json":
            snippets = [{"text": text, "start": start, "duration": STEP} for start, text in said]
            json.dump(snippets, stream)
        elif kind == "srt":
            for number, (start, text) in enumerate(said, 1):
                span = f"{_clock(start, True)} --> {_clock(start + STEP, True)}"
                stream.write(f"{number}\n{span}\n{text}\n\n")
        else:
            stream.write("WEBVTT\n\n")
            for start, text in said:
                stream.write(f"{_clock(start)} --> {_clock(start + STEP)}\n{text}\n\n")
    return path, len(said)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="a folder outside the checkout")
    parser.add_argument("--hours", type=float, action="append")
    arguments = parser.parse_args(argv)
    work: Path = arguments.work
    work.mkdir(parents=True, exist_ok=True)
    print("| transcript | MB | hours | captions | wall s | CPU s | peak memory |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for hours in arguments.hours or [55.0, 99.0]:
        for kind in ("vtt", "srt", "json"):
            path, count = write(work, hours, kind)
            home = work / f"home-{path.stem}-{kind}"
            shutil.rmtree(home, ignore_errors=True)
            command = [sys.executable, "-m", "chaptersearch", "--home", str(home), "add"]
            run = run_process([*command, str(path)])
            if run.returncode != 0:
                raise SystemExit(f"{path}: {run.stderr.strip()}")
            print(
                f"| {path.name} | {path.stat().st_size / 1e6:.1f} | {hours:g} | {count:,} | "
                f"{run.seconds:.1f} | {run.cpu_seconds:.1f} | {run.peak_mb:.0f} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
