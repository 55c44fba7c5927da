"""Reading QA sets: one JSON object a line (see shared/qa/README.md for the fields)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import AssistantError
from assistant.types import Turn


class QAItem(BaseModel):
    """One question of a QA set, with its gold answers and evidence when known."""

    id: str
    question: str
    answerable: bool | None = None
    answers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    type: str = "unknown"
    section: str | None = None
    history: list[Turn] = Field(default_factory=list)


class DatasetError(AssistantError):
    """A QA set that cannot be read; the message names the file and line."""


def load_jsonl(path: Path) -> list[QAItem]:
    """Items of a JSONL QA set; raises DatasetError naming the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read QA set {path}: {exc}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            raw.setdefault("id", f"q{number:04d}")
            items.append(QAItem.model_validate(raw))
        except (json.JSONDecodeError, ValidationError, AttributeError) as exc:
            reason = str(exc).splitlines()[0]
            raise DatasetError(f"{path}:{number}: not a valid QA record ({reason})") from exc
    if not items:
        raise DatasetError(f"QA set {path} has no questions")
    return items
