"""A real index (real model, real Chroma) of three articles in three formats, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings

from .pages import minimal_pdf, news_page, word_document

PDF_PAGES = [["CITY BUDGET REPORT", "The city council approved a budget of 12 million euros for",
              "new bicycle lanes on Monday.", "Mayor Anna Berg said the work starts in May."],
             ["SCHOOLS", "Three new schools will open in the autumn of next year, the council said."]]
LIBRARY = {"Background": ["The central library closed in 2023 for a renovation costing 8 million euros."],
           "Reopening": ["The library will reopen on 1 June with a new children's wing."]}


def write_corpus(folder: Path) -> None:
    """harbour.html, report.pdf and library.docx."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.html").write_text(news_page(), encoding="utf-8")
    (folder / "report.pdf").write_bytes(minimal_pdf(PDF_PAGES, title="City budget report", author="Press office"))
    (folder / "library.docx").write_bytes(word_document("Library renovation", "Jon Park", LIBRARY))


@pytest.fixture(scope="session")
def formats_settings(tmp_path_factory: pytest.TempPathFactory, minilm) -> Settings:  # noqa: ANN001
    """Settings of an index over the three-format corpus."""
    from assistant.ingest import ingest

    base = tmp_path_factory.mktemp("formats")
    write_corpus(base / "corpus")
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index")
    ingest(settings, embedder_factory=lambda: minilm)
    return settings


@pytest.fixture(scope="session")
def formats_service(formats_settings: Settings, minilm):  # noqa: ANN001, ANN201
    """The real service over the three-format index."""
    from assistant.embeddings import QueryEncoder
    from assistant.service import AssistantService

    return AssistantService.from_settings(formats_settings, encoder=QueryEncoder(minilm))
