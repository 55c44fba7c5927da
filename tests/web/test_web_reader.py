"""The reader view: the whole article with headings, the conversation's cited sentences highlighted in place."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.types import Answer, Citation, Passage
from assistant.web.reader import cited_spans, default_document, render_reader
from assistant.web.render import reader_id
from tests.web.test_web_browser import ANSWERABLE, ask

TEXT = "Intro <b>one</b>. Cited here. After."


def _passages() -> list[Passage]:
    return [Passage(id="p2", doc="a.txt", section="Second & last", start=100, end=100 + len(TEXT), text=TEXT,
                    position=1),
            Passage(id="p1", doc="a.txt", section="First", start=0, end=10, text="Opening..", position=0),
            Passage(id="p3", doc="b.txt", section="Other", start=0, end=5, text="Other", position=0)]


def _turns() -> list[dict]:
    start = 100 + TEXT.index("Cited")
    c = Citation(marker=1, doc="a.txt", section="Second & last", start=start, end=start + len("Cited here."),
                 text="Cited here.")
    answer = Answer(question="q", answer="Cited here. [1]", abstained=False, citations=[c])
    return [{"question": "q", "answer": answer, "notice": None},
            {"question": "q2", "answer": None, "notice": "Stopped."}]


def test_the_article_in_order_with_headings_and_its_cited_sentence_marked() -> None:
    html = render_reader("a.txt", _passages(), _turns())
    assert html.index("<h3>First</h3>") < html.index("<h3>Second &amp; last</h3>")
    assert "Other" not in html  # another document
    start = 100 + TEXT.index("Cited")
    assert f'id="{reader_id("a.txt", start, start + 11)}" title="Cited: [1] of answer 1">Cited here.</mark>' in html
    assert "&lt;b&gt;one&lt;/b&gt;" in html and "<b>" not in html
    assert "1 cited sentence highlighted" in html and "Back to the chat" in html
    assert cited_spans(_turns(), "b.txt") == []


def test_the_default_document_is_the_latest_cited_one() -> None:
    assert default_document(_turns(), ["b.txt", "a.txt"]) == "a.txt"
    assert default_document([], ["b.txt", "a.txt"]) == "b.txt"
    assert default_document([], []) is None
    assert "No article" in render_reader(None, [], [])


@pytest.mark.e2e
def test_show_in_the_article_opens_the_reader_at_the_sentence_and_back(page: Any, article_service: Any,
                                                                        output_dir: Any) -> None:
    expected = article_service.ask(ANSWERABLE).citations[0]
    ask(page, ANSWERABLE)
    link = page.locator("#sources .sources-latest a.reader-link").first
    page.wait_for_function("() => document.querySelector('#reader .reader mark')")  # the reader follows the chat
    link.click()
    target = reader_id(expected.doc, expected.start, expected.end)
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === '{target}'")
    assert page.locator("#reader").is_visible()
    assert page.locator(f"#{target}").inner_text() == expected.text
    assert page.locator("#reader h3").count() >= 3  # the article's section headings
    assert page.locator(f"#reader h3:has-text('{expected.section}')").count() == 1
    page.screenshot(path=str(output_dir / "reader-view.png"))
    page.click("#reader .reader-back")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('reader-link')")
    assert not page.locator("#reader").is_visible()


@pytest.mark.e2e
def test_a_marker_opens_the_reader_at_its_sentence_and_escape_returns_to_the_source(page: Any,
                                                                                    article_service: Any) -> None:
    expected = article_service.ask(ANSWERABLE).citations[0]
    message = ask(page, ANSWERABLE)
    page.wait_for_function("() => document.querySelector('#reader .reader mark')")
    message.locator("a.cite-marker").first.click()
    target = reader_id(expected.doc, expected.start, expected.end)
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === '{target}'")
    assert page.locator("#reader").is_visible()
    assert page.locator(f"#{target}").inner_text() == expected.text
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'src-1-1'")
    assert not page.locator("#reader").is_visible()
