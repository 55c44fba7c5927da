"""Fixtures of the scale tests: an ONNX export, a small multi-article corpus, a real `chroma run` server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_NAME = "global-security-architecture.txt"
ARTICLE = (ROOT / "corpus" / ARTICLE_NAME).read_text(encoding="utf-8")
HARBOUR = ("Harbour Notes\nThe Old Port\nThe harbour of Lindqvist reopened in 1998 after repairs. "
           "Ferries returned within a week, and the fish market moved back to the quay.\n")
CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def two_articles(base: Path) -> Settings:
    """The shipped article and a short one about a harbour, in ``base/corpus``; index in ``base/index``."""
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    (corpus / ARTICLE_NAME).write_text(ARTICLE, encoding="utf-8")
    (corpus / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    return Settings(corpus_dir=corpus, index_dir=base / "index")


@pytest.fixture(scope="session")
def onnx_settings(tmp_path_factory: pytest.TempPathFactory, minilm) -> Settings:  # noqa: ANN001
    """Two articles ingested with the real model, with the ONNX export beside the index."""
    from assistant.embeddings import ensure_onnx_export
    from assistant.ingest import ingest

    settings = two_articles(tmp_path_factory.mktemp("two"))
    ingest(settings, embedder_factory=lambda: minilm)
    ensure_onnx_export(settings, minilm)
    return settings


class ChromaServer:
    """A real ``chroma run`` on a free loopback port, over a data folder; start/stop at will."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("chroma run did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed beside this Python")
    server = ChromaServer(tmp_path / "chroma-data")
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def fresh_two(tmp_path: Path) -> Settings:
    return two_articles(tmp_path)


def copy_index(settings: Settings, dest: Path) -> Settings:
    """A copy of an index folder (and its corpus) that a test may damage."""
    shutil.copytree(settings.index_dir, dest / "index")
    shutil.copytree(settings.corpus_dir, dest / "corpus")
    return settings.model_copy(update={"index_dir": dest / "index", "corpus_dir": dest / "corpus"})


def fresh_index(onnx_settings: Settings, dest: Path, minilm) -> Settings:  # noqa: ANN001
    """The two articles ingested anew into ``dest`` (new segment ids), with the ONNX export copied beside.

    Tests that open an index in this process and damage or kill writers of it use this rather than
    ``copy_index``: a copy shares its Chroma segment ids with the original, and chromadb's in-process
    HNSW cache is keyed by segment id, so opening both in one process mixes them up.
    """
    from assistant.ingest import ingest

    settings = two_articles(dest)
    ingest(settings, embedder_factory=lambda: minilm, export_onnx=False)
    shutil.copytree(onnx_settings.index_dir / "onnx", settings.index_dir / "onnx")
    return settings
