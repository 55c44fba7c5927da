"""Bars a run must meet: ``--fail-under metric=value`` (a floor) and ``--fail-over metric=value`` (a ceiling).

A bar names an overall metric (``contains_gold=0.8``) or a type's (``factoid:contains_gold=0.8``).
A floor fails when the metric is below the value, a ceiling when it is above; a metric the run did
not measure fails too, so a gate never passes by accident. Example::

    bars = [parse_bar("contains_gold=0.80", "under"), parse_bar("false_abstention=0.10", "over")]
    failures = [r for r in check_bars(metrics, bars) if not r.passed]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.errors import AssistantError
from assistant.evaluation.report import METRIC_FORMATS


class GateError(AssistantError):
    """A bar that cannot be understood."""


@dataclass(frozen=True)
class Bar:
    """One bar: ``metric`` of ``group`` must not be under (or over) ``value``."""

    metric: str
    value: float
    kind: Literal["under", "over"]
    group: str = "overall"

    def __str__(self) -> str:
        sign = ">=" if self.kind == "under" else "<="
        where = "" if self.group == "overall" else f"{self.group}:"
        return f"{where}{self.metric} {sign} {self.value:g}"


@dataclass(frozen=True)
class BarResult:
    """A bar and the run's value for it (None when not measured)."""

    bar: Bar
    actual: float | None

    @property
    def passed(self) -> bool:
        """Whether the run meets the bar."""
        if self.actual is None:
            return False
        return self.actual >= self.bar.value if self.bar.kind == "under" else self.actual <= self.bar.value

    def __str__(self) -> str:
        got = "not measured" if self.actual is None else f"{self.actual:.4g}"
        return f"{'PASS' if self.passed else 'FAIL'} {self.bar} (got {got})"


def parse_bar(text: str, kind: Literal["under", "over"]) -> Bar:
    """``[type:]metric=value`` as a Bar; GateError names what is wrong and the known metrics."""
    name, sep, raw = text.partition("=")
    group, _, metric = name.strip().rpartition(":")
    metric = metric.strip()
    if not sep or not metric:
        raise GateError(f"bar {text!r} is not metric=value (e.g. contains_gold=0.80)")
    if metric not in METRIC_FORMATS:
        raise GateError(f"unknown metric {metric!r} in bar {text!r}; known: {', '.join(sorted(METRIC_FORMATS))}")
    try:
        value = float(raw)
    except ValueError:
        raise GateError(f"bar {text!r}: {raw.strip()!r} is not a number") from None
    return Bar(metric, value, kind, group.strip() or "overall")


def check_bars(metrics: dict[str, dict[str, float]], bars: Sequence[Bar]) -> list[BarResult]:
    """Each bar with the run's value for it."""
    return [BarResult(bar, metrics.get(bar.group, {}).get(bar.metric)) for bar in bars]
