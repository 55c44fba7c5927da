"""Scores of one answer against its QA item, and their aggregation over a run.

Definitions (all per question, then averaged over the questions they apply to):
- contains_gold: 1 when the normalised answer contains a normalised gold answer (answerable only;
  an abstention scores 0).
- token_f1: SQuAD token F1 against the best-matching gold answer (answerable only).
- evidence_recall: share of evidence sentences found inside some retrieved passage.
- citation_recall: share of evidence sentences covered by some citation.
- citation_precision: share of citations that match some evidence sentence.
- correct_abstention: 1 when an unanswerable question was abstained on; false_abstention: 1 when an
  answerable one was.
- offset_mismatch: share of citations whose text is not exactly the corpus slice at its offsets.
A citation and an evidence sentence match when either's normalised text contains the other's.
"""

from __future__ import annotations

import re
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from assistant.evaluation.dataset import QAItem
from assistant.types import Answer

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’—–…«»")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


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


def spans_match(a: str, b: str) -> bool:
    """Whether either normalised text contains the other."""
    na, nb = normalize_answer(a), normalize_answer(b)
    return bool(na and nb) and (na in nb or nb in na)


def score_answer(item: QAItem, answer: Answer, corpus_text: Callable[[str], str | None]) -> dict[str, float]:
    """The per-question scores that apply to ``item`` (see the module docstring)."""
    scores: dict[str, float] = {"latency_ms": answer.latency_ms}
    answerable = item.answerable if item.answerable is not None else bool(item.answers or item.evidence)
    if item.answerable is not None or item.answers:
        if answerable:
            scores["false_abstention"] = float(answer.abstained)
        else:
            scores["correct_abstention"] = float(answer.abstained)
    if answerable and item.answers:
        text = "" if answer.abstained else answer.answer
        scores["contains_gold"] = float(any(normalize_answer(g) in normalize_answer(text) for g in item.answers))
        scores["token_f1"] = max(token_f1(text, g) for g in item.answers)
    if answerable and item.evidence:
        retrieved = [p.text for p in answer.retrieved]
        scores["evidence_recall"] = float(np.mean([any(spans_match(e, r) for r in retrieved) for e in item.evidence]))
        cited = [c.text for c in answer.citations]
        scores["citation_recall"] = float(np.mean([any(spans_match(e, c) for c in cited) for e in item.evidence]))
        if cited:
            scores["citation_precision"] = float(np.mean([any(spans_match(e, c) for e in item.evidence)
                                                          for c in cited]))
    if answer.citations:
        mismatched = [c for c in answer.citations if (corpus_text(c.doc) or "")[c.start:c.end] != c.text]
        scores["offset_mismatch"] = len(mismatched) / len(answer.citations)
    return scores


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation), 0 for no values."""
    return float(np.percentile(values, q)) if values else 0.0


def aggregate(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    """Mean of each score over the rows that have it, plus latency p50/p95 and counts."""
    rows = list(rows)
    sums: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            sums[key].append(value)
    latencies = sums.pop("latency_ms", [])
    out = {key: float(np.mean(values)) for key, values in sorted(sums.items())}
    out.update(questions=float(len(rows)), latency_p50_ms=percentile(latencies, 50),
               latency_p95_ms=percentile(latencies, 95))
    return out


def aggregate_by_type(items: Sequence[QAItem], rows: Sequence[dict[str, float]]) -> dict[str, dict[str, float]]:
    """``aggregate`` overall (key "overall") and for each question type."""
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for item, row in zip(items, rows, strict=True):
        groups[item.type].append(row)
    return {"overall": aggregate(rows), **{t: aggregate(groups[t]) for t in sorted(groups)}}
