"""Metric functions against hand-computed cases."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation.dataset import QAItem
from assistant.evaluation.metrics import (aggregate, aggregate_by_type, contains_gold, exact_match, holds,
                                          ndcg_at_k, normalize_answer, outcome, recall_at_k, reciprocal_rank,
                                          score_answer, strip_markers, token_f1)
from assistant.types import Answer

from .conftest import DOC, SENT_AGAIN, SENT_ARMS, SENT_GENEVA, TEXT, cite, passage


def corpus_text(name: str) -> str | None:
    return TEXT if name == DOC else None


@pytest.mark.parametrize(("text", "expected"), [
    ("The Cat sat.", "cat sat"),
    ("  an   apple, a pear!  ", "apple pear"),
    ("“Reliable and just”—security", "reliable and justsecurity"),
    ("Theory of the anthem", "theory of anthem"),
])
def test_normalize_answer_is_squad_normalisation(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_exact_match_ignores_case_articles_and_punctuation() -> None:
    assert exact_match("The Geneva summit.", "geneva summit") == 1.0
    assert exact_match("Geneva summit in 1985", "geneva summit") == 0.0


def test_token_f1_hand_computed() -> None:
    # pred tokens: geneva, in, 1985 ; gold: geneva, switzerland → common 1, P=1/3, R=1/2, F1=0.4
    assert token_f1("in Geneva, 1985", "Geneva Switzerland") == pytest.approx(0.4)
    assert token_f1("the", "a") == 1.0  # both empty after normalisation
    assert token_f1("Geneva", "") == 0.0
    assert token_f1("x y", "z") == 0.0


def test_token_f1_counts_repeated_tokens_once_each() -> None:
    # pred: arms arms control ; gold: arms control → common = min counts = 2 → P=2/3, R=1 → 0.8
    assert token_f1("arms arms control", "arms control") == pytest.approx(0.8)


def test_contains_gold_and_marker_stripping() -> None:
    assert strip_markers("It was Geneva [1]. And 1985 [2, 3]") == "It was Geneva. And 1985"
    assert contains_gold("It took place in Geneva.", "geneva") == 1.0
    assert contains_gold("It took place in Bern.", "Geneva") == 0.0
    assert contains_gold("anything", "the") == 0.0  # a gold that normalises to nothing never matches


HITS = [[False, False], [True, False], [False, False], [False, True]]  # evidence 1 at rank 2, 2 at rank 4


def test_recall_at_k_hand_computed() -> None:
    assert recall_at_k(HITS, 2, 1) == 0.0
    assert recall_at_k(HITS, 2, 2) == 0.5
    assert recall_at_k(HITS, 2, 4) == 1.0
    assert recall_at_k(HITS, 2) == 1.0
    assert recall_at_k([], 2, 5) == 0.0


def test_mrr_hand_computed() -> None:
    assert reciprocal_rank(HITS) == 0.5
    assert reciprocal_rank([[True]]) == 1.0
    assert reciprocal_rank([[False], [False]]) == 0.0


def test_ndcg_hand_computed() -> None:
    # relevant at ranks 2 and 4; R = 2 → DCG = 1/log2(3) + 1/log2(5), IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(HITS, 2) == pytest.approx(expected)
    assert ndcg_at_k(HITS, 2) == pytest.approx(0.6509, abs=1e-4)
    assert ndcg_at_k([[True, True]], 2) == 1.0  # both sentences in the first passage: ideal
    assert ndcg_at_k([[False], [False]], 1) == 0.0


def test_ndcg_counts_missed_evidence_in_the_ideal() -> None:
    # one of two evidence sentences found, at rank 1; the missed one still counts in the ideal
    assert ndcg_at_k([[True, False], [False, False]], 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_ndcg_only_looks_at_the_top_k() -> None:
    hits = [[False]] * 10 + [[True]]
    assert ndcg_at_k(hits, 1, k=10) == 0.0
    assert ndcg_at_k(hits, 1, k=11) == pytest.approx(1 / math.log2(12))


def test_holds_matches_either_containment() -> None:
    assert holds([f"{SENT_GENEVA} {SENT_ARMS}", "Other."], [SENT_ARMS]) == [[True], [False]]
    assert holds(["arms control"], [SENT_ARMS]) == [[True]]  # a short citation inside the evidence


def test_score_answer_hasans() -> None:
    item = QAItem(id="q", question="Where and what?", answerable=True, answers=["Geneva"],
                  evidence=[SENT_GENEVA, SENT_ARMS])
    answer = Answer(question="q", answer=f"{SENT_GENEVA} [1] Trade. [2]", abstained=False,
                    citations=[cite(SENT_GENEVA, 1), cite("Trade was not discussed.", 2)],
                    retrieved=[passage("Unrelated."), passage(f"{SENT_GENEVA} {SENT_ARMS}")], latency_ms=12.5)
    s = score_answer(item, answer, corpus_text)
    assert s["false_abstention"] == 0.0 and "correct_abstention" not in s
    assert s["contains_gold"] == 1.0 and s["exact_match"] == 0.0
    assert s["recall@1"] == 0.0 and s["recall@3"] == 1.0 and s["evidence_recall"] == 1.0
    assert s["mrr"] == 0.5
    assert s["citation_recall"] == 0.5  # arms control is not cited
    assert s["citation_precision"] == 0.5  # the "Trade" citation holds no evidence
    assert s["citations"] == 2.0 and s["offset_mismatches"] == 0.0
    assert s["squad2_em"] == s["exact_match"] and s["squad2_f1"] == s["token_f1"]
    assert s["latency_ms"] == 12.5


def test_score_answer_false_abstention_scores_zero_on_answers() -> None:
    item = QAItem(id="q", question="Where?", answerable=True, answers=["Geneva"], evidence=[SENT_GENEVA])
    answer = Answer(question="Where?", answer="Geneva is not mentioned.", abstained=True)
    s = score_answer(item, answer, corpus_text)
    assert s["false_abstention"] == 1.0
    assert s["contains_gold"] == s["token_f1"] == s["exact_match"] == 0.0
    assert "citation_precision" not in s and s["citation_recall"] == 0.0


def test_score_answer_noans_split() -> None:
    item = QAItem(id="q", question="Who paid?", answerable=False)
    abstained = score_answer(item, Answer(question="Who paid?", answer="Not said.", abstained=True), corpus_text)
    answered = score_answer(item, Answer(question="Who paid?", answer="Bob.", abstained=False), corpus_text)
    assert abstained["correct_abstention"] == 1.0 and abstained["squad2_em"] == 1.0
    assert answered["correct_abstention"] == 0.0 and answered["squad2_f1"] == 0.0
    assert "false_abstention" not in abstained and "contains_gold" not in abstained


def test_questions_without_gold_still_get_citations_and_latency() -> None:
    item = QAItem(id="q", question="Tell me.")
    s = score_answer(item, Answer(question="Tell me.", answer="x [1]", abstained=False,
                                  citations=[cite(SENT_GENEVA)], latency_ms=7.0), corpus_text)
    assert s == {"latency_ms": 7.0, "citations": 1.0, "offset_mismatches": 0.0}
    assert outcome(item, False, s) == "answered"


def test_offset_mismatch_is_a_share_of_all_citations() -> None:
    item = QAItem(id="q", question="Tell me.")
    shifted = Answer(question="Tell me.", answer="x", abstained=False,
                     citations=[cite(SENT_GENEVA, 1), cite(SENT_ARMS, 2, shift=1), cite(SENT_AGAIN, 3)])
    clean = Answer(question="Tell me.", answer="x", abstained=False, citations=[cite(SENT_GENEVA)])
    rows = [score_answer(item, shifted, corpus_text), score_answer(item, clean, corpus_text)]
    assert rows[0]["offset_mismatches"] == 1.0
    assert aggregate(rows)["offset_mismatch"] == pytest.approx(1 / 4)  # micro: 1 of 4 citations


def test_aggregate_abstention_precision_recall_and_latency() -> None:
    rows = [
        {"latency_ms": 10.0, "correct_abstention": 1.0},  # NoAns, abstained
        {"latency_ms": 20.0, "correct_abstention": 0.0},  # NoAns, answered
        {"latency_ms": 30.0, "false_abstention": 1.0, "contains_gold": 0.0},  # HasAns, abstained
        {"latency_ms": 40.0, "false_abstention": 0.0, "contains_gold": 1.0},
        {"latency_ms": 50.0, "false_abstention": 0.0, "contains_gold": 1.0},
    ]
    m = aggregate(rows)
    assert m["abstention_precision"] == 0.5  # 1 correct of 2 abstentions
    assert m["abstention_recall"] == m["correct_abstention"] == 0.5
    assert m["false_abstention"] == pytest.approx(1 / 3) and m["answered_rate"] == pytest.approx(2 / 3)
    assert m["contains_gold"] == pytest.approx(2 / 3)
    assert (m["has_ans"], m["no_ans"], m["questions"]) == (3.0, 2.0, 5.0)
    assert m["latency_p50_ms"] == 30.0 and m["latency_p95_ms"] == pytest.approx(48.0) and m["latency_max_ms"] == 50
    assert m["offset_mismatch"] == 0.0 and m["errors"] == 0.0


def test_aggregate_without_abstentions_leaves_precision_out() -> None:
    m = aggregate([{"latency_ms": 1.0, "false_abstention": 0.0}])
    assert "abstention_precision" not in m and "abstention_recall" not in m


def test_aggregate_by_type_and_throughput() -> None:
    items = [QAItem(id="1", question="a", type="x"), QAItem(id="2", question="b", type="y"),
             QAItem(id="3", question="c", type="x")]
    rows = [{"latency_ms": 1.0, "token_f1": 1.0}, {"latency_ms": 2.0, "token_f1": 0.0}, {"latency_ms": 3.0}]
    m = aggregate_by_type(items, rows, wall_seconds=2.0)
    assert list(m) == ["overall", "x", "y"]
    assert m["overall"]["questions_per_s"] == 1.5 and m["overall"]["token_f1"] == 0.5
    assert m["x"]["questions"] == 2.0 and m["x"]["token_f1"] == 1.0 and "questions_per_s" not in m["x"]
