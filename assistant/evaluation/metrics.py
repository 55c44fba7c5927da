"""Scores of one answer against its QA item, and their aggregation over a run.

The formulas are written out in the README ("Evaluation"); in short, per question:

- answers (questions with gold answers that the text can answer, "HasAns"), on the answer with its
  ``[n]`` markers removed and SQuAD normalisation (lower case, no punctuation, no a/an/the):
  ``exact_match`` = max over golds of [norm(answer) == norm(gold)]; ``token_f1`` = max over golds of
  the token F1; ``contains_gold`` = [some norm(gold) is a substring of norm(answer)];
  ``short_em``/``short_f1``: the same EM and F1 of the short answer when the answer has one, else of
  the whole answer. An abstention scores 0 on all five.
- retrieval (questions with evidence): a passage holds an evidence sentence when either normalised
  text contains the other. ``recall@k`` = share of evidence sentences held by the top k passages;
  ``evidence_recall`` = the same over every retrieved passage; ``mrr`` = 1 / rank of the first passage
  holding any evidence (0 if none); ``ndcg@10`` with binary gains (a passage is relevant when it holds
  some evidence), ideal ranking = all R relevant passages first, R = relevant passages retrieved +
  evidence sentences held by no retrieved passage.
- citations (ALCE-style, questions with evidence): ``citation_recall`` = share of evidence sentences
  held by some citation; ``citation_precision`` = share of citations that hold (or are held by) some
  evidence sentence (questions with at least one citation).
- abstention, SQuAD-2.0-style: ``correct_abstention`` on NoAns questions, ``false_abstention`` on
  HasAns ones; ``squad2_em``/``squad2_f1`` score a NoAns question 1 when abstained on, 0 otherwise,
  and a HasAns one by its EM/F1.
- ``citations``/``offset_mismatches``: counts, summed over the run; ``offset_mismatch`` =
  mismatches / citations (a citation mismatches when its text is not the corpus slice at its offsets).

Aggregates: the mean of each per-question score over the questions it applies to, plus
``abstention_precision`` = correct abstentions / abstentions on questions of known answerability,
``abstention_recall`` (= correct_abstention), ``answered_rate`` = 1 − false_abstention, counts, and
latency p50/p95/max (linear-interpolated percentiles).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from assistant.evaluation.dataset import QAItem
from assistant.text import strip_markers
from assistant.types import Answer

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’—–…«»")
RECALL_KS = (1, 3, 5)
NDCG_K = 10

COUNT_KEYS = ("citations", "offset_mismatches")
"""Per-question values that are summed, not averaged."""
LOWER_IS_BETTER = frozenset({"false_abstention", "offset_mismatch", "offset_mismatches", "errors",
                             "latency_p50_ms", "latency_p95_ms", "latency_max_ms", "wall_s"})


# -- answer text -------------------------------------------------------------------------------
def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())



def exact_match(prediction: str, gold: str) -> float:
    """SQuAD exact match: 1 when the normalised texts are equal."""
    return float(normalize_answer(prediction) == normalize_answer(gold))


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token-level F1 of two texts."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_gold(prediction: str, gold: str) -> float:
    """1 when the normalised gold is a substring of the normalised prediction."""
    g = normalize_answer(gold)
    return float(bool(g) and g in normalize_answer(prediction))


def spans_match(a: str, b: str) -> bool:
    """Whether either normalised text contains the other."""
    na, nb = normalize_answer(a), normalize_answer(b)
    return bool(na and nb) and (na in nb or nb in na)


# -- ranking -----------------------------------------------------------------------------------
def holds(passages: Sequence[str], evidence: Sequence[str]) -> list[list[bool]]:
    """``holds[i][j]``: whether passage i holds evidence sentence j (see ``spans_match``)."""
    return [[spans_match(e, p) for e in evidence] for p in passages]


def recall_at_k(hits: Sequence[Sequence[bool]], n_evidence: int, k: int | None = None) -> float:
    """Share of the evidence sentences held by the first ``k`` passages (all when k is None)."""
    if n_evidence == 0:
        return 0.0
    top = hits[:k] if k is not None else hits
    return sum(any(row[j] for row in top) for j in range(n_evidence)) / n_evidence


def reciprocal_rank(hits: Sequence[Sequence[bool]]) -> float:
    """1 / rank of the first passage holding any evidence; 0 when none does."""
    for rank, row in enumerate(hits, start=1):
        if any(row):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(hits: Sequence[Sequence[bool]], n_evidence: int, k: int = NDCG_K) -> float:
    """nDCG@k with binary gains; the ideal ranks all R relevant passages first.

    R = relevant passages retrieved + evidence sentences that no retrieved passage holds (each
    assumed to sit in a passage of its own), so a miss lowers the score even when what was found
    is ranked first.
    """
    if n_evidence == 0:
        return 0.0
    relevant = [any(row) for row in hits]
    missed = n_evidence - sum(any(row[j] for row in hits) for j in range(n_evidence))
    ideal_count = min(sum(relevant) + missed, k)
    if ideal_count == 0:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(relevant[:k], start=1) if rel)
    idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
    return dcg / idcg


# -- one question ------------------------------------------------------------------------------
def score_answer(item: QAItem, answer: Answer, corpus_text: Callable[[str], str | None]) -> dict[str, float]:
    """The per-question scores that apply to ``item`` (see the module docstring)."""
    scores: dict[str, float] = {"latency_ms": answer.latency_ms}
    has_answer = item.has_answer
    text = "" if answer.abstained else strip_markers(answer.answer)
    if has_answer is True:
        scores["false_abstention"] = float(answer.abstained)
    elif has_answer is False:
        scores["correct_abstention"] = float(answer.abstained)
        scores["squad2_em"] = scores["squad2_f1"] = float(answer.abstained)
    if has_answer and item.answers:
        short = "" if answer.abstained else (answer.short_answer or text)
        scores["short_em"] = max(exact_match(short, g) for g in item.answers)
        scores["short_f1"] = max(token_f1(short, g) for g in item.answers)
        scores["exact_match"] = max(exact_match(text, g) for g in item.answers)
        scores["token_f1"] = max(token_f1(text, g) for g in item.answers)
        scores["contains_gold"] = max(contains_gold(text, g) for g in item.answers)
        scores["squad2_em"], scores["squad2_f1"] = scores["exact_match"], scores["token_f1"]
    if has_answer and item.evidence:
        n = len(item.evidence)
        hits = holds([p.text for p in answer.retrieved], item.evidence)
        for k in RECALL_KS:
            scores[f"recall@{k}"] = recall_at_k(hits, n, k)
        scores["evidence_recall"] = recall_at_k(hits, n)
        scores["mrr"] = reciprocal_rank(hits)
        scores[f"ndcg@{NDCG_K}"] = ndcg_at_k(hits, n)
        cited = holds([c.text for c in answer.citations], item.evidence)
        scores["citation_recall"] = recall_at_k(cited, n)
        if cited:
            scores["citation_precision"] = float(np.mean([any(row) for row in cited]))
    scores["citations"] = float(len(answer.citations))
    scores["offset_mismatches"] = float(
        sum((corpus_text(c.doc) or "")[c.start:c.end] != c.text for c in answer.citations)
    )
    return scores


GOOD_OUTCOMES = frozenset({"correct", "correct-abstention", "supported", "answered"})
"""Outcomes that count as the question going right (the rest are failures or unknown)."""


def outcome(item: QAItem, answer_abstained: bool, scores: dict[str, float]) -> str:
    """A one-word verdict on a question, the unit ``eval-compare`` reports changes of."""
    if scores.get("error"):
        return "error"
    if item.has_answer is False:
        return "correct-abstention" if answer_abstained else "answered-unanswerable"
    if answer_abstained:
        return "false-abstention" if item.has_answer else "abstained"
    if "contains_gold" in scores:
        return "correct" if scores["contains_gold"] else "wrong"
    if "citation_recall" in scores:
        return "supported" if scores["citation_recall"] > 0 else "unsupported"
    return "answered"


def quality(scores: dict[str, float]) -> float:
    """A 0–1 summary of how well a question went, to rank the worst ones (lower is worse).

    Token F1 is left out: an extractive answer quotes whole sentences, so its F1 against a short
    gold answer is low even when it is right.
    """
    if scores.get("error"):
        return -1.0
    if "correct_abstention" in scores:
        return scores["correct_abstention"]
    if scores.get("false_abstention"):
        return 0.0
    parts = [scores[k] for k in ("contains_gold", "citation_recall", "citation_precision", "evidence_recall")
             if k in scores]
    return float(np.mean(parts)) if parts else 1.0


# -- aggregation -------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation), 0 for no values."""
    return float(np.percentile(values, q)) if values else 0.0


def aggregate(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    """Means of the per-question scores over the rows that have them, sums of counts, derived rates."""
    rows = list(rows)
    values: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            values[key].append(value)
    latencies = values.pop("latency_ms", [])
    counts = {key: float(sum(values.pop(key, []))) for key in COUNT_KEYS}
    errors = float(sum(values.pop("error", [])))
    out = {key: float(np.mean(v)) for key, v in sorted(values.items())}
    out.update(counts)
    out["offset_mismatch"] = counts["offset_mismatches"] / counts["citations"] if counts["citations"] else 0.0
    correct, false = values.get("correct_abstention", []), values.get("false_abstention", [])
    if sum(correct) + sum(false) > 0:
        out["abstention_precision"] = sum(correct) / (sum(correct) + sum(false))
    if correct:
        out["abstention_recall"] = float(np.mean(correct))
    if false:
        out["answered_rate"] = 1.0 - float(np.mean(false))
    out.update(
        questions=float(len(rows)), has_ans=float(len(false)), no_ans=float(len(correct)), errors=errors,
        latency_p50_ms=percentile(latencies, 50), latency_p95_ms=percentile(latencies, 95),
        latency_max_ms=float(max(latencies)) if latencies else 0.0,
    )
    return out


def aggregate_by_type(items: Sequence[QAItem], rows: Sequence[dict[str, float]],
                      wall_seconds: float | None = None) -> dict[str, dict[str, float]]:
    """``aggregate`` overall (key "overall", with questions/s when the wall time is given) and per type."""
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for item, row in zip(items, rows, strict=True):
        groups[item.type].append(row)
    overall = aggregate(rows)
    if wall_seconds is not None:
        overall["wall_s"] = wall_seconds
        overall["questions_per_s"] = len(rows) / wall_seconds if wall_seconds > 0 else 0.0
    return {"overall": overall, **{t: aggregate(groups[t]) for t in sorted(groups)}}
