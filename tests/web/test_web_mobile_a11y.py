"""The chat on a phone (390×844) and its accessibility (axe-core, both themes), in real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import ROOT
from tests.web.test_web_browser import ANSWERABLE, BOT, ask

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "web" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => (await axe.run(document, {runOnly: {type: "tag",
  values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
  .filter((v) => v.impact === "critical" || v.impact === "serious")
  .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)"""


@pytest.fixture
def phone(browser: Any, web_app: Any) -> Iterator[Any]:
    """The chat in a 390×844 touch viewport."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(web_app.url + "/")
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def no_overflow(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_opens_at_the_top_without_sideways_overflow_and_sources_fold_under_the_answer(phone: Any) -> None:
    phone.wait_for_function("() => !document.querySelector('#conversations').classList.contains('open')")
    assert phone.evaluate("window.scrollY") == 0  # no autofocus scroll
    assert no_overflow(phone)
    message = ask(phone, ANSWERABLE)
    folded = message.locator("details.inline-sources")
    assert folded.is_visible() and folded.get_attribute("open") is None
    assert "1 source" in folded.locator("summary").inner_text()
    assert no_overflow(phone)
    phone.wait_for_function("() => document.querySelector('#reader .reader mark')")  # the reader follows the chat
    message.locator("a.cite-marker").first.click()  # the reader view opens at the sentence; Escape comes back
    phone.wait_for_function("() => document.activeElement && document.activeElement.closest('#reader')")
    phone.keyboard.press("Escape")
    phone.wait_for_function("() => document.activeElement && document.activeElement.id === 'm-src-1-1'")
    assert folded.get_attribute("open") is not None
    sentence = phone.locator("#m-src-1-1")
    box = sentence.bounding_box()
    assert box is not None and box["y"] < 844 and box["y"] + box["height"] > 0  # on screen
    assert no_overflow(phone)


def test_desktop_keeps_sources_in_the_panel_and_focus_moves_to_the_cited_sentence(page: Any) -> None:
    message = ask(page, ANSWERABLE)
    assert not message.locator("details.inline-sources").is_visible()
    page.wait_for_function("() => document.querySelector('#reader .reader mark')")
    message.locator("a.cite-marker").first.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#reader')")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'src-1-1'")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser: Any, web_app: Any, theme: str) -> None:
    assert AXE.exists(), f"{AXE} is missing: run `make axe`"
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    try:
        page.goto(f"{web_app.url}/?__theme={theme}")
        page.wait_for_selector("#question textarea")
        assert page.evaluate("document.body.classList.contains('dark')") == (theme == "dark")
        ask(page, ANSWERABLE)
        ask(page, "What is the capital of Australia?")
        page.get_by_text("Settings").click()
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN) == []
    finally:
        context.close()


def test_controls_are_named_and_toggles_say_whether_they_are_open(page: Any) -> None:
    assert page.get_by_role("textbox", name="Your question").count() == 1
    settings = page.locator("#settings button.label-wrap")
    assert settings.get_attribute("aria-expanded") == "false"
    settings.click()
    page.wait_for_function("() => document.querySelector('#settings button.label-wrap')"
                           ".getAttribute('aria-expanded') === 'true'")
    assert page.locator("#conversations .toggle-button").get_attribute("aria-expanded") == "true"
    ask(page, "<b>bold?</b> What did Dmitry Medvedev propose in 2008?")
    page.wait_for_function("() => [...document.querySelectorAll('#chat [aria-label]')]"
                           ".every((e) => !e.getAttribute('aria-label').includes('<span'))")
    labels = page.evaluate("[...document.querySelectorAll('#chat [aria-label]')].map((e) => e.getAttribute('aria-label'))")
    assert "Question: <b>bold?</b> What did Dmitry Medvedev propose in 2008?" in labels  # the text typed, as text
    assert any(label.startswith("Answer: ") for label in labels)
    assert page.locator(BOT).count() == 1
    assert page.get_by_text("Use via API").count() == 0  # no API page with a dead MCP tab


def test_the_number_box_refuses_an_out_of_range_value_visibly(page: Any) -> None:
    page.get_by_text("Settings").click()
    box = page.locator("#top-k input[type=number]")
    box.fill("999")
    alert = page.locator("#top-k .range-error[role=alert]")
    assert alert.inner_text() == "999 is out of range: choose from 1 to 20 (20 is used)."
    assert box.get_attribute("aria-invalid") == "true"
    box.fill("5")
    assert alert.count() == 0 and box.get_attribute("aria-invalid") is None
