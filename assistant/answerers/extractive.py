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

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.answer_model import AnswerModel
from assistant.answer_types import AnswerType, years_in
from assistant.answerers.base import Draft
from assistant.answerers.compose import list_sentences, summary_sentences
from assistant.entities import unknown_names
from assistant.evidence import Evidence
from assistant.features import (NO_LOGIT, SENTENCE_FEATURES, SentenceFeatures, allowed_sentences, answerability_features,
                                 sentence_features)
from assistant.questions import Intent
from assistant.spans import candidates, choose
from assistant.text import content_terms
from assistant.trace import CandidateTrace, Check, Trace, clip
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
    trace_candidates: int = 5


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
        """Quote and cite the sentences that answer the question in ``evidence``, or abstain; the draft's
        trace names the check that decided."""
        names = unknown_names(evidence.question.question, evidence.statistics.vocabulary)
        if names:
            listed = " and ".join(f"“{n}”" for n in names)
            reason = f"the question names {listed}, which no passage of the corpus mentions"
            return Draft(answer=self._unknown_name_message.format(names=listed), abstained=True,
                         trace=Trace(answered=False, check=Check.UNKNOWN_NAME, reason=reason))
        sentences = evidence.sentences
        if not sentences:
            return self._abstain(Trace(answered=False, check=Check.NO_PASSAGE,
                                       reason="retrieval found no passage to answer from"))
        analysis = evidence.analysis
        if analysis.intent is Intent.SUMMARY:
            relevance = None if evidence.whole_document else self._relevance(evidence)[1]
            chosen = summary_sentences(evidence, relevance, self.policy.summary_sentences,
                                       self.policy.summary_diversity)
            return self._draft(evidence, chosen, trace=self._composed(Check.SUMMARY, evidence, chosen, relevance))
        features, logits = self._relevance(evidence)
        if analysis.intent is Intent.LIST:
            chosen = list_sentences(evidence, self.policy.list_item_min_similarity, self.policy.max_list_sentences)
            if chosen:
                return self._draft(evidence, chosen, trace=self._composed(Check.LIST, evidence, chosen, None))
        allowed = allowed_sentences(evidence, features)
        if not allowed.any():
            return self._abstain(Trace(answered=False, check=Check.ANSWER_TYPE, reason=_no_candidate_reason(evidence),
                                       candidates=self._candidates(evidence, features, logits, allowed, [])))
        masked = np.where(allowed, logits, -np.inf)
        probability, threshold = self.confidence(evidence, features, logits, allowed), self.abstain_threshold
        measured = dict(value=round(probability, 4), threshold=round(threshold, 4))
        if probability < threshold:
            best = sentences[int(np.argmax(masked))].text
            reason = f"p(answerable) {probability:.2f} < threshold {threshold:.2f} (best sentence: “{clip(best, 80)}”)"
            return self._abstain(Trace(answered=False, check=Check.ANSWERABLE, reason=reason, **measured,
                                       candidates=self._candidates(evidence, features, logits, allowed, [])))
        chosen = self._select(evidence, features, masked)
        candidates = self._candidates(evidence, features, logits, allowed, chosen)
        answered = f"p(answerable) {probability:.2f} ≥ threshold {threshold:.2f}; quoted {_count(len(chosen), 'sentence')}"
        if analysis.answer_type is AnswerType.YEARS_BETWEEN:
            computed = _years_between(" ".join(sentences[i].text for i in chosen))
            if computed is None:
                reason = "the best sentences give fewer than two years to count between"
                return self._abstain(Trace(answered=False, check=Check.YEARS_BETWEEN, reason=reason,
                                           candidates=candidates))
            short, lead = computed
            trace = Trace(answered=True, check=Check.ANSWERABLE, reason=f"{answered}; {short} counted between "
                          "their earliest and latest year", candidates=candidates, **measured)
            return self._draft(evidence, chosen, short=short, lead=lead, trace=trace)
        short, span_reason = self._short_answer(evidence, int(np.argmax(masked)), float(masked.max()))
        trace = Trace(answered=True, check=Check.ANSWERABLE, reason=f"{answered}{span_reason}",
                      candidates=candidates, **measured)
        return self._draft(evidence, chosen, short=short, trace=trace)

    def _abstain(self, trace: Trace) -> Draft:
        return replace(self._abstention, trace=trace)

    def _candidates(self, evidence: Evidence, features: SentenceFeatures, logits: np.ndarray, allowed: np.ndarray,
                    chosen: Sequence[int]) -> list[CandidateTrace]:
        """The chosen sentences and the best-scored others, up to ``policy.trace_candidates`` in all, best first."""
        order = [int(i) for i in np.argsort(-logits, kind="stable")]
        keep = list(dict.fromkeys([*sorted(chosen, key=lambda i: -logits[i]), *order]))
        keep = keep[:max(self.policy.trace_candidates, len(chosen))]
        keep.sort(key=lambda i: -logits[i])
        return [_candidate(evidence, i, float(logits[i]), dict(zip(SENTENCE_FEATURES, features.matrix[i], strict=True)),
                           allowed=bool(allowed[i]), chosen=i in chosen) for i in keep]

    def _composed(self, check: Check, evidence: Evidence, chosen: Sequence[int],
                  logits: np.ndarray | None) -> Trace:
        """The trace of a summary or a list: what it quotes and from where."""
        sentences = evidence.sentences
        sections = list(dict.fromkeys((sentences[i].doc, sentences[i].section) for i in chosen))
        if check is Check.SUMMARY:
            where = "the whole article" if evidence.whole_document else "the most relevant section"
            reason = f"summary of {_count(len(chosen), 'sentence')} from {_count(len(sections), 'section')} of {where}"
        else:
            reason = (f"list of {_count(len(chosen), 'sentence')} naming {evidence.analysis.kind or 'items'} "
                      f"(similarity ≥ {self.policy.list_item_min_similarity:.2f} to the kind asked for)")
        candidates = [_candidate(evidence, i, None if logits is None else float(logits[i]), {}, chosen=True)
                      for i in chosen]
        return Trace(answered=bool(chosen), check=check, reason=reason, candidates=candidates,
                     value=float(len(chosen)))

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

    def _short_answer(self, evidence: Evidence, index: int, logit: float) -> tuple[str | None, str]:
        """The best phrase of sentence ``index`` when the span head is confident enough (else None), and
        what decided, for the trace; for a question asking for a kind of fact (a date, a number…), only a
        phrase holding one."""
        analysis = evidence.analysis
        if analysis.intent is not Intent.FACT or analysis.answer_type is AnswerType.YES_NO:
            return None, ""
        spans, matrix = candidates(index, evidence.sentences[index].text, analysis, logit)
        if not spans:
            return None, "; no short answer: no candidate phrase"
        logits = self.model.span.logits(matrix)
        p, threshold = float(1.0 / (1.0 + np.exp(-logits.max()))), self.model.span_threshold
        if p >= threshold:
            best = choose(spans, logits, self.model.span_temperature)
            return spans[best].text, f"; short answer p {p:.2f} ≥ {threshold:.2f}"
        return None, f"; no short answer: best phrase p {p:.2f} < {threshold:.2f}"

    # -- writing -----------------------------------------------------------------------------
    def _draft(self, evidence: Evidence, chosen: Sequence[int], *, trace: Trace, short: str | None = None,
               lead: str = "") -> Draft:
        sentences = evidence.sentences
        ordered = sorted(set(chosen), key=lambda i: (sentences[i].doc, sentences[i].position))
        citations = _citations([sentences[i] for i in ordered], {p.id: p for p in evidence.passages})
        quoted = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        head = lead or (f"{short} —" if short else "")
        return Draft(answer=f"{head} {quoted}".strip(), abstained=False, citations=citations, short_answer=short,
                     trace=trace)


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


def _candidate(evidence: Evidence, index: int, logit: float | None, features: dict[str, float], *,
               allowed: bool = True, chosen: bool) -> CandidateTrace:
    s = evidence.sentences[index]
    probability = None if logit is None else round(float(1.0 / (1.0 + np.exp(-logit))), 4)
    return CandidateTrace(id=s.id, doc=s.doc, start=s.start, end=s.end, text=clip(s.text),
                          score=None if logit is None else round(logit, 4), probability=probability,
                          allowed=allowed, chosen=chosen, features={k: round(float(v), 4) for k, v in features.items()})


_KIND_OF_FACT = {AnswerType.COUNT: "number", AnswerType.QUANTITY: "quantity", AnswerType.MONEY: "sum of money",
                 AnswerType.DATE: "date", AnswerType.DURATION: "duration", AnswerType.NAME: "name"}


_COUNTED_NOUN = re.compile(r"\bhow many ([\w-]+)")


def _no_candidate_reason(evidence: Evidence) -> str:
    """Why no sentence could answer: none holds the kind of fact asked for (in the section asked about)."""
    analysis = evidence.analysis
    kind = _KIND_OF_FACT.get(analysis.answer_type, "answer")
    counted = _COUNTED_NOUN.search(analysis.text.lower()) if analysis.answer_type is AnswerType.COUNT else None
    if counted:
        kind = f"number of {counted.group(1)}"
    where = f" in the article's {'opening' if analysis.scope == 'first' else 'closing'} section" if analysis.scope else ""
    checked = _count(len(evidence.sentences), "retrieved sentence")
    return f"none of {checked}{where} holds a {kind}, the kind of fact the question asks for"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _years_between(text: str) -> tuple[str, str] | None:
    """("N years", "N years (A to B).") for the earliest and latest year of ``text``; None with fewer than two."""
    years = sorted(set(years_in(text)))
    if len(years) < 2:
        return None
    short = f"{years[-1] - years[0]} years"
    return short, f"{short} ({years[0]} to {years[-1]})."


__all__ = ["AnswerPolicy", "ExtractiveAnswerer"]
