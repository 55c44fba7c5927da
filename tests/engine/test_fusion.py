"""Reciprocal-rank fusion."""

from __future__ import annotations

import pytest

from assistant.fusion import reciprocal_rank_fusion


def test_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)


def test_order_is_by_score_then_first_appearance() -> None:
    assert [i for i, _ in reciprocal_rank_fusion([["a", "b"], ["b", "a"]], k=1)] == ["a", "b"]
    assert [i for i, _ in reciprocal_rank_fusion([["x"], ["y", "x"]], k=1)] == ["x", "y"]


def test_an_item_in_every_list_beats_one_that_tops_a_single_list() -> None:
    fused = reciprocal_rank_fusion([["solo", "both"], ["other", "both"], ["both"]], k=60)
    assert fused[0][0] == "both"


def test_weights_scale_each_list() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=0, weights=[2.0, 1.0]))
    assert fused == {"a": 2.0, "b": 1.0}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_empty_lists_fuse_to_nothing() -> None:
    assert reciprocal_rank_fusion([[], []]) == []
