"""The report's charts: matplotlib figures rendered to PNG bytes (embedded, never linked)."""

from __future__ import annotations

import io
from collections.abc import Sequence

PER_TYPE_METRICS = [
    ("contains_gold", "contains gold"),
    ("evidence_recall", "evidence recall"),
    ("citation_precision", "citation precision"),
    ("correct_abstention", "correct abstention"),
]


def _png(fig) -> bytes:  # noqa: ANN001
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _pyplot():  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def per_type_bars(metrics: dict[str, dict[str, float]]) -> bytes:
    """Grouped horizontal bars: the main metrics of each question type (absent metrics left out)."""
    plt = _pyplot()
    types = [t for t in metrics if t != "overall"] + ["overall"]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(types) + 1.2))
    height = 0.8 / len(PER_TYPE_METRICS)
    for m, (key, label) in enumerate(PER_TYPE_METRICS):
        ys = [i + (m - (len(PER_TYPE_METRICS) - 1) / 2) * height for i in range(len(types))]
        values = [metrics[t].get(key) for t in types]
        ax.barh([y for y, v in zip(ys, values, strict=True) if v is not None],
                [v for v in values if v is not None], height=height, label=label)
    ax.set_yticks(range(len(types)), [f"{t} (n={metrics[t].get('questions', 0):.0f})" for t in types])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("score (0–1)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(PER_TYPE_METRICS), fontsize="small",
              frameon=False)
    return _png(fig)


def latency_histogram(latencies_ms: Sequence[float], p50: float, p95: float) -> bytes:
    """Histogram of per-question latency with the p50 and p95 marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    if latencies_ms:
        ax.hist(latencies_ms, bins=min(30, max(5, len(latencies_ms) // 2)), color="#4c72b0")
        ax.axvline(p50, color="#dd8452", linestyle="--", label=f"p50 {p50:.1f} ms")
        ax.axvline(p95, color="#c44e52", linestyle=":", label=f"p95 {p95:.1f} ms")
        ax.legend(frameon=False)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)
