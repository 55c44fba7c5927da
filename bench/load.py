"""Load run: N concurrent clients POST /api/ask for a fixed time against `python app.py` on loopback.

    python bench/load.py --clients 50 --duration 60 [--index DIR --corpus DIR] [--peer] [--hostile]
    python bench/load.py --processes 2 --chroma-url http://127.0.0.1:8000   # processes sharing one Chroma server

Starts the server (web chat + /api/ask, one process) on a free loopback port, waits until it
answers, runs the clients (threads, one keep-alive connection each, dev questions in turn) until
the time is up, then stops the server. Prints requests/s, latency p50/p95, errors, and the
server's peak RSS (VmHWM). Bounded: the clients stop at the deadline, each request times out.

``--hostile`` then measures the server's resident memory (VmRSS) before and after a hostile phase:
chunked bodies that never end (sent until the server refuses them), bodies announcing 300 MB,
histories far over the caps on /api/ask and on the chat's /ask endpoint, 900 KB questions sent
through the chat's own event (refused; each session keeps only a prefix), and 100 idle connections
(half silent, half stalled inside their headers) held open while a normal question is asked. The
target: RSS back within 100 MB of where it started, and the server still answering.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, dev_questions, free_port, load_average, machine, peak_rss_mb, percentile, ratio, summary_ms


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


def run_clients(port: int | list[int], clients: int, duration: float, request_timeout: float = 30) -> dict:
    """Each client asks in a loop until ``duration`` seconds have passed (client n on port n mod the number of
    ports); returns the tallies."""
    ports = port if isinstance(port, list) else [port]
    items = dev_questions()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(number: int) -> None:
        port = ports[number % len(ports)]
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


HOSTILE_RSS_TARGET_MB = 100


def rss_mb(pid: int) -> float:
    """Current resident set size (VmRSS) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post_raw(port: int, path: str, body: bytes, length: int | None = None) -> str:
    """POST ``body`` announcing ``length`` bytes (default: its own) on a fresh socket, tolerating a server that
    refuses it midway; the status, or for an accepted Gradio call the name of its final event."""
    head = (f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body) if length is None else length}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        try:
            s.sendall(head.encode() + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(s)
        response.begin()
        status, reply = str(response.status), response.read()
    if path.startswith("/gradio_api/call/") and status == "200":
        event_id = json.loads(reply)["event_id"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"{path}/{event_id}")
        events = [line for line in conn.getresponse().read().decode().splitlines() if line.startswith("event: ")]
        conn.close()
        return f"200 then '{events[-1].removeprefix('event: ')}' event"
    return status


def endless_chunked(port: int, limit: int = 300_000_000) -> tuple[str, int]:
    """Stream a chunked body to /api/ask until the server answers (or ``limit``); (status, bytes sent)."""
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(b"POST /api/ask HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                  b"transfer-encoding: chunked\r\n\r\n")
        try:
            while sent < limit and not select.select([s], [], [], 0)[0]:
                s.sendall(frame)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(s)
        response.begin()
    return str(response.status), sent


def chat_refusal(port: int, session: str, question: str) -> str:
    """Send ``question`` through the chat's own event (as its page does, new session); the final message."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/config")
    config = json.loads(conn.getresponse().read())
    box = next(c["id"] for c in config["components"] if c["props"].get("elem_id") == "question")
    fn = next(d["id"] for d in config["dependencies"] if [box, "submit"] in d["targets"])
    body = {"data": [question, None, 8, "All articles", "extractive"], "fn_index": fn, "session_hash": session}
    status = post_raw(port, "/gradio_api/queue/join", json.dumps(body).encode())
    if status != "200":
        return status
    conn.request("GET", f"/gradio_api/queue/data?session_hash={session}")
    messages = [json.loads(line[6:]) for line in conn.getresponse().read().decode().splitlines()
                if line.startswith("data: ")]
    conn.close()
    return "200 then " + ("a notice" if "the limit is" in json.dumps(messages[-2:]) else "no notice")


def run_hostile(port: int, pid: int) -> dict:
    """The hostile phase; the statuses seen per attack, the most bytes a refused body got in, RSS before/after."""
    before = rss_mb(pid)
    statuses: dict[str, list[str]] = {}
    streamed: list[int] = []
    lock = threading.Lock()

    def note(kind: str, status: str) -> None:
        with lock:
            statuses.setdefault(kind, []).append(status)

    def bodies() -> None:
        for _ in range(3):
            status, sent = endless_chunked(port)
            note("chunked body", status)
            with lock:
                streamed.append(sent)
            note("300 MB announced", post_raw(port, "/api/ask", b"", length=300_000_000))

    def histories() -> None:
        turn = {"role": "user", "content": "x" * 9_000}
        for n in range(10):
            api = json.dumps({"question": "What does it promote?", "history": [turn] * 100}).encode()
            note("/api/ask huge history", post_raw(port, "/api/ask", api))
            gradio = json.dumps({"data": ["What does it promote?", [turn] * (100 if n % 2 else 2_000), None, None]})
            note("/ask (Gradio) huge history", post_raw(port, "/gradio_api/call/ask", gradio.encode()))

    def questions() -> None:
        for n in range(10):
            note("chat: 900 KB question", chat_refusal(port, f"hostile-{n}", "why? " * 180_000))

    idle = []
    for n in range(100):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        if n % 2:
            s.sendall(b"POST /api/ask HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: appli")  # stalled headers
        idle.append(s)
    workers = [threading.Thread(target=f, daemon=True) for f in (bodies, bodies, histories, histories, questions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    status, _ = ask(http.client.HTTPConnection("127.0.0.1", port, timeout=60), "What did Medvedev propose in 2008?")
    note("normal question, 100 idle connections open", str(status))
    for s in idle:
        s.close()
    time.sleep(2)  # let the server notice the closed connections
    status, _ = ask(http.client.HTTPConnection("127.0.0.1", port, timeout=60), "What did Medvedev propose in 2008?")
    note("normal question after", str(status))
    return {"before": before, "after": rss_mb(pid), "statuses": statuses, "streamed": streamed}


def print_hostile(result: dict) -> None:
    for kind, seen in result["statuses"].items():
        counts = ", ".join(f"{n}× {status}" for status, n in sorted({s: seen.count(s) for s in seen}.items()))
        print(f"  {kind}: {counts}")
    print(f"  most bytes a refused chunked body got in before the 413: {max(result['streamed']) / 1e6:.1f} MB")
    grown = result["after"] - result["before"]
    verdict = "within" if grown <= HOSTILE_RSS_TARGET_MB else "OVER"
    print(f"server RSS before the hostile phase: {result['before']:.0f} MB; after: {result['after']:.0f} MB; "
          f"difference {grown:+.0f} MB ({verdict} the {HOSTILE_RSS_TARGET_MB} MB target)")


def report(name: str, result: dict, clients: int, duration: float) -> None:
    done = len(result["latencies"])
    print(f"{name}: {clients} clients for {duration:.0f} s (wall {result['wall_s']:.1f} s): "
          f"{done} answers, {done / result['wall_s']:.1f} requests/s, {len(result['errors'])} errors")
    if done:
        print(f"{name} latency under load: {summary_ms(result['latencies'])}")
    for problem in sorted(set(result["errors"]))[:5]:
        print(f"  error: {problem}")


def start_peer(port: int, corpus: Path, timeout: float = 300) -> subprocess.Popen:
    """bench/peer.py serve over the peer's store of ``corpus`` (built first when missing); returns once it answers."""
    from common import peer_folder

    folder = peer_folder(corpus)
    if not (folder / "done").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "peer.py"), "ingest", str(corpus), str(folder)],
                       check=True, capture_output=True)
        (folder / "done").touch()
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "peer.py"), "serve", str(folder), "--port",
                               str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ask(http.client.HTTPConnection("127.0.0.1", port, timeout=30), "warm-up question")[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the peer server did not answer in time")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--index", type=Path, help="index folder (default: ASSISTANT_INDEX_DIR or .assistant)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: ASSISTANT_CORPUS_DIR or corpus)")
    parser.add_argument("--processes", type=int, default=1, help="server processes, the clients spread over them")
    parser.add_argument("--chroma-url", help="a `chroma run` server holding the index, shared by the processes")
    parser.add_argument("--peer", action="store_true", help="then the same load on the peer (bench/peer.py serve)")
    parser.add_argument("--hostile", action="store_true", help="then the hostile phase, with RSS before and after")
    args = parser.parse_args()

    env = {}
    if args.index:
        env["ASSISTANT_INDEX_DIR"] = str(args.index.resolve())
    if args.corpus:
        env["ASSISTANT_CORPUS_DIR"] = str(args.corpus.resolve())
    if args.chroma_url:
        env["ASSISTANT_CHROMA_URL"] = args.chroma_url
    env.setdefault("ASSISTANT_INDEX_DIR", os.environ.get("ASSISTANT_INDEX_DIR", str(ROOT / ".assistant")))
    ports = [free_port() for _ in range(args.processes)]
    print(f"machine: {machine()}; load average before: {load_average()}")
    t = time.perf_counter()
    servers = []
    try:
        for port in ports:
            servers.append(start_server(port, env))
        print(f"{len(servers)} server process(es) ready in {time.perf_counter() - t:.1f} s on ports {ports} "
              f"(index {env.get('ASSISTANT_CHROMA_URL') or env['ASSISTANT_INDEX_DIR']}); RSS peak so far "
              f"{', '.join(f'{peak_rss_mb(s.pid):.0f}' for s in servers)} MB")
        result = run_clients(ports, args.clients, args.duration)
        peaks = [peak_rss_mb(s.pid) for s in servers]
        hostile = run_hostile(ports[0], servers[0].pid) if args.hostile else None
    finally:
        for server in servers:
            stop(server)
    report("ours", result, args.clients, args.duration)
    print(f"server peak RSS: {', '.join(f'{p:.0f}' for p in peaks)} MB; load average after: {load_average()}")
    if args.peer:
        corpus = args.corpus or Path(os.environ.get("ASSISTANT_CORPUS_DIR", ROOT / "corpus"))
        port = free_port()
        peer_server = start_peer(port, corpus.resolve())
        try:
            theirs = run_clients(port, args.clients, args.duration)
            peer_peak = peak_rss_mb(peer_server.pid)
        finally:
            stop(peer_server)
        report("peer (retrieval alone)", theirs, args.clients, args.duration)
        ours_rps = len(result["latencies"]) / result["wall_s"]
        peer_rps = len(theirs["latencies"]) / theirs["wall_s"]
        print(f"peer server peak RSS: {peer_peak:.0f} MB; ratio ours/peer: requests/s {ratio(ours_rps, peer_rps)}, "
              f"p95 {ratio(percentile(result['latencies'], 95), percentile(theirs['latencies'], 95))}, "
              f"RSS {ratio(max(peaks), peer_peak)}; load average after: {load_average()}")
    if hostile:
        print("hostile phase:")
        print_hostile(hostile)

if __name__ == "__main__":
    main()
