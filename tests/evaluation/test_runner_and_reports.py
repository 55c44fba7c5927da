"""A run with a fake service: order, workers, errors, the run folder, ragas.jsonl and the reports."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

from assistant.evaluation.report import render_html, render_markdown, worst
from assistant.evaluation.runner import result_records, run_eval, write_run

from .conftest import FakeService, FakeSettings, sample_answers, sample_items


def test_run_scores_every_question_in_order(corpus_dir: Path) -> None:
    service = FakeService(FakeSettings(corpus_dir), sample_answers(good=False))
    run = run_eval(service, sample_items())
    overall = run.metrics["overall"]
    assert overall["questions"] == 4 and overall["has_ans"] == 2 and overall["no_ans"] == 1
    assert overall["false_abstention"] == 0.5 and overall["correct_abstention"] == 1.0
    assert overall["abstention_precision"] == 0.5 and overall["offset_mismatch"] == 0.0
    assert overall["contains_gold"] == 0.5 and overall["latency_max_ms"] == 40.0
    assert set(run.metrics) == {"overall", "factoid", "unanswerable", "summary"}
    outcomes = [r["outcome"] for r in result_records(run)]
    assert outcomes == ["correct", "false-abstention", "correct-abstention", "answered"]


def test_workers_keep_order_and_answers(corpus_dir: Path) -> None:
    class Slow(FakeService):
        def ask(self, question, history=None):  # noqa: ANN001, ANN201
            time.sleep(0.02 if question.startswith("Where") else 0.0)  # the first finishes last
            self.threads.add(threading.get_ident())
            return super().ask(question, history)

    slow = Slow(FakeSettings(corpus_dir), sample_answers())
    slow.threads = set()
    seen = []
    run = run_eval(slow, sample_items(), workers=3, on_answer=lambda item, _: seen.append(item.id))
    sequential = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers()), sample_items())
    assert [a.question for a in run.answers] == [i.question for i in sample_items()]
    assert run.scores == sequential.scores  # the fake's latencies are fixed, so everything matches
    assert sorted(seen) == sorted(i.id for i in sample_items()) and len(slow.threads) > 1
    assert run.metrics["overall"]["questions_per_s"] > 0


def test_a_failing_question_is_recorded_not_fatal(corpus_dir: Path) -> None:
    answers = sample_answers()
    del answers["Who paid for lunch?"]
    run = run_eval(FakeService(FakeSettings(corpus_dir), answers), sample_items())
    assert run.metrics["overall"]["errors"] == 1.0
    record = result_records(run)[2]
    assert record["outcome"] == "error" and "no answer registered" in record["error"]


def test_run_folder_files(corpus_dir: Path, tmp_path: Path) -> None:
    run = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers(good=False)), sample_items())
    out = tmp_path / "run"
    written = write_run(run, out)
    assert {p.name for p in written} == {"results.jsonl", "metrics.json", "ragas.jsonl", "run.json", "report.md",
                                         "report.html"}
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    for record in results:  # the engine issue's schema is kept
        assert {"id", "question", "answer", "abstained", "citations", "retrieved", "latency_ms"} <= set(record)
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ["contains_gold", "token_f1", "evidence_recall", "citation_recall", "citation_precision",
                "correct_abstention", "false_abstention", "offset_mismatch", "latency_p50_ms", "latency_p95_ms"]:
        assert key in metrics["overall"], key

    ragas = [json.loads(line) for line in (out / "ragas.jsonl").read_text().splitlines()]
    assert len(ragas) == 4
    assert set(ragas[0]) == {"user_input", "retrieved_contexts", "response", "reference", "reference_contexts"}
    assert ragas[0]["response"] == "The summit took place in Geneva in 1985."  # markers stripped
    assert ragas[0]["reference"] == "Geneva" and isinstance(ragas[0]["retrieved_contexts"], list)
    assert "reference" not in ragas[2] and "reference" not in ragas[3]  # no gold: left out, not invented


def test_reports_show_metrics_charts_and_worst_questions(corpus_dir: Path, tmp_path: Path) -> None:
    run = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers(good=False)), sample_items())
    out = tmp_path / "run"
    write_run(run, out)
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "| contains gold | 0.500 |" in md and "## Worst questions" in md
    assert "### a2 · factoid · false-abstention" in md and "**Gold:** to meet again" in md
    assert page.startswith("<!doctype html>") and page.count('src="data:image/png;base64,') == 2
    assert "false-abstention" in page and "to meet again" in page


def test_html_has_no_external_reference(corpus_dir: Path, tmp_path: Path) -> None:
    answers = sample_answers()
    answers["Where was the summit?"].answer = 'See <a href="https://evil.example">x</a> [1]'
    run = run_eval(FakeService(FakeSettings(corpus_dir), answers), sample_items())
    write_run(run, tmp_path / "run")
    page = (tmp_path / "run" / "report.html").read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page and "url(" not in page
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;" in page  # answer text is escaped, not markup
    assert '<a href="https://evil' not in page


def test_worst_puts_failures_first_and_skips_perfect() -> None:
    records = [
        {"id": "ok", "outcome": "correct", "scores": {"contains_gold": 1.0, "token_f1": 1.0}},
        {"id": "meh", "outcome": "correct", "scores": {"contains_gold": 1.0, "token_f1": 0.2, "citation_recall": 0.5}},
        {"id": "lowf1", "outcome": "correct", "scores": {"contains_gold": 1.0, "token_f1": 0.1}},
        {"id": "bad", "outcome": "wrong", "scores": {"contains_gold": 0.0, "token_f1": 0.5, "evidence_recall": 1.0}},
        {"id": "abst", "outcome": "false-abstention", "scores": {"false_abstention": 1.0}},
    ]
    assert [r["id"] for r in worst(records)] == ["abst", "bad", "meh"]


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_reports_render_an_empty_looking_run(render) -> None:  # noqa: ANN001
    text = render({"overall": {"questions": 1.0}}, [{"id": "q", "outcome": "answered", "scores": {}}])
    assert "0 of 1 questions went wrong" in text


def test_citations_of_a_missing_corpus_file_count_as_mismatches(tmp_path: Path) -> None:
    run = run_eval(FakeService(FakeSettings(tmp_path / "no-corpus"), sample_answers()), sample_items())
    assert run.metrics["overall"]["offset_mismatch"] == 1.0
    assert run.info["unreadable_docs"] == ["doc.md"]


def test_the_report_answers_why_first(corpus_dir: Path, tmp_path: Path) -> None:
    from assistant.evaluation.gates import check_bars, parse_bar

    run = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers(good=False)), sample_items())
    run.info["qa_set"] = "/some/where/deep/dev.jsonl"
    gates = check_bars(run.metrics, [parse_bar("contains_gold=0.9", "under"), parse_bar("errors=0", "over")])
    write_run(run, tmp_path / "run", gates=gates)
    md = (tmp_path / "run" / "report.md").read_text()
    page = (tmp_path / "run" / "report.html").read_text()
    for text in (md, page):
        assert "Evaluation report: dev.jsonl" in text and "/some/where" not in text  # the file's name only
        assert text.index("contains_gold &gt;= 0.9" if text is page else "contains_gold >= 0.9") < text.index("Outcome by question type")
        assert "1 of 4 questions went wrong: 1 false-abstention." in text
        assert "abstained on an answerable question: p(answerable) 0.20 &lt; threshold 0.30" in page
    assert "| contains_gold >= 0.9 | 0.500 | **FAIL** |" in md and "| errors <= 0 | 0 | PASS |" in md
    # outcome by type: factoid has one correct, one false abstention
    assert "| type | answered | correct | correct-abstention | false-abstention | total |" in md
    assert "| factoid |  | 1 |  | 1 | 2 |" in md
    # every question is in the table, with its reason
    assert md.count("p(answerable)") >= 4
    assert "| a2 | factoid | false-abstention | What did they agree? | abstained on an answerable question: " in md


def test_the_report_shows_what_changed_since_a_baseline(corpus_dir: Path, tmp_path: Path) -> None:
    before = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers(good=False)), sample_items())
    write_run(before, tmp_path / "before", reports=False)
    after = run_eval(FakeService(FakeSettings(corpus_dir), sample_answers()), sample_items())
    write_run(after, tmp_path / "after", baseline=tmp_path / "before")
    md = (tmp_path / "after" / "report.md").read_text()
    assert "### Since the baseline before" in md
    assert re.search(r"\| contains gold \| 0\.500 \| 1\.000 \| \+0\.500 \[\+0\.000, \+1\.000\] \| noise \|", md), md
    assert "1 questions went right that went wrong before, 0 went wrong that went right." in md
