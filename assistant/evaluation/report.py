"""Human-readable views of a run's metrics."""

from __future__ import annotations

from rich.table import Table

SUMMARY_COLUMNS = [
    ("questions", "n", "{:.0f}"),
    ("contains_gold", "contains gold", "{:.2f}"),
    ("token_f1", "token F1", "{:.2f}"),
    ("evidence_recall", "evidence recall", "{:.2f}"),
    ("citation_recall", "cit. recall", "{:.2f}"),
    ("citation_precision", "cit. precision", "{:.2f}"),
    ("correct_abstention", "correct abst.", "{:.2f}"),
    ("false_abstention", "false abst.", "{:.2f}"),
    ("latency_p50_ms", "p50 ms", "{:.1f}"),
    ("latency_p95_ms", "p95 ms", "{:.1f}"),
]


def metrics_table(metrics: dict[str, dict[str, float]]) -> Table:
    """Overall and per-type metrics as a table ("–" where a metric does not apply)."""
    table = Table(title="evaluation")
    table.add_column("type")
    for _, header, _ in SUMMARY_COLUMNS:
        table.add_column(header, justify="right")
    for group, values in metrics.items():
        cells = [fmt.format(values[key]) if key in values else "–" for key, _, fmt in SUMMARY_COLUMNS]
        table.add_row(group, *cells, style="bold" if group == "overall" else None)
    return table
