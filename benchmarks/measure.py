"""Timing helpers: wall time and peak memory of a child process, latency percentiles."""

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_mb: float
    returncode: int
    stderr: str
    cpu_seconds: float = 0.0
    """User and system time of the child: what it cost on a machine shared with others."""


def run_process(command: Sequence[str], env: dict[str, str] | None = None) -> ProcessRun:
    """Run a command; its wall time and its own peak resident memory (from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return ProcessRun(seconds, usage.ru_maxrss / 1024, child.returncode, stderr, cpu)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latencies(function: Callable[[Any], Any], items: Sequence[Any]) -> list[float]:
    """Seconds per call, one call per item, after one warm-up call."""
    if items:
        function(items[0])
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append(time.perf_counter() - started)
    return times


def median_process_ms(
    commands: Sequence[Sequence[str]], env: dict[str, str] | None = None
) -> float:
    """Median wall time of running each command as a new process, in milliseconds."""
    subprocess.run(list(commands[0]), capture_output=True, env=env)  # warm the disk cache
    times = []
    for command in commands:
        started = time.perf_counter()
        subprocess.run(list(command), capture_output=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000
