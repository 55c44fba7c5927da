"""The question embedder's cache: each text embedded once, several missing texts in one batch."""

from __future__ import annotations

import numpy as np

from assistant.embeddings import QueryEncoder


class CountingEmbedder:
    """A stand-in embedder that records every call (vectors: the text's length, its word count)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    @staticmethod
    def _vector(text: str) -> list[float]:
        return [float(len(text)), float(len(text.split()))]

    def embed_query(self, text: str) -> list[float]:
        self.calls.append(("query", [text]))
        return self._vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(("batch", list(texts)))
        return [self._vector(t) for t in texts]


def test_a_follow_up_and_its_rewrite_are_embedded_in_one_batch_then_cached() -> None:
    embedder = CountingEmbedder()
    encoder = QueryEncoder(embedder)
    standalone, own = encoder.cached(["what did Medvedev propose about NATO", "what about NATO"])
    assert embedder.calls == [("batch", ["what did Medvedev propose about NATO", "what about NATO"])]
    assert np.array_equal(own, [15.0, 3.0]) and np.array_equal(standalone, [36.0, 6.0])
    assert not own.flags.writeable
    again = encoder.cached(["what about NATO", "what about NATO"])
    assert len(embedder.calls) == 1 and again[0] is again[1] is own
    encoder("a new one")
    assert embedder.calls[-1] == ("query", ["a new one"])


def test_the_cache_keeps_at_most_its_size() -> None:
    embedder = CountingEmbedder()
    encoder = QueryEncoder(embedder, cache_size=2)
    for text in ("one", "two", "three"):
        encoder(text)
    encoder("three")
    encoder("one")  # dropped first: embedded again
    assert [texts for _, texts in embedder.calls] == [["one"], ["two"], ["three"], ["one"]]
