"""When the model fails: a clear message, the extractive fallback when allowed, and never a hang.

The failing servers are real loopback sockets: a closed port, a server that never replies, one that
says the model does not exist, one that sends a page instead of an API reply.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from assistant.answerers import ModelUnavailableError
from assistant.settings import Settings

pytestmark = pytest.mark.llm
pytest.importorskip("langchain_openai", reason="needs the 'llm' extra: pip install -e '.[llm]'")

QUESTION = "What did Dmitry Medvedev propose in 2008?"
TIMEOUT = 3.0


def _service(article_settings: Settings, minilm, **overrides):  # noqa: ANN001, ANN202
    from assistant.embeddings import QueryEncoder
    from assistant.service import AssistantService

    settings = article_settings.model_copy(update={"llm_timeout": TIMEOUT, **overrides})
    return AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))


@pytest.fixture(scope="module")
def extractive_answer(article_service):  # noqa: ANN001, ANN201
    return article_service.ask(QUESTION)


def _closed_url(mode: str) -> str:
    """The URL of a loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1" if mode == "openai" else f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("mode", ["openai", "ollama"])
def test_an_unreachable_server_falls_back_to_the_extractive_answer(mode: str, article_settings: Settings, minilm,  # noqa: ANN001
                                                                   extractive_answer) -> None:  # noqa: ANN001
    service = _service(article_settings, minilm, answerer=mode, llm_base_url=_closed_url(mode), llm_model="m")
    started = time.monotonic()
    items = list(service.stream(QUESTION))
    answer = items[-1]
    assert time.monotonic() - started < 30
    assert answer.notice and "cannot reach the" in answer.notice and "extractive answer instead" in answer.notice
    assert answer.answer == extractive_answer.answer and answer.citations == extractive_answer.citations
    assert "".join(items[:-1]) == answer.answer  # the fallback is streamed too


def test_without_fallback_an_unreachable_server_is_a_one_line_error(article_settings: Settings, minilm) -> None:  # noqa: ANN001
    service = _service(article_settings, minilm, answerer="openai", llm_base_url=_closed_url("openai"),
                       llm_fallback=False)
    with pytest.raises(ModelUnavailableError, match=r"^cannot reach the OpenAI-compatible server at http://127\.0\.0\.1:\d+/v1"):
        service.ask(QUESTION)


@pytest.mark.parametrize(("misbehaving_server", "message"), [
    ("silent", f"did not answer within {TIMEOUT:g} s"),
    ("unknown-model", "has no model named 'no-such-model'"),
    ("garbage", "sent a reply that could not be read"),
], indirect=["misbehaving_server"])
def test_a_misbehaving_server_gives_a_clear_message_and_no_hang(misbehaving_server: str, message: str,
                                                                 article_settings: Settings, minilm,  # noqa: ANN001
                                                                 extractive_answer) -> None:  # noqa: ANN001
    service = _service(article_settings, minilm, answerer="openai", llm_base_url=misbehaving_server,
                       llm_model="no-such-model", llm_fallback=False)
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=message):
        service.ask(QUESTION)
    assert time.monotonic() - started < 4 * TIMEOUT
    fallback = _service(article_settings, minilm, answerer="openai", llm_base_url=misbehaving_server,
                        llm_model="no-such-model").ask(QUESTION)
    assert message in fallback.notice and fallback.answer == extractive_answer.answer


def _cli(article_settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, ASSISTANT_CORPUS_DIR=str(article_settings.corpus_dir),
                   ASSISTANT_INDEX_DIR=str(article_settings.index_dir), ASSISTANT_LLM_TIMEOUT=str(TIMEOUT), **env)
    return subprocess.run([sys.executable, "-m", "assistant.cli", "ask", *args], capture_output=True, text=True,
                          env=environ, timeout=300, check=False)


def test_cli_reports_the_failure_and_the_fallback(article_settings: Settings, extractive_answer) -> None:  # noqa: ANN001
    url = _closed_url("openai")
    result = _cli(article_settings, QUESTION, ASSISTANT_ANSWERER="openai", ASSISTANT_LLM_BASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert f"note: cannot reach the OpenAI-compatible server at {url}" in result.stderr
    assert result.stdout.startswith(extractive_answer.answer)
    result = _cli(article_settings, QUESTION, "--json", ASSISTANT_ANSWERER="openai", ASSISTANT_LLM_BASE_URL=url,
                  ASSISTANT_LLM_FALLBACK="false")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: cannot reach the OpenAI-compatible server at {url}")
