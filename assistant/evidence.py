"""What retrieval hands an answerer: one ``Evidence`` object per question.

It holds the retrieved passages with their ranks in each ranking, their sentences with vectors, the
question's vector and the corpus statistics of the index generation they came from. Answerers read
nothing else: no answerer opens the index or encodes the question again, so every answerer can be
run over the same evidence (the contract tests do, with hand-made evidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.entities import Vocabulary
from assistant.followup import ResolvedQuestion
from assistant.lexical import BM25Index
from assistant.questions import QuestionAnalysis
from assistant.types import Passage, RetrievedPassage, Sentence


class CorpusStatistics:
    """Statistics of one index generation, built once when the retriever loads it.

    IDF comes from the BM25 index itself; the vocabulary tells a name the corpus mentions from one it
    never does; ``sections`` lists each document's section headings in reading order.
    """

    def __init__(self, passages: Sequence[Passage], lexical: BM25Index, generation: int | None = None,
                 vocabulary: Vocabulary | None = None) -> None:
        self.generation = generation
        self.lexical = lexical
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary(f"{p.section}\n{p.text}" for p in passages)
        self.sections: dict[str, list[str]] = {}
        for p in sorted(passages, key=lambda p: (p.doc, p.position)):
            headings = self.sections.setdefault(p.doc, [])
            if not headings or headings[-1] != p.section:
                headings.append(p.section)

    def idf(self, term: str) -> float:
        """BM25's IDF of a stemmed content term (the highest for a term no passage uses)."""
        return self.lexical.idf(term)

    @property
    def max_idf(self) -> float:
        """The IDF of a term no passage uses: the largest there is."""
        return self.lexical.max_idf


@dataclass(frozen=True)
class PassageRanks:
    """Where a retrieved passage stood in each ranking (1 = first; None = not in that ranking)."""

    dense: int | None
    sentence: int | None
    lexical: int | None
    fused: int
    score: float


@dataclass(frozen=True)
class Evidence:
    """Everything an answerer may use to answer one question.

    ``sentences`` are those of ``passages`` in reading order, ``sentence_vectors`` their normalised
    embeddings (one row each); ``query_vector`` embeds ``question.standalone`` and ``own_vector`` the
    question's own words when it is a follow-up (else it is ``query_vector``). ``whole_document`` is
    set when the passages are a whole document (a summary or a list), not a ranked selection; for a
    list, ``phrase_vectors`` embeds the kind asked for and the names the document's sentences hold.
    """

    question: ResolvedQuestion
    analysis: QuestionAnalysis
    query_vector: np.ndarray
    own_vector: np.ndarray
    passages: list[RetrievedPassage]
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    statistics: CorpusStatistics
    ranks: dict[str, PassageRanks] = field(default_factory=dict)
    whole_document: bool = False
    phrase_vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def passage_rank(self, passage_id: str) -> int:
        """Rank (from 1) of a passage in the fused ranking; one past the last when it was not ranked."""
        ranks = self.ranks.get(passage_id)
        return ranks.fused if ranks else len(self.passages) + 1
