"""BM25 over passages (bm25s), on the same stemmed content terms the answerer uses."""

from __future__ import annotations

from collections.abc import Sequence

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

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best ``k`` passages with a score above zero."""
        terms = [t for t in content_terms(query) if t in self._model.vocab_dict] if self._ids else []
        if not terms:
            return []
        k = min(k, len(self._ids))
        indices, scores = self._model.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [(self._ids[int(i)], float(s)) for i, s in zip(indices[0], scores[0], strict=True)
                if s > 0 and np.isfinite(s)]
