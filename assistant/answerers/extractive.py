"""The offline answerer: quotes the sentences of the evidence that answer the question, learned and calibrated.

Every candidate sentence gets features (``assistant.features``) and a relevance score from the
learned answer model's sentence head. The question as a whole gets a calibrated probability of being
answerable from the evidence (the answerable head); under the model's threshold, chosen at fit time
for a stated false-abstention rate, the answerer abstains. Checks that need no learning come first: a
name the corpus never mentions, no sentence holding the kind of fact asked for (a number for "how
many", a date for "when"), nothing in the section the question points at.

An answer quotes the best sentence (with the sentence before it when it refers back: "This…", "It…"),
and further sentences that are likely enough and cover question terms still uncovered (multi-hop).
For a fact, the short answer is the phrase of the quoted sentence the span head scores best, when it
clears the span threshold: copied word for word. Summaries and lists are assembled by
``assistant.answerers.compose``. Citations are exact sentence spans, adjacent sentences merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer_model import AnswerModel
from assistant.answer_types import AnswerType, years_in
from assistant.answerers.base import Draft
from assistant.answerers.compose import list_sentences, summary_sentences
from assistant.entities import unknown_names
from assistant.evidence import Evidence
from assistant.features import (NO_LOGIT, SentenceFeatures, allowed_sentences, answerability_features,
                                 sentence_features)
from assistant.questions import Intent
from assistant.spans import candidates
from assistant.text import content_terms
from assistant.types import Citation, RetrievedPassage, Sentence


@dataclass(frozen=True)
class AnswerPolicy:
    """The tunable parts of the extractive answerer (each is a setting; see ``assistant.settings``)."""

    max_sentences: int = 3
    abstain_threshold: float | None = None
    extra_sentence_min_probability: float = 0.15
    summary_sentences: int = 4
    summary_diversity: float = 0.5
    list_item_min_similarity: float = 0.4
    max_list_sentences: int = 8


class ExtractiveAnswerer:
    """Answers with quoted, cited sentences and a short answer; see the module docstring."""

    def __init__(self, model: AnswerModel, *, abstention_message: str, unknown_name_message: str = "",
                 policy: AnswerPolicy | None = None) -> None:
        self.model = model
        self.policy = policy or AnswerPolicy()
        self._abstention = Draft(answer=abstention_message, abstained=True)
        self._unknown_name_message = unknown_name_message or abstention_message

    @property
    def abstain_threshold(self) -> float:
        """Probability of being answerable under which the answer is the abstention."""
        threshold = self.policy.abstain_threshold
        return self.model.abstain_threshold if threshold is None else threshold

    # -- deciding ----------------------------------------------------------------------------
    def answer(self, evidence: Evidence) -> Draft:
        """Quote and cite the sentences that answer the question in ``evidence``, or abstain."""
        names = unknown_names(evidence.question.question, evidence.statistics.vocabulary)
        if names:
            listed = " and ".join(f"“{n}”" for n in names)
            return Draft(answer=self._unknown_name_message.format(names=listed), abstained=True)
        sentences = evidence.sentences
        if not sentences:
            return self._abstention
        analysis = evidence.analysis
        if analysis.intent is Intent.SUMMARY:
            relevance = None if evidence.whole_document else self._relevance(evidence)[1]
            chosen = summary_sentences(evidence, relevance, self.policy.summary_sentences,
                                       self.policy.summary_diversity)
            return self._draft(evidence, chosen)
        features, logits = self._relevance(evidence)
        if analysis.intent is Intent.LIST:
            chosen = list_sentences(evidence, self.policy.list_item_min_similarity, self.policy.max_list_sentences)
            if chosen:
                return self._draft(evidence, chosen)
        allowed = allowed_sentences(evidence, features)
        if not allowed.any():
            return self._abstention
        masked = np.where(allowed, logits, -np.inf)
        if self.confidence(evidence, features, logits, allowed) < self.abstain_threshold:
            return self._abstention
        chosen = self._select(evidence, features, masked)
        if analysis.answer_type is AnswerType.YEARS_BETWEEN:
            computed = _years_between(" ".join(sentences[i].text for i in chosen))
            if computed is None:
                return self._abstention
            short, lead = computed
            return self._draft(evidence, chosen, short=short, lead=lead)
        short = self._short_answer(evidence, int(np.argmax(masked)), float(masked.max()))
        return self._draft(evidence, chosen, short=short)

    def confidence(self, evidence: Evidence, features: SentenceFeatures, logits: np.ndarray,
                   allowed: np.ndarray) -> float:
        """The calibrated probability that the evidence answers the question (the answerable head, over
        the ``allowed`` candidates: those that can answer)."""
        row = answerability_features(evidence, features, logits, allowed)
        return float(self.model.answerable.probabilities(row[None, :])[0])

    def _relevance(self, evidence: Evidence) -> tuple[SentenceFeatures, np.ndarray]:
        """Sentence features and the sentence head's logits; a follow-up does not quote again what
        the previous reply already quoted."""
        features = sentence_features(evidence)
        logits = self.model.sentence.logits(features.matrix)
        reply = " ".join(evidence.question.previous_reply.split())
        if reply:
            quoted = np.array([s.text in reply for s in evidence.sentences])
            if not quoted.all():
                logits = np.where(quoted, logits.min() + NO_LOGIT, logits)  # ranked last
        return features, logits

    def _select(self, evidence: Evidence, features: SentenceFeatures, logits: np.ndarray) -> list[int]:
        """The best sentence (with the one before it when it refers back), then likely sentences that
        cover question terms still uncovered; for "how many years between", one that brings the
        missing year."""
        sentences = evidence.sentences
        order = [int(i) for i in np.argsort(-logits, kind="stable") if np.isfinite(logits[i])]
        best = order[0]
        chosen = self._with_antecedent(evidence, features, best)
        weights = features.weights
        have = set().union(*(set(content_terms(sentences[i].text)) for i in chosen)) & weights.keys()
        years = set(years_in(" ".join(sentences[i].text for i in chosen)))
        probabilities = 1.0 / (1.0 + np.exp(-np.where(np.isfinite(logits), logits, -50.0)))
        wants_years = evidence.analysis.answer_type is AnswerType.YEARS_BETWEEN
        for i in order[1:]:
            if len(chosen) >= self.policy.max_sentences:
                break
            if i in chosen:
                continue
            terms = set(content_terms(sentences[i].text)) & weights.keys()
            new_year = wants_years and len(years) < 2 and bool(set(years_in(sentences[i].text)) - years)
            if new_year or (probabilities[i] >= self.policy.extra_sentence_min_probability and terms - have):
                chosen.append(i)
                have |= terms
                years |= set(years_in(sentences[i].text))
        return sorted(set(chosen), key=lambda i: (sentences[i].doc, sentences[i].position))

    @staticmethod
    def _with_antecedent(evidence: Evidence, features: SentenceFeatures, index: int) -> list[int]:
        """The sentence, preceded by the one before it in its passage when it refers back to it ("This…",
        "It…") or when that one holds question terms it lacks ("The grouping's emphasis…" after "BRICS…")."""
        sentences = evidence.sentences
        previous = index - 1
        if (previous < 0 or sentences[previous].passage_id != sentences[index].passage_id
                or sentences[previous].position + 1 != sentences[index].position):
            return [index]
        if sentences[previous].text in evidence.question.previous_reply:
            return [index]  # a follow-up: the reply before already quoted it
        refers_back = features.column("refers_back")[index] > 0
        completes = features.column("coverage_with_previous")[index] > features.column("coverage")[index]
        return [previous, index] if refers_back or completes else [index]

    def _short_answer(self, evidence: Evidence, index: int, logit: float) -> str | None:
        """The best phrase of sentence ``index`` when the span head is confident enough, else None; for a
        question asking for a kind of fact (a date, a number…), only a phrase holding one."""
        analysis = evidence.analysis
        if analysis.intent is not Intent.FACT or analysis.answer_type is AnswerType.YES_NO:
            return None
        spans, matrix = candidates(index, evidence.sentences[index].text, analysis, logit)
        if not spans:
            return None
        probabilities = self.model.span.probabilities(matrix)
        best = int(np.argmax(probabilities))
        return spans[best].text if probabilities[best] >= self.model.span_threshold else None

    # -- writing -----------------------------------------------------------------------------
    def _draft(self, evidence: Evidence, chosen: Sequence[int], *, short: str | None = None, lead: str = "") -> Draft:
        sentences = evidence.sentences
        ordered = sorted(set(chosen), key=lambda i: (sentences[i].doc, sentences[i].position))
        citations = _citations([sentences[i] for i in ordered], {p.id: p for p in evidence.passages})
        quoted = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        head = lead or (f"{short} —" if short else "")
        return Draft(answer=f"{head} {quoted}".strip(), abstained=False, citations=citations, short_answer=short)


def _citations(chosen: Sequence[Sentence], passages: dict[str, RetrievedPassage]) -> list[Citation]:
    """One citation per run of adjacent sentences of the same passage, text sliced exactly."""
    runs: list[list[Sentence]] = []
    for s in chosen:
        last = runs[-1][-1] if runs else None
        if last and last.passage_id == s.passage_id and last.position + 1 == s.position:
            runs[-1].append(s)
        else:
            runs.append([s])
    citations = []
    for marker, run in enumerate(runs, start=1):
        passage = passages[run[0].passage_id]
        start, end = run[0].start, run[-1].end
        citations.append(Citation(marker=marker, doc=passage.doc, section=passage.section, start=start, end=end,
                                  text=passage.text[start - passage.start:end - passage.start]))
    return citations


def _years_between(text: str) -> tuple[str, str] | None:
    """("N years", "N years (A to B).") for the earliest and latest year of ``text``; None with fewer than two."""
    years = sorted(set(years_in(text)))
    if len(years) < 2:
        return None
    short = f"{years[-1] - years[0]} years"
    return short, f"{short} ({years[0]} to {years[-1]})."


__all__ = ["AnswerPolicy", "ExtractiveAnswerer"]
