"""HTML, PDF and DOCX articles answered and cited exactly, against the text ``assistant text`` prints."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.settings import Settings

from .pages import news_page

pytestmark = pytest.mark.e2e


def _cli(capsys: pytest.CaptureFixture, settings: Settings, *args: str) -> tuple[int, str, str]:
    argv = ["--index", str(settings.index_dir), *args]
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _text(capsysbinary: pytest.CaptureFixture, settings: Settings, doc: str) -> str:
    assert main(["--index", str(settings.index_dir), "text", doc]) == 0
    return capsysbinary.readouterr().out.decode("utf-8")


@pytest.mark.parametrize(("question", "doc", "quoted", "page"), [
    ("How much did the harbour repairs cost?", "harbour.html", "the repairs cost 2.4 million euros", None),
    ("How many new schools will open?", "report.pdf", "Three new schools will open", 2),
    ("How much did the library renovation cost?", "library.docx", "renovation costing 8 million euros", None),
])
def test_each_format_is_answered_and_cited_at_exact_offsets(formats_service, formats_settings: Settings,  # noqa: ANN001
                                                            capsysbinary, question: str, doc: str, quoted: str,
                                                            page: int | None) -> None:
    answer = formats_service.ask(question)
    assert not answer.abstained
    cited = [c for c in answer.citations if quoted in c.text]
    assert cited and cited[0].doc == doc, answer.citations
    text = _text(capsysbinary, formats_settings, doc)
    for c in answer.citations:
        assert _text(capsysbinary, formats_settings, c.doc)[c.start:c.end] == c.text
    assert text[cited[0].start:cited[0].end] == cited[0].text
    assert cited[0].page == page
    assert cited[0].title  # several documents: each citation names its article


def test_the_newsletter_price_in_the_navigation_is_never_answered(formats_service) -> None:  # noqa: ANN001
    for doc in (None, "harbour.html"):
        answer = formats_service.ask("How much does the newsletter subscription cost a month?", doc=doc)
        assert answer.abstained, answer.answer
        assert all("4.99" not in p.text for p in answer.retrieved)


def test_a_question_can_target_one_article(formats_service) -> None:  # noqa: ANN001
    answer = formats_service.ask("How much did it cost?", doc="library.docx")
    assert {p.doc for p in answer.retrieved} == {"library.docx"}


def test_documents_lists_the_metadata(capsys, formats_settings: Settings) -> None:  # noqa: ANN001
    code, out, _ = _cli(capsys, formats_settings, "documents", "--json")
    records = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0 and set(records) == {"harbour.html", "report.pdf", "library.docx"}
    assert records["harbour.html"]["author"] == "Maria Lindqvist" and records["harbour.html"]["date"] == "2024-03-05"
    assert records["report.pdf"]["pages"] == 2 and records["report.pdf"]["title"] == "City budget report"
    assert records["library.docx"]["title"] == "Library renovation"
    code, out, err = _cli(capsys, formats_settings, "text", "missing.pdf")
    assert code == 2 and "no document named 'missing.pdf'" in err


def test_the_evaluators_offset_check_reads_the_kept_text(formats_settings: Settings, capsysbinary) -> None:  # noqa: ANN001
    from assistant.evaluation.runner import corpus_reader

    read = corpus_reader(formats_settings.corpus_dir, formats_settings.index_dir)
    assert read("report.pdf") == _text(capsysbinary, formats_settings, "report.pdf")
    assert read("report.pdf") != (formats_settings.corpus_dir / "report.pdf").read_bytes().decode("latin-1")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep stderr for the CLI's own lines
        return


@pytest.fixture
def page_server(tmp_path: Path) -> Iterator[str]:
    """A local http.server serving a news page and a non-HTML file."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "harbour.html").write_text(news_page(title="Harbour reopens", author="Ana Ruiz"), encoding="utf-8")
    (site / "data.json").write_text('{"a": 1}', encoding="utf-8")
    handler = partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_ingest_url_fetches_keeps_and_indexes_the_page(page_server: str, tmp_path: Path, capsys,  # noqa: ANN001
                                                       monkeypatch: pytest.MonkeyPatch, minilm) -> None:  # noqa: ANN001
    import assistant.ingest

    monkeypatch.setattr(assistant.ingest, "build_embedder", lambda settings: minilm)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "notes.txt").write_text("Notes\nThe ferry leaves at noon every day.\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    from assistant.settings import get_settings

    get_settings.cache_clear()
    settings = Settings(corpus_dir=corpus, index_dir=index)
    url = f"{page_server}/harbour.html"
    code, out, err = _cli(capsys, settings, "ingest", "--url", url)
    assert code == 0, err
    name = "127-0-0-1-harbour.html"  # host and path
    assert f"added {name} from {url}" in out
    assert (corpus / name).read_text(encoding="utf-8") == news_page(title="Harbour reopens", author="Ana Ruiz")
    assert (corpus / (name + ".url")).read_text(encoding="utf-8").strip() == url
    code, out, _ = _cli(capsys, settings, "documents", "--json")
    record = next(r for r in map(json.loads, out.splitlines()) if r["name"] == name)
    assert (record["url"], record["author"], record["title"]) == (url, "Ana Ruiz", "Harbour reopens")
    code, _, err = _cli(capsys, settings, "ingest", "--url", url)
    assert code == 2 and "exists already" in err  # not replaced unless asked
    for bad, message in ((f"{page_server}/data.json", "is application/json, not an HTML page or a PDF"),
                         (f"{page_server}/missing.html", "HTTP 404"),
                         ("ftp://example.org/page.html", "only http:// and https:// URLs")):
        code, _, err = _cli(capsys, settings, "ingest", "--url", bad)
        assert code == 2 and message in err and err.count("\n") == 1, err
    get_settings.cache_clear()
