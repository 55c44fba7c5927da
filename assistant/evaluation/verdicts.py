"""Why a question went wrong, in one line: its outcome read together with the answer's trace.

Shared by the reports, the JUnit file and ``eval-compare``, so a failure reads the same everywhere::

    explanation({"outcome": "false-abstention", "trace": {"reason": "p(answerable) 0.31 < threshold 0.36"}})
    # 'abstained on an answerable question: p(answerable) 0.31 < threshold 0.36'
"""

from __future__ import annotations

from typing import Any

from assistant.evaluation.metrics import GOOD_OUTCOMES

_WHAT_WENT_WRONG = {
    "false-abstention": "abstained on an answerable question",
    "answered-unanswerable": "answered a question the article does not answer",
    "wrong": "the answer does not contain the gold answer",
    "unsupported": "no citation holds the gold evidence",
    "abstained": "abstained",
    "error": "asking raised an error",
}


def reason(record: dict[str, Any]) -> str:
    """The trace's one-line reason of a result record ('' for a record without a trace)."""
    trace = record.get("trace") or {}
    return str(trace.get("reason") or "")


def failed(record: dict[str, Any]) -> bool:
    """Whether the record's outcome is a failure (see ``metrics.GOOD_OUTCOMES``)."""
    return record.get("outcome") not in GOOD_OUTCOMES


def explanation(record: dict[str, Any]) -> str:
    """What went wrong and which check decided it; for a good outcome, the trace's reason alone."""
    why = reason(record)
    outcome = str(record.get("outcome", ""))
    if not failed(record):
        return why
    what = _WHAT_WENT_WRONG.get(outcome, outcome)
    if outcome == "wrong":
        gold = (record.get("gold") or {}).get("answers") or []
        if gold:
            what = f"the answer does not contain the gold answer “{gold[0]}”"
    if outcome == "error" and record.get("error"):
        return f"{what}: {record['error']}"
    return f"{what}: {why}" if why else what


__all__ = ["explanation", "failed", "reason"]
