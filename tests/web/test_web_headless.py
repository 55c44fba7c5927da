"""The real app over the shipped article, without a browser: gradio_client and POST /api/ask."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

QUESTION = "What did Dmitry Medvedev propose in 2008?"


def _corpus_text(app: Any, doc: str) -> str:
    return (app.settings.corpus_dir / doc).read_bytes().decode("utf-8")


def test_gradio_client_returns_the_structured_answer(web_app: Any) -> None:
    from gradio_client import Client

    client = Client(web_app.url + "/", verbose=False, download_files=False)
    assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    result = client.predict(question=QUESTION, api_name="/ask")
    assert not result["abstained"] and "[1]" in result["answer"]
    assert "European Security Treaty" in result["answer"]
    for c in result["citations"]:
        assert _corpus_text(web_app, c["doc"])[c["start"]:c["end"]] == c["text"]
        assert f"[{c['marker']}]" in result["answer"]


def test_gradio_client_bad_input_is_a_clear_error(web_app: Any) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(web_app.url + "/", verbose=False, download_files=False)
    with pytest.raises(AppError, match="empty"):
        client.predict(question="   ", api_name="/ask")


def test_api_ask_on_the_chat_port(web_app: Any) -> None:
    r = httpx.post(web_app.url + "/api/ask", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200
    answer = r.json()
    assert not answer["abstained"] and answer["citations"]
    c = answer["citations"][0]
    assert _corpus_text(web_app, c["doc"])[c["start"]:c["end"]] == c["text"]
    assert any(p["start"] <= c["start"] and c["end"] <= p["end"] for p in answer["retrieved"])


def test_api_ask_follow_up_uses_history(web_app: Any) -> None:
    history = [{"role": "user", "content": "Tell me about Russia and the SCO."},
               {"role": "assistant", "content": "The article mentions the Shanghai Cooperation Organization."}]
    r = httpx.post(web_app.url + "/api/ask", json={"question": "What does it promote?", "history": history},
                   timeout=60)
    assert r.status_code == 200
    assert r.json()["standalone_question"]  # resolved against the history


def test_api_ask_unanswerable_cites_nothing(web_app: Any) -> None:
    r = httpx.post(web_app.url + "/api/ask", json={"question": "What is the capital of Australia?"}, timeout=60)
    assert r.status_code == 200 and r.json()["abstained"] and r.json()["citations"] == []
    trace = r.json()["trace"]  # and says why
    assert trace["answered"] is False and trace["check"] in {"answerable", "answer_type", "unknown_name"}
    assert trace["reason"] and trace["passages"][0]["fused"] == 1


@pytest.mark.parametrize(("body", "status"), [({"question": ""}, 400), ({"question": "x" * 2001}, 400),
                                              ({"history": []}, 422)])
def test_api_ask_bad_input(web_app: Any, body: dict, status: int) -> None:
    r = httpx.post(web_app.url + "/api/ask", json=body, timeout=60)
    assert r.status_code == status and set(r.json()) == {"error"}


def test_basic_auth_protects_the_chat_and_the_api(article_settings: Any, start_app: Any, tmp_path: Any) -> None:
    from gradio_client import Client
    from pydantic import SecretStr

    url = start_app(article_settings.model_copy(update={
        "web_username": "ann", "web_password": SecretStr("s3cret"), "feedback_file": tmp_path / "f.jsonl"}))
    assert httpx.post(url + "/api/ask", json={"question": QUESTION}).status_code == 401
    r = httpx.post(url + "/api/ask", json={"question": QUESTION}, auth=("ann", "s3cret"), timeout=60)
    assert r.status_code == 200 and r.json()["citations"]
    assert httpx.get(url + "/config").status_code == 401
    client = Client(url + "/", auth=("ann", "s3cret"), verbose=False, download_files=False)
    assert client.predict(question=QUESTION, api_name="/ask")["citations"]


def test_api_ask_document_filter(web_app: Any, article_service: Any) -> None:
    import inspect

    if "doc" not in inspect.signature(article_service.ask).parameters:
        pytest.skip("the engine has no document filter")
    doc = "global-security-architecture.txt"
    r = httpx.post(web_app.url + "/api/ask", json={"question": QUESTION, "doc": doc}, timeout=60)
    assert r.status_code == 200 and all(c["doc"] == doc for c in r.json()["citations"])
    r = httpx.post(web_app.url + "/api/ask", json={"question": QUESTION, "doc": "../secrets.txt"}, timeout=60)
    assert r.status_code == 400 and "outside the corpus" in r.json()["error"]
