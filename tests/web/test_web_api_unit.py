"""POST /api/ask against a fake backend: status codes, error bodies, basic auth (no model needed)."""

from __future__ import annotations

import base64

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.errors import IndexUnavailableError
from assistant.service import clean_question
from assistant.types import Answer, Citation, Turn
from assistant.web.api import add_api_routes


class FakeBackend:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Turn], int | None, str | None]] = []

    def ask(self, question: str, history: list[Turn], top_k: int | None = None, doc: str | None = None) -> Answer:
        self.calls.append((question, history, top_k, doc))
        if question == "boom":
            raise RuntimeError("secret internals")
        if question == "no index":
            raise IndexUnavailableError("the index is missing")
        text = clean_question(question, 50)
        c = Citation(marker=1, doc="a.txt", section="", start=0, end=4, text="Text")
        return Answer(question=text, answer="Text [1]", abstained=False, citations=[c])


def _client(credentials: tuple[str, str] | None = None) -> tuple[TestClient, FakeBackend]:
    app, backend = FastAPI(), FakeBackend()
    add_api_routes(app, backend, credentials)
    return TestClient(app, raise_server_exceptions=False), backend


def test_answer_is_the_structured_answer() -> None:
    client, backend = _client()
    r = client.post("/api/ask", json={"question": "What?", "history": [{"role": "user", "content": "hi"}],
                                      "top_k": 3, "doc": "a.txt"})
    assert r.status_code == 200
    assert r.json()["citations"][0] == {"doc": "a.txt", "section": "", "start": 0, "end": 4, "text": "Text",
                                        "marker": 1, "page": None, "title": None}
    assert set(r.json()) == set(Answer.model_fields)
    assert backend.calls == [("What?", [Turn(role="user", content="hi")], 3, "a.txt")]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"question": "   "}, 400, "empty"),
    ({"question": "x" * 51}, 400, "limit"),
    ({}, 422, "question: Field required"),
    ({"question": 3}, 422, "question"),
    ({"question": "q", "history": "nope"}, 422, "history"),
    ({"question": "q", "history": [{"role": "user"}]}, 422, "history.0.content"),
    ({"question": "q", "top_k": 0}, 422, "top_k"),
    ({"question": "q", "unknown": 1}, 422, "unknown"),
    (["question"], 422, "JSON object"),
])
def test_bad_input_gets_a_clear_error(body: object, status: int, message: str) -> None:
    client, _ = _client()
    r = client.post("/api/ask", json=body)
    assert r.status_code == status
    assert set(r.json()) == {"error"} and message in r.json()["error"]


def test_not_json() -> None:
    client, _ = _client()
    r = client.post("/api/ask", content=b"\xff{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_engine_failures_do_not_leak_internals() -> None:
    client, _ = _client()
    r = client.post("/api/ask", json={"question": "boom"})
    assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text
    r = client.post("/api/ask", json={"question": "no index"})
    assert r.status_code == 503 and r.json() == {"error": "the index is missing"}


def test_basic_auth_when_configured() -> None:
    client, _ = _client(("ann", "pw"))
    assert client.post("/api/ask", json={"question": "q"}).status_code == 401
    bad = base64.b64encode(b"ann:nope").decode()
    assert client.post("/api/ask", json={"question": "q"}, headers={"authorization": f"Basic {bad}"}).status_code == 401
    good = base64.b64encode(b"ann:pw").decode()
    r = client.post("/api/ask", json={"question": "q"}, headers={"authorization": f"Basic {good}"})
    assert r.status_code == 200
