"""Small runs of the benchmark scripts: they work and stay bounded (the real figures: bench/RESULTS.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


@pytest.fixture()
def bench_modules(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.syspath_prepend(str(BENCH))
    import corpus_gen
    import load

    return corpus_gen, load


def test_the_generated_corpus_is_deterministic(bench_modules, tmp_path: Path) -> None:  # noqa: ANN001
    corpus_gen, _ = bench_modules
    first = corpus_gen.generate(tmp_path / "a", articles=5, per_article=4)
    second = corpus_gen.generate(tmp_path / "b", articles=5, per_article=4)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert len({p.read_text(encoding="utf-8") for p in first}) == 5
    assert first[0].name == "briefing-0000.txt"


def test_the_load_clients_stop_at_the_deadline_and_count_errors(bench_modules) -> None:  # noqa: ANN001
    _, load = bench_modules
    calls = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            calls.append(body["question"])
            reply = json.dumps({"answer": "ok"} if len(calls) % 10 else {"error": "no"}).encode()
            self.send_response(200 if len(calls) % 10 else 503)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        result = load.run_clients(server.server_address[1], clients=3, duration=1.0, request_timeout=5)
        assert time.monotonic() - started < 5
    finally:
        server.shutdown()
    assert result["latencies"] and len(result["errors"]) == len(calls) // 10
    assert all(e.startswith("HTTP 503") for e in result["errors"])


@pytest.mark.e2e
def test_latency_and_cold_start_scripts_run_beside_the_peer(onnx_settings: Settings, tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(onnx_settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(onnx_settings.index_dir), "BENCH_WORK": str(tmp_path)}
    done = subprocess.run([sys.executable, str(BENCH / "latency.py"), "--rounds", "2", "--limit", "3", "--profile"],
                          capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "encoder: OnnxEmbeddings" in done.stdout and "first time each question: n=3 p50=" in done.stdout
    assert "peer, retrieval alone (similarity_search k=4), all rounds: n=6 p50=" in done.stdout
    assert "ratio p50 ours/peer: first time " in done.stdout and "encode the question (ONNX)" in done.stdout
    done = subprocess.run([sys.executable, str(BENCH / "cold.py"), "--runs", "1", "--no-peer"],  # peer: latency.py
                          capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    for line in ("cold floor wall over 1 runs", "cold ours  wall over 1 runs", "ratio ours/floor",
                 "passages, BM25, corpus statistics (snapshot)", "assistant.service"):
        assert line in done.stdout
