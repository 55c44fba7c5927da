"""Cold start: wall time of a new `assistant ask` process until its answer is printed.

    python bench/cold.py [--runs 5]

Also prints the imports that dominate (python -X importtime, cumulative, top level) and the
CPU time (user + sys) of each run, which load from other processes inflates less than wall time.
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
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"baseline `python -c pass`: {time.perf_counter() - t:.2f} s")
    print("top-level imports by cumulative time (one run):")
    for seconds, name in importtime_top():
        print(f"  {seconds:6.3f} s  {name}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
