"""BM25 over passages (bm25s), on the same stemmed content terms the answerer uses.

The index's own statistics (document frequencies, hence IDF) are also what the answerer weighs
question terms with: there is no second IDF table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from assistant.text import content_terms
from assistant.types import Passage


class BM25Index:
    """An in-memory BM25 index of passages, built from the committed store at start-up."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._ids = [p.id for p in passages]
        self._model = bm25s.BM25()
        corpus = [content_terms(f"{p.section} {p.text}") or [""] for p in passages]
        if corpus:
            self._model.index(corpus, show_progress=False)
        self._count_documents()

    def _count_documents(self) -> None:
        # bm25s keeps a term-major sparse matrix: a term's column holds one entry per passage using it
        indptr = self._model.scores.get("indptr") if self._ids else None
        self._df = np.diff(indptr) if indptr is not None else np.zeros(0, np.int64)

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (bm25s's own format); ``load`` reads it back."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._ids:
            self._model.save(folder, show_progress=False)

    @classmethod
    def load(cls, folder: Path, ids: Sequence[str]) -> BM25Index:
        """The index ``save`` wrote to ``folder``, over the passages ``ids`` (in the order it was built with)."""
        index = cls.__new__(cls)
        index._ids = list(ids)
        index._model = bm25s.BM25.load(folder, show_progress=False) if index._ids else bm25s.BM25()
        if index._ids and index._model.scores.get("num_docs") != len(index._ids):
            raise ValueError(f"the BM25 index in {folder} does not hold {len(index._ids)} passages")
        index._count_documents()
        return index

    @property
    def size(self) -> int:
        """Number of indexed passages."""
        return len(self._ids)

    def document_frequency(self, term: str) -> int:
        """How many passages use ``term`` (a stemmed content term)."""
        index = self._model.vocab_dict.get(term) if self._ids else None
        return int(self._df[index]) if index is not None else 0

    def idf(self, term: str) -> float:
        """BM25's (Lucene) IDF of a term; a term no passage uses gets the highest value (``max_idf``)."""
        n, df = max(self.size, 1), self.document_frequency(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    @property
    def max_idf(self) -> float:
        """The IDF of a term no passage uses."""
        return math.log(1.0 + (max(self.size, 1) + 0.5) / 0.5)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best ``k`` passages with a score above zero."""
        terms = [t for t in content_terms(query) if t in self._model.vocab_dict] if self._ids else []
        if not terms:
            return []
        k = min(k, len(self._ids))
        # n_threads=0: a plain map (n_threads=1 would start a thread pool for every question)
        indices, scores = self._model.retrieve([terms], k=k, show_progress=False, n_threads=0)
        return [(self._ids[int(i)], float(s)) for i, s in zip(indices[0], scores[0], strict=True)
                if s > 0 and np.isfinite(s)]
