"""End to end in real headless Chromium: the chat as a reader uses it."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ANSWERABLE = "What did Dmitry Medvedev propose in 2008?"
OTHER = "What did Putin call for at the Kremlin ceremony?"
UNANSWERABLE = "What is the capital of Australia?"
XSS = "<img src=x onerror=alert(1)>"

BOT = '#chat [data-testid="bot"]'
USER = '#chat [data-testid="user"]'


def ask(page: Any, question: str) -> Any:
    """Type ``question``, press Enter, wait for the streamed answer to finish; the last bot message."""
    before = page.locator(BOT).count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        """([selector, n]) => {
             const bots = document.querySelectorAll(selector);
             const panel = document.querySelector('#sources');
             return bots.length > n && !bots[bots.length - 1].querySelector('.pending')
                    && panel && !panel.innerText.includes('Looking for the passages');
           }""",
        arg=[BOT, before], timeout=60_000)
    return page.locator(BOT).last


def test_cited_answer_with_highlighted_source(page: Any, article_service: Any, output_dir: Any) -> None:
    expected = article_service.ask(ANSWERABLE)
    message = ask(page, ANSWERABLE)
    assert "European Security Treaty" in message.inner_text()
    marker = message.locator("a.cite-marker").first
    assert marker.inner_text() == "[1]"
    mark = page.locator("#sources .sources-latest mark.cited").first
    assert mark.locator(".mark-no").inner_text() == "[1]"
    assert mark.inner_text().removeprefix("[1]") == expected.citations[0].text
    card = page.locator("#sources .source-card").first
    assert expected.citations[0].doc in card.inner_text()
    assert expected.citations[0].section in card.inner_text()
    page.screenshot(path=str(output_dir / "cited-answer.png"))


def test_answer_is_streamed(page: Any) -> None:
    page.fill("#question textarea", "Which organizations does Russia take part in as alternatives to Western-led alliances?")
    page.press("#question textarea", "Enter")
    lengths: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        texts = page.locator(BOT).all_inner_texts()
        if texts and "Reading the article" not in texts[-1]:
            lengths.append(len(texts[-1]))
            if page.locator("#sources mark.cited").count():
                break
        time.sleep(0.01)
    assert len(set(lengths)) >= 2, f"the answer appeared at once: {lengths[:5]}…"
    assert lengths == sorted(lengths)


def test_clicking_a_marker_brings_its_source_into_view(page: Any) -> None:
    ask(page, ANSWERABLE)
    ask(page, OTHER)
    first = page.locator(BOT).nth(0)
    details = page.locator("#sources details.sources-earlier")
    assert details.get_attribute("open") is None
    page.wait_for_function("() => document.querySelectorAll('#reader .reader mark').length >= 2")
    first.locator("a.cite-marker").first.click()  # a marker of the earlier answer: the reader opens over the page
    page.wait_for_function("() => document.body.classList.contains('reading')")
    page.keyboard.press("Escape")  # back to the chat, on the cited sentence in its source card
    target = page.locator("#src-1-1")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'src-1-1'")
    page.wait_for_function("() => document.querySelector('#sources details.sources-earlier').open")
    page.wait_for_timeout(800)  # smooth scrolling
    assert target.is_visible()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + 10 <= page.viewport_size["height"]
    latest_marker = page.locator(BOT).last.locator("a.cite-marker").first
    latest_marker.click()
    page.wait_for_selector("#sources .sources-latest .source-card.flash")
    page.keyboard.press("Escape")


def test_unanswerable_question_abstains_with_no_sources(page: Any, article_service: Any) -> None:
    expected = article_service.ask(UNANSWERABLE)
    assert expected.abstained
    message = ask(page, UNANSWERABLE)
    assert message.inner_text() == expected.answer
    assert message.locator("a.cite-marker").count() == 0
    assert "No passage of the article supported an answer" in page.locator("#sources").inner_text()
    assert page.locator("#sources .sources-latest .source-card").count() == 0
    why = page.locator("#sources .sources-latest details.why-answer")
    assert not why.locator(".why-reason").is_visible()  # folded until asked
    why.locator("summary").click()
    assert why.locator(".why-reason").inner_text() == expected.trace.reason


def test_like_is_saved_to_the_feedback_file(page: Any, web_app: Any) -> None:
    ask(page, ANSWERABLE)
    page.locator('#chat .message-buttons-left button[aria-label="Like"]').last.click()
    deadline = time.monotonic() + 20
    records: list[dict] = []
    while time.monotonic() < deadline and not records:
        if web_app.feedback_file.exists():
            lines = web_app.feedback_file.read_text(encoding="utf-8").splitlines()
            records = [r for r in map(json.loads, lines) if r["question"] == ANSWERABLE and r["rating"] == "like"]
        time.sleep(0.2)
    assert records, "no like recorded"
    assert records[-1]["citations"] and "European Security Treaty" in records[-1]["answer"]


def test_html_question_is_shown_as_text(page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, XSS)
    user = page.locator(USER).last
    assert user.inner_text() == XSS
    assert user.locator("img").count() == 0
    assert page.locator("#sources img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_an_empty_submit_adds_no_turn(page: Any) -> None:
    ask(page, ANSWERABLE)
    before = (page.locator(USER).count(), page.locator(BOT).count())
    page.fill("#question textarea", "   ")
    page.press("#question textarea", "Enter")
    page.click("#ask-button")
    page.wait_for_timeout(1500)
    assert (page.locator(USER).count(), page.locator(BOT).count()) == before
    assert "empty question" not in page.locator("#chat").inner_text()


def test_an_over_long_question_gets_a_friendly_message_and_stays_in_the_box(page: Any) -> None:
    question = "why? " * 500
    message = ask(page, question)
    text = message.inner_text()
    assert "question" in text and "limit" in text
    assert "Traceback" not in page.content()
    assert page.input_value("#question textarea") == question  # kept, to be trimmed


def test_new_chat_empties_the_chat_and_the_panel(page: Any) -> None:
    ask(page, ANSWERABLE)
    page.click("#new-chat")
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length === 0")
    assert page.locator("#sources .source-card").count() == 0
    assert "Ask a question" in page.locator("#sources").inner_text()


def test_title_examples_and_settings(page: Any) -> None:
    assert page.locator("#chat-header h1").inner_text() == "Putin Reaffirms Call for a New Global Security Architecture"
    assert "Putin Reaffirms" in page.title()
    page.get_by_text("What would a new security framework need to negotiate?").click()
    page.wait_for_selector(f"{BOT} a.cite-marker", timeout=60_000)
    page.get_by_text("Settings").click()
    assert page.locator("#top-k input[type=number]").input_value() == "8"


def test_follow_up_uses_the_conversation(page: Any) -> None:
    ask(page, "Tell me about Russia and the SCO.")
    ask(page, "What does it actually promote?")
    assert "Read with the conversation as" in page.locator("#sources .sources-latest").inner_text()


def test_a_dislike_asks_for_an_optional_reason_logged_with_the_turn(page: Any, web_app: Any) -> None:
    ask(page, ANSWERABLE)
    assert not page.locator("#dislike-reason").is_visible()
    page.locator('#chat .message-buttons-left button[aria-label="Dislike"]').last.click()
    page.wait_for_selector("#dislike-reason", state="visible")
    page.get_by_label("Wrong source").click()  # not check(): the choice is logged, then the group resets and hides
    page.wait_for_selector("#dislike-reason", state="hidden")
    deadline = time.monotonic() + 20
    records: list[dict] = []
    while time.monotonic() < deadline and len(records) < 2:
        lines = web_app.feedback_file.read_text(encoding="utf-8").splitlines() if web_app.feedback_file.exists() else []
        records = [r for r in map(json.loads, lines) if r["question"] == ANSWERABLE and r["rating"] == "dislike"]
        time.sleep(0.2)
    assert [r["reason"] for r in records[-2:]] == [None, "wrong source"]
    assert records[-1]["citations"] and records[-1]["message_index"] == 1
