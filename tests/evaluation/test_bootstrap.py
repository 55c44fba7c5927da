"""The paired bootstrap on synthetic runs whose difference is known."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evaluation.bootstrap import paired_bootstrap


def _runs(n: int, p_a: float, p_b: float, seed: int) -> tuple[list[dict], list[dict]]:
    rng = np.random.default_rng(seed)
    a = [{"contains_gold": float(x)} for x in rng.random(n) < p_a]
    b = [{"contains_gold": float(x)} for x in rng.random(n) < p_b]
    return a, b


def test_a_real_improvement_is_called_better_around_the_observed_difference() -> None:
    rng = np.random.default_rng(1)
    a = [{"contains_gold": float(x)} for x in rng.permutation([1] * 200 + [0] * 200)]  # exactly 0.5
    b = [{"contains_gold": float(x)} for x in rng.permutation([1] * 320 + [0] * 80)]   # exactly 0.8
    interval = paired_bootstrap(a, b)["contains_gold"]
    assert interval.delta == pytest.approx(0.3) and interval.verdict == "better"
    assert 0.2 < interval.low < 0.3 < interval.high < 0.4


def test_the_95_percent_interval_covers_the_true_difference_about_95_percent_of_the_time() -> None:
    covered = 0
    for seed in range(200):
        a, b = _runs(300, 0.5, 0.6, seed=seed)
        interval = paired_bootstrap(a, b, resamples=400, seed=seed)["contains_gold"]
        covered += interval.low <= 0.1 <= interval.high
    assert 0.88 <= covered / 200 <= 0.99


def test_no_difference_is_noise_and_a_drop_is_worse() -> None:
    a, b = _runs(400, 0.6, 0.6, seed=2)
    assert paired_bootstrap(a, b)["contains_gold"].verdict == "noise"
    a, b = _runs(400, 0.8, 0.5, seed=3)
    assert paired_bootstrap(a, b)["contains_gold"].verdict == "worse"


def test_lower_is_better_metrics_read_the_other_way() -> None:
    a = [{"false_abstention": 1.0}] * 50 + [{"false_abstention": 0.0}] * 50
    b = [{"false_abstention": 0.0}] * 100
    assert paired_bootstrap(a, b)["false_abstention"].verdict == "better"


def test_only_questions_both_runs_scored_count_and_runs_must_align() -> None:
    a = [{"correct_abstention": 1.0}, {"contains_gold": 1.0}, {"correct_abstention": 0.0}]
    b = [{"correct_abstention": 1.0}, {"contains_gold": 0.0}, {"correct_abstention": 1.0}]
    intervals = paired_bootstrap(a, b)
    assert intervals["correct_abstention"].questions == 2 and intervals["correct_abstention"].delta == 0.5
    assert "contains_gold" not in intervals  # one question is too few to resample
    with pytest.raises(ValueError):
        paired_bootstrap(a, b[:2])
