"""The evaluator against the real service (real model, real Chroma) on a few questions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.evaluation.dataset import QAItem
from assistant.evaluation.runner import run_eval, write_run

pytestmark = pytest.mark.e2e

# Written for this test, not taken from the dev set.
ITEMS = [
    QAItem(id="e1", question="Where did Putin speak to the ambassadors?", answerable=True, answers=["Kremlin"],
           type="factoid"),
    QAItem(id="e2", question="What does the article say about the SCO?", answerable=True, type="factoid",
           evidence=["In Asia, organizations such as the Shanghai Cooperation Organization (SCO) promote cooperative "
                     "approaches to security and development, and Russia has become an active participant in this "
                     "regional forum."]),
    QAItem(id="e3", question="What is the recipe for a good sourdough bread?", answerable=False, type="out_of_scope"),
    QAItem(id="e4", question="Summarise the article in one sentence.", type="summary"),
]


def test_eval_of_the_real_service(article_service, tmp_path: Path) -> None:  # noqa: ANN001
    run = run_eval(article_service, ITEMS, workers=2)
    overall = run.metrics["overall"]
    assert overall["errors"] == 0 and overall["questions"] == 4
    assert overall["citations"] > 0 and overall["offset_mismatch"] == 0.0  # every citation is the exact slice
    assert overall["correct_abstention"] == 1.0  # the bread question
    assert run.scores[1]["evidence_recall"] == 1.0
    assert [a.question for a in run.answers] == [i.question for i in ITEMS]
    sequential = run_eval(article_service, ITEMS, workers=1)
    same = [(a.answer, a.abstained, a.citations, [p.id for p in a.retrieved]) for a in sequential.answers]
    assert [(a.answer, a.abstained, a.citations, [p.id for p in a.retrieved]) for a in run.answers] == same

    written = write_run(run, tmp_path / "run")
    assert all(p.exists() for p in written)
    page = (tmp_path / "run" / "report.html").read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    ragas = [json.loads(line) for line in (tmp_path / "run" / "ragas.jsonl").read_text().splitlines()]
    assert all(r["retrieved_contexts"] for r in ragas)
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    for record, answer in zip(results, run.answers, strict=True):  # every real answer says why
        trace = record["trace"]
        assert trace["reason"] and trace["answered"] is not answer.abstained
        assert [p["id"] for p in trace["passages"]] == [p.id for p in answer.retrieved]
        assert [p["fused"] for p in trace["passages"]] == list(range(1, len(answer.retrieved) + 1))
    assert results[2]["trace"]["check"] in {"answerable", "answer_type", "unknown_name"}  # the bread question
    assert results[3]["trace"]["reason"].startswith("summary of ")
