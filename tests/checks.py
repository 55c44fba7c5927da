"""Assertions shared by the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

from assistant.types import Answer


def assert_exact_citations(answer: Answer, corpus_dir: Path) -> None:
    """Every citation is shown as its marker and is the exact slice of its corpus file."""
    assert answer.citations, answer.answer
    for c in answer.citations:
        assert f"[{c.marker}]" in answer.answer
        assert (corpus_dir / c.doc).read_text(encoding="utf-8")[c.start:c.end] == c.text
