"""Suggested follow-ups: up to three questions the article answers and the conversation has not covered.

Made offline from the corpus: one question per section heading of the article being discussed ("What
does the article say about <heading>?"), in document order. A section is covered once a citation of
the conversation falls in it, or its question was asked. Every candidate is asked to the engine (on
its own, once per index: answers are cached) and only those that get a cited answer are suggested.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from assistant.types import Answer, Passage

MAX_SUGGESTIONS = 3


def question_for(section: str) -> str:
    """The suggested question for a section heading."""
    return f"What does the article say about {section.strip().rstrip('.:?!')}?"


def sections_of(passages: Iterable[Passage], doc: str) -> list[str]:
    """The section headings of ``doc`` in document order, each once."""
    seen: list[str] = []
    for p in sorted((p for p in passages if p.doc == doc), key=lambda p: p.position):
        if p.section and p.section not in seen:
            seen.append(p.section)
    return seen


def covered(turns: list[dict[str, Any]], doc: str) -> tuple[set[str], set[str]]:
    """(sections of ``doc`` cited in the conversation, questions asked, lower-cased)."""
    sections, asked = set(), set()
    for turn in turns:
        asked.add(turn["question"].strip().lower())
        answer: Answer | None = turn["answer"]
        for c in answer.citations if answer else []:
            if c.doc == doc:
                sections.add(c.section)
    return sections, asked


class Suggester:
    """Suggestions checked with ``ask`` (a question → its Answer); answers are cached per question."""

    def __init__(self, ask: Callable[[str], Answer], limit: int = MAX_SUGGESTIONS) -> None:
        self.ask = ask
        self.limit = limit
        self._answerable: dict[str, bool] = {}
        self._lock = threading.Lock()

    def answerable(self, question: str) -> bool:
        """Whether the engine gives ``question`` a cited answer (asked once, then remembered)."""
        with self._lock:
            known = self._answerable.get(question)
        if known is None:
            answer = self.ask(question)
            known = not answer.abstained and bool(answer.citations)
            with self._lock:
                self._answerable[question] = known
        return known

    def suggest(self, turns: list[dict[str, Any]], passages: Iterable[Passage], doc: str | None) -> list[str]:
        """Up to ``limit`` questions about ``doc`` not covered yet, each answered by the engine; none
        before the first answer."""
        if doc is None or not any(t["answer"] is not None for t in turns):
            return []
        cited, asked = covered(turns, doc)
        out = []
        for section in sections_of(passages, doc):
            question = question_for(section)
            if section in cited or question.lower() in asked:
                continue
            if self.answerable(question):
                out.append(question)
                if len(out) == self.limit:
                    break
        return out
