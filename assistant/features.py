"""Features of candidate sentences and of a question as a whole, for the learned answer model.

Every feature is computed from the ``Evidence`` alone. Sentence features say how well a sentence
answers the question: its embedding similarity, the IDF-weighted share of the question's terms it
covers (alone, with the sentence before it, and with its neighbours and section heading), the key terms it leaves uncovered
(names, numbers, qualifiers, rare words), whether it holds the kind of fact asked for, where its
passage ranked, and where it sits. Question features (``question_features``) describe the best
candidate and the question itself, for deciding whether the evidence answers it at all. (Features
whose effect was not stable across the two training articles—the share of question words the corpus
never uses, the question's length, its wh-word—are left out: their sign flipped between articles.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer_types import AnswerType, satisfies
from assistant.evidence import Evidence
from assistant.questions import NEGATION, Intent
from assistant.text import content_terms, question_terms, stem, words

_REFERS_BACK = re.compile(
    r"^(?:(?:\S+\s+){0,3}(?:this|these|those|such)\b|(?:that|yet|both|it|its|they|their|he|she|his|her|"
    r"each of these|the latter|the former)\b)", re.IGNORECASE)
_REASON_CUE = re.compile(
    r"\b(?:because|due to|owing to|as a result|result(?:ed|s)? in|in response to|in order to|so that|aim(?:s|ed)? to|"
    r"intended to|designed to|meant to|seek(?:s|ing)? to|sought to|led to|lead to|leads to|caus(?:e|ed|es)|"
    r"reason|thanks to|since|therefore|thus|hence|consequently|so as to|for the purpose|order to|"
    r"in an effort to|to (?:ensure|allow|enable|prevent|avoid|protect|project|reduce|promote|counter))\b",
    re.IGNORECASE)

NO_LOGIT = -10.0
"""The relevance logit standing for "no such sentence"."""

SENTENCE_FEATURES: tuple[str, ...] = (
    "dense", "dense_gap", "dense_rank", "coverage", "coverage_gap", "coverage_context", "coverage_context_gap",
    "uncovered_max_idf", "uncovered_names", "uncovered_numbers", "uncovered_qualifiers", "bigrams", "density",
    "type_match", "reason_cue", "passage_rank", "lexical_rank", "first_in_document", "first_in_passage",
    "log_words", "refers_back", "target_match", "coverage_with_previous", "dense_with_previous",
    "negation_mismatch",
)
QUESTION_FEATURES: tuple[str, ...] = (
    "best_logit", "logit_gap", "best_dense", "best_coverage", "best_coverage_context", "best_uncovered_max_idf",
    "best_uncovered_names", "best_uncovered_numbers", "best_uncovered_qualifiers", "best_bigrams",
    "best_type_match", "any_type_match", "typed_question", "max_dense",
    "typed_best_logit", "typed_gap", "best_negation_mismatch", "negated_question",
)


@dataclass(frozen=True)
class SentenceFeatures:
    """The feature matrix of an evidence's sentences (one row each, columns ``SENTENCE_FEATURES``)
    and the question-term weights it was computed with."""

    matrix: np.ndarray
    weights: dict[str, float]

    def column(self, name: str) -> np.ndarray:
        """One feature over all sentences."""
        return self.matrix[:, SENTENCE_FEATURES.index(name)]


def term_weights(evidence: Evidence) -> dict[str, float]:
    """IDF weight of each of the question's own terms; a follow-up also gets the terms of the context
    it was resolved with (so "it" finds what the conversation was about)."""
    stats = evidence.statistics
    weights = {t: stats.idf(t) for t in evidence.analysis.terms}
    if evidence.question.context and len(weights) < 3:
        for term in question_terms(evidence.question.context):
            weights.setdefault(term, stats.idf(term))
    return weights


def _bigrams(terms: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:], strict=False))


def _density(sequence: Sequence[str], query: dict[str, float]) -> float:
    """Matched distinct question terms over the shortest window of the sentence holding them all."""
    positions = [(i, t) for i, t in enumerate(sequence) if t in query]
    distinct = {t for _, t in positions}
    if not distinct:
        return 0.0
    best, need, have, left = len(sequence), len(distinct), {}, 0
    for pos, term in positions:
        have[term] = have.get(term, 0) + 1
        while len(have) == need:
            best = min(best, pos - positions[left][0] + 1)
            lterm = positions[left][1]
            have[lterm] -= 1
            if not have[lterm]:
                del have[lterm]
            left += 1
    return need / best


def _has_number(number: str, text: str) -> bool:
    plain = number.replace(",", "")
    return plain in text.replace(",", "")


def sentence_features(evidence: Evidence) -> SentenceFeatures:
    """The features of every sentence of ``evidence`` (see ``SENTENCE_FEATURES``)."""
    sentences = evidence.sentences
    n = len(sentences)
    weights = term_weights(evidence)
    total = sum(weights.values()) or 1.0
    max_idf = evidence.statistics.max_idf
    analysis = evidence.analysis
    if n == 0:
        return SentenceFeatures(np.zeros((0, len(SENTENCE_FEATURES)), np.float32), weights)

    vectors = evidence.sentence_vectors
    dense = vectors @ evidence.query_vector
    if evidence.question.context:
        dense = (dense + vectors @ evidence.own_vector) / 2
    sequences = [content_terms(s.text) for s in sentences]
    term_sets = [set(seq) for seq in sequences]
    folded = [set(words(s.text)) for s in sentences]
    heading_terms = {s.section: set(content_terms(s.section)) for s in sentences}
    q_bigrams = _bigrams([t for t in question_terms(analysis.text) if t in weights])
    names = {stem(n) for n in analysis.names}
    target = set(analysis.target)

    rows = []
    for i, s in enumerate(sentences):
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < n and sentences[j].doc == s.doc
                      and abs(sentences[j].position - s.position) == 1]
        context_terms = term_sets[i].union(*(term_sets[j] for j in neighbours), heading_terms[s.section])
        context_words = folded[i].union(*(folded[j] for j in neighbours))
        context_text = " ".join([s.text, *(sentences[j].text for j in neighbours)])
        covered = term_sets[i] & weights.keys()
        covered_context = context_terms & weights.keys()
        uncovered = [weights[t] for t in weights if t not in covered_context]
        rank = evidence.ranks.get(s.passage_id)
        antecedent = i - 1 if i - 1 in neighbours and sentences[i - 1].passage_id == s.passage_id else None
        joint = covered if antecedent is None else (term_sets[i] | term_sets[antecedent]) & weights.keys()
        joint_dense = dense[i]
        if antecedent is not None:
            pair = vectors[i] + vectors[antecedent]
            joint_dense = float(pair @ evidence.query_vector / (np.linalg.norm(pair) or 1.0))
        rows.append([
            dense[i], 0.0, 0.0,
            sum(weights[t] for t in covered) / total, 0.0,
            sum(weights[t] for t in covered_context) / total, 0.0,
            max(uncovered, default=0.0) / max_idf,
            len(names - context_terms) / len(names) if names else 0.0,
            float(any(not _has_number(x, context_text) for x in analysis.numbers)),
            float(any(q not in context_words for q in analysis.qualifiers)),
            len(q_bigrams & _bigrams(sequences[i])) / len(q_bigrams) if q_bigrams else 0.0,
            _density(sequences[i], weights),
            float(analysis.answer_type is not AnswerType.ANY and satisfies(s.text, analysis.spec)),
            float(analysis.intent is Intent.REASON and bool(_REASON_CUE.search(s.text))),
            1.0 / evidence.passage_rank(s.passage_id),
            1.0 / rank.lexical if rank and rank.lexical else 0.0,
            float(s.position == 0),
            float(i == 0 or sentences[i - 1].passage_id != s.passage_id),
            math.log1p(len(s.text.split())),
            float(bool(_REFERS_BACK.match(s.text))),
            float(bool(target & term_sets[i])),
            sum(weights[t] for t in joint) / total,
            max(joint_dense, dense[i]),
            float(analysis.negated and not NEGATION.search(s.text)),
        ])
    matrix = np.asarray(rows, dtype=np.float32)
    col = SENTENCE_FEATURES.index
    matrix[:, col("dense_gap")] = matrix[:, col("dense")] - matrix[:, col("dense")].max()
    order = np.argsort(-matrix[:, col("dense")], kind="stable")
    matrix[order, col("dense_rank")] = 1.0 / np.arange(1, n + 1)
    matrix[:, col("coverage_gap")] = matrix[:, col("coverage")] - matrix[:, col("coverage")].max()
    matrix[:, col("coverage_context_gap")] = (matrix[:, col("coverage_context")]
                                              - matrix[:, col("coverage_context")].max())
    return SentenceFeatures(matrix, weights)


def question_features(evidence: Evidence, features: SentenceFeatures, logits: np.ndarray) -> np.ndarray:
    """Features of the question and its best candidate (see ``QUESTION_FEATURES``), given each
    sentence's relevance logit."""
    analysis = evidence.analysis
    typed = float(analysis.answer_type is not AnswerType.ANY)
    if len(logits) == 0:
        return np.asarray([NO_LOGIT, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, float(bool(analysis.numbers)),
                           float(bool(analysis.qualifiers)), 0.0, 0.0, 0.0, typed,
                           0.0, NO_LOGIT, 0.0, float(analysis.negated),
                           float(analysis.negated)], dtype=np.float32)
    order = np.argsort(-logits, kind="stable")
    best = order[0]
    gap = float(logits[best] - logits[order[1]]) if len(order) > 1 else -NO_LOGIT
    row = features.matrix[best]
    col = SENTENCE_FEATURES.index
    type_ok = features.column("type_match") > 0
    typed_best = float(logits[type_ok].max()) if typed and type_ok.any() else (NO_LOGIT if typed else float(logits[best]))
    # similarity to the question as resolved (for a follow-up, with its context), not to its own words only
    standalone = evidence.sentence_vectors @ evidence.query_vector
    return np.asarray([
        logits[best], gap, standalone[best], row[col("coverage")], row[col("coverage_context")],
        row[col("uncovered_max_idf")], row[col("uncovered_names")], row[col("uncovered_numbers")],
        row[col("uncovered_qualifiers")], row[col("bigrams")], row[col("type_match")],
        float(features.column("type_match")[order[:3]].max()), typed,
        float(standalone.max()), typed_best, float(logits[best] - typed_best) if typed else 0.0,
        row[col("negation_mismatch")], float(analysis.negated),
    ], dtype=np.float32)


def allowed_sentences(evidence: Evidence, features: SentenceFeatures) -> np.ndarray:
    """Which sentences can answer at all: those in the section the question points at ("the closing
    section"), if any, and those holding the kind of fact asked for ("how many", "when", "how much"…)."""
    sentences = evidence.sentences
    allowed = np.ones(len(sentences), bool)
    scope = evidence.analysis.scope
    if scope:
        sections = evidence.statistics.sections
        wanted = np.array([s.section == (sections.get(s.doc) or [""])[0 if scope == "first" else -1]
                           for s in sentences])
        allowed &= wanted if wanted.any() else allowed
    if evidence.analysis.answer_type not in (AnswerType.ANY, AnswerType.YES_NO, AnswerType.YEARS_BETWEEN):
        allowed &= features.column("type_match") > 0
    return allowed


def answerability_features(evidence: Evidence, features: SentenceFeatures, logits: np.ndarray,
                           allowed: np.ndarray) -> np.ndarray:
    """``question_features`` as the answerable head reads them: the sentences that cannot answer (not
    ``allowed``, see ``allowed_sentences``) ranked last, none at all giving the "no candidate" row."""
    if not allowed.any():
        return question_features(evidence, features, np.zeros(0))
    return question_features(evidence, features, np.where(allowed, logits, logits.min() + NO_LOGIT))
