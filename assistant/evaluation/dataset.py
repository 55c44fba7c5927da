"""Reading QA sets: our JSONL schema, CSV, and RAGAS-style records, into one ``QAItem`` shape.

Formats (chosen by the file name, then by each record's columns):
- ``.jsonl`` (or ``.json`` holding one object a line): our schema, see ``shared/qa/README.md``
  (``id``, ``question``, ``answerable``, ``answers``, ``evidence``, ``type``, ``section``, ``history``).
- ``.json`` holding a list: the same records as a JSON array.
- ``.csv``: a header row with a ``question`` column and optional ``id``, ``answer``/``answers``,
  ``evidence``, ``answerable``, ``type``, ``section``, ``history``. List cells hold a JSON list or
  ``|``-separated values.
- RAGAS-style records, in any of the three: ``user_input`` (the question), optional ``reference``
  (the gold answer), ``reference_contexts`` (gold evidence), ``synthesizer_name`` (read as the type).
  ``response``/``retrieved_contexts`` of an earlier run are accepted and ignored: the assistant answers
  afresh.

A record with an unknown column, or without its question column, is refused with an error naming the
file, the line and the columns. Example::

    items = load_qa_set(Path("../shared/qa/dev.jsonl"))
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import AssistantError
from assistant.types import Turn


class QAItem(BaseModel):
    """One question of a QA set, with its gold answers and evidence when known."""

    id: str
    question: str
    answerable: bool | None = Field(None, description="None when the set does not say.")
    answers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    type: str = "unknown"
    section: str | None = None
    history: list[Turn] = Field(default_factory=list)

    @property
    def has_answer(self) -> bool | None:
        """Whether the text holds an answer: stated, or implied by gold answers/evidence; None if unknown."""
        if self.answerable is not None:
            return self.answerable
        return True if (self.answers or self.evidence) else None


class DatasetError(AssistantError):
    """A QA set that cannot be read; the message names the file and line."""


OUR_COLUMNS = frozenset({"id", "question", "answerable", "answers", "evidence", "type", "section", "history"})
CSV_COLUMNS = OUR_COLUMNS | {"answer"}
RAGAS_COLUMNS = frozenset({"id", "user_input", "reference", "reference_contexts", "synthesizer_name", "type",
                           "response", "retrieved_contexts"})
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def _names(columns: set[str] | frozenset[str]) -> str:
    return ", ".join(repr(c) for c in sorted(columns))


def _as_list(value: Any, column: str) -> list[str]:
    """A list of non-empty strings from a list, a JSON/Python list literal, or ``|``-separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                try:
                    value = ast.literal_eval(text)  # pandas writes lists as Python literals
                except (ValueError, SyntaxError) as exc:
                    raise ValueError(f"column {column!r} is not a valid list") from exc
        else:
            return [part.strip() for part in text.split("|") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"column {column!r} must be a list of strings")
    return [v for v in value if v.strip()]


def _as_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"column 'answerable' must be true or false, not {value!r}")


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def record_to_item(raw: Any, default_id: str, *, csv_cells: bool = False) -> QAItem:
    """One record (a mapping of column → value) as a QAItem; ValueError names what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError(f"expected an object with a 'question' column, got {type(raw).__name__}")
    columns = {k for k, v in raw.items() if not (csv_cells and k is None)}
    if None in raw and raw[None]:
        raise ValueError(f"{len(raw[None])} more cell(s) than the header has columns")
    if "user_input" in columns:
        unknown = columns - RAGAS_COLUMNS
        if unknown:
            raise ValueError(f"unknown column(s) {_names(unknown)} in a RAGAS record; known: {_names(RAGAS_COLUMNS)}")
        reference = _blank_to_none(raw.get("reference"))
        fields: dict[str, Any] = {
            "question": raw["user_input"],
            "answers": [reference] if reference is not None else [],
            "evidence": _as_list(raw.get("reference_contexts"), "reference_contexts"),
            "type": _blank_to_none(raw.get("type")) or _blank_to_none(raw.get("synthesizer_name")) or "unknown",
        }
    elif "question" in columns:
        known = CSV_COLUMNS if csv_cells else OUR_COLUMNS
        unknown = columns - known
        if unknown:
            raise ValueError(f"unknown column(s) {_names(unknown)}; known: {_names(known)}")
        if "answer" in columns and "answers" in columns:
            raise ValueError("both 'answer' and 'answers' columns: keep one")
        fields = {
            "question": raw["question"],
            "answerable": _as_bool(raw.get("answerable")),
            "answers": _as_list(raw.get("answers", raw.get("answer")), "answers"),
            "evidence": _as_list(raw.get("evidence"), "evidence"),
            "type": _blank_to_none(raw.get("type")) or "unknown",
            "section": _blank_to_none(raw.get("section")),
        }
        history = raw.get("history")
        if isinstance(history, str):
            history = json.loads(history) if history.strip() else []
        fields["history"] = history or []
    else:
        raise ValueError(f"missing column 'question' (or 'user_input' for RAGAS records); found: {_names(columns)}")
    if not isinstance(fields["question"], str) or not fields["question"].strip():
        raise ValueError("the question is empty")
    identifier = _blank_to_none(raw.get("id"))
    fields["id"] = str(identifier) if identifier is not None else default_id
    return QAItem.model_validate(fields)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg']}" if where else err["msg"]
    return str(exc).splitlines()[0]


def _jsonl_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc


def _json_array_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, list):
        raise DatasetError(f"{path}: a JSON QA set must be a list of records")
    yield from enumerate(data, start=1)


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [c for c in (reader.fieldnames or []) if c is not None]
    if not header:
        raise DatasetError(f"{path}: the CSV file has no header row")
    stripped = [c.strip() for c in header]
    if len(set(stripped)) != len(stripped):
        raise DatasetError(f"{path}:1: duplicate column names in the header")
    try:
        for row in reader:
            cleaned = {(k.strip() if isinstance(k, str) else k): v for k, v in row.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for k, v in cleaned.items() if k is not None):
                continue
            yield reader.line_num, cleaned
    except csv.Error as exc:
        raise DatasetError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from exc


def load_qa_set(path: Path) -> list[QAItem]:
    """Items of a QA set in any supported format; DatasetError names the first bad line and why."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read QA set {path}: {exc}") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records, csv_cells, unit = _csv_records(path, text), True, "line"
    elif suffix == ".json" and text.lstrip().startswith("["):
        records, csv_cells, unit = _json_array_records(path, text), False, "record"
    else:
        records, csv_cells, unit = _jsonl_records(path, text), False, "line"
    items: list[QAItem] = []
    first_line: dict[str, int] = {}
    for number, raw in records:
        where = f"{path}:{number}" if unit == "line" else f"{path}: record {number}"
        try:
            item = record_to_item(raw, f"q{number:04d}", csv_cells=csv_cells)
        except (ValueError, ValidationError) as exc:
            raise DatasetError(f"{where}: not a valid QA record ({_reason(exc)})") from exc
        if item.id in first_line:
            raise DatasetError(f"{where}: duplicate id {item.id!r} (first at {unit} {first_line[item.id]})")
        first_line[item.id] = number
        items.append(item)
    if not items:
        raise DatasetError(f"QA set {path} has no questions")
    return items


def load_jsonl(path: Path) -> list[QAItem]:
    """Items of a QA set (kept for callers of the first version; reads every supported format)."""
    return load_qa_set(path)
