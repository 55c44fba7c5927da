"""Running a QA set through the service and writing a run folder.

A run folder holds ``results.jsonl`` (one answer a line, in QA-set order), ``metrics.json``
(overall and per type), ``ragas.jsonl`` (RAGAS ``EvaluationDataset`` columns, same order),
``run.json`` (what was run), ``report.md`` and ``report.html``. Example::

    run = run_eval(service, load_qa_set(Path("dev.jsonl")), workers=2)
    write_run(run, Path("eval-out"))
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.corpus import read_document
from assistant.document_store import DocumentStore
from assistant.errors import CorpusError
from assistant.evaluation.dataset import QAItem
from assistant.evaluation.metrics import aggregate_by_type, outcome, score_answer, strip_markers
from assistant.trace import Check, Trace, clip
from assistant.types import Answer, Turn

if TYPE_CHECKING:
    from assistant.evaluation.gates import BarResult

SCHEMA_VERSION = 2
"""Version of the ``results.jsonl`` and ``metrics.json`` layouts (README: "Run folder fields"); a change
of their fields changes it, and tests/evaluation/test_schema.py pins them."""


class Asker(Protocol):
    """What the evaluator needs of the service."""

    settings: Any

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        """Answer one question given the earlier turns."""
        ...


@dataclass(frozen=True)
class EvalRun:
    """The answers of one run, their scores and the aggregated metrics."""

    items: list[QAItem]
    answers: list[Answer]
    scores: list[dict[str, float]]
    metrics: dict[str, dict[str, float]]
    errors: list[str | None] = field(default_factory=list)
    wall_seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


def corpus_reader(corpus_dir: Path, index_dir: Path | None = None) -> Callable[[str], str | None]:
    """Text of a document by its name (None when unreadable), read once: the text it was indexed with
    (``assistant text DOC``, kept under ``index_dir``), or the corpus file for an index that kept none."""
    kept = DocumentStore(index_dir) if index_dir is not None else None

    @lru_cache(maxsize=None)
    def text(name: str) -> str | None:
        if kept is not None and kept.catalog():
            return kept.text(name)
        try:
            return read_document(corpus_dir / name, corpus_dir).text
        except CorpusError:
            return None

    return text


def _ask(service: Asker, item: QAItem) -> tuple[Answer, str | None]:
    """The answer, or an abstaining stand-in and the error when asking failed."""
    started = time.perf_counter()
    try:
        return service.ask(item.question, item.history), None
    except Exception as exc:  # noqa: BLE001 (one failing question must not lose the run)
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        latency = round((time.perf_counter() - started) * 1000, 2)
        trace = Trace(answered=False, check=Check.ERROR, reason=f"asking raised {clip(message, 160)}")
        return Answer(question=item.question, answer=f"error: {message}", abstained=True, latency_ms=latency,
                      trace=trace), message


def run_eval(service: Asker, items: Sequence[QAItem], *, workers: int = 1,
             on_answer: Callable[[QAItem, Answer], None] | None = None,
             corpus_text: Callable[[str], str | None] | None = None) -> EvalRun:
    """Ask every question (follow-ups with their history) and score the answers.

    ``workers`` > 1 asks in that many threads; results keep the QA-set order. A question whose
    ask raises is recorded with its error (and counted in ``errors``) instead of stopping the run.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    index_dir = getattr(service.settings, "index_dir", None)
    corpus_text = corpus_text or corpus_reader(Path(service.settings.corpus_dir), index_dir and Path(index_dir))
    results: list[tuple[Answer, str | None] | None] = [None] * len(items)
    started = time.perf_counter()
    if workers == 1:
        for i, item in enumerate(items):
            results[i] = _ask(service, item)
            if on_answer:
                on_answer(item, results[i][0])
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eval") as pool:
            futures = {pool.submit(_ask, service, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_answer:
                    on_answer(items[i], results[i][0])
    wall = time.perf_counter() - started
    answers = [r[0] for r in results if r is not None]
    errors = [r[1] for r in results if r is not None]
    scores = []
    for item, answer, error in zip(items, answers, errors, strict=True):
        row = score_answer(item, answer, corpus_text)
        if error:
            row["error"] = 1.0
        scores.append(row)
    unreadable = sorted({c.doc for a in answers for c in a.citations if corpus_text(c.doc) is None})
    info: dict[str, Any] = {"workers": workers, "questions": len(items)}
    if unreadable:  # their citations all count as offset mismatches
        info["unreadable_docs"] = unreadable
    return EvalRun(list(items), answers, scores, aggregate_by_type(items, scores, wall_seconds=wall),
                   errors, wall, info)


def result_records(run: EvalRun) -> list[dict[str, Any]]:
    """The ``results.jsonl`` lines of a run."""
    records = []
    errors = run.errors or [None] * len(run.items)
    for item, answer, score, error in zip(run.items, run.answers, run.scores, errors, strict=True):
        record = {
            "schema_version": SCHEMA_VERSION, "id": item.id, **answer.model_dump(), "type": item.type,
            "gold": {"answerable": item.has_answer, "answers": item.answers, "evidence": item.evidence},
            "outcome": outcome(item, answer.abstained, score), "scores": score,
        }
        if error:
            record["error"] = error
        records.append(record)
    return records


def ragas_record(item: QAItem, answer: Answer) -> dict[str, Any]:
    """One row in RAGAS ``EvaluationDataset`` (SingleTurnSample) columns; absent gold is left out."""
    record: dict[str, Any] = {
        "user_input": item.question,
        "retrieved_contexts": [p.text for p in answer.retrieved],
        "response": answer.answer if answer.abstained else strip_markers(answer.answer),
    }
    if item.answers:
        record["reference"] = item.answers[0]
    elif item.has_answer and item.evidence:
        record["reference"] = " ".join(item.evidence)
    if item.evidence:
        record["reference_contexts"] = list(item.evidence)
    return record


def _write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_run(run: EvalRun, out_dir: Path, *, reports: bool = True, gates: Sequence[BarResult] = (),
              baseline: Path | None = None) -> list[Path]:
    """Write the run folder (see the module docstring); returns the files written.

    The reports show ``gates`` (the bars' verdicts) and, with ``baseline`` (an earlier run folder), the
    metric changes since it with bootstrap intervals and the questions whose outcome changed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    records = result_records(run)
    written = [out_dir / name for name in ("results.jsonl", "metrics.json", "ragas.jsonl", "run.json")]
    _write_jsonl(written[0], records)
    written[1].write_text(json.dumps({"schema_version": SCHEMA_VERSION, **run.metrics}, indent=2) + "\n",
                          encoding="utf-8")
    _write_jsonl(written[2], [ragas_record(i, a) for i, a in zip(run.items, run.answers, strict=True)])
    info = {**run.info, "wall_s": round(run.wall_seconds, 3)}
    written[3].write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    if reports:
        from assistant.evaluation.report import write_reports

        comparison = None
        if baseline is not None:
            from assistant.evaluation.compare import RunData, compare_runs, load_run

            this = RunData(out_dir, run.metrics, {str(r["id"]): r for r in records})
            comparison = (baseline.name or str(baseline), compare_runs(load_run(baseline), this))
        title = Path(str(info.get("qa_set", "evaluation"))).name
        written += write_reports(run.metrics, records, out_dir, title=title, gates=gates, baseline=comparison)
    return written
