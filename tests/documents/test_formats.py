"""HTML, PDF and DOCX turned into indexed text: main text only, pages, headings, metadata, refusals.

The fixture documents are written here (``pages``): nothing is downloaded. No model is needed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.corpus import read_document
from assistant.errors import CorpusError
from assistant.formats import extract
from assistant.formats.sniff import DocumentRefused
from assistant.library import add_document, check_name, read_upload
from assistant.settings import Settings
from assistant.splitting import split_document

from .pages import PDF_PAGES, BOILERPLATE, encrypted_pdf, image_only_pdf, minimal_pdf, news_page, word_document

def _settings(tmp_path: Path, **extra) -> Settings:  # noqa: ANN003
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", **extra)


def test_html_keeps_the_article_and_drops_the_page_around_it() -> None:
    text, info = extract("harbour.html", news_page().encode())
    assert "Harbour master Ingrid Solberg said the repairs cost 2.4 million euros" in text
    for phrase in BOILERPLATE:
        assert phrase not in text, phrase
    assert (info.format, info.title, info.author, info.date) == (
        "html", "Port Elland harbour reopens after storm repairs", "Maria Lindqvist", "2024-03-05")


def test_html_sub_heads_become_sections(tmp_path: Path) -> None:
    (tmp_path / "harbour.html").write_text(news_page(), encoding="utf-8")
    passages, sentences = split_document(read_document(tmp_path / "harbour.html", tmp_path))
    assert {p.section for p in passages} == {"Port Elland harbour reopens after storm repairs",
                                            "Fishing fleet returns", "What comes next"}
    doc = read_document(tmp_path / "harbour.html", tmp_path)
    assert all(doc.text[s.start:s.end] == s.text and s.page is None for s in sentences)


def test_pdf_text_is_per_page_and_every_span_has_its_page(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(minimal_pdf(PDF_PAGES, title="City budget report", author="Press office"))
    doc = read_document(tmp_path / "report.pdf", tmp_path)
    assert (doc.info.title, doc.info.author, len(doc.info.pages)) == ("City budget report", "Press office", 2)
    passages, sentences = split_document(doc)
    pages = {s.text: s.page for s in sentences}
    assert pages["The city council approved a budget of 12 million euros for new bicycle lanes on Monday."] == 1
    assert pages["Three new schools will open in the autumn of next year, the council said."] == 2
    assert {p.section: p.page for p in passages} == {"CITY BUDGET REPORT": 1, "SCHOOLS": 2}
    assert all(doc.text[s.start:s.end] == s.text for s in sentences)


def test_docx_headings_are_sections_and_properties_the_metadata(tmp_path: Path) -> None:
    data = word_document("Library renovation", "Jon Park",
                         {"Background": ["The central library closed in 2023 for a renovation."],
                          "Reopening": ["It will reopen on 1 June with a new children's wing."]})
    (tmp_path / "notes.docx").write_bytes(data)
    doc = read_document(tmp_path / "notes.docx", tmp_path)
    assert (doc.info.title, doc.info.author, doc.title) == ("Library renovation", "Jon Park", "Library renovation")
    passages, _ = split_document(doc)
    assert [(p.section, p.text) for p in passages] == [
        ("Background", "The central library closed in 2023 for a renovation."),
        ("Reopening", "It will reopen on 1 June with a new children's wing.")]


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * 3_000_000)
    return out.getvalue()


NAV_ONLY = ("<!DOCTYPE html><html><head><title>Home</title></head><body><nav><a href='/'>Home</a> "
            "<a href='/s'>Subscribe to our newsletter for £4.99</a></nav><footer>© 2024</footer></body></html>")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200, "is not a PDF: its content is a Linux executable"),
    ("notes.docx", b"MZ\x90\x00" + b"\0" * 200, r"is not a Word \(\.docx\) document: its content is a Windows executable"),
    ("page.html", minimal_pdf(PDF_PAGES), "is not an HTML page: its content is a PDF"),
    ("report.pdf", b"%PDF-1.7\n1 0 obj garbage", "report.pdf is (not a readable|a damaged) PDF"),
    ("report.pdf", encrypted_pdf(PDF_PAGES), "encrypted PDF"),
    ("scan.pdf", image_only_pdf(), "has no text layer \\(a scanned PDF\\?\\): run OCR"),
    ("empty.html", NAV_ONLY.encode(), "no article text found"),
    ("bomb.docx", _zip_bomb(), "zip bomb"),
])
def test_refused_with_one_line(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    settings = _settings(tmp_path, max_unpacked_bytes=2_000_000)
    with pytest.raises(DocumentRefused, match=message) as info:
        add_document(settings, name, data)
    assert "\n" not in str(info.value)
    assert not settings.corpus_dir.exists() or not any(settings.corpus_dir.iterdir())  # nothing written
    assert not settings.index_dir.exists()  # the index was never touched, not even locked


@pytest.mark.parametrize("name", ["../evil.html", "sub/page.html", "..\\x.pdf", ".hidden.txt", "a\x00b.txt",
                                  "", "x" * 200 + ".txt", "page.exe", "notes"])
def test_odd_file_names_are_refused(name: str) -> None:
    with pytest.raises(DocumentRefused) as info:
        check_name(name)
    assert "\n" not in str(info.value)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path, max_document_bytes=1000)
    with pytest.raises(DocumentRefused, match="is 0.0 MB; the limit is 0.0 MB|the limit is"):
        read_upload(settings, "page.html", news_page().encode())


def test_text_uploads_are_checked_as_ingest_reads_them(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(DocumentRefused, match="not plain text: control character U\\+007F"):
        read_upload(settings, "notes.txt", b"\x7fELF\x00\x01")  # an executable named .txt
    assert read_upload(settings, "a.md", "# T\n\nBody.\n".encode()).text == "# T\n\nBody.\n"


def test_a_corpus_with_a_refused_file_fails_ingest_as_a_whole(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(image_only_pdf())
    with pytest.raises(CorpusError, match="no text layer"):
        read_document(tmp_path / "scan.pdf", tmp_path)


def test_an_upload_waits_for_the_write_lock_and_gives_up_changing_nothing(tmp_path: Path) -> None:
    from assistant.errors import IndexBusyError
    from assistant.index_lock import index_write_lock

    settings = _settings(tmp_path, index_lock_timeout_s=0)
    heard: list[str] = []
    with index_write_lock(settings):  # an `assistant ingest` writing the index
        with pytest.raises(IndexBusyError, match="nothing was changed"):
            add_document(settings, "notes.txt", b"The ferry leaves at noon.\n", on_wait=heard.append)
    assert heard and "another ingest is writing the index" in heard[0]
    assert not (settings.corpus_dir / "notes.txt").exists()
