"""Comparing two run folders: metric deltas and the questions whose outcome changed.

Example::

    diff = compare_runs(load_run(Path("runs/before")), load_run(Path("runs/after")))
    for d in diff.deltas: print(d.metric, d.a, d.b, d.delta)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.table import Table

from assistant.evaluation.dataset import DatasetError
from assistant.evaluation.metrics import GOOD_OUTCOMES, LOWER_IS_BETTER
from assistant.evaluation.report import METRIC_FORMATS, METRIC_LABELS, fmt_metric

NEUTRAL = frozenset({"questions", "has_ans", "no_ans", "citations"})
TYPE_METRICS = ("contains_gold", "token_f1", "evidence_recall", "citation_precision", "correct_abstention",
                "false_abstention")


@dataclass(frozen=True)
class RunData:
    """A run folder as written by ``write_run``."""

    path: Path
    metrics: dict[str, dict[str, float]]
    records: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Delta:
    """One metric in both runs; ``a`` or ``b`` is None where a run lacks it."""

    group: str
    metric: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """b − a, when both exist."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def verdict(self) -> Literal["better", "worse", "same", "n/a"]:
        """Whether B is better than A for this metric (lower is better for errors, latency…)."""
        d = self.delta
        if d is None or self.metric in NEUTRAL:
            return "n/a"
        if abs(d) < 1e-9:
            return "same"
        return "better" if (d < 0) == (self.metric in LOWER_IS_BETTER) else "worse"


@dataclass(frozen=True)
class Change:
    """A question whose outcome differs between the runs."""

    id: str
    type: str
    question: str
    a: str
    b: str

    @property
    def verdict(self) -> Literal["better", "worse", "same", "n/a"]:
        """Whether the question went from failing to right ("better") or the other way ("worse")."""
        good_a, good_b = self.a in GOOD_OUTCOMES, self.b in GOOD_OUTCOMES
        return "same" if good_a == good_b else ("better" if good_b else "worse")


@dataclass
class Comparison:
    """Everything ``eval-compare`` prints."""

    deltas: list[Delta]
    type_deltas: list[Delta]
    changes: list[Change]
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)


def load_run(path: Path) -> RunData:
    """Read ``metrics.json`` and ``results.jsonl`` of a run folder; DatasetError when missing or broken."""
    try:
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
        records: dict[str, dict[str, Any]] = {}
        lines = (path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path} is not a run folder (need metrics.json and results.jsonl): {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                record = json.loads(line)
                records[str(record["id"])] = record
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DatasetError(f"{path / 'results.jsonl'}:{number}: not a result record ({exc})") from exc
    return RunData(path, metrics, records)


def _ordered(keys: set[str]) -> list[str]:
    known = [k for k in METRIC_FORMATS if k in keys]
    return known + sorted(keys - set(known))


def compare_runs(a: RunData, b: RunData) -> Comparison:
    """Deltas of every overall metric, of the main metrics per type, and the changed outcomes."""
    oa, ob = a.metrics.get("overall", {}), b.metrics.get("overall", {})
    deltas = [Delta("overall", k, oa.get(k), ob.get(k)) for k in _ordered(set(oa) | set(ob))]
    types = [t for t in dict.fromkeys([*a.metrics, *b.metrics]) if t != "overall"]
    type_deltas = [Delta(t, k, a.metrics.get(t, {}).get(k), b.metrics.get(t, {}).get(k))
                   for t in types for k in TYPE_METRICS]
    type_deltas = [d for d in type_deltas if d.verdict in ("better", "worse") or (d.a is None) != (d.b is None)]
    changes = []
    for qid, ra in a.records.items():
        rb = b.records.get(qid)
        if rb is not None and ra.get("outcome") != rb.get("outcome"):
            changes.append(Change(qid, str(rb.get("type", "")), str(rb.get("question", "")),
                                  str(ra.get("outcome")), str(rb.get("outcome"))))
    return Comparison(deltas, type_deltas, changes,
                      only_a=[q for q in a.records if q not in b.records],
                      only_b=[q for q in b.records if q not in a.records])


_STYLE = {"better": "green", "worse": "red", "same": "dim", "n/a": ""}


def _delta_text(d: Delta) -> str:
    if d.delta is None:
        return "–"
    fmt = METRIC_FORMATS.get(d.metric, "{:.3f}")
    return ("+" if d.delta >= 0 else "−") + fmt.format(abs(d.delta))


def deltas_table(comparison: Comparison, name_a: str, name_b: str) -> Table:
    """Overall metric deltas as a terminal table."""
    table = Table(title="metrics (overall)")
    for header, justify in [("metric", "left"), (name_a, "right"), (name_b, "right"), ("Δ", "right"), ("", "left")]:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for d in comparison.deltas:
        table.add_row(METRIC_LABELS.get(d.metric, d.metric), fmt_metric(d.metric, d.a), fmt_metric(d.metric, d.b),
                      _delta_text(d), d.verdict if d.verdict in ("better", "worse") else "",
                      style=_STYLE[d.verdict] or None)
    return table


def type_deltas_table(comparison: Comparison, name_a: str, name_b: str) -> Table:
    """The per-type main metrics that changed."""
    table = Table(title="per question type (changed only)")
    for header in ["type", "metric", name_a, name_b, "Δ"]:
        table.add_column(header, justify="left" if header in ("type", "metric") else "right")
    for d in comparison.type_deltas:
        table.add_row(d.group, d.metric, fmt_metric(d.metric, d.a), fmt_metric(d.metric, d.b), _delta_text(d),
                      style=_STYLE[d.verdict] or None)
    return table


def changes_table(comparison: Comparison, name_a: str, name_b: str) -> Table:
    """The questions whose outcome changed."""
    table = Table(title=f"questions whose outcome changed ({len(comparison.changes)})")
    for header in ["id", "type", "question", name_a, name_b]:
        table.add_column(header, overflow="fold")
    for c in comparison.changes:
        table.add_row(c.id, c.type, c.question[:80] + ("…" if len(c.question) > 80 else ""), c.a, c.b,
                      style=_STYLE[c.verdict] or None)
    return table
