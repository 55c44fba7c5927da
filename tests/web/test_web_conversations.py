"""Conversations kept in the browser, in real headless Chromium: after a reload, after a server restart,
several in the side list, and exported as Markdown and JSON (and copied as that text)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.web import export
from tests.web.conftest import free_port, serve_in_thread
from tests.web.test_web_browser import ANSWERABLE, BOT, OTHER, USER, ask

pytestmark = pytest.mark.e2e


def listed(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#conversation-list label").all_inner_texts()]


def wait_listed(page: Any, titles: list[str]) -> None:
    """Until the side list shows ``titles``, in that order."""
    page.wait_for_function("(titles) => JSON.stringify([...document.querySelectorAll('#conversation-list label')]"
                           ".map((l) => l.innerText.trim())) === JSON.stringify(titles)", arg=titles)


def ask_and_save(page: Any, question: str, questions: int) -> Any:
    """Ask, then wait until the side list shows the conversation's ``questions`` (it is saved then)."""
    message = ask(page, question)
    page.wait_for_function("(n) => [...document.querySelectorAll('#conversation-list label')]"
                           ".some((l) => l.innerText.trim().endsWith(`(${n})`))", arg=questions)
    return message


def wait_restored(page: Any, questions: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length === {questions}", timeout=30_000)


def test_the_conversation_survives_a_reload(page: Any) -> None:
    ask(page, ANSWERABLE)
    ask_and_save(page, OTHER, 2)
    page.reload()
    wait_restored(page, 2)
    assert page.locator(USER).all_inner_texts() == [ANSWERABLE, OTHER]
    assert "European Security Treaty" in page.locator(BOT).first.inner_text()
    page.wait_for_selector("#sources .sources-latest mark.cited")  # its sources too
    page.locator(BOT).first.locator("a.cite-marker").first.click()
    page.wait_for_function("() => document.querySelector('#sources details.sources-earlier').open")
    wait_listed(page, [f"{ANSWERABLE} (2)"])


def test_the_conversation_survives_a_server_restart(browser: Any, article_service: Any, article_settings: Any,
                                                     tmp_path: Any) -> None:
    from assistant.web.server import create_app

    port = free_port()
    settings = article_settings.model_copy(update={"web_port": port, "feedback_file": tmp_path / "f.jsonl"})
    url = f"http://127.0.0.1:{port}/"
    server, thread = serve_in_thread(create_app(article_service, settings), port)
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#question textarea")
        ask_and_save(page, ANSWERABLE, 1)
        server.should_exit = True
        thread.join(timeout=10)
        server, thread = serve_in_thread(create_app(article_service, settings), port)  # a new process's app
        page.goto(url)
        wait_restored(page, 1)
        assert "European Security Treaty" in page.locator(BOT).first.inner_text()
    finally:
        context.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_several_conversations_new_chat_and_delete(page: Any) -> None:
    ask(page, ANSWERABLE)
    page.click("#new-chat")
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length === 0")
    ask_and_save(page, OTHER, 1)
    wait_listed(page, [f"{OTHER} (1)", f"{ANSWERABLE} (1)"])  # the latest first
    page.locator("#conversation-list label", has_text=ANSWERABLE).click()
    page.wait_for_function(f"() => document.querySelector('{USER}')?.innerText.trim() === {json.dumps(ANSWERABLE)}")
    assert page.locator(USER).count() == 1
    page.click("#delete-chat")
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length === 0")
    wait_listed(page, ["New chat", f"{OTHER} (1)"])
    page.reload()
    wait_listed(page, ["New chat", f"{OTHER} (1)"])  # deleted for good


def test_export_markdown_and_json_and_copy_as_text(page: Any, article_service: Any) -> None:
    expected = article_service.ask(ANSWERABLE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, ANSWERABLE)
    ask(page, "What is the capital of Australia?")
    with page.expect_download() as markdown_download:
        page.click("#export-markdown")
    markdown = open(markdown_download.value.path(), encoding="utf-8").read()
    assert markdown_download.value.suggested_filename == "conversation.md"
    assert f"**Question:** {ANSWERABLE}" in markdown and f"**Answer:** {expected.answer}" in markdown
    for c in expected.citations:
        assert export.reference(c) in markdown and f"(chars {c.start}–{c.end})\n> {c.text}" in markdown
    assert "<" not in markdown  # no HTML
    with page.expect_download() as json_download:
        page.click("#export-json")
    data = json.loads(open(json_download.value.path(), encoding="utf-8").read())
    assert [t["question"] for t in data["turns"]] == [ANSWERABLE, "What is the capital of Australia?"]
    assert data["turns"][0]["citations"] == [c.model_dump() for c in expected.citations]
    assert data["turns"][1]["abstained"] is True and data["turns"][1]["citations"] == []
    page.click("#copy-chat")
    page.wait_for_function("async (text) => (await navigator.clipboard.readText()) === text", arg=markdown)
