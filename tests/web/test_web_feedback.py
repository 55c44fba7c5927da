"""The JSONL feedback log the evaluators read."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.types import Answer, Citation
from assistant.web.feedback import FeedbackLog, rating_of


def test_rating_words() -> None:
    assert (rating_of(True), rating_of(False), rating_of("Funny"), rating_of(None)) == (
        "like", "dislike", "funny", "none")


def test_record_holds_question_answer_and_citations(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    c = Citation(marker=1, doc="a.txt", section="S", start=3, end=9, text="abcdef")
    answer = Answer(question="Q?", answer="abcdef [1]", abstained=False, citations=[c])
    log.record("like", answer, question="Q? ", message="", message_index=1)
    log.record("dislike", None, question="", message="the question is empty", message_index=3)
    lines = (tmp_path / "sub" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["rating"] == "like" and first["question"] == "Q? " and first["answer"] == "abcdef [1]"
    assert first["citations"] == [c.model_dump()] and first["abstained"] is False
    assert second["answer"] == "the question is empty" and second["citations"] == []
    assert log.read() == [first, second]


def test_concurrent_records_stay_whole_lines(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "f.jsonl")
    answer = Answer(question="q", answer="x" * 5000, abstained=True)
    threads = [threading.Thread(target=lambda: [log.record("like", answer, question="q", message="")
                                                for _ in range(20)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.read()) == 80


def test_a_reason_is_recorded_only_when_it_is_one_of_the_reasons(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "f.jsonl")
    answer = Answer(question="q", answer="a", abstained=False)
    assert log.record("dislike", answer, question="q", message="", message_index=1,
                      reason="wrong source")["reason"] == "wrong source"
    assert log.record("dislike", answer, question="q", message="", reason="<script>" * 100)["reason"] is None
    assert log.record("like", answer, question="q", message="")["reason"] is None
