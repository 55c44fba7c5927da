"""Fitting the answer model from labelled question sets (``assistant fit``, ``make fit``).

Each training set is a QA file (our schema: gold ``answers`` and ``evidence`` sentences) with the index
of its own corpus. For every question the real retriever gathers the evidence, and:

- every candidate sentence of an answerable question is an example for the sentence head, positive
  when it holds a gold evidence sentence;
- every question is an example for the answerable head, labelled by ``answerable``; its features use
  sentence logits from a head fitted without that question's fold (5 folds), as at answer time;
- every phrase of the gold sentence is an example for the span head, positive when its token F1 with
  a gold answer is at least ``SPAN_POSITIVE_F1``.

Thresholds come from out-of-fold predictions: the abstention threshold is the probability of being
answerable under which ``target_false_abstention`` of the answerable questions fall; the span threshold is the one
that maximises the short-answer F1 (a question without a short answer scores its whole sentence), and
the softmax temperature of the phrase choice (``spans.choose``) is the one of ``SPAN_TEMPERATURES`` that
does best there.
The fit is deterministic: the same data gives the same file.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer_model import AnswerModel, LinearHead
from assistant.evaluation.dataset import QAItem, load_qa_set
from assistant.evaluation.metrics import spans_match, token_f1
from assistant.evidence import Evidence
from assistant.features import (QUESTION_FEATURES, SENTENCE_FEATURES, SentenceFeatures, allowed_sentences,
                                 answerability_features, sentence_features)
from assistant.followup import resolve
from assistant.spans import SPAN_FEATURES, SpanCandidate, candidates, choose

FOLDS = 5
SPAN_POSITIVE_F1 = 0.9
SPAN_TEMPERATURES = (0.0, 0.5, 1.0)
REGULARISATION_C = 1.0


@dataclass(frozen=True)
class TrainingSet:
    """A QA file and a function gathering the evidence for a question from its corpus's index."""

    name: str
    qa_file: Path
    gather: Callable[[QAItem], Evidence]


@dataclass
class _Example:
    item: QAItem
    evidence: Evidence
    features: SentenceFeatures
    labels: np.ndarray
    fold: int

    @property
    def matrix(self) -> np.ndarray:
        """The candidate sentences' feature rows."""
        return self.features.matrix


def _examples(training: TrainingSet, progress: Callable[[int], None] | None = None) -> list[_Example]:
    out = []
    for n, item in enumerate(load_qa_set(training.qa_file)):
        evidence = training.gather(item)
        features = sentence_features(evidence)
        labels = np.array([bool(item.has_answer) and any(spans_match(s.text, e) for e in item.evidence)
                           for s in evidence.sentences], dtype=bool)
        out.append(_Example(item, evidence, features, labels, n % FOLDS))
        if progress:
            progress(1)
    return out


def _logistic(matrix: np.ndarray, labels: np.ndarray, features: Sequence[str]) -> LinearHead:
    """A standardised L2 logistic regression (scikit-learn, lbfgs: deterministic)."""
    from sklearn.linear_model import LogisticRegression

    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=REGULARISATION_C, max_iter=5000)
    model.fit((matrix - mean) / scale, labels)
    return LinearHead(tuple(features), mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]))


def _sentence_head(examples: Sequence[_Example]) -> LinearHead:
    useful = [e for e in examples if e.labels.any()]
    return _logistic(np.vstack([e.matrix for e in useful]), np.concatenate([e.labels for e in useful]),
                     SENTENCE_FEATURES)


def _span_rows(example: _Example, logit: float) -> tuple[np.ndarray, np.ndarray, float, list[SpanCandidate]]:
    """Span features of the gold sentence, their F1 with the gold answers, the sentence's own F1, and
    the phrases."""
    index = int(np.argmax(example.labels))
    text = example.evidence.sentences[index].text
    spans, matrix = candidates(index, text, example.evidence.analysis, logit)
    golds = example.item.answers
    f1 = np.array([max(token_f1(s.text, g) for g in golds) for s in spans])
    return matrix, f1, max(token_f1(text, g) for g in golds), spans


def _abstain_threshold(probabilities: np.ndarray, answerable: np.ndarray, target: float) -> float:
    """The probability under which ``target`` of the answerable questions fall."""
    return float(np.quantile(probabilities[answerable], target)) if answerable.any() else 0.0


def _span_threshold(best_probability: np.ndarray, chosen_f1: np.ndarray,
                    sentence_f1: np.ndarray) -> tuple[float, float]:
    """The threshold on the best phrase's probability for the short-answer F1, and that F1: the lowest
    one whose mean F1 is within one standard error (paired, over the questions) of the best threshold's
    (the one-standard-error rule: a short answer is withheld only where that clearly pays)."""
    options = np.unique(np.concatenate([[0.0], best_probability]))
    per_question = np.array([np.where(best_probability >= t, chosen_f1, sentence_f1) for t in options])
    means = per_question.mean(axis=1)
    best = int(np.argmax(means))
    differences = per_question[best] - per_question
    errors = differences.std(axis=1, ddof=1) / np.sqrt(max(per_question.shape[1], 1)) if per_question.shape[1] > 1 \
        else np.zeros(len(options))
    lowest = int(np.flatnonzero(means >= means[best] - errors)[0])
    return float(options[lowest]), float(means[lowest])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit_answer_model(sets: Sequence[TrainingSet], target_false_abstention: float,
                     progress: Callable[[int], None] | None = None) -> AnswerModel:
    """Fit the three heads on ``sets`` (see the module docstring)."""
    by_set = {training.name: _examples(training, progress) for training in sets}
    examples = [e for training in sets for e in by_set[training.name]]
    if not any(e.labels.any() for e in examples):
        raise ValueError("no answerable question of the training sets has its evidence among the candidates")
    sentence = _sentence_head(examples)

    # out-of-fold sentence heads: question features and span logits as they are at answer time
    folds = [_sentence_head([e for e in examples if e.fold != k]) for k in range(FOLDS)]
    question_rows = np.vstack([answerability_features(e.evidence, e.features, folds[e.fold].logits(e.matrix),
                                                      allowed_sentences(e.evidence, e.features))
                               for e in examples])
    answerable = np.array([bool(e.item.has_answer) for e in examples])
    answerable_head = _logistic(question_rows, answerable, QUESTION_FEATURES)
    out_of_fold = np.zeros(len(examples))
    for k in range(FOLDS):
        inside = np.array([e.fold != k for e in examples])
        head = _logistic(question_rows[inside], answerable[inside], QUESTION_FEATURES)
        out_of_fold[~inside] = head.probabilities(question_rows[~inside])
    threshold = _abstain_threshold(out_of_fold, answerable, target_false_abstention)

    span_examples = [e for e in examples if e.item.has_answer and e.item.answers and e.labels.any()]
    span_data = []
    for e in span_examples:
        gold = int(np.argmax(e.labels))
        logit = float(folds[e.fold].logits(e.matrix[gold:gold + 1])[0])
        matrix, f1, sentence_f1, spans = _span_rows(e, logit)
        if len(f1):
            span_data.append((e.fold, matrix, f1, sentence_f1, spans))
    span_head = _logistic(np.vstack([d[1] for d in span_data]),
                          np.concatenate([d[2] >= SPAN_POSITIVE_F1 for d in span_data]), SPAN_FEATURES)
    best_p, sentence_f1 = [], []
    chosen_f1: dict[float, list[float]] = {t: [] for t in SPAN_TEMPERATURES}
    for k in range(FOLDS):
        inside = [d for d in span_data if d[0] != k]
        head = _logistic(np.vstack([d[1] for d in inside]),
                         np.concatenate([d[2] >= SPAN_POSITIVE_F1 for d in inside]), SPAN_FEATURES)
        for _, matrix, f1, whole, spans in (d for d in span_data if d[0] == k):
            logits = head.logits(matrix)
            best_p.append(float(1.0 / (1.0 + np.exp(-logits.max()))))
            for t in SPAN_TEMPERATURES:
                chosen_f1[t].append(float(f1[choose(spans, logits, t)]))
            sentence_f1.append(whole)
    options = {t: _span_threshold(np.array(best_p), np.array(chosen_f1[t]), np.array(sentence_f1))
               for t in SPAN_TEMPERATURES}
    temperature = max(SPAN_TEMPERATURES, key=lambda t: options[t][1])
    span_threshold, span_f1 = options[temperature]

    info = {
        "name": "answer-model",
        "trained_on": [{"set": t.name, "file": t.qa_file.name, "sha256": _digest(t.qa_file),
                        "questions": len(by_set[t.name])} for t in sets],
        "target_false_abstention": target_false_abstention,
        "out_of_fold": {
            "false_abstention": round(float(np.mean(out_of_fold[answerable] < threshold)), 4),
            "correct_abstention": round(float(np.mean(out_of_fold[~answerable] < threshold)), 4)
            if (~answerable).any() else None,
            "brier": round(float(np.mean((out_of_fold - answerable) ** 2)), 4),
            "short_f1_given_sentence": round(span_f1, 4),
        },
        "regularisation_c": REGULARISATION_C, "folds": FOLDS, "span_positive_f1": SPAN_POSITIVE_F1,
        "span_temperature": temperature,
    }
    return AnswerModel(sentence=sentence, answerable=_with_threshold(answerable_head, threshold),
                       span=_with_threshold(span_head, span_threshold), info=info)


def _with_threshold(head: LinearHead, threshold: float) -> LinearHead:
    return LinearHead(head.features, head.mean, head.scale, head.coef, head.intercept,
                      threshold=None if math.isnan(threshold) else threshold)


def gather_with(service_retriever, max_turns: int) -> Callable[[QAItem], Evidence]:  # noqa: ANN001
    """A ``TrainingSet.gather`` from a ``HybridRetriever``: the question resolved against its history."""
    return lambda item: service_retriever.gather(resolve(item.question, item.history, max_turns))
