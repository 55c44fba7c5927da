"""Human-readable views of a run: a terminal table, ``report.md`` and a self-contained ``report.html``.

A report answers "why" first: the gates' verdicts, the headline metrics and the changes since a
baseline run; then the outcome of each question type; then every question with the one-line reason
its answer's trace gives (``verdicts.explanation``), filterable in the HTML; then all metrics. Both
files are rendered from Jinja2 templates in ``assistant/evaluation/templates``, from what a run folder
holds (``metrics.json`` and the ``results.jsonl`` records), so an old run can be re-rendered. The HTML
has no external asset: styles and the filter script are inline, charts are base64 PNG ``data:`` images.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from rich.table import Table

from assistant.evaluation.metrics import GOOD_OUTCOMES, quality
from assistant.evaluation.verdicts import explanation, failed

if TYPE_CHECKING:
    from assistant.evaluation.compare import Comparison
    from assistant.evaluation.gates import BarResult

# (key, label, format) of every metric the reports show, by group.
METRIC_GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Answers (HasAns with gold)", [
        ("exact_match", "exact match (SQuAD EM)", "{:.3f}"),
        ("token_f1", "token F1 (SQuAD)", "{:.3f}"),
        ("contains_gold", "contains gold", "{:.3f}"),
        ("short_em", "short-answer EM (the short answer, else the answer)", "{:.3f}"),
        ("short_f1", "short-answer F1 (the short answer, else the answer)", "{:.3f}"),
    ]),
    ("Retrieval (evidence among retrieved passages)", [
        ("recall@1", "recall@1", "{:.3f}"),
        ("recall@3", "recall@3", "{:.3f}"),
        ("recall@5", "recall@5", "{:.3f}"),
        ("evidence_recall", "evidence recall (all retrieved)", "{:.3f}"),
        ("mrr", "MRR", "{:.3f}"),
        ("ndcg@10", "nDCG@10", "{:.3f}"),
    ]),
    ("Citations (ALCE-style)", [
        ("citation_recall", "citation recall", "{:.3f}"),
        ("citation_precision", "citation precision", "{:.3f}"),
        ("citations", "citations", "{:.0f}"),
        ("offset_mismatches", "citations off their offsets", "{:.0f}"),
        ("offset_mismatch", "offset mismatch share (must be 0)", "{:.3f}"),
    ]),
    ("Abstention (SQuAD 2.0-style)", [
        ("has_ans", "HasAns questions", "{:.0f}"),
        ("no_ans", "NoAns questions", "{:.0f}"),
        ("correct_abstention", "correct abstention (NoAns)", "{:.3f}"),
        ("false_abstention", "false abstention (HasAns)", "{:.3f}"),
        ("abstention_precision", "abstention precision", "{:.3f}"),
        ("abstention_recall", "abstention recall", "{:.3f}"),
        ("answered_rate", "answered rate (HasAns)", "{:.3f}"),
        ("squad2_em", "SQuAD 2.0 EM (HasAns + NoAns)", "{:.3f}"),
        ("squad2_f1", "SQuAD 2.0 F1 (HasAns + NoAns)", "{:.3f}"),
    ]),
    ("Latency and throughput", [
        ("questions", "questions", "{:.0f}"),
        ("latency_p50_ms", "latency p50 (ms)", "{:.1f}"),
        ("latency_p95_ms", "latency p95 (ms)", "{:.1f}"),
        ("latency_max_ms", "latency max (ms)", "{:.1f}"),
        ("questions_per_s", "questions per second", "{:.1f}"),
        ("wall_s", "wall time asking (s)", "{:.2f}"),
        ("errors", "questions that raised an error", "{:.0f}"),
    ]),
]
METRIC_FORMATS = {key: fmt for _, rows in METRIC_GROUPS for key, _, fmt in rows}
METRIC_LABELS = {key: label for _, rows in METRIC_GROUPS for key, label, _ in rows}

# Columns of the per-type tables (terminal, markdown, HTML).
SUMMARY_COLUMNS = [
    ("questions", "n", "{:.0f}"),
    ("exact_match", "EM", "{:.2f}"),
    ("token_f1", "F1", "{:.2f}"),
    ("contains_gold", "gold", "{:.2f}"),
    ("evidence_recall", "ev.rec", "{:.2f}"),
    ("mrr", "MRR", "{:.2f}"),
    ("ndcg@10", "nDCG", "{:.2f}"),
    ("citation_recall", "cit.R", "{:.2f}"),
    ("citation_precision", "cit.P", "{:.2f}"),
    ("correct_abstention", "abst.ok", "{:.2f}"),
    ("false_abstention", "abst.bad", "{:.2f}"),
    ("latency_p50_ms", "p50ms", "{:.0f}"),
    ("latency_p95_ms", "p95ms", "{:.0f}"),
]
WORST_COUNT = 10
DASH = "–"


def fmt_metric(key: str, value: float | None) -> str:
    """A metric value as the reports print it; a dash when it does not apply."""
    if value is None:
        return DASH
    return METRIC_FORMATS.get(key, "{:.3f}").format(value)


# The terminal table keeps to 80 columns (CI logs); the rest is on the line under it.
TERMINAL_COLUMNS = [
    ("questions", "n", "{:.0f}"),
    ("token_f1", "F1", "{:.2f}"),
    ("contains_gold", "gold", "{:.2f}"),
    ("evidence_recall", "evR", "{:.2f}"),
    ("mrr", "MRR", "{:.2f}"),
    ("citation_recall", "citR", "{:.2f}"),
    ("citation_precision", "citP", "{:.2f}"),
    ("correct_abstention", "abstOK", "{:.2f}"),
    ("false_abstention", "abstBad", "{:.2f}"),
    ("latency_p50_ms", "p50ms", "{:.0f}"),
]


def metrics_table(metrics: dict[str, dict[str, float]]) -> Table:
    """Overall and per-type metrics as a terminal table ("–" where a metric does not apply)."""
    from rich import box

    table = Table(title="evaluation per question type", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, padding=(0, 1))
    table.add_column("type", no_wrap=True, max_width=14)
    for _, header, _ in TERMINAL_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True, min_width=max(len(header), 4))
    for group, values in metrics.items():
        cells = [fmt.format(values[key]) if key in values else DASH for key, _, fmt in TERMINAL_COLUMNS]
        table.add_row(group, *cells, style="bold" if group == "overall" else None)
    return table


def overall_line(metrics: dict[str, dict[str, float]]) -> str:
    """One line with what the table leaves out: retrieval at k, abstention P/R, latency, throughput."""
    o = metrics.get("overall", {})
    parts = [f"{label} {fmt_metric(key, o.get(key))}" for key, label in [
        ("exact_match", "EM"), ("recall@1", "R@1"), ("recall@5", "R@5"), ("ndcg@10", "nDCG@10"),
        ("abstention_precision", "abst.P"),
        ("abstention_recall", "abst.R"), ("offset_mismatch", "offset mismatch"),
        ("latency_p95_ms", "p95 ms"), ("latency_max_ms", "max ms"), ("questions_per_s", "q/s"),
        ("errors", "errors"),
    ]]
    return " · ".join(parts)


def worst(records: Sequence[dict[str, Any]], n: int = WORST_COUNT) -> list[dict[str, Any]]:
    """The ``n`` records that went worst, worst first: failed outcomes, then by ``metrics.quality``.

    Records that scored fully are left out.
    """
    def key(r: dict[str, Any]) -> tuple[bool, float, float, str]:
        scores = r.get("scores", {})
        return r.get("outcome") in GOOD_OUTCOMES, quality(scores), scores.get("token_f1", 1.0), r.get("id", "")

    ranked = sorted(records, key=key)
    return [r for r in ranked if r.get("outcome") not in GOOD_OUTCOMES or quality(r.get("scores", {})) < 1.0][:n]


# -- templates (report.md, report.html) ---------------------------------------------------------
HEADLINE = ("questions", "contains_gold", "short_f1", "evidence_recall", "citation_precision", "correct_abstention",
            "false_abstention", "offset_mismatch", "latency_p50_ms", "latency_p95_ms")
"""The metrics at the top of a report."""
BASELINE_METRICS = ("contains_gold", "short_f1", "token_f1", "evidence_recall", "citation_precision",
                    "citation_recall", "correct_abstention", "false_abstention", "latency_p95_ms")


def _md(text: Any) -> str:
    """Text safe in one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _quote(text: str) -> str:
    """Text as a Markdown block quote."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> Environment:
    env = Environment(loader=PackageLoader("assistant.evaluation", "templates"), autoescape=autoescape,
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=False)
    env.filters.update(md=_md, quote=_quote)
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one of ``assistant/evaluation/templates`` (HTML ones autoescaped)."""
    return _environment(name.endswith(".html.j2")).get_template(name).render(**context)


def _gold_text(gold: dict[str, Any]) -> str:
    answers = "; ".join(gold.get("answers") or [])
    return answers or ("(unanswerable: should abstain)" if gold.get("answerable") is False else "(none given)")


def _question_view(r: dict[str, Any]) -> dict[str, Any]:
    """A result record with what the templates show of it."""
    gold = {"answerable": None, "answers": [], "evidence": [], **(r.get("gold") or {})}
    return {**r, "id": r.get("id", ""), "type": r.get("type", ""), "outcome": r.get("outcome", ""),
            "question": r.get("question", ""), "answer": r.get("answer", ""), "gold": gold,
            "citations": r.get("citations") or [], "standalone_question": r.get("standalone_question"),
            "trace": r.get("trace"), "gold_text": _gold_text(r.get("gold") or {}), "failed": failed(r),
            "why": explanation(r), "score_summary": _score_summary(r.get("scores", {}))}


def confusion(records: Sequence[dict[str, Any]]) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Outcomes (good ones first) and, per question type, the count of each outcome and the total."""
    seen = list(dict.fromkeys(str(r.get("outcome", "")) for r in records))
    outcomes = sorted(seen, key=lambda o: (o not in GOOD_OUTCOMES, o))
    types = sorted({str(r.get("type", "")) for r in records})
    rows = []
    for t in types:
        counts = Counter(str(r.get("outcome", "")) for r in records if str(r.get("type", "")) == t)
        rows.append((t, [counts.get(o, 0) for o in outcomes], sum(counts.values())))
    return outcomes, rows


def _baseline_view(comparison: Comparison, name: str) -> dict[str, Any]:
    by_metric = {d.metric: d for d in comparison.deltas}
    deltas = []
    for key in BASELINE_METRICS:
        d = by_metric.get(key)
        if d is None or (d.a is None and d.b is None):
            continue
        interval = comparison.intervals.get(key)
        verdict = interval.verdict if interval else (d.verdict if d.verdict in ("better", "worse") else "")
        deltas.append({"label": METRIC_LABELS.get(key, key), "a": fmt_metric(key, d.a), "b": fmt_metric(key, d.b),
                       "interval": str(interval) if interval else _signed(d.delta),
                       "verdict": verdict, "verdict_class": {"better": "pass", "worse": "fail"}.get(verdict, "noise")})
    verdicts = Counter(c.verdict for c in comparison.changes)
    return {"name": name, "deltas": deltas, "better": verdicts.get("better", 0), "worse": verdicts.get("worse", 0)}


def _signed(value: float | None) -> str:
    return DASH if value is None else f"{value:+.3f}"


def report_context(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], *, title: str,
                   charts: dict[str, bytes] | None = None, gates: Sequence[BarResult] = (),
                   baseline: tuple[str, Comparison] | None = None) -> dict[str, Any]:
    """Everything ``report.html.j2`` and ``report.md.j2`` show."""
    overall = metrics.get("overall", {})
    outcomes, rows = confusion(records)
    failed_outcomes = Counter(str(r.get("outcome")) for r in records if failed(r))
    return {
        "title": title,
        "gates": [{"bar": str(g.bar), "passed": g.passed,
                   "actual": "not measured" if g.actual is None else fmt_metric(g.bar.metric, g.actual)} for g in gates],
        "headline": [{"key": k, "label": METRIC_LABELS.get(k, k), "value": fmt_metric(k, overall.get(k))}
                     for k in HEADLINE],
        "counts": {"total": len(records), "failed": sum(failed_outcomes.values()),
                   "by_outcome": failed_outcomes.most_common()},
        "baseline": _baseline_view(baseline[1], baseline[0]) if baseline else None,
        "confusion": {"outcomes": outcomes, "rows": rows},
        "types": sorted({str(r.get("type", "")) for r in records}),
        "records": [_question_view(r) for r in records],
        "worst": [_question_view(r) for r in worst(records)], "worst_count": WORST_COUNT,
        "metric_groups": [(group, [(label, fmt_metric(key, overall.get(key))) for key, label, _ in rows_])
                          for group, rows_ in METRIC_GROUPS],
        "type_columns": [(k, h) for k, h, _ in SUMMARY_COLUMNS],
        "type_rows": [(group, [fmt.format(values[k]) if k in values else DASH for k, _, fmt in SUMMARY_COLUMNS])
                      for group, values in metrics.items()],
        "type_legend": "Columns: " + ", ".join(f"{h} = {METRIC_LABELS.get(k, k)}" for k, h, _ in SUMMARY_COLUMNS) + ".",
        "charts": [(name, base64.b64encode(png).decode("ascii")) for name, png in (charts or {}).items()],
    }


def render_markdown(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], *,
                    title: str = "evaluation", charts: dict[str, bytes] | None = None, gates: Sequence[BarResult] = (),
                    baseline: tuple[str, Comparison] | None = None) -> str:
    """``report.md``: the summary (gates, headline, baseline), outcome by type, every question with why, all
    metrics, the worst questions in full."""
    context = report_context(metrics, records, title=title, charts=charts, gates=gates, baseline=baseline)
    return render_template("report.md.j2", **context)


def render_html(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], *,
                title: str = "evaluation", charts: dict[str, bytes] | None = None, gates: Sequence[BarResult] = (),
                baseline: tuple[str, Comparison] | None = None) -> str:
    """``report.html``: the markdown's content in one self-contained page, the question table filterable by
    outcome and type, each row expanding to its details."""
    context = report_context(metrics, records, title=title, charts=charts, gates=gates, baseline=baseline)
    return render_template("report.html.j2", **context)


def _score_summary(scores: dict[str, float]) -> str:
    keys = ["contains_gold", "short_f1", "token_f1", "exact_match", "evidence_recall", "mrr", "citation_recall",
            "citation_precision", "latency_ms"]
    return ", ".join(f"{k} {scores[k]:.2f}" if k != "latency_ms" else f"{scores[k]:.0f} ms"
                     for k in keys if k in scores)


# -- files -------------------------------------------------------------------------------------
def build_charts(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]]) -> dict[str, bytes]:
    """The report's charts by caption."""
    from assistant.evaluation.charts import latency_histogram, per_type_bars

    overall = metrics.get("overall", {})
    latencies = [float(r["latency_ms"]) for r in records if "latency_ms" in r]
    return {
        "Main metrics per question type": per_type_bars(metrics),
        "Latency per question": latency_histogram(latencies, overall.get("latency_p50_ms", 0.0),
                                                  overall.get("latency_p95_ms", 0.0)),
    }


def write_reports(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], out_dir: Path, *,
                  title: str = "evaluation", gates: Sequence[BarResult] = (),
                  baseline: tuple[str, Comparison] | None = None) -> list[Path]:
    """Write ``report.md`` and ``report.html`` into ``out_dir`` (with the gates' verdicts and the changes
    since ``baseline``, a (name, comparison) pair, when given); returns their paths."""
    charts = build_charts(metrics, records)
    md, page = out_dir / "report.md", out_dir / "report.html"
    options = dict(title=title, charts=charts, gates=gates, baseline=baseline)
    md.write_text(render_markdown(metrics, records, **options), encoding="utf-8")
    page.write_text(render_html(metrics, records, **options), encoding="utf-8")
    return [md, page]
