"""Likes and dislikes from the web chat, one JSON object per line, for evaluators to read.

A line holds the rating, the question, the answer and its citations (with offsets), so it can be
judged without the index::

    {"time": "2026-01-01T12:00:00+00:00", "rating": "like", "question": "...", "answer": "...",
     "abstained": false, "citations": [{"marker": 1, "doc": "...", "start": 115, "end": 281, ...}],
     "standalone_question": null, "message_index": 1}
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.types import Answer


def rating_of(liked: bool | str | None) -> str:
    """The rating word for Gradio's ``LikeData.liked`` (True, False or a custom option)."""
    if liked is True:
        return "like"
    if liked is False:
        return "dislike"
    return str(liked or "none").lower()


class FeedbackLog:
    """Appends feedback records to a JSONL file; safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, rating: str, answer: Answer | None, *, question: str, message: str,
               message_index: int | None = None) -> dict[str, Any]:
        """Append one record and return it. ``answer`` is None for a notice (bad input)."""
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": rating,
            "question": question,
            "answer": answer.answer if answer else message,
            "abstained": answer.abstained if answer else None,
            "citations": [c.model_dump() for c in answer.citations] if answer else [],
            "standalone_question": answer.standalone_question if answer else None,
            "message_index": message_index,
        }
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every record so far (empty when the file does not exist)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
