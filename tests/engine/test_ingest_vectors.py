"""How ingest composes passage vectors from encoded sentences and headings (a fake model, no torch)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from assistant.corpus import Document
from assistant.embeddings import TokenSums
from assistant.ingest import _Embedding, _split_corpus

TEXT = ("Harbours\nThe harbour opened in 1901. Ferries left at dawn.\n\n"
        "Lighthouses\nThe lighthouse was painted red. It was rebuilt in 1960. Keepers left in 1985.\n")


class CountingModel:
    """Each text's token sums: a fixed random vector per word, one token per word."""

    batch_size = 32
    CHUNK_BATCHES = 16

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @staticmethod
    def word_vector(word: str) -> np.ndarray:
        return np.random.default_rng(zlib.crc32(word.encode())).normal(size=8).astype(np.float32)

    def token_sums(self, texts, on_batch=None) -> TokenSums:  # noqa: ANN001
        self.calls.append(list(texts))
        return TokenSums(np.vstack([sum(self.word_vector(w) for w in t.split()) for t in texts]))


def _normalised(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


@pytest.fixture
def spans():  # noqa: ANN201
    return _split_corpus([Document(name="a.txt", text=TEXT)], max_words=120)


def test_a_passage_vector_is_the_mean_over_its_heading_and_sentence_tokens(spans) -> None:  # noqa: ANN001
    passages, sentences = spans
    model = CountingModel()
    passage_vectors, sentence_vectors = _Embedding(lambda: model, None).vectors(passages, sentences, {}, {})
    for i, passage in enumerate(passages):
        words = f"{passage.section} {passage.text}".split()
        expected = _normalised(sum(CountingModel.word_vector(w) for w in words))
        assert np.allclose(passage_vectors[i], expected, atol=1e-5)
    for i, sentence in enumerate(sentences):
        expected = _normalised(sum(CountingModel.word_vector(w) for w in sentence.text.split()))
        assert np.allclose(sentence_vectors[i], expected, atol=1e-5)
    assert len(model.calls) == 1 and sorted(model.calls[0]) == sorted([s.text for s in sentences] + ["Harbours", "Lighthouses"])


def test_known_vectors_are_reused_and_a_new_passage_reencodes_only_its_own_sentences(spans) -> None:  # noqa: ANN001
    passages, sentences = spans
    first = _Embedding(CountingModel, None)
    p_vecs, s_vecs = first.vectors(passages, sentences, {}, {})
    known_p = {p.id: v for p, v in zip(passages, p_vecs)}
    known_s = {s.id: v for s, v in zip(sentences, s_vecs)}
    new = passages[1]
    del known_p[new.id]
    model = CountingModel()
    embedding = _Embedding(lambda: model, None)
    again_p, again_s = embedding.vectors(passages, sentences, known_p, known_s)
    own = [s.text for s in sentences if s.passage_id == new.id]
    assert model.calls == [own + [new.section]]
    assert np.allclose(again_p, p_vecs, atol=1e-6) and np.allclose(again_s, s_vecs, atol=1e-6)
    assert embedding.embedded == len(own) + 1
    assert embedding.reused == len(passages) - 1 + len(sentences) - len(own)


def test_nothing_new_loads_no_model(spans) -> None:  # noqa: ANN001
    passages, sentences = spans
    vectors = np.eye(8, dtype=np.float32)
    known_p = {p.id: vectors[i] for i, p in enumerate(passages)}
    known_s = {s.id: vectors[i % 8] for i, s in enumerate(sentences)}

    def no_model():  # noqa: ANN202
        raise AssertionError("every vector is known: the model must not load")

    embedding = _Embedding(no_model, None)
    p_vecs, s_vecs = embedding.vectors(passages, sentences, known_p, known_s)
    assert p_vecs.shape == (len(passages), 8) and s_vecs.shape == (len(sentences), 8)
    assert embedding.embedded == 0 and embedding.reused == len(passages) + len(sentences)
