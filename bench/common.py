"""Helpers shared by the benchmark scripts: the shipped article, the dev questions, timing, RSS, ports."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import assistant  # noqa: E402,F401  (offline environment first)

SHIPPED_CORPUS = ROOT / "corpus"
DEV_SET = ROOT.parent / "shared" / "qa" / "dev.jsonl"
WORK = ROOT / ".assistant" / "bench"  # generated corpora and indexes (git-ignored)


def dev_questions(path: Path = DEV_SET) -> list[dict]:
    """The dev questions with their history, as the evaluator reads them."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on a sorted copy)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values_s: list[float]) -> str:
    """p50/p95/max/mean of durations in seconds, printed in milliseconds."""
    ms = [v * 1000 for v in values_s]
    return (f"n={len(ms)} p50={percentile(ms, 50):.1f} ms p95={percentile(ms, 95):.1f} ms "
            f"max={max(ms):.1f} ms mean={statistics.fmean(ms):.1f} ms")


def load_average() -> str:
    """The 1/5/15-minute load average, to judge how busy the 2 shared cores were."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    """CPU count and model, for the results file."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs ({model})"


def run(cmd: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command, capturing its output."""
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False)
