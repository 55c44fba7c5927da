"""A conversation as plain text: Markdown with numbered references, or JSON.

The Markdown is also what "Copy conversation" puts on the clipboard. Each answer keeps its ``[n]``
markers and is followed by its references: file, section, character offsets and the quoted text,
which is exactly ``text[start:end]`` of the document's indexed text (``assistant text DOC``); a PDF's
reference names its page, and a document with a title names it too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from assistant.types import Answer, Citation


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def reference(citation: Citation) -> str:
    """One numbered reference: ``[n] file — section (page p, chars a–b)`` and the quoted sentence."""
    where = f"{citation.title} ({citation.doc})" if citation.title else citation.doc
    where = f"{where} — {citation.section}" if citation.section else where
    place = f"page {citation.page}, chars" if citation.page is not None else "chars"
    return f"[{citation.marker}] {where} ({place} {citation.start}–{citation.end})\n{_quote(citation.text)}"


def to_markdown(title: str, turns: list[dict[str, Any]]) -> str:
    """The conversation as Markdown: each question, its answer (or notice) and its references."""
    parts = [f"# {title}"]
    for turn in turns:
        parts.append(f"**Question:** {turn['question']}")
        answer: Answer | None = turn["answer"]
        if answer is None:
            parts.append(f"**Answer:** ({turn['notice']})")
            continue
        parts.append(f"**Answer:** {answer.answer}")
        parts += [reference(c) for c in sorted(answer.citations, key=lambda c: c.marker)]
    return "\n\n".join(parts) + "\n"


def to_json(title: str, turns: list[dict[str, Any]]) -> str:
    """The conversation as JSON: title, time of export and the turns with their citations."""
    items = []
    for turn in turns:
        answer: Answer | None = turn["answer"]
        items.append({
            "question": turn["question"],
            "answer": answer.answer if answer else None,
            "abstained": answer.abstained if answer else None,
            "short_answer": answer.short_answer if answer else None,
            "standalone_question": answer.standalone_question if answer else None,
            "citations": [c.model_dump() for c in answer.citations] if answer else [],
            "notice": turn["notice"],
        })
    return json.dumps({"title": title, "exported": datetime.now(UTC).isoformat(timespec="seconds"),
                       "turns": items}, ensure_ascii=False, indent=2) + "\n"
