"""Is a metric's change between two runs more than noise? A paired bootstrap over the questions.

Both runs answered the same questions. Resampling those questions with replacement (the same sample
for both runs) and recomputing each per-question mean metric gives the distribution of the
difference B − A; its 2.5th–97.5th percentiles are the 95 % interval. When the interval excludes 0
the change is called real ("better"/"worse"), otherwise "noise". Example::

    intervals = paired_bootstrap(scores_a, scores_b)   # per-question score dicts, same order
    intervals["contains_gold"].low, .high, .verdict
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.evaluation.metrics import LOWER_IS_BETTER

BOOTSTRAP_METRICS = ("contains_gold", "short_f1", "short_em", "token_f1", "exact_match", "evidence_recall",
                     "recall@1", "mrr", "citation_recall", "citation_precision", "correct_abstention",
                     "false_abstention")
"""The per-question means the bootstrap covers (latency and counts are not means of question scores)."""
RESAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """The observed difference B − A of one metric and its bootstrap interval."""

    metric: str
    delta: float
    low: float
    high: float
    questions: int

    @property
    def verdict(self) -> Literal["better", "worse", "noise"]:
        """"better"/"worse" when the interval excludes 0 (lower is better for false abstention), else "noise"."""
        if self.low <= 0 <= self.high:
            return "noise"
        up = self.low > 0
        return "better" if up != (self.metric in LOWER_IS_BETTER) else "worse"

    def __str__(self) -> str:
        return f"{self.delta:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def _column(scores: Sequence[dict[str, float]], metric: str) -> np.ndarray:
    return np.array([row.get(metric, np.nan) for row in scores], dtype=float)


def paired_bootstrap(scores_a: Sequence[dict[str, float]], scores_b: Sequence[dict[str, float]], *,
                     metrics: Sequence[str] = BOOTSTRAP_METRICS, resamples: int = RESAMPLES,
                     confidence: float = CONFIDENCE, seed: int = 0) -> dict[str, Interval]:
    """The interval of B − A for each metric both runs measured on at least two of the same questions.

    ``scores_a[i]`` and ``scores_b[i]`` are the same question's per-question scores. A metric counts
    only the questions where both runs have it (e.g. correct abstention: the unanswerable ones).
    """
    if len(scores_a) != len(scores_b):
        raise ValueError("the runs must score the same questions, in the same order")
    rng = np.random.default_rng(seed)
    out: dict[str, Interval] = {}
    for metric in metrics:
        a, b = _column(scores_a, metric), _column(scores_b, metric)
        both = ~np.isnan(a) & ~np.isnan(b)
        diff = (b - a)[both]
        if len(diff) < 2:
            continue
        samples = rng.integers(0, len(diff), size=(resamples, len(diff)))
        means = diff[samples].mean(axis=1)
        tail = (1 - confidence) / 2 * 100
        low, high = np.percentile(means, [tail, 100 - tail])
        out[metric] = Interval(metric, float(diff.mean()), float(low), float(high), int(len(diff)))
    return out


__all__ = ["BOOTSTRAP_METRICS", "Interval", "paired_bootstrap"]
