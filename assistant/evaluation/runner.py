"""Running a QA set through the service and writing results.jsonl and metrics.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.corpus import read_document
from assistant.errors import AssistantError, CorpusError
from assistant.evaluation.dataset import QAItem
from assistant.evaluation.metrics import aggregate_by_type, score_answer
from assistant.service import AssistantService
from assistant.types import Answer


@dataclass(frozen=True)
class EvalRun:
    """The answers of one run, their scores and the aggregated metrics."""

    items: list[QAItem]
    answers: list[Answer]
    scores: list[dict[str, float]]
    metrics: dict[str, dict[str, float]]


def corpus_reader(corpus_dir: Path) -> Callable[[str], str | None]:
    """Text of a corpus file by its name (None when unreadable), read once."""

    @lru_cache(maxsize=None)
    def text(name: str) -> str | None:
        try:
            return read_document(corpus_dir / name, corpus_dir).text
        except CorpusError:
            return None

    return text


def run_eval(service: AssistantService, items: Sequence[QAItem],
             on_answer: Callable[[QAItem, Answer], None] | None = None) -> EvalRun:
    """Ask every question (follow-ups with their history) and score the answers."""
    corpus_text = corpus_reader(Path(service.settings.corpus_dir))
    answers, scores = [], []
    for item in items:
        try:
            answer = service.ask(item.question, item.history)
        except AssistantError as exc:
            answer = Answer(question=item.question, answer=f"error: {exc}", abstained=True)
        answers.append(answer)
        scores.append(score_answer(item, answer, corpus_text))
        if on_answer:
            on_answer(item, answer)
    return EvalRun(list(items), answers, scores, aggregate_by_type(items, scores))


def write_run(run: EvalRun, out_dir: Path) -> None:
    """Write ``results.jsonl`` (one answer a line) and ``metrics.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for item, answer, score in zip(run.items, run.answers, run.scores, strict=True):
            record = {"id": item.id, **answer.model_dump(), "type": item.type, "scores": score}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(run.metrics, indent=2) + "\n", encoding="utf-8")
