"""Sentence and question features of the learned answer model, on hand-made evidence."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES, question_features, sentence_features
from tests.fakes import make_evidence, unit_vector

SECTIONS = [("Rivers", ["The Rhine flows into the North Sea.", "It is 1,230 km long.",
                        "The Danube is not navigable in winter."]),
            ("Cities", ["Cologne is the largest city on the Rhine."])]
VECTORS = np.stack([unit_vector(i) for i in range(4)])


def _features(question: str, query: np.ndarray | None = None):  # noqa: ANN202
    evidence = make_evidence(question, SECTIONS, VECTORS, unit_vector(0) if query is None else query)
    return evidence, sentence_features(evidence)


def test_one_row_per_sentence_with_every_named_feature() -> None:
    _, features = _features("Where does the Rhine flow?")
    assert features.matrix.shape == (4, len(SENTENCE_FEATURES))
    assert np.isfinite(features.matrix).all()


def test_dense_similarity_and_its_gap_to_the_best() -> None:
    _, features = _features("Where does the Rhine flow?", unit_vector(1))
    assert features.column("dense").tolist() == [0.0, 1.0, 0.0, 0.0]
    assert features.column("dense_gap").tolist() == [-1.0, 0.0, -1.0, -1.0]
    assert features.column("dense_rank")[1] == 1.0


def test_coverage_is_idf_weighted_and_counts_neighbours_in_context() -> None:
    _, features = _features("Where does the Rhine flow into the sea?")
    coverage = features.column("coverage")
    assert coverage[0] == pytest.approx(1.0)          # rhine, flow, sea all in the first sentence
    assert 0 < coverage[3] < coverage[0]               # only "rhine"
    # "It is 1,230 km long." covers nothing itself, but its neighbour does, and it refers back to it
    assert features.column("coverage")[1] == 0.0
    assert features.column("coverage_context")[1] > 0.5
    assert features.column("refers_back")[1] == 1.0
    assert features.column("coverage_with_previous")[1] == pytest.approx(1.0)


def test_uncovered_names_numbers_and_qualifiers() -> None:
    _, features = _features("Is Cologne the smallest city on the Rhine?")
    assert features.column("uncovered_qualifiers")[3] == 1.0   # "smallest" is not in "largest city" sentence
    _, features = _features("Is the Danube 2,000 km long?")
    assert features.column("uncovered_numbers")[1] == 1.0
    _, features = _features("Is the Rhine 1230 km long?")
    assert features.column("uncovered_numbers")[1] == 0.0     # 1,230 and 1230 are one number
    _, features = _features("Does the Elbe reach the sea?")
    assert features.column("uncovered_names")[0] == 1.0


def test_a_negated_question_mismatches_a_sentence_without_negation() -> None:
    _, features = _features("Which river is not navigable?")
    assert features.column("negation_mismatch").tolist() == [1.0, 1.0, 0.0, 1.0]


def test_answer_type_match_for_a_typed_question_only() -> None:
    _, features = _features("How long is the Rhine?")
    assert features.column("type_match").tolist() == [0.0, 1.0, 0.0, 0.0]
    _, features = _features("What does the Rhine flow into?")
    assert not features.column("type_match").any()


def test_question_features_describe_the_best_candidate() -> None:
    evidence, features = _features("How long is the Rhine?")
    logits = np.array([3.0, 1.0, 0.0, -1.0])
    row = dict(zip(QUESTION_FEATURES, question_features(evidence, features, logits), strict=True))
    assert row["best_logit"] == 3.0 and row["logit_gap"] == 2.0
    assert row["typed_question"] == 1.0 and row["best_type_match"] == 0.0
    assert row["typed_best_logit"] == 1.0 and row["typed_gap"] == 2.0
