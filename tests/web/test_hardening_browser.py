"""The chat in real headless Chromium under its Content-Security-Policy: it works and nothing is blocked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

QUESTION = "What did Dmitry Medvedev propose in 2008?"
BOT = '#chat [data-testid="bot"]'
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def guarded_page(browser: Any, web_app: Any) -> Iterator[tuple[Any, Any]]:
    """A fresh chat page that records every CSP violation; (page, the response of the page itself)."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    response = page.goto(web_app.url + "/")
    page.wait_for_selector("#question textarea")
    yield page, response
    context.close()


def test_chat_works_under_its_content_security_policy(guarded_page: tuple[Any, Any]) -> None:
    page, response = guarded_page
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    page.fill("#question textarea", QUESTION)
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#sources .sources-latest mark.cited", timeout=60_000)  # gr.HTML rendered the panel
    page.locator(BOT).last.locator("a.cite-marker").first.click()  # the inline head script handles markers
    page.wait_for_selector("#sources .sources-latest .source-card.flash")
    page.keyboard.press("Escape")  # close the reader view the marker opened
    page.locator('#chat .message-buttons-left button[aria-label="Like"]').last.click()
    page.wait_for_selector('#chat .message-buttons-left button[aria-label="Liked"]')
    assert page.evaluate("window.__violations") == []


def test_the_chat_cannot_be_framed(browser: Any, web_app: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=30_000) as refused:
        page.set_content(f'<iframe id="app" src="{web_app.url}/" width="600" height="400"></iframe>')
    assert "has been blocked" in refused.value.text
    assert page.frame_locator("#app").locator("#question textarea").count() == 0
    context.close()
