"""Cold start: a new `assistant ask` process until its answer is printed, beside its floor and the peer.

    python bench/cold.py [--runs 5] [--no-peer]

Runs, interleaved round by round so that machine noise falls on all alike: the floor (a bare
``import chromadb, onnxruntime, tokenizers``: what any process answering from Chroma with the ONNX
encoder must import), our cold ``assistant ask``, and the peer's cold ask (bench/peer.py: imports,
model load, store open, ``similarity_search``; built once under .assistant/bench/). Prints the
wall times, their ratios, the CPU time (user + sys, which load from other processes inflates less),
the stages of one start of each (median over the runs), and the imports that dominate ours
(python -X importtime, cumulative, top level). Uses the index that ASSISTANT_INDEX_DIR /
ASSISTANT_CORPUS_DIR name (default: the shipped article's).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, load_average, machine, peer_folder, ratio

QUESTION = "What did Medvedev propose in 2008?"
FLOOR = "import chromadb, onnxruntime, tokenizers"
# The stages of `assistant ask`, each printed as "STAGE <name> <time.time()>", in the order open_retriever runs them.
STAGE_PROBE = f"""
import gc, sys, time
stage = lambda name: print("STAGE", name, repr(time.time()), file=sys.stderr, flush=True)
stage("interpreter start")
import assistant.cli
stage("import assistant.cli (settings)")
gc.disable()
from concurrent.futures import ThreadPoolExecutor
from assistant.service import AssistantService
stage("import assistant.service (LangChain, BM25)")
from assistant.answerers import build_answerer
from assistant.embeddings import QueryEncoder, build_query_embedder
from assistant.retrieval import HybridRetriever
from assistant.settings import get_settings
from assistant.snapshot import snapshot_root
from assistant.store import open_index
settings = get_settings()
with ThreadPoolExecutor(1) as pool:
    pending = pool.submit(lambda: QueryEncoder(build_query_embedder(settings)))
    index = open_index(settings)
    stage("import chromadb, open the client (encoder loading alongside)")
    reader = index.reader()
    stage("open the generation (HNSW check)")
    encoder = pending.result()
    stage("wait for the encoder")
retriever = HybridRetriever.from_reader(reader, encoder, snapshot_root(settings.index_dir))
stage("passages, BM25, corpus statistics (snapshot)")
service = AssistantService(settings, retriever, build_answerer(settings))
stage("answerer (answer model)")
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


def stages(cmd: list[str]) -> dict[str, float]:
    """Seconds each stage of one start took, then the exit, from the STAGE lines a command prints."""
    started = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    ended = time.time()
    seconds, last = {}, started
    for line in done.stderr.splitlines():
        if line.startswith("STAGE "):
            name, at = line[len("STAGE "):].rsplit(" ", 1)
            seconds[name], last = float(at) - last, float(at)
    seconds["exit"] = ended - last
    return seconds


def timed(cmd: list[str], check: str | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one run of ``cmd``, from the kernel's accounting of that child; SystemExit
    when it fails or ``check`` is not in its output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT, env={**os.environ})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - t
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0 or (check and check not in out.read()):
            raise SystemExit(f"{' '.join(cmd[:3])} failed: {err.read().strip()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def print_stages(title: str, runs: list[dict[str, float]]) -> None:
    print(f"{title} (median over {len(runs)} runs):")
    for name in runs[0]:
        print(f"  {statistics.median(r[name] for r in runs):6.3f} s  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true", help="the floor and ours only (no bench extra needed)")
    parser.add_argument("--expect", default="European Security Treaty", help="text our answer must hold")
    args = parser.parse_args()
    from assistant.settings import get_settings

    corpus = Path(get_settings().corpus_dir)
    commands = {
        "floor": ([sys.executable, "-c", FLOOR], None),
        "ours": ([str(Path(sys.executable).with_name("assistant")), "ask", QUESTION], args.expect or None),
    }
    if not args.no_peer:
        if not (peer_folder(corpus) / "done").exists():  # built once, before any timing, in a child process so
            subprocess.run([sys.executable, str(ROOT / "bench" / "peer.py"), "ingest", str(corpus),  # that this one
                            str(peer_folder(corpus))], check=True, capture_output=True)  # stays small
            (peer_folder(corpus) / "done").touch()
        commands["peer"] = ([sys.executable, str(ROOT / "bench" / "peer.py"), "ask", QUESTION,
                             str(peer_folder(corpus))], None)
    print(f"machine: {machine()}; load average before: {load_average()}; peak RSS below: each child's own "
          f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[float]] = {name: [] for name in commands}
    for n in range(args.runs):
        names = list(commands) if n % 2 == 0 else list(reversed(commands))
        for name in names:
            wall, cpu, peak = timed(*commands[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
            rss[name].append(peak)
    for name in commands:
        w = walls[name]
        print(f"cold {name:5s} wall over {args.runs} runs: min={min(w):.2f} s median={statistics.median(w):.2f} s "
              f"max={max(w):.2f} s; CPU median {statistics.median(cpus[name]):.2f} s; peak RSS {max(rss[name]):.0f} MB")
    med = {name: statistics.median(w) for name, w in walls.items()}
    print(f"ratio ours/floor (median wall): {ratio(med['ours'], med['floor'])}; "
          f"CPU: {ratio(statistics.median(cpus['ours']), statistics.median(cpus['floor']))}")
    if "peer" in med:
        print(f"ratio ours/peer (median wall): {ratio(med['ours'], med['peer'])}")
    print_stages("stages of our start", [stages([sys.executable, "-c", STAGE_PROBE]) for _ in range(args.runs)])
    if "peer" in commands:
        print_stages("stages of the peer's start", [stages(commands["peer"][0]) for _ in range(max(1, args.runs // 2))])
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"baseline `python -c pass`: {time.perf_counter() - t:.2f} s")
    print("top-level imports by cumulative time (one run):")
    for seconds, name in importtime_top():
        print(f"  {seconds:6.3f} s  {name}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
