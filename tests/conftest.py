"""Shared fixtures: a real index of the shipped article built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import assistant  # noqa: F401  (offline environment first)
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def minilm():  # noqa: ANN201
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    from assistant.embeddings import build_embedder

    return build_embedder(Settings())


@pytest.fixture(scope="session")
def article_settings(tmp_path_factory: pytest.TempPathFactory, minilm) -> Settings:  # noqa: ANN001
    """Settings for an index of the shipped corpus in a temporary folder, ingested with the real model."""
    from assistant.ingest import ingest

    base = tmp_path_factory.mktemp("article")
    corpus = base / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=base / "index")
    ingest(settings, embedder_factory=lambda: minilm)
    return settings


@pytest.fixture(scope="session")
def article_service(article_settings: Settings, minilm):  # noqa: ANN001, ANN201
    """The real service (real model, real Chroma) over the shipped article."""
    from assistant.embeddings import QueryEncoder
    from assistant.service import AssistantService

    return AssistantService.from_settings(article_settings, encoder=QueryEncoder(minilm))
