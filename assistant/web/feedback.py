"""Likes and dislikes from the web chat, one JSON object per line, for evaluators to read.

A line holds the rating, the question, the answer and its citations (with offsets), so it can be
judged without the index::

    {"time": "2026-01-01T12:00:00+00:00", "rating": "like", "question": "...", "answer": "...",
     "abstained": false, "citations": [{"marker": 1, "doc": "...", "start": 115, "end": 281, ...}],
     "standalone_question": null, "message_index": 1, "reason": null}

A dislike may be followed by a record of its reason (rating "dislike", one of ``REASONS``) for the same
message.

Each field is clipped (a line stays a few kilobytes whatever the chat holds) and the file is rotated
at ``max_bytes``: ``feedback.jsonl`` becomes ``feedback.jsonl.1``, and so on up to ``keep`` files.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.types import Answer
from assistant.text import printable

FIELD_CHARS = 4000
CITED_TEXT_CHARS = 1000
SHORT_FIELD_CHARS = 200
MAX_CITATIONS = 20
REASONS = ("wrong answer", "wrong source", "should have answered", "should not have answered")


def rating_of(liked: bool | str | None) -> str:
    """The rating word for Gradio's ``LikeData.liked`` (True, False or a custom option)."""
    if liked is True:
        return "like"
    if liked is False:
        return "dislike"
    return _clip(str(liked or "none").lower(), SHORT_FIELD_CHARS)


def _clip(text: str | None, limit: int = FIELD_CHARS) -> str | None:
    if text is None:
        return None
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _citation(citation: dict[str, Any]) -> dict[str, Any]:
    return {k: _clip(v, CITED_TEXT_CHARS if k == "text" else SHORT_FIELD_CHARS) if isinstance(v, str) else v
            for k, v in citation.items()}


class FeedbackLog:
    """Appends feedback records to a JSONL file, rotated at ``max_bytes``; safe to call from several threads."""

    def __init__(self, path: Path, max_bytes: int = 10_000_000, keep: int = 3) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()

    def record(self, rating: str, answer: Answer | None, *, question: str, message: str,
               message_index: int | None = None, reason: str | None = None) -> dict[str, Any]:
        """Append one record (its fields clipped) and return it. ``answer`` is None for a notice (bad input);
        ``reason`` is one of ``REASONS`` (anything else is recorded as None)."""
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": _clip(rating, SHORT_FIELD_CHARS),
            "question": _clip(question),
            "answer": _clip(answer.answer if answer else message),
            "abstained": answer.abstained if answer else None,
            "citations": [_citation(c.model_dump()) for c in answer.citations[:MAX_CITATIONS]] if answer else [],
            "standalone_question": _clip(answer.standalone_question) if answer else None,
            "message_index": message_index if isinstance(message_index, int) else None,
            "reason": reason if reason in REASONS else None,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size + len(line) > self.max_bytes:
                self._rotate()
            with self.path.open("ab") as f:
                f.write(line)
        return entry

    def rotated(self, number: int) -> Path:
        """The path of rotated file ``number`` (1 is the newest)."""
        return self.path.with_name(f"{self.path.name}.{number}")

    def _rotate(self) -> None:
        """feedback.jsonl → .1 → .2 … → .keep; what falls past ``keep`` is deleted."""
        if self.keep == 0:
            self.path.unlink()
            return
        self.rotated(self.keep).unlink(missing_ok=True)
        for number in range(self.keep - 1, 0, -1):
            if self.rotated(number).exists():
                self.rotated(number).replace(self.rotated(number + 1))
        self.path.replace(self.rotated(1))

    def read(self) -> list[dict[str, Any]]:
        """The records of the current file (empty when it does not exist)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
