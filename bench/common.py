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
# generated corpora, indexes and the peer's stores (git-ignored); BENCH_WORK moves them (the smoke tests do)
WORK = Path(os.environ.get("BENCH_WORK") or ROOT / ".assistant" / "bench")


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


def peer_folder(corpus: Path) -> Path:
    """Where the peer's Chroma folder for ``corpus`` lives (named after the corpus's files, sizes and times)."""
    import hashlib

    files = sorted(p for p in Path(corpus).rglob("*") if p.suffix in (".txt", ".md") and p.is_file())
    digest = hashlib.sha256("\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files).encode())
    return WORK / f"peer-{digest.hexdigest()[:12]}"


def peer_store(corpus: Path, embedding=None, url: str | None = None):  # noqa: ANN001, ANN201
    """The peer's store over ``corpus``: opened when its folder exists, else built (bench/peer.py)."""
    import peer

    folder = peer_folder(corpus)
    if url is None and (folder / "done").exists():
        return peer.open_store(folder, embedding=embedding)
    store = peer.build(Path(corpus), folder, url, embedding)
    if url is None:
        (folder / "done").touch()
    return store


def ratio(ours: float, theirs: float) -> str:
    """ours / theirs, printed as a ratio (below 1: ours is faster or smaller)."""
    return f"{ours / theirs:.2f}x" if theirs else "n/a"
