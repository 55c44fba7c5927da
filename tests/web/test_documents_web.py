"""Documents in through the web: POST/GET/DELETE /api/documents and the chat's upload panel in Chromium.

The app runs over its own small index (one Word document to start with), since uploads change it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from tests.documents.pages import LIBRARY, PDF_PAGES, minimal_pdf, news_page, word_document

from tests.web.conftest import free_port, serve_in_thread

pytestmark = pytest.mark.e2e


@dataclass
class DocumentsApp:
    url: str
    settings: Settings


def _start(settings: Settings, minilm) -> tuple[str, object]:  # noqa: ANN001
    from assistant.embeddings import QueryEncoder
    from assistant.service import AssistantService
    from assistant.web.server import create_app

    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    port = free_port()
    app = create_app(service, settings.model_copy(update={"web_port": port}), embedder_factory=lambda: minilm)
    return f"http://127.0.0.1:{port}", serve_in_thread(app, port)


@pytest.fixture(scope="module")
def documents_app(tmp_path_factory: pytest.TempPathFactory, minilm) -> Iterator[DocumentsApp]:  # noqa: ANN001
    from assistant.ingest import ingest

    base = tmp_path_factory.mktemp("documents-web")
    (base / "corpus").mkdir()
    (base / "corpus" / "library.docx").write_bytes(word_document("Library renovation", "Jon Park", LIBRARY))
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index",
                        feedback_file=base / "feedback.jsonl", max_document_bytes=200_000)
    ingest(settings, embedder_factory=lambda: minilm)
    url, (server, thread) = _start(settings, minilm)
    yield DocumentsApp(url, settings)
    server.should_exit = True
    thread.join(timeout=10)


def _generation(settings: Settings) -> tuple[int, list[str]]:
    from assistant.store import open_index

    manifest = open_index(settings).manifest()
    return manifest.generation, sorted(manifest.documents)


def test_upload_list_replace_ask_and_delete(documents_app: DocumentsApp) -> None:
    url = documents_app.url + "/api/documents"
    page = news_page().encode()
    r = httpx.post(url, files={"file": ("harbour.html", page, "text/html")}, timeout=120)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["name"], body["passages"], body["sentences"], body["replaced"]) == ("harbour.html", 6, 6, False)
    assert body["document"]["author"] == "Maria Lindqvist"
    listed = {d["name"]: d for d in httpx.get(url, timeout=10).json()["documents"]}
    assert set(listed) == {"harbour.html", "library.docx"} and listed["library.docx"]["title"] == "Library renovation"

    r = httpx.post(url, files={"file": ("harbour.html", page, "text/html")}, timeout=60)
    assert r.status_code == 409 and "exists already" in r.json()["error"]
    r = httpx.post(url, files={"file": ("harbour.html", page, "text/html")}, data={"replace": "true"}, timeout=120)
    assert r.status_code == 201 and r.json()["replaced"] is True

    r = httpx.post(documents_app.url + "/api/ask", json={"question": "How much did the repairs cost?",
                                                        "doc": "harbour.html"}, timeout=60)
    assert r.status_code == 200
    citations = r.json()["citations"]
    assert citations and citations[0]["doc"] == "harbour.html"
    assert citations[0]["title"] == "Port Elland harbour reopens after storm repairs"

    r = httpx.delete(url + "/harbour.html", timeout=120)
    assert r.status_code == 200 and r.json()["removed"] == "harbour.html"
    assert [d["name"] for d in httpx.get(url, timeout=10).json()["documents"]] == ["library.docx"]
    assert not (documents_app.settings.corpus_dir / "harbour.html").exists()
    assert httpx.delete(url + "/harbour.html", timeout=10).status_code == 404
    r = httpx.delete(url + "/library.docx", timeout=10)
    assert r.status_code == 400 and "only document" in r.json()["error"]


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, 400, "is not a PDF: its content is a Linux executable"),
    ("../evil.html", news_page().encode(), 400, "refused file name"),
    ("page.html", b"<html><body><nav>Subscribe</nav></body></html>", 400, "no article text"),
    ("big.html", b"<p>" + b"x" * 220_000, 413, "is over 0.2 MB, the limit (ASSISTANT_MAX_DOCUMENT_BYTES)"),
    ("huge.html", b"<p>" + b"x" * 300_000, 413, "request body over 264000 bytes"),  # cut off by the body cap
])
def test_refusals_are_one_line_and_leave_the_index_unchanged(documents_app: DocumentsApp, name: str, data: bytes,
                                                             status: int, message: str) -> None:
    before = _generation(documents_app.settings)
    files = sorted(p.name for p in documents_app.settings.corpus_dir.iterdir())
    r = httpx.post(documents_app.url + "/api/documents", files={"file": (name, data, "application/octet-stream")},
                   timeout=60)
    assert r.status_code == status and message in r.json()["error"], r.text
    assert "\n" not in r.json()["error"]
    assert _generation(documents_app.settings) == before
    assert sorted(p.name for p in documents_app.settings.corpus_dir.iterdir()) == files


def test_uploads_need_the_sign_in_when_auth_is_on(documents_app: DocumentsApp, minilm) -> None:  # noqa: ANN001
    settings = documents_app.settings.model_copy(update={"web_username": "ed", "web_password": SecretStr("pw")})
    url, (server, thread) = _start(settings, minilm)
    try:
        r = httpx.post(url + "/api/documents", files={"file": ("a.txt", b"Text.", "text/plain")}, timeout=30)
        assert r.status_code == 401
        assert httpx.get(url + "/api/documents", timeout=10).status_code == 401
        assert httpx.get(url + "/api/documents", auth=("ed", "pw"), timeout=10).status_code == 200
        with httpx.Client(base_url=url, timeout=10) as chat:  # signed in to the chat: its panel may upload
            assert chat.post("/login", data={"username": "ed", "password": "pw"}).status_code == 200
            assert chat.get("/api/documents").status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_upload_from_the_chat_then_ask_that_article(browser, documents_app: DocumentsApp,  # noqa: ANN001
                                                    tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(minimal_pdf(PDF_PAGES, title="City budget report", author="Press office"))
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    try:
        page.goto(documents_app.url + "/")
        page.wait_for_selector("#question textarea")
        page.click("#documents button, #documents .label-wrap")  # open the Documents accordion
        page.wait_for_selector("#documents-drop")
        page.set_input_files("#documents-file", str(pdf))
        page.wait_for_selector("#documents-status:has-text('Added report.pdf')", timeout=120_000)
        assert "Indexing" not in page.inner_text("#documents-status")
        page.wait_for_selector("#documents-list li[data-doc='report.pdf']")
        page.click("#settings button, #settings .label-wrap")  # the selector lives in Settings
        page.wait_for_function("document.querySelector('#document input')?.value === 'report.pdf'")  # selected for the next question
        page.fill("#question textarea", "How many new schools will open?")
        page.click("#ask-button")
        page.wait_for_selector("#sources .source-card", timeout=60_000)
        head = page.inner_text("#sources .source-head")
        assert "report.pdf" in head and "page 2" in head and "City budget report" in head
    finally:
        context.close()
    r = httpx.delete(documents_app.url + "/api/documents/report.pdf", timeout=120)
    assert r.status_code == 200
