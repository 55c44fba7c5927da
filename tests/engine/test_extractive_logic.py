"""The extractive answerer's decisions, on hand-made evidence and a hand-made answer model.

These tests pin the rules around the learned heads (gates, selection, short answers, citations);
tests/e2e checks the same answerer with the real model, the real index and the fitted heads.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answerers.extractive import AnswerPolicy, ExtractiveAnswerer
from assistant.followup import ResolvedQuestion
from tests.fakes import hand_model, make_evidence, make_passages, unit_vector

SECTIONS = [("Energy", ["Russia supplies gas to Europe.", "Volumes have fallen sharply since 2022.",
                        "This decline followed the sanctions."]),
            ("History", ["The Soviet Union dissolved in 1991."])]
TEXT, _, _ = make_passages(SECTIONS)
VECTORS = np.stack([unit_vector(0), unit_vector(1), unit_vector(2), unit_vector(3)])


def _answer(question, query: np.ndarray, **model):  # noqa: ANN001, ANN202
    answerer = ExtractiveAnswerer(hand_model(**model), abstention_message="NOT IN ARTICLE",
                                  unknown_name_message="NO {names}", policy=AnswerPolicy(max_sentences=3))
    return answerer.answer(make_evidence(question, SECTIONS, VECTORS, query))


def test_cites_the_supporting_sentence_with_exact_offsets() -> None:
    draft = _answer("Who supplies gas to Europe?", unit_vector(0))
    assert not draft.abstained
    assert [c.text for c in draft.citations] == ["Russia supplies gas to Europe."]
    assert all(TEXT[c.start:c.end] == c.text for c in draft.citations)
    assert draft.answer.endswith("Russia supplies gas to Europe. [1]")


def test_short_answer_is_a_phrase_of_the_cited_sentence_shown_first() -> None:
    draft = _answer("Since when have volumes fallen?", unit_vector(1))
    assert draft.short_answer == "2022"
    assert draft.answer == "2022 — Volumes have fallen sharply since 2022. [1]"


def test_no_short_answer_when_no_phrase_clears_the_span_threshold() -> None:
    draft = _answer("Since when have volumes fallen?", unit_vector(1), span_threshold=0.999)
    assert draft.short_answer is None and draft.answer == "Volumes have fallen sharply since 2022. [1]"


def test_abstains_under_the_answerable_threshold() -> None:
    draft = _answer("what is the weather like?", unit_vector(7))
    assert draft.abstained and draft.answer == "NOT IN ARTICLE" and draft.citations == []
    # the same evidence, with a threshold the probability clears, is answered
    assert not _answer("what is the weather like?", unit_vector(7), abstain_threshold=0.001).abstained


@pytest.mark.parametrize(("question", "names"), [
    ("What is the weather like in Oslo?", "NO “Oslo”"),
    ("Did the G7 discuss Europe's gas?", "NO “G7”"),
])
def test_a_name_the_corpus_never_mentions_is_refused(question: str, names: str) -> None:
    draft = _answer(question, unit_vector(0))
    assert draft.abstained and draft.answer == names


@pytest.mark.parametrize("question", [
    "I'm curious: who supplies gas to Europe?",          # a contraction is not a name
    "Who supplies Europe's gas?",                         # a possessive of a known name
    "Does Russia-supplied gas reach Europe?",             # a hyphenated known name
])
def test_words_that_are_not_unknown_names_do_not_trigger_the_gate(question: str) -> None:
    assert not _answer(question, unit_vector(0)).abstained


def test_abstains_when_no_sentence_holds_the_asked_for_fact() -> None:
    # similar and on topic, but no number of tankers anywhere
    assert _answer("How many tankers carry gas to Europe?", unit_vector(0)).abstained


def test_a_back_referring_sentence_comes_with_its_antecedent_in_one_citation() -> None:
    draft = _answer("What did the decline follow?", unit_vector(2))
    assert [c.text for c in draft.citations] == [
        "Volumes have fallen sharply since 2022. This decline followed the sanctions."]


def test_years_between_is_computed_from_the_cited_years() -> None:
    query = (unit_vector(1) + unit_vector(3)) / np.sqrt(2)
    draft = _answer("How many years between the Soviet Union dissolving and volumes falling?", query)
    assert draft.answer.startswith("31 years (1991 to 2022).")
    assert draft.short_answer == "31 years"
    cited = " ".join(c.text for c in draft.citations)
    assert "since 2022." in cited and "dissolved in 1991." in cited


def test_a_follow_up_does_not_repeat_the_previous_reply() -> None:
    question = ResolvedQuestion("and what else?", context="Who supplies gas to Europe?",
                                previous_reply="Russia supplies gas to Europe. [1]")
    draft = _answer(question, (unit_vector(0) + unit_vector(1)) / np.sqrt(2))
    assert not draft.abstained and "Russia supplies gas to Europe." not in draft.answer


def test_a_question_about_the_closing_section_is_answered_from_it() -> None:
    draft = _answer("What does the closing section say happened?", unit_vector(0), abstain_threshold=0.001)
    assert [c.section for c in draft.citations] == ["History"]


def test_no_sentences_means_abstention() -> None:
    answerer = ExtractiveAnswerer(hand_model(), abstention_message="NOT IN ARTICLE")
    evidence = make_evidence("anything at all?", [], np.zeros((0, 8), np.float32), unit_vector(7))
    assert answerer.answer(evidence).abstained
