"""bench/peer.py is the LangChain RAG tutorial's pipeline: its splitter settings, store class, model and k."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.settings import Settings

PEER = Path(__file__).resolve().parents[2] / "bench" / "peer.py"


@pytest.fixture()
def peer(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.syspath_prepend(str(PEER.parent))
    import peer

    return peer


def _calls(name: str) -> list[ast.Call]:
    tree = ast.parse(PEER.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)]


def test_the_source_calls_the_tutorial_classes_with_its_settings(peer) -> None:  # noqa: ANN001
    (splitter,) = _calls("RecursiveCharacterTextSplitter")
    keywords = {k.arg: ast.unparse(k.value) for k in splitter.keywords}
    assert keywords == {"chunk_size": "CHUNK_SIZE", "chunk_overlap": "CHUNK_OVERLAP", "add_start_index": "True"}
    assert (peer.CHUNK_SIZE, peer.CHUNK_OVERLAP, peer.K) == (1000, 200, 4)
    (search,) = _calls("similarity_search")
    assert [ast.unparse(k.value) for k in search.keywords if k.arg == "k"] == ["K"]
    assert len(_calls("Chroma")) == 2 and len(_calls("HuggingFaceEmbeddings")) == 1


@pytest.mark.e2e  # loads sentence-transformers (torch)
def test_the_real_objects_are_the_tutorial_ones(peer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    made = {}
    real_init = RecursiveCharacterTextSplitter.__init__

    def spy(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        made.update(kwargs)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(RecursiveCharacterTextSplitter, "__init__", spy)
    chunks = peer.split(peer.load_documents(Path(__file__).resolve().parents[2] / "corpus"))
    assert made == {"chunk_size": 1000, "chunk_overlap": 200, "add_start_index": True}
    assert chunks and max(len(c.page_content) for c in chunks) <= 1000
    assert all("start_index" in c.metadata and "source" in c.metadata for c in chunks)
    assert isinstance(peer.embeddings(), HuggingFaceEmbeddings)
    store = peer.open_store(tmp_path / "peer", embedding=_FakeEmbeddings())
    assert isinstance(store, Chroma)


class _FakeEmbeddings:
    """Enough of LangChain's Embeddings for opening a store without loading a model."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(len(text)), 1.0]


@pytest.mark.e2e
def test_the_peer_retrieves_four_chunks_of_the_article(peer, article_settings: Settings, tmp_path: Path,  # noqa: ANN001
                                                       minilm) -> None:  # noqa: ANN001  (torch already imported)
    store = peer.build(article_settings.corpus_dir, tmp_path / "peer")
    found = peer.retrieve(store, "What did Medvedev propose in 2008?")
    assert len(found) == 4
    assert any("European Security Treaty" in d.page_content for d in found)
