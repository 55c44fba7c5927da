"""A real index (real model, real Chroma) of three articles in three formats, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings

from .pages import write_corpus

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
