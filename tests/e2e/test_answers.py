"""Answers and citations from the real service (real model, real Chroma) over the shipped article.

The questions here are written for these tests, not taken from the dev set.
"""

from __future__ import annotations


import pytest

from assistant.errors import QuestionError
from tests.checks import assert_exact_citations

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("question", "expected"), [
    ("Who introduced the idea of a European Security Treaty?", "Dmitry Medvedev"),
    ("In what year was the European Security Treaty proposed?", "2008"),
    ("To which countries has Moscow expanded its exports?", "China, India"),
    ("How did Western capitals receive the treaty proposal?", "limited enthusiasm"),
    ("What does the BRICS grouping put emphasis on?", "financial independence"),
    ("What are EU policymakers worried a new architecture might do?", "transatlantic alliance"),
])
def test_answers_quote_and_cite_the_article(article_service, article_settings, question: str, expected: str) -> None:  # noqa: ANN001
    answer = article_service.ask(question)
    assert not answer.abstained
    assert expected in answer.answer
    assert any(expected in c.text for c in answer.citations)
    assert_exact_citations(answer, article_settings.corpus_dir)
    assert answer.retrieved and all(p.score > 0 for p in answer.retrieved)


@pytest.mark.parametrize("question", [
    "Who is the current Secretary General of NATO?",
    "How many ambassadors presented their credentials at the ceremony?",
    "How much gas does Russia export to China every year?",
    "What is the capital of Australia?",
    "Give me a recipe for chocolate cake",
])
def test_unsupported_questions_get_one_abstention_sentence_and_no_citations(article_service, question: str) -> None:  # noqa: ANN001
    answer = article_service.ask(question)
    assert answer.abstained
    assert answer.citations == []
    assert answer.answer.count(".") == 1 and "[" not in answer.answer


def test_a_multi_hop_question_computes_the_years_between(article_service, article_settings) -> None:  # noqa: ANN001
    answer = article_service.ask("How many years passed between the Soviet collapse and the year gas volumes to Europe began to fall?")
    assert answer.answer.startswith("31 years (1991 to 2022).")
    assert_exact_citations(answer, article_settings.corpus_dir)


def test_a_follow_up_is_answered_from_the_conversation(article_service, article_settings) -> None:  # noqa: ANN001
    first = article_service.ask("Who proposed a European Security Treaty?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    follow_up = article_service.ask("and how was it received?", history)
    assert not follow_up.abstained
    assert "limited enthusiasm" in follow_up.answer
    assert follow_up.standalone_question and "European Security Treaty" in follow_up.standalone_question
    assert_exact_citations(follow_up, article_settings.corpus_dir)


@pytest.mark.parametrize(("question", "message"), [
    ("", "empty"), ("   \n\t ", "empty"), ("x" * 2001, "2001 characters"),
])
def test_bad_questions_raise_a_clear_error(article_service, question: str, message: str) -> None:  # noqa: ANN001
    with pytest.raises(QuestionError, match=message):
        article_service.ask(question)


def test_control_characters_are_dropped(article_service) -> None:  # noqa: ANN001
    answer = article_service.ask("Who introduced the idea of a European\x00 Security\x1b Treaty?")
    assert "Medvedev" in answer.answer


def test_the_chain_is_an_lcel_runnable(article_service) -> None:  # noqa: ANN001
    from langchain_core.runnables import Runnable

    assert isinstance(article_service.chain, Runnable)
    docs = article_service.retriever.invoke("energy exports to China and India")
    assert docs and docs[0].metadata["doc"] == "global-security-architecture.txt"


def test_asking_starts_no_thread_per_question(article_service, monkeypatch) -> None:  # noqa: ANN001
    """A thread pool made per question (``RunnablePassthrough.assign``, bm25s's ``n_threads=1``) cost
    about 5 ms a question; the only threads are the dense-search pool's, started once."""
    import threading

    article_service.ask("Which grouping emphasises financial independence?")
    started = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (started.append(self.name), start(self))[1])
    for n in range(20):
        article_service.ask(f"What did Medvedev propose in {2000 + n}?")
    assert all(name.startswith("dense-search") for name in started), started
    assert len(started) < 4  # at most the pool's other workers
