"""Short answers, summaries, lists and the name gate with the real model, index and fitted answer model.

The questions are written for these tests (not taken from the dev set or the external sets).
"""

from __future__ import annotations

import pytest

from tests.checks import assert_exact_citations

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("question", "short"), [
    ("In which year did Medvedev put forward his treaty idea?", "2008"),
    ("Which two countries has Russia expanded its energy exports to?", "China"),
])
def test_a_factoid_gets_a_short_answer_copied_from_the_cited_sentence(article_service, article_settings,  # noqa: ANN001
                                                                     question: str, short: str) -> None:
    answer = article_service.ask(question)
    assert not answer.abstained and answer.short_answer and short in answer.short_answer
    assert answer.answer.startswith(f"{answer.short_answer} — ")
    assert answer.short_answer in " ".join(c.text for c in answer.citations)
    assert_exact_citations(answer, article_settings.corpus_dir)


@pytest.mark.parametrize("question", ["Summarize the article", "give me a tl;dr", "What is this article about?",
                                      "What are the main points of this piece?"])
def test_a_summary_never_abstains_and_covers_several_sections(article_service, article_settings,  # noqa: ANN001
                                                              question: str) -> None:
    answer = article_service.ask(question)
    assert not answer.abstained
    assert 3 <= len(answer.citations) <= 5
    assert len({c.section for c in answer.citations}) >= 3
    assert answer.short_answer is None
    assert_exact_citations(answer, article_settings.corpus_dir)


def test_a_list_gathers_items_across_the_article(article_service, article_settings) -> None:  # noqa: ANN001
    answer = article_service.ask("Which organizations are mentioned in the article?")
    assert not answer.abstained and len(answer.citations) >= 3
    cited = " ".join(c.text for c in answer.citations)
    assert sum(name in cited for name in ("NATO", "Shanghai Cooperation Organization", "United Nations",
                                          "European Union")) >= 3
    assert_exact_citations(answer, article_settings.corpus_dir)


@pytest.mark.parametrize("question", [
    "I'm curious: who floated the European Security Treaty?",    # a contraction is not a name
    "What did Russia's energy exports to Asia look like?",        # a possessive of a known name
])
def test_the_name_gate_lets_known_names_through(article_service, question: str) -> None:  # noqa: ANN001
    assert not article_service.ask(question).abstained


def test_the_name_gate_stops_an_unknown_name(article_service) -> None:  # noqa: ANN001
    answer = article_service.ask("What did Olaf Scholz say about the G7 summit?")
    assert answer.abstained and "Scholz" in answer.answer and answer.citations == []
