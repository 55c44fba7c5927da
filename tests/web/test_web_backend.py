"""ChatBackend: per-request passages and answer mode as light service copies; streaming fallback."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.errors import QuestionError
from assistant.settings import Settings
from assistant.types import Answer
from assistant.web.backend import MAX_TOP_K, ChatBackend


class FakeRetriever:
    def __init__(self, top_k: int) -> None:
        self.top_k = top_k
        self.passages: dict[str, Any] = {}

    def model_copy(self, update: dict[str, Any]) -> FakeRetriever:
        return FakeRetriever(update["top_k"])


class FakeService:
    """Stands in for AssistantService (same constructor and ask shape, no stream)."""

    def __init__(self, settings: Settings, retriever: FakeRetriever, answerer: object) -> None:
        self.settings, self.retriever, self.answerer = settings, retriever, answerer

    def ask(self, question: str, history: list) -> Answer:
        return Answer(question=question, answer=f"k={self.retriever.top_k} one two [1]", abstained=False)


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> ChatBackend:
    monkeypatch.setattr("assistant.web.backend.AssistantService", FakeService)
    return ChatBackend(FakeService(Settings(top_k=6), FakeRetriever(6), answerer=object()))  # type: ignore[arg-type]


def test_default_and_other_top_k(backend: ChatBackend) -> None:
    assert backend.ask("q").answer.startswith("k=6")
    assert backend.ask("q", top_k=3).answer.startswith("k=3")
    assert backend.ask("q", top_k=999).answer.startswith(f"k={MAX_TOP_K}")
    assert backend._service_for(3, None) is backend._service_for(3, None)  # one copy per choice
    assert backend._service_for(3, None).answerer is backend.service.answerer


def test_modes(backend: ChatBackend) -> None:
    assert backend.answer_modes == ["extractive"]
    with pytest.raises(QuestionError, match="answer mode"):
        backend.ask("q", mode="telepathy")


def test_stream_falls_back_to_the_finished_answer_in_pieces(backend: ChatBackend) -> None:
    items = list(backend.stream("q"))
    assert isinstance(items[-1], Answer)
    assert "".join(items[:-1]) == items[-1].answer and len(items) > 2


def test_document_filter_needs_an_engine_that_has_one(backend: ChatBackend) -> None:
    with pytest.raises(QuestionError, match="document filter"):
        backend.ask("q", doc="a.txt")
