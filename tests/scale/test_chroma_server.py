"""Client-server mode against a real `chroma run` on loopback: same answers, clear errors, recovery."""

from __future__ import annotations

import time

import pytest

from assistant.errors import IndexUnavailableError
from assistant.settings import Settings
from tests.scale.conftest import ChromaServer, free_port

pytestmark = pytest.mark.e2e


def test_server_mode_answers_like_the_local_index_and_survives_a_restart(
        chroma_server: ChromaServer, fresh_two: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.embeddings import QueryEncoder
    from assistant.ingest import ingest
    from assistant.service import AssistantService
    from assistant.store import open_index

    settings = fresh_two.model_copy(update={"chroma_url": chroma_server.url, "chroma_timeout_s": 5.0})
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.documents == 2 and not (settings.index_dir / "chroma").exists()  # nothing written locally
    assert ingest(settings, embedder_factory=lambda: minilm).unchanged
    assert open_index(settings).manifest().generation == report.generation

    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    answer = service.ask("When did the harbour reopen?")
    assert "1998" in answer.answer and answer.citations[0].doc == "harbour.md"

    chroma_server.stop()  # the server goes away mid-session
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError, match=f"Chroma server at {chroma_server.url} is unreachable or not answering"):
        service.ask("What did Medvedev propose in 2008?")
    assert time.monotonic() - started < 15  # a clear error, not a hang
    with pytest.raises(IndexUnavailableError, match="unreachable"):
        AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))

    chroma_server.start()  # it comes back: the same service answers again
    answer = service.ask("What did Medvedev propose in 2008?")
    assert "European Security Treaty" in answer.answer

    (settings.corpus_dir / "lighthouse.txt").write_text(  # another ingest replaces the service's generation
        "Lighthouse\nThe lighthouse of Vardholm was painted red in 1952.\n", encoding="utf-8")
    assert ingest(settings, embedder_factory=lambda: minilm).generation == report.generation + 1
    answer = service.ask("When was the lighthouse of Vardholm painted red?", doc="lighthouse.txt")
    assert "1952" in answer.answer and service.retriever.reader.generation == report.generation + 1


def test_an_unreachable_or_malformed_url_fails_fast_with_one_line(tmp_path) -> None:  # noqa: ANN001
    from assistant.store import open_index

    settings = Settings(index_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}", chroma_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError) as info:
        open_index(settings)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert "\n" not in message and "unreachable" in message and "ASSISTANT_CHROMA_URL" in message
    with pytest.raises(IndexUnavailableError, match="http://host:port"):
        open_index(settings.model_copy(update={"chroma_url": "localhost:8000"}))


def test_a_frozen_server_times_out_with_one_line_and_recovers(chroma_server: ChromaServer, fresh_two: Settings,
                                                              minilm) -> None:  # noqa: ANN001
    import os
    import signal

    from assistant.embeddings import QueryEncoder
    from assistant.ingest import ingest
    from assistant.service import AssistantService

    settings = fresh_two.model_copy(update={"chroma_url": chroma_server.url, "chroma_timeout_s": 2.0})
    ingest(settings, embedder_factory=lambda: minilm)
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    os.kill(chroma_server.process.pid, signal.SIGSTOP)  # up but not answering: only the read timeout helps
    try:
        started = time.monotonic()
        with pytest.raises(IndexUnavailableError, match="not answering.*Timeout"):
            service.ask("When did the harbour reopen?")
        assert time.monotonic() - started < 10
    finally:
        os.kill(chroma_server.process.pid, signal.SIGCONT)
    assert "1998" in service.ask("When did the harbour reopen?").answer
