"""The hardening pieces on their own (no server): sign-in back-off, input caps, feedback rotation, origins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import QuestionError
from assistant.types import Answer, Citation, Turn
from assistant.web.feedback import FeedbackLog
from assistant.web.limits import InputLimits, quoted
from assistant.web.middleware import origin_of
from assistant.web.throttle import FailedSignIns


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_back_off_doubles_after_the_free_failures_and_success_forgets() -> None:
    clock = Clock()
    sign_ins = FailedSignIns(free_failures=3, max_wait=10, clock=clock)
    for _ in range(2):
        sign_ins.failed("a")
        assert sign_ins.retry_after("a") is None
    waits = []
    for _ in range(5):
        sign_ins.failed("a")
        waits.append(sign_ins.retry_after("a"))
        clock.now += waits[-1]
        assert sign_ins.retry_after("a") is None
    assert waits == [1, 2, 4, 8, 10]  # capped at max_wait
    assert sign_ins.retry_after("b") is None  # per client
    sign_ins.succeeded("a")
    sign_ins.failed("a")
    assert sign_ins.retry_after("a") is None


def test_failures_are_forgotten_after_max_wait() -> None:
    clock = Clock()
    sign_ins = FailedSignIns(free_failures=1, max_wait=10, clock=clock)
    sign_ins.failed("a")
    assert sign_ins.retry_after("a") == 1
    clock.now += 12
    assert sign_ins.retry_after("a") is None and sign_ins.tracked == 0


def test_tracked_clients_are_capped() -> None:
    sign_ins = FailedSignIns(free_failures=1, max_clients=3, clock=Clock())
    for n in range(100):
        sign_ins.failed(f"10.0.0.{n}")
    assert sign_ins.tracked == 3
    assert sign_ins.retry_after("10.0.0.0") is None and sign_ins.retry_after("10.0.0.99") == 1


def test_history_caps_and_unicode() -> None:
    limits = InputLimits(history_turns=4, history_chars=100)
    turns = limits.check("q", [{"role": "user", "content": "hi"}, Turn(role="assistant", content="yo")])
    assert turns == [Turn(role="user", content="hi"), Turn(role="assistant", content="yo")]
    for question, history, message in [
        ("q", [{"role": "user", "content": "x"}] * 5, "5 turns; the limit is 4"),
        ("q", [{"role": "user", "content": "x" * 200}], "over 100 characters"),
        ("q", [{"role": "user"}], "each turn"),
        ("q", "not a list", "list of turns"),
        ("\ud800?", [], "invalid Unicode"),
        ("q", [{"role": "user", "content": "\udfff"}], "invalid Unicode"),
    ]:
        with pytest.raises(QuestionError, match=message):
            limits.check(question, history)
    with pytest.raises(QuestionError, match="document name"):
        limits.check("q", [], doc="a\ud800")


def test_recent_keeps_the_latest_turns_within_the_caps() -> None:
    limits = InputLimits(history_turns=3, history_chars=25)
    history = [{"role": "user", "content": str(n) * 5} for n in range(6)]
    assert [t["content"] for t in limits.recent(history)] == ["44444", "55555"]  # 2 × (4 + 5) ≤ 25 < 3 × 9


def test_quoted_is_a_short_printable_prefix() -> None:
    assert quoted("a" * 500) == "a" * 60 + "…"
    assert quoted("ok") == "ok"
    assert quoted("\ud800x") == "\ufffdx"


def test_feedback_entries_are_clipped_and_the_file_rotates(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "feedback.jsonl", max_bytes=100_000, keep=2)
    citation = Citation(marker=1, doc="d" * 1000, section="", start=0, end=1, text="t" * 100_000)
    answer = Answer(question="q", answer="a" * 1_000_000, abstained=False, citations=[citation] * 100)
    for _ in range(30):
        log.record("x" * 10_000, answer, question="q\ud800" * 1_000_000, message="")
    files = [log.path, log.rotated(1), log.rotated(2)]
    assert all(f.exists() and f.stat().st_size <= 100_000 for f in files)
    assert not log.rotated(3).exists()
    entry = json.loads(log.path.read_text(encoding="utf-8").splitlines()[-1])
    assert len(entry["question"]) <= 4001 and len(entry["answer"]) <= 4001 and len(entry["rating"]) <= 201
    assert len(entry["citations"]) == 20 and len(entry["citations"][0]["doc"]) <= 201
    assert len(entry["citations"][0]["text"]) <= 1001
    assert "\ufffd" in entry["question"]


def test_origin_of() -> None:
    assert origin_of("HTTP://Example.com:80/path") == "http://example.com"
    assert origin_of("https://example.com:8443") == "https://example.com:8443"
    assert origin_of("http://[::1]:7860") == "http://[::1]:7860"
    assert origin_of("null") == "" and origin_of("http://host:notaport") == ""
