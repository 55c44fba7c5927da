"""BM25 over passages (bm25s), on the same stemmed content terms the answerer uses.

bm25s builds the index: its eager score matrix holds, for every term, the BM25 score of each passage
that uses it (a compressed sparse column matrix). A query's scores are the sum of its terms' columns,
so answering needs only that matrix and the vocabulary: ``save`` writes them as plain NumPy arrays and
JSON, ``load`` reads them back without importing bm25s (and the SciPy it imports, a quarter of a
second of every cold start). ``search`` sums and ranks exactly as ``bm25s.BM25.retrieve`` does (the
tests compare the two).

The index's own statistics (document frequencies, hence IDF) are also what the answerer weighs
question terms with: there is no second IDF table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.text import content_terms
from assistant.types import Passage

MATRIX_FILE = "scores.npz"
VOCABULARY_FILE = "terms.json"


class BM25Index:
    """An in-memory BM25 index of passages: built by bm25s, or read back from what ``save`` wrote."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._ids = [p.id for p in passages]
        corpus = [content_terms(f"{p.section} {p.text}") or [""] for p in passages]
        self._terms: dict[str, int] = {}
        self._data = np.zeros(0, np.float32)
        self._indices = np.zeros(0, np.int32)
        self._indptr = np.zeros(1, np.int64)
        if corpus:
            import bm25s  # only to build: reading a saved index does not need it

            model = bm25s.BM25()
            model.index(corpus, show_progress=False)
            self._terms = {term: column for term, column in model.vocab_dict.items() if term}  # not its "" filler
            self._data, self._indices, self._indptr = (model.scores[k] for k in ("data", "indices", "indptr"))
        self._df = np.diff(self._indptr)  # a term's column holds one entry per passage using it

    def save(self, folder: Path) -> None:
        """Write the score matrix and the vocabulary to ``folder``; ``load`` reads them back."""
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / MATRIX_FILE, data=self._data, indices=self._indices, indptr=self._indptr)
        (folder / VOCABULARY_FILE).write_text(json.dumps(self._terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, ids: Sequence[str]) -> BM25Index:
        """The index ``save`` wrote to ``folder``, over the passages ``ids`` (in the order it was built with)."""
        index = cls.__new__(cls)
        index._ids = list(ids)
        with np.load(folder / MATRIX_FILE) as arrays:
            index._data, index._indices, index._indptr = arrays["data"], arrays["indices"], arrays["indptr"]
        index._terms = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        columns = len(index._indptr) - 1
        if (max(index._terms.values(), default=-1) >= columns
                or int(index._indices.max(initial=-1)) >= len(index._ids)):
            raise ValueError(f"the BM25 index in {folder} does not hold {len(index._ids)} passages")
        index._df = np.diff(index._indptr)
        return index

    @property
    def size(self) -> int:
        """Number of indexed passages."""
        return len(self._ids)

    def document_frequency(self, term: str) -> int:
        """How many passages use ``term`` (a stemmed content term)."""
        column = self._terms.get(term)
        return int(self._df[column]) if column is not None else 0

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
        columns = [self._terms[t] for t in content_terms(query) if t in self._terms] if self._ids else []
        if not columns:
            return []
        k = min(k, len(self._ids))
        scores = np.zeros(len(self._ids), np.float32)
        for column in columns:  # term by term, as bm25s adds them
            start, end = self._indptr[column], self._indptr[column + 1]
            scores[self._indices[start:end]] += self._data[start:end]  # a column names each passage once
        top = np.argpartition(scores, -k)[-k:]  # bm25s's top-k selection: partition, then sort descending
        order = top[np.flip(np.argsort(scores[top]))]
        return [(self._ids[int(i)], float(scores[i])) for i in order if scores[i] > 0 and np.isfinite(scores[i])]
