"""The run folder's schemas are pinned: a field added, renamed or removed must bump SCHEMA_VERSION.

If this test fails because a field changed on purpose, bump ``runner.SCHEMA_VERSION``, update the
README's "Run folder fields" and the sets below together.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.compare import load_run
from assistant.evaluation.dataset import DatasetError
from assistant.evaluation.runner import SCHEMA_VERSION, run_eval, write_run
from assistant.trace import CandidateTrace, PassageTrace, Trace

from .conftest import FakeService, FakeSettings, sample_answers, sample_items

RESULT_FIELDS = {
    "schema_version", "id", "question", "answer", "abstained", "citations", "retrieved", "latency_ms",
    "standalone_question", "unsupported", "short_answer", "notice", "trace", "type", "gold", "outcome", "scores",
}
GOLD_FIELDS = {"answerable", "answers", "evidence"}
CITATION_FIELDS = {"marker", "doc", "section", "start", "end", "text", "page", "title"}
RETRIEVED_FIELDS = {"id", "doc", "section", "start", "end", "text", "page", "score"}
TRACE_FIELDS = {"answered", "check", "reason", "value", "threshold", "passages", "candidates"}
PASSAGE_TRACE_FIELDS = {"id", "doc", "section", "dense", "sentence", "lexical", "fused", "score"}
CANDIDATE_FIELDS = {"id", "doc", "start", "end", "text", "score", "probability", "allowed", "chosen", "features"}
OVERALL_METRICS = {
    "exact_match", "token_f1", "contains_gold", "short_em", "short_f1", "recall@1", "recall@3", "recall@5",
    "evidence_recall", "mrr", "ndcg@10", "citation_recall", "citation_precision", "citations", "offset_mismatches",
    "offset_mismatch", "correct_abstention", "false_abstention", "abstention_precision", "abstention_recall",
    "answered_rate", "squad2_em", "squad2_f1", "questions", "has_ans", "no_ans", "errors", "latency_p50_ms",
    "latency_p95_ms", "latency_max_ms", "wall_s", "questions_per_s",
}


def test_schema_version_is_2() -> None:
    assert SCHEMA_VERSION == 2  # 2: citations and retrieved passages carry the PDF page, citations the title


def test_trace_models_are_pinned() -> None:
    assert set(Trace.model_fields) == TRACE_FIELDS
    assert set(PassageTrace.model_fields) == PASSAGE_TRACE_FIELDS
    assert set(CandidateTrace.model_fields) == CANDIDATE_FIELDS


def test_results_and_metrics_fields_are_pinned(corpus_dir: Path, tmp_path: Path) -> None:
    write_run(run_eval(FakeService(FakeSettings(corpus_dir), sample_answers()), sample_items()), tmp_path / "run",
              reports=False)
    records = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    for record in records:
        assert set(record) == RESULT_FIELDS, set(record) ^ RESULT_FIELDS
        assert record["schema_version"] == SCHEMA_VERSION
        assert set(record["gold"]) == GOLD_FIELDS
        assert all(set(c) == CITATION_FIELDS for c in record["citations"])
        assert all(set(p) == RETRIEVED_FIELDS for p in record["retrieved"])
        assert set(record["trace"]) == TRACE_FIELDS
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["schema_version"] == SCHEMA_VERSION
    assert set(metrics) == {"schema_version", "overall", "factoid", "unanswerable", "summary"}
    assert set(metrics["overall"]) == OVERALL_METRICS, set(metrics["overall"]) ^ OVERALL_METRICS
    assert "schema_version" not in load_run(tmp_path / "run").metrics  # readers see only the groups


def test_a_run_from_a_newer_schema_is_refused_in_one_line(corpus_dir: Path, tmp_path: Path) -> None:
    write_run(run_eval(FakeService(FakeSettings(corpus_dir), sample_answers()), sample_items()), tmp_path / "run",
              reports=False)
    path = tmp_path / "run" / "metrics.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(DatasetError, match="schema_version 3; this assistant reads up to 2"):
        load_run(tmp_path / "run")
