"""Ingest with the real model and the real Chroma store: idempotence, edits, deletes, crashes, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import CorpusError
from assistant.ingest import ingest
from assistant.settings import Settings
from assistant.store import ChromaIndex, open_index

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (ROOT / "corpus" / "global-security-architecture.txt").read_text(encoding="utf-8")
SECOND = "Second Story\nA Short Section\nThe harbour reopened in 1998 after repairs. Ferries returned within a week.\n"


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "harbour.md").write_text(SECOND, encoding="utf-8")
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def _state(settings: Settings) -> tuple[list[tuple[str, str, int, int]], int]:
    reader = open_index(settings).reader()
    passages = reader.all_passages()
    sentences, vectors = reader.sentences_of(passages)
    return [(p.id, p.doc, p.start, p.end) for p in passages], len(sentences)


def test_ingest_then_reingest_embeds_nothing_and_keeps_the_same_passages(settings: Settings, minilm) -> None:  # noqa: ANN001
    first = ingest(settings, embedder_factory=lambda: minilm)
    sections = {(p.doc, p.section) for p in open_index(settings).reader().all_passages() if p.section}
    assert first.embedded == first.sentences + len(sections) and first.documents == 2  # passages are composed
    before = _state(settings)

    def no_model():  # noqa: ANN202
        raise AssertionError("nothing changed, so the model must not be loaded")

    second = ingest(settings, embedder_factory=no_model)
    assert second.unchanged and second.embedded == 0
    assert _state(settings) == before
    assert len({pid for pid, *_ in before[0]}) == len(before[0])  # no duplicate ids


def test_an_edited_file_replaces_only_its_changed_passages(settings: Settings, minilm) -> None:  # noqa: ANN001
    ingest(settings, embedder_factory=lambda: minilm)
    edited = ARTICLE.replace("The Road Ahead", "The Road Ahead\nA brand new paragraph about ferries. It has two sentences.", 1)
    (settings.corpus_dir / "article.txt").write_text(edited, encoding="utf-8")
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.changed_documents == ["article.txt"]
    assert report.embedded == 3  # the new passage's two sentences and its section heading
    passages = open_index(settings).reader().all_passages()
    texts = [p.text for p in passages if p.doc == "article.txt"]
    assert "A brand new paragraph about ferries. It has two sentences." in texts
    for p in passages:
        source = (settings.corpus_dir / p.doc).read_text(encoding="utf-8")
        assert source[p.start:p.end] == p.text


def test_a_deleted_file_loses_its_passages(settings: Settings, minilm) -> None:  # noqa: ANN001
    ingest(settings, embedder_factory=lambda: minilm)
    (settings.corpus_dir / "harbour.md").unlink()
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.removed_documents == ["harbour.md"] and report.embedded == 0
    assert {p.doc for p in open_index(settings).reader().all_passages()} == {"article.txt"}


def test_a_non_utf8_file_fails_and_changes_nothing(settings: Settings, minilm) -> None:  # noqa: ANN001
    ingest(settings, embedder_factory=lambda: minilm)
    before = _state(settings)
    (settings.corpus_dir / "broken.txt").write_bytes(b"caf\xe9 au lait")
    with pytest.raises(CorpusError, match="broken.txt is not valid UTF-8"):
        ingest(settings, embedder_factory=lambda: minilm)
    assert _state(settings) == before


def test_an_empty_or_missing_corpus_fails_and_changes_nothing(settings: Settings, minilm) -> None:  # noqa: ANN001
    ingest(settings, embedder_factory=lambda: minilm)
    before = _state(settings)
    shutil.rmtree(settings.corpus_dir)
    with pytest.raises(CorpusError, match="not found"):
        ingest(settings, embedder_factory=lambda: minilm)
    settings.corpus_dir.mkdir()
    with pytest.raises(CorpusError, match="no .txt, .md, .html, .pdf or .docx files"):
        ingest(settings, embedder_factory=lambda: minilm)
    assert _state(settings) == before


class CrashingIndex(ChromaIndex):
    """Dies after writing the passages of the new generation, before its sentences and the commit."""

    def write_generation(self, generation, kind, spans, embeddings) -> None:  # noqa: ANN001
        super().write_generation(generation, kind, spans, embeddings)
        if kind == "passages":
            raise KeyboardInterrupt("simulated crash mid-ingest")


def test_a_crash_mid_ingest_leaves_the_previous_index_usable(settings: Settings, minilm) -> None:  # noqa: ANN001
    ingest(settings, embedder_factory=lambda: minilm)
    before = _state(settings)
    (settings.corpus_dir / "harbour.md").write_text(SECOND + "\nA third line was added. It matters.\n", encoding="utf-8")
    crashing = CrashingIndex(open_index(settings)._client, settings.collection_prefix)
    with pytest.raises(KeyboardInterrupt):
        ingest(settings, embedder_factory=lambda: minilm, index=crashing)
    assert _state(settings) == before  # readers still see the last committed generation

    report = ingest(settings, embedder_factory=lambda: minilm)
    after, _ = _state(settings)
    assert report.changed_documents == ["harbour.md"]
    assert len({pid for pid, *_ in after}) == len(after) == report.passages


def test_composed_passage_vectors_stand_for_their_passages(minilm) -> None:  # noqa: ANN001
    """Sentence vectors are exactly sentence-transformers'; each passage vector composed from its
    sentences and heading is nearest to its own passage encoded whole, among all the article's."""
    from assistant.corpus import load_corpus
    from assistant.ingest import _Embedding, _split_corpus

    passages, sentences = _split_corpus(load_corpus(ROOT / "corpus"), 120)
    composed, sentence_vectors = _Embedding(lambda: minilm, None).vectors(passages, sentences, {}, {})
    encoded_sentences = minilm.embed_array([s.text for s in sentences])
    assert np.min(np.sum(sentence_vectors * encoded_sentences, axis=1)) > 0.9999
    whole = minilm.embed_array([f"{p.section}\n{p.text}" if p.section else p.text for p in passages])
    similarity = composed @ whole.T
    assert list(similarity.argmax(axis=1)) == list(range(len(passages)))
    assert np.diag(similarity).min() > 0.8


def test_an_index_built_with_other_vectors_is_reembedded(settings: Settings, minilm) -> None:  # noqa: ANN001
    """An index labelled with another embedder or passage-vector scheme (e.g. one from before passages
    were composed) is embedded again, not reused."""
    from assistant.store import Manifest

    first = ingest(settings, embedder_factory=lambda: minilm)
    index = open_index(settings)
    manifest = index.manifest()
    index.commit(Manifest(manifest.generation, "minilm", manifest.documents))
    again = ingest(settings, embedder_factory=lambda: minilm)
    assert not again.unchanged and again.embedded == first.embedded and again.reused == 0
    assert open_index(settings).manifest().embedder == "minilm/composed-passages"


def test_sentences_read_back_are_exact_slices_of_their_files(settings: Settings, minilm) -> None:  # noqa: ANN001
    """Sentences are stored without their text, which is sliced from their passage when read."""
    ingest(settings, embedder_factory=lambda: minilm)
    passages = open_index(settings).reader().all_passages()
    sentences, vectors = open_index(settings).reader().sentences_of(passages)
    assert len(sentences) == len(vectors) > len(passages)
    section_of = {p.id: p.section for p in passages}
    for s in sentences:
        assert (settings.corpus_dir / s.doc).read_text(encoding="utf-8")[s.start:s.end] == s.text
        assert s.section == section_of[s.passage_id] and s.text
