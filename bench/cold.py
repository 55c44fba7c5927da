"""Cold start: wall time of a new `assistant ask` process until its answer is printed.

    python bench/cold.py [--runs 5]

Also prints the CPU time (user + sys) of each run, which load from other processes inflates less
than wall time, the time each stage of one start takes (median over the runs), and the imports
that dominate (python -X importtime, cumulative, top level).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, load_average, machine

QUESTION = "What did Medvedev propose in 2008?"
# The stages of `assistant ask`, each printed as "STAGE <name> <time.time()>" (collector as cmd_ask runs it).
STAGE_PROBE = f"""
import gc, sys, time
stage = lambda name: print("STAGE", name, repr(time.time()), file=sys.stderr, flush=True)
stage("interpreter start")
import assistant.cli
stage("import assistant.cli (settings)")
gc.disable()
from assistant.service import AssistantService
stage("import assistant.service (LangChain, BM25)")
from assistant.settings import get_settings
service = AssistantService.from_settings(get_settings())
stage("open the index (chromadb) | load the encoder")
service.ask({QUESTION!r})
stage("answer")
gc.freeze()
"""


def importtime_top(n: int = 12) -> list[tuple[float, str]]:
    """The top-level imports of one `assistant ask` by cumulative time (seconds)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", "ask", QUESTION],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if name.startswith("  ") or not cumulative.strip().isdigit():
            continue  # nested import: counted in its parent
        rows.append((int(cumulative) / 1e6, name.strip()))
    return sorted(rows, reverse=True)[:n]


def stages() -> dict[str, float]:
    """Seconds each stage of one start took, then the exit, from the probe's timestamps."""
    started = time.time()
    done = subprocess.run([sys.executable, "-c", STAGE_PROBE], capture_output=True, text=True, cwd=ROOT, check=True)
    ended = time.time()
    seconds, last = {}, started
    for line in done.stderr.splitlines():
        if line.startswith("STAGE "):
            name, at = line[len("STAGE "):].rsplit(" ", 1)
            seconds[name], last = float(at) - last, float(at)
    seconds["exit"] = ended - last
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    assistant_cmd = [str(Path(sys.executable).with_name("assistant")), "ask", QUESTION]
    print(f"machine: {machine()}; load average before: {load_average()}")
    walls, cpus = [], []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        done = subprocess.run(assistant_cmd, capture_output=True, text=True, cwd=ROOT, check=False,
                              env={**os.environ})
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0 or "European Security Treaty" not in done.stdout:
            raise SystemExit(f"assistant ask failed: {done.stderr.strip()}")
        walls.append(wall)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"cold `assistant ask` wall time over {args.runs} runs: min={min(walls):.2f} s "
          f"median={statistics.median(walls):.2f} s max={max(walls):.2f} s")
    print(f"CPU time (user+sys) per run: median={statistics.median(cpus):.2f} s")
    runs = [stages() for _ in range(args.runs)]
    print(f"stages of one start (median over {args.runs} runs):")
    for name in runs[0]:
        print(f"  {statistics.median(r[name] for r in runs):6.3f} s  {name}")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"baseline `python -c pass`: {time.perf_counter() - t:.2f} s")
    print("top-level imports by cumulative time (one run):")
    for seconds, name in importtime_top():
        print(f"  {seconds:6.3f} s  {name}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
