"""Load run: N concurrent clients POST /api/ask for a fixed time against `python app.py` on loopback.

    python bench/load.py --clients 50 --duration 60 [--index DIR --corpus DIR]

Starts the server (web chat + /api/ask, one process) on a free loopback port, waits until it
answers, runs the clients (threads, one keep-alive connection each, dev questions in turn) until
the time is up, then stops the server. Prints requests/s, latency p50/p95, errors, and the
server's peak RSS (VmHWM). Bounded: the clients stop at the deadline, each request times out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, dev_questions, free_port, load_average, machine, peak_rss_mb, summary_ms


def start_server(port: int, env: dict[str, str], timeout: float = 240) -> subprocess.Popen:
    """`python app.py --port PORT` on loopback; returns once /api/ask answers."""
    log = open(Path(env.get("ASSISTANT_INDEX_DIR", ".")) / f"load-server-{port}.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see {log.name}")
        try:
            status, _ = ask(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "warm-up question")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not answer in time")


def ask(conn: http.client.HTTPConnection, question: str, history: list | None = None) -> tuple[int, bytes]:
    body = json.dumps({"question": question, "history": history or []})
    conn.request("POST", "/api/ask", body=body, headers={"content-type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def run_clients(port: int, clients: int, duration: float, request_timeout: float = 30) -> dict:
    """Each client asks in a loop until ``duration`` seconds have passed; returns the tallies."""
    items = dev_questions()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=request_timeout)
        i = number
        while time.monotonic() < deadline:
            item = items[i % len(items)]
            i += 1
            started = time.perf_counter()
            try:
                status, body = ask(conn, item["question"], item.get("history"))
                ok = status == 200 and "answer" in json.loads(body)
                problem = None if ok else f"HTTP {status}: {body[:120]!r}"
            except (OSError, http.client.HTTPException, ValueError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=request_timeout)
            elapsed = time.perf_counter() - started
            with lock:
                (errors.append(problem) if problem else latencies.append(elapsed))
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + request_timeout + 10)
    wall = time.monotonic() - started
    return {"wall_s": wall, "latencies": latencies, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--index", type=Path, help="index folder (default: ASSISTANT_INDEX_DIR or .assistant)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: ASSISTANT_CORPUS_DIR or corpus)")
    args = parser.parse_args()

    env = {}
    if args.index:
        env["ASSISTANT_INDEX_DIR"] = str(args.index.resolve())
    if args.corpus:
        env["ASSISTANT_CORPUS_DIR"] = str(args.corpus.resolve())
    env.setdefault("ASSISTANT_INDEX_DIR", os.environ.get("ASSISTANT_INDEX_DIR", str(ROOT / ".assistant")))
    port = free_port()
    print(f"machine: {machine()}; load average before: {load_average()}")
    t = time.perf_counter()
    server = start_server(port, env)
    try:
        print(f"server ready in {time.perf_counter() - t:.1f} s on 127.0.0.1:{port} "
              f"(index {env['ASSISTANT_INDEX_DIR']}); RSS peak so far {peak_rss_mb(server.pid):.0f} MB")
        result = run_clients(port, args.clients, args.duration)
        peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    done = len(result["latencies"])
    print(f"{args.clients} clients for {args.duration:.0f} s (wall {result['wall_s']:.1f} s): "
          f"{done} answers, {done / result['wall_s']:.1f} requests/s, {len(result['errors'])} errors")
    if done:
        print(f"latency under load: {summary_ms(result['latencies'])}")
    for problem in sorted(set(result["errors"]))[:5]:
        print(f"  error: {problem}")
    print(f"server peak RSS: {peak:.0f} MB; load average after: {load_average()}")


if __name__ == "__main__":
    main()
