"""Comparing run folders: metric deltas with bootstrap intervals, and the questions whose outcome changed.

Example::

    diff = compare_runs(load_run(Path("runs/before")), load_run(Path("runs/after")))
    for d in diff.deltas: print(d.metric, d.a, d.b, d.delta)
    diff.intervals["contains_gold"].verdict   # "better", "worse" or "noise" (paired bootstrap)

``render_comparison_html`` writes the same kind of page as ``report.html`` for two runs, with both
traces of each changed question side by side; ``runs_table`` puts several runs in one table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.table import Table

from assistant.evaluation.bootstrap import Interval, paired_bootstrap
from assistant.evaluation.dataset import DatasetError
from assistant.evaluation.metrics import GOOD_OUTCOMES, LOWER_IS_BETTER
from assistant.evaluation.report import (BASELINE_METRICS, METRIC_FORMATS, METRIC_LABELS, fmt_metric,
                                         render_template)
from assistant.evaluation.runner import SCHEMA_VERSION
from assistant.evaluation.verdicts import explanation

NEUTRAL = frozenset({"questions", "has_ans", "no_ans", "citations"})
TYPE_METRICS = ("contains_gold", "token_f1", "evidence_recall", "citation_precision", "correct_abstention",
                "false_abstention")


@dataclass(frozen=True)
class RunData:
    """A run folder as written by ``write_run``."""

    path: Path
    metrics: dict[str, dict[str, float]]
    records: dict[str, dict[str, Any]]
    schema_version: int = SCHEMA_VERSION


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
    why_a: str = ""
    why_b: str = ""

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
    intervals: dict[str, Interval] = field(default_factory=dict)


def load_run(path: Path) -> RunData:
    """Read ``metrics.json`` and ``results.jsonl`` of a run folder; DatasetError when missing, broken or
    written with a newer schema than this version reads (a folder from before schemas were versioned reads
    as version 0)."""
    try:
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
        records: dict[str, dict[str, Any]] = {}
        lines = (path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path} is not a run folder (need metrics.json and results.jsonl): {exc}") from exc
    version = metrics.pop("schema_version", 0) if isinstance(metrics, dict) else None
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise DatasetError(f"{path}: metrics.json has schema_version {version!r}; this assistant reads up to "
                           f"{SCHEMA_VERSION}")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                record = json.loads(line)
                records[str(record["id"])] = record
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DatasetError(f"{path / 'results.jsonl'}:{number}: not a result record ({exc})") from exc
    return RunData(path, metrics, records, version)


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
                                  str(ra.get("outcome")), str(rb.get("outcome")), explanation(ra), explanation(rb)))
    common = [q for q in a.records if q in b.records]
    intervals = paired_bootstrap([a.records[q].get("scores", {}) for q in common],
                                 [b.records[q].get("scores", {}) for q in common])
    return Comparison(deltas, type_deltas, changes,
                      only_a=[q for q in a.records if q not in b.records],
                      only_b=[q for q in b.records if q not in a.records], intervals=intervals)


_STYLE = {"better": "green", "worse": "red", "same": "dim", "n/a": "", "noise": "dim", "": ""}


def _delta_text(d: Delta) -> str:
    if d.delta is None:
        return "–"
    fmt = METRIC_FORMATS.get(d.metric, "{:.3f}")
    return ("+" if d.delta >= 0 else "−") + fmt.format(abs(d.delta))


def _verdict(comparison: Comparison, d: Delta) -> str:
    """"better"/"worse"/"noise" from the bootstrap where it applies, else the plain direction of the change."""
    interval = comparison.intervals.get(d.metric)
    if interval is not None:
        return interval.verdict
    return d.verdict if d.verdict in ("better", "worse") else ""


def deltas_table(comparison: Comparison, name_a: str, name_b: str) -> Table:
    """Overall metric deltas as a terminal table, with the bootstrap's 95 % interval where it applies."""
    table = Table(title="metrics (overall); Δ [95 % paired-bootstrap interval]")
    for header, justify in [("metric", "left"), (name_a, "right"), (name_b, "right"), ("Δ", "right"), ("", "left")]:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for d in comparison.deltas:
        interval = comparison.intervals.get(d.metric)
        verdict = _verdict(comparison, d)
        table.add_row(METRIC_LABELS.get(d.metric, d.metric), fmt_metric(d.metric, d.a), fmt_metric(d.metric, d.b),
                      str(interval) if interval else _delta_text(d), verdict,
                      style=_STYLE.get(verdict) or None)
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


COMPARE_METRICS = ("questions", *BASELINE_METRICS)
"""The metrics ``runs_table`` and the comparison page show."""


def render_comparison_html(a: RunData, b: RunData, comparison: Comparison, name_a: str, name_b: str) -> str:
    """A self-contained page: metric deltas with their intervals, the per-type changes, and each question
    whose outcome changed with both answers and both traces' reasons side by side."""
    rows = []
    for d in comparison.deltas:
        interval = comparison.intervals.get(d.metric)
        verdict = _verdict(comparison, d)
        rows.append({"label": METRIC_LABELS.get(d.metric, d.metric), "a": fmt_metric(d.metric, d.a),
                     "b": fmt_metric(d.metric, d.b), "delta": str(interval) if interval else _delta_text(d),
                     "verdict": verdict, "verdict_class": {"better": "pass", "worse": "fail"}.get(verdict, "noise")})
    changes = [{"change": c, "a": a.records[c.id], "b": b.records[c.id]} for c in comparison.changes]
    types = [{"group": d.group, "metric": d.metric, "a": fmt_metric(d.metric, d.a), "b": fmt_metric(d.metric, d.b),
              "delta": _delta_text(d), "verdict": d.verdict} for d in comparison.type_deltas]
    return render_template("compare.html.j2", name_a=name_a, name_b=name_b, deltas=rows, types=types,
                           changes=changes, only_a=comparison.only_a, only_b=comparison.only_b)


def runs_table(runs: list[RunData], names: list[str]) -> Table:
    """Several runs side by side: each headline metric per run, and for every run after the first its
    change from the first with the bootstrap verdict (noise, better, worse)."""
    table = Table(title=f"{len(runs)} runs; Δ against {names[0]} [95 % paired-bootstrap interval]")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    first = runs[0]
    comparisons = [compare_runs(first, run) for run in runs[1:]]
    for metric in COMPARE_METRICS:
        cells = [fmt_metric(metric, first.metrics.get("overall", {}).get(metric))]
        for run, comparison in zip(runs[1:], comparisons, strict=True):
            value = fmt_metric(metric, run.metrics.get("overall", {}).get(metric))
            interval = comparison.intervals.get(metric)
            cells.append(f"{value} ({interval.delta:+.3f}, {interval.verdict})" if interval else value)
        table.add_row(METRIC_LABELS.get(metric, metric), *cells)
    return table
