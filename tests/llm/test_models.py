"""The LLM answerers with real models: the packaged Gemma 3 270M GGUF run locally through llama.cpp,
and the ``openai`` answerer talking to a real ``llama_cpp.server`` on a loopback port.

The contract checked for each: every citation is an exact slice of the corpus file, every marker in
the text names a citation, an abstention has no citations, and text arrives in several chunks.
The same small model serves both, so its answers are weak; these tests check the plumbing and the
checks, not the model's knowledge.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answerers.chat import plausible_rewrite
from assistant.settings import Settings
from assistant.types import Answer

pytestmark = pytest.mark.llm
pytest.importorskip("llama_cpp", reason="needs the 'local' extra: make local")

ANSWERABLE = [
    "What did Dmitry Medvedev propose in 2008?",
    "In which year did Medvedev introduce the idea of a European Security Treaty?",
    "Which organizations does Russia take part in as alternatives to Western-led alliances?",
]
UNANSWERABLE = "How much money has Russia invested in Africa and Latin America?"


def _service(article_settings: Settings, minilm, **overrides):  # noqa: ANN001, ANN202
    from assistant.embeddings import QueryEncoder
    from assistant.service import AssistantService

    return AssistantService.from_settings(article_settings.model_copy(update=overrides), encoder=QueryEncoder(minilm))


def _check_contract(answer: Answer, settings: Settings) -> None:
    if answer.abstained:
        assert answer.citations == []
        return
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers and markers <= {c.marker for c in answer.citations}
    for c in answer.citations:
        text = (Path(settings.corpus_dir) / c.doc).read_text(encoding="utf-8")
        assert text[c.start:c.end] == c.text


def _stream(service, question: str, history=None) -> tuple[list[str], Answer]:  # noqa: ANN001
    items = list(service.stream(question, history or []))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    return items[:-1], items[-1]


@pytest.fixture(scope="module")
def local_service(article_settings: Settings, minilm, gguf_path: Path):  # noqa: ANN001, ANN201
    return _service(article_settings, minilm, answerer="local", local_model_path=gguf_path, llm_fallback=False)


def test_local_short_answers_are_verbatim_in_their_citations(local_service, article_service,  # noqa: ANN001
                                                             article_settings: Settings) -> None:
    kept = 0
    for question in ANSWERABLE:
        chunks, answer = _stream(local_service, question)
        extractive = article_service.ask(question)
        _check_contract(answer, article_settings)
        assert len(chunks) > 1 and "".join(chunks) == answer.answer
        assert answer.citations == extractive.citations  # the local model never changes what is cited
        if answer.short_answer:
            kept += 1
            cited = " ".join(c.text for c in answer.citations)
            assert answer.short_answer.lower() in " ".join(cited.split()).lower().replace("“", "").replace("”", "")
            quoted = " ".join(f"{c.text} [{c.marker}]" for c in extractive.citations)
            assert answer.answer == f"{answer.short_answer} — {quoted}"  # the model's phrase replaces the extractive one
        else:
            assert answer.answer == extractive.answer
    assert kept >= 2, "the packaged model should give verified short answers to these questions"


def test_local_mode_keeps_the_abstention(local_service) -> None:  # noqa: ANN001
    answer = local_service.ask(UNANSWERABLE)
    assert answer.abstained and answer.short_answer is None and answer.citations == []


def test_local_year_answer(local_service) -> None:  # noqa: ANN001
    answer = local_service.ask(ANSWERABLE[1])
    assert answer.short_answer == "2008" and answer.answer.startswith("2008 — ")


@pytest.fixture(scope="module")
def openai_service(article_settings: Settings, minilm, llama_server: str):  # noqa: ANN001, ANN201
    pytest.importorskip("langchain_openai", reason="needs the 'llm' extra")
    return _service(article_settings, minilm, answerer="openai", llm_base_url=llama_server, llm_model="gemma3-270m",
                    llm_fallback=False, llm_timeout=120, llm_max_tokens=120)


def test_openai_mode_streams_a_checked_answer_from_a_real_server(openai_service, article_settings: Settings) -> None:  # noqa: ANN001
    for question in ANSWERABLE[:2]:
        chunks, answer = _stream(openai_service, question)
        assert len(chunks) > 1, "tokens should arrive as the server writes them"
        _check_contract(answer, article_settings)
        assert answer.notice is None
        if not answer.abstained:  # every unsupported sentence is in the text and has no marker
            for sentence in answer.unsupported:
                assert sentence in answer.answer


def test_openai_mode_abstains_or_cites_on_an_unanswerable_question(openai_service,  # noqa: ANN001
                                                                   article_settings: Settings) -> None:
    _, answer = _stream(openai_service, UNANSWERABLE)
    _check_contract(answer, article_settings)


def test_openai_mode_rewrites_a_follow_up(openai_service) -> None:  # noqa: ANN001
    history = [{"role": "user", "content": "What did Dmitry Medvedev propose in 2008?"},
               {"role": "assistant", "content": "He introduced the idea of a European Security Treaty. [1]"}]
    answer = openai_service.ask("How was it received?", history)
    standalone = answer.standalone_question
    assert standalone and standalone != "How was it received?"
    conversation = "\n".join(f"{t['role']}: {t['content']}" for t in history)
    # the model's rewrite when it is plausible, else the rule-based reading (question + its context)
    assert plausible_rewrite(standalone, "How was it received?", conversation) or standalone.startswith(
        "How was it received? (What did Dmitry Medvedev propose in 2008?")


def test_the_cli_streams_with_the_local_model(article_settings: Settings, gguf_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(article_settings.corpus_dir),
               ASSISTANT_INDEX_DIR=str(article_settings.index_dir), ASSISTANT_ANSWERER="local",
               ASSISTANT_LOCAL_MODEL_PATH=str(gguf_path))
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", ANSWERABLE[1]], capture_output=True,
                            text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2008 — ") and "[1] global-security-architecture.txt" in result.stdout


@pytest.mark.parametrize("mode", ["extractive", "local", "openai"])
def test_every_answerer_keeps_the_same_contract(mode: str, request: pytest.FixtureRequest,
                                                article_settings: Settings) -> None:
    """One invariant for every interchangeable answerer: streamed text, then exact citations or an abstention."""
    service = {"extractive": "article_service", "local": "local_service", "openai": "openai_service"}[mode]
    service = request.getfixturevalue(service)
    for question in [ANSWERABLE[0], UNANSWERABLE]:
        chunks, answer = _stream(service, question)
        assert chunks and answer.question == question
        _check_contract(answer, article_settings)
        assert answer.abstained == (not answer.citations)
