"""--fail-under / --fail-over bars."""

from __future__ import annotations

import pytest

from assistant.evaluation.gates import Bar, GateError, check_bars, parse_bar

METRICS = {"overall": {"contains_gold": 0.8, "false_abstention": 0.1667, "offset_mismatch": 0.0},
           "factoid": {"contains_gold": 0.5}}


def test_parse_bar() -> None:
    assert parse_bar("contains_gold=0.80", "under") == Bar("contains_gold", 0.8, "under")
    assert parse_bar(" factoid:contains_gold = 0.7 ", "under") == Bar("contains_gold", 0.7, "under", "factoid")
    assert parse_bar("ndcg@10=0.5", "under").metric == "ndcg@10"
    assert str(parse_bar("false_abstention=0.10", "over")) == "false_abstention <= 0.1"


@pytest.mark.parametrize(("text", "message"), [
    ("contains_gold", "is not metric=value"),
    ("=0.5", "is not metric=value"),
    ("contains_glod=0.8", "unknown metric 'contains_glod'.*known: .*contains_gold"),
    ("contains_gold=high", "'high' is not a number"),
])
def test_bad_bars(text: str, message: str) -> None:
    with pytest.raises(GateError, match=message):
        parse_bar(text, "under")


def test_check_bars_floor_ceiling_and_missing() -> None:
    bars = [parse_bar("contains_gold=0.80", "under"), parse_bar("false_abstention=0.10", "over"),
            parse_bar("offset_mismatch=0", "over"), parse_bar("factoid:contains_gold=0.6", "under"),
            parse_bar("citation_precision=0.8", "under"), parse_bar("why:contains_gold=0.1", "under")]
    results = check_bars(METRICS, bars)
    assert [r.passed for r in results] == [True, False, True, False, False, False]
    assert str(results[1]) == "FAIL false_abstention <= 0.1 (got 0.1667)"
    assert str(results[4]) == "FAIL citation_precision >= 0.8 (got not measured)"
