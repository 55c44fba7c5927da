"""Human-readable views of a run: a terminal table, ``report.md`` and a self-contained ``report.html``.

The reports are built from what a run folder holds (``metrics.json`` and the ``results.jsonl``
records), so an old run can be re-rendered. The HTML has no external asset: styles are inline and
charts are base64 PNG ``data:`` images.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from assistant.evaluation.metrics import GOOD_OUTCOMES, quality

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


# -- markdown ----------------------------------------------------------------------------------
def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def render_markdown(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], *,
                    title: str = "evaluation", charts: dict[str, bytes] | None = None) -> str:
    """``report.md``: overall metrics, the per-type table, the worst questions."""
    overall = metrics.get("overall", {})
    lines = [f"# Evaluation report: {title}", ""]
    lines += ["## Overall", "", "| metric | value |", "|---|---:|"]
    for group, rows in METRIC_GROUPS:
        lines.append(f"| **{group}** | |")
        lines += [f"| {label} | {fmt_metric(key, overall.get(key))} |" for key, label, _ in rows]
    lines += ["", "## Per question type", ""]
    lines.append("| type | " + " | ".join(h for _, h, _ in SUMMARY_COLUMNS) + " |")
    lines.append("|---|" + "---:|" * len(SUMMARY_COLUMNS))
    for group, values in metrics.items():
        cells = [fmt.format(values[key]) if key in values else DASH for key, _, fmt in SUMMARY_COLUMNS]
        lines.append(f"| {_md_cell(group)} | " + " | ".join(cells) + " |")
    lines += ["", "Columns: " + ", ".join(f"{h} = {METRIC_LABELS.get(k, k)}" for k, h, _ in SUMMARY_COLUMNS) + "."]
    if charts:
        lines += ["", "Charts (per-type bars, latency histogram) are in `report.html`."]
    lines += ["", f"## Worst questions (up to {WORST_COUNT})", ""]
    bad = worst(records)
    if not bad:
        lines.append("Every question scored fully.")
    for r in bad:
        lines += _md_question(r)
    return "\n".join(lines).rstrip() + "\n"


def _score_summary(scores: dict[str, float]) -> str:
    keys = ["contains_gold", "token_f1", "exact_match", "evidence_recall", "mrr", "citation_recall",
            "citation_precision", "latency_ms"]
    return ", ".join(f"{k} {scores[k]:.2f}" if k != "latency_ms" else f"{scores[k]:.0f} ms"
                     for k in keys if k in scores)


def _md_question(r: dict[str, Any]) -> list[str]:
    gold = r.get("gold", {})
    lines = [f"### {r.get('id')} · {r.get('type')} · {r.get('outcome')}", "", f"**Question:** {r.get('question')}", ""]
    if r.get("standalone_question"):
        lines += [f"*Resolved as:* {r['standalone_question']}", ""]
    lines += ["**Answer:**", "", _md_quote(r.get("answer", "")), ""]
    answerable = gold.get("answerable")
    gold_text = "; ".join(gold.get("answers") or []) or ("(unanswerable: should abstain)" if answerable is False
                                                         else "(none given)")
    lines += [f"**Gold:** {gold_text}", ""]
    if gold.get("evidence"):
        lines += ["**Evidence:**", ""] + [f"- {e}" for e in gold["evidence"]] + [""]
    citations = r.get("citations") or []
    if citations:
        lines += ["**Citations:**", ""]
        lines += [f"- [{c['marker']}] {c.get('section') or c.get('doc')} ({c['start']}–{c['end']}): {c['text']}"
                  for c in citations]
        lines.append("")
    lines += [f"*Scores:* {_score_summary(r.get('scores', {}))}", ""]
    return lines


# -- HTML --------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#1f2328;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.25rem .55rem}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.group td{background:#f6f8fa;font-weight:600}tr.overall td{font-weight:700}
.q{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.q h3{margin:.2rem 0 .5rem;font-size:1.05rem}.tag{font-size:.8rem;padding:.05rem .4rem;border-radius:4px;
background:#eef;margin-left:.4rem}.bad{background:#fde2e1}.good{background:#dafbe1}.answer{white-space:pre-wrap;background:#f6f8fa;
padding:.5rem;border-radius:4px}.cit{font-size:.9rem}.muted{color:#656d76;font-size:.85rem}
img{max-width:100%}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def render_html(metrics: dict[str, dict[str, float]], records: Sequence[dict[str, Any]], *,
                title: str = "evaluation", charts: dict[str, bytes] | None = None) -> str:
    """``report.html``: the same content as the markdown, with embedded charts, in one file."""
    overall = metrics.get("overall", {})
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Evaluation report: {_e(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Evaluation report: {_e(title)}</h1>", "<h2>Overall</h2>",
           "<table><tr><th>metric</th><th>value</th></tr>"]
    for group, rows in METRIC_GROUPS:
        out.append(f'<tr class="group"><td colspan="2">{_e(group)}</td></tr>')
        out += [f'<tr><td>{_e(label)}</td><td class="num">{_e(fmt_metric(key, overall.get(key)))}</td></tr>'
                for key, label, _ in rows]
    out.append("</table><h2>Per question type</h2><table><tr><th>type</th>")
    out += [f'<th title="{_e(METRIC_LABELS.get(k, k))}">{_e(h)}</th>' for k, h, _ in SUMMARY_COLUMNS]
    out.append("</tr>")
    for group, values in metrics.items():
        css = ' class="overall"' if group == "overall" else ""
        cells = "".join(f'<td class="num">{_e(fmt.format(values[k]) if k in values else DASH)}</td>'
                        for k, _, fmt in SUMMARY_COLUMNS)
        out.append(f"<tr{css}><td>{_e(group)}</td>{cells}</tr>")
    out.append("</table>")
    out.append('<p class="muted">' + _e(", ".join(f"{h} = {METRIC_LABELS.get(k, k)}"
                                                  for k, h, _ in SUMMARY_COLUMNS)) + "</p>")
    if charts:
        out.append("<h2>Charts</h2>")
        out += [f"<figure>{_img(png, name)}<figcaption class=\"muted\">{_e(name)}</figcaption></figure>"
                for name, png in charts.items()]
    out.append(f"<h2>Worst questions (up to {WORST_COUNT})</h2>")
    bad = worst(records)
    if not bad:
        out.append("<p>Every question scored fully.</p>")
    out += [_html_question(r) for r in bad]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_question(r: dict[str, Any]) -> str:
    gold = r.get("gold", {})
    answerable = gold.get("answerable")
    gold_text = "; ".join(gold.get("answers") or []) or ("(unanswerable: should abstain)" if answerable is False
                                                         else "(none given)")
    parts = [f'<div class="q"><h3>{_e(r.get("id"))} <span class="tag">{_e(r.get("type"))}</span>'
             f'<span class="tag {"good" if r.get("outcome") in GOOD_OUTCOMES else "bad"}">'
             f'{_e(r.get("outcome"))}</span></h3>',
             f"<p><b>Question:</b> {_e(r.get('question'))}</p>"]
    if r.get("standalone_question"):
        parts.append(f'<p class="muted">Resolved as: {_e(r["standalone_question"])}</p>')
    parts.append(f'<p><b>Answer:</b></p><div class="answer">{_e(r.get("answer", ""))}</div>')
    parts.append(f"<p><b>Gold:</b> {_e(gold_text)}</p>")
    if gold.get("evidence"):
        parts.append("<p><b>Evidence:</b></p><ul>" + "".join(f"<li>{_e(e)}</li>" for e in gold["evidence"]) + "</ul>")
    citations = r.get("citations") or []
    if citations:
        parts.append('<p><b>Citations:</b></p><ul class="cit">' + "".join(
            f"<li>[{_e(c['marker'])}] <i>{_e(c.get('section') or c.get('doc'))}</i> "
            f"({_e(c['start'])}–{_e(c['end'])}): {_e(c['text'])}</li>" for c in citations) + "</ul>")
    parts.append(f'<p class="muted">Scores: {_e(_score_summary(r.get("scores", {})))}</p></div>')
    return "\n".join(parts)


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
                  title: str = "evaluation") -> list[Path]:
    """Write ``report.md`` and ``report.html`` into ``out_dir``; returns their paths."""
    charts = build_charts(metrics, records)
    md, page = out_dir / "report.md", out_dir / "report.html"
    md.write_text(render_markdown(metrics, records, title=title, charts=charts), encoding="utf-8")
    page.write_text(render_html(metrics, records, title=title, charts=charts), encoding="utf-8")
    return [md, page]
