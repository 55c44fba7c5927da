"""Safe sending in real headless Chromium: one submit is one turn, typing while an answer streams is kept,
Stop ends the stream, Regenerate and Edit act on the last question."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_web_browser import ANSWERABLE, BOT, USER, ask

pytestmark = pytest.mark.e2e

LONG = "Summarize the article."  # a summary streams for a few seconds
TYPED = "What did Medvedev propose"


def wait_streaming(page: Any) -> None:
    """Until the last reply shows streamed words (no longer the pending line)."""
    page.wait_for_function(
        """(selector) => { const bots = document.querySelectorAll(selector);
             const last = bots[bots.length - 1];
             return last && !last.querySelector('.pending') && last.innerText.trim().length > 0; }""",
        arg=BOT, timeout=60_000)


def wait_idle(page: Any) -> None:
    """Until no answer streams: Ask is enabled again."""
    page.wait_for_function("() => !document.querySelector('#ask-button').disabled", timeout=60_000)


def wait_locked_then_idle(page: Any) -> None:
    """Until an answer just asked has streamed (Ask locked, then unlocked; a streamed answer takes a second)."""
    page.wait_for_function("() => document.querySelector('#ask-button').disabled", timeout=60_000)
    wait_idle(page)


def test_enter_then_a_click_on_ask_is_one_turn(page: Any) -> None:
    page.fill("#question textarea", ANSWERABLE)
    page.press("#question textarea", "Enter")
    page.locator("#ask-button").click(force=True)  # at once, whether or not Ask is locked yet
    page.wait_for_selector(f"{BOT} a.cite-marker", timeout=60_000)
    wait_idle(page)
    assert page.locator(USER).count() == 1 and page.locator(BOT).count() == 1
    assert page.locator(USER).first.inner_text() == ANSWERABLE
    for marker in page.locator(f"{BOT} a.cite-marker").all():
        assert page.locator(marker.get_attribute("href")).count() == 1  # links to a source that exists


def test_ask_is_locked_and_typed_text_kept_while_an_answer_streams(page: Any) -> None:
    page.fill("#question textarea", LONG)
    page.press("#question textarea", "Enter")
    wait_streaming(page)
    assert page.locator("#ask-button").is_disabled() and page.locator("#stop-button").is_visible()
    page.locator("#question textarea").press_sequentially(TYPED)
    page.press("#question textarea", "Enter")  # ignored while the answer streams
    wait_idle(page)
    page.wait_for_selector("#sources .sources-latest .source-card")
    assert page.input_value("#question textarea") == TYPED
    assert page.locator(USER).count() == 1
    page.click("#ask-button")  # sent once the answer is done
    wait_locked_then_idle(page)
    assert page.locator(USER).last.inner_text() == TYPED
    assert page.input_value("#question textarea") == ""


def test_stop_ends_the_stream_and_the_chat_goes_on(page: Any) -> None:
    page.fill("#question textarea", LONG)
    page.press("#question textarea", "Enter")
    wait_streaming(page)
    page.click("#stop-button")
    page.wait_for_selector(f"{BOT} .notice:has-text('Stopped')")
    wait_idle(page)
    assert not page.locator("#stop-button").is_visible()
    stopped = page.locator(BOT).last.inner_text()
    page.wait_for_timeout(500)  # nothing more arrives for the stopped answer
    assert page.locator(BOT).last.inner_text() == stopped
    message = ask(page, ANSWERABLE)
    assert "European Security Treaty" in message.inner_text()
    assert page.locator(USER).count() == 2 and page.locator(BOT).count() == 2


def test_regenerate_and_edit_the_last_question(page: Any) -> None:
    ask(page, "What did Putin call for at the Kremlin ceremony?")
    ask(page, ANSWERABLE)
    first_answer = page.locator(BOT).last.inner_text()
    page.fill("#question textarea", "draft")
    page.click("#regenerate-button")
    wait_locked_then_idle(page)
    page.wait_for_selector("#sources .sources-latest .source-card")
    assert page.locator(USER).count() == 2
    assert page.locator(BOT).last.inner_text() == first_answer  # asked again, the same answer
    assert page.input_value("#question textarea") == "draft"  # Regenerate leaves the box alone
    page.click("#edit-button")
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length === 1")
    assert page.input_value("#question textarea") == ANSWERABLE
    page.fill("#question textarea", "What did Dmitry Medvedev propose?")
    page.press("#question textarea", "Enter")
    wait_locked_then_idle(page)
    assert page.locator(USER).last.inner_text() == "What did Dmitry Medvedev propose?"


def test_a_summary_request_is_answered_with_several_citations(page: Any) -> None:
    ask(page, LONG)
    wait_idle(page)
    reply = page.locator(BOT).last
    markers = {m.inner_text() for m in reply.locator("a.cite-marker").all()}
    assert len(markers) >= 3, reply.inner_text()  # a summary quotes several sections, each cited
    assert "does not say" not in reply.inner_text()
    assert page.locator("#sources .sources-latest .source-card").count() >= 2
