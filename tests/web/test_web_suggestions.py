"""Suggested follow-ups: from the article's sections, not yet covered, each checked with the engine."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.types import Answer, Citation, Passage
from assistant.web.suggestions import Suggester, question_for
from tests.web.test_web_browser import ANSWERABLE, BOT, USER, ask


def _passages() -> list[Passage]:
    return [Passage(id=f"p{i}", doc="a.txt", section=s, start=i * 10, end=i * 10 + 5, text="text.", position=i)
            for i, s in enumerate(["One", "Two", "Three", "Four", "Five"])]


def _turn(question: str, section: str | None) -> dict:
    citations = [Citation(marker=1, doc="a.txt", section=section, start=0, end=5, text="text.")] if section else []
    return {"question": question, "answer": Answer(question=question, answer="x", abstained=not citations,
                                                   citations=citations), "notice": None}


def test_uncovered_answerable_sections_up_to_three_each_asked_once() -> None:
    asked: list[str] = []

    def ask(question: str) -> Answer:
        asked.append(question)
        abstains = "Three" in question
        citations = [] if abstains else [Citation(marker=1, doc="a.txt", section="", start=0, end=5, text="text.")]
        return Answer(question=question, answer="x", abstained=abstains, citations=citations)

    suggester = Suggester(ask)
    assert suggester.suggest([], _passages(), "a.txt") == []  # nothing before the first answer
    turns = [_turn("first?", "One"), _turn(question_for("Two"), None)]
    assert suggester.suggest(turns, _passages(), "a.txt") == [question_for("Four"), question_for("Five")]
    assert suggester.suggest(turns, _passages(), "a.txt") == [question_for("Four"), question_for("Five")]
    assert sorted(asked) == sorted(question_for(s) for s in ("Three", "Four", "Five"))  # cached
    assert suggester.suggest(turns, _passages(), "b.txt") == []


@pytest.mark.e2e
def test_suggestions_are_answerable_uncovered_and_ask_when_clicked(page: Any, article_service: Any) -> None:
    cited = {c.section for c in article_service.ask(ANSWERABLE).citations}
    ask(page, ANSWERABLE)
    page.wait_for_selector("#suggestions button", timeout=30_000)
    shown = [t.strip() for t in page.locator("#suggestions button").all_inner_texts()]
    assert 1 <= len(shown) <= 3
    questions = [q for q in (question_for(s) for s in {p.section for p in article_service.retriever.passages.values()})
                 if any(q.startswith(t.rstrip("…").rstrip(".")) for t in shown)]
    assert len(questions) == len(shown)
    for q in questions:
        answer = article_service.ask(q)
        assert not answer.abstained and answer.citations
        assert not any(q == question_for(s) for s in cited)
    page.locator("#suggestions button").first.click()
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length === 2", timeout=30_000)
    page.wait_for_function(f"() => document.querySelectorAll('{BOT} a.cite-marker').length >= 2", timeout=30_000)
    assert page.locator(USER).last.inner_text() in questions
