"""Hand-made evidence and answer models for unit tests of the answerers (no index, no embedding model).

``make_evidence`` builds what ``HybridRetriever.gather`` returns from a few sentences, their vectors
and the question's vector; ``hand_model`` builds an ``AnswerModel`` whose heads read one feature each,
so a test pins a decision rule independently of the fitted weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.answer_model import AnswerModel, LinearHead
from assistant.evidence import CorpusStatistics, Evidence, PassageRanks
from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES
from assistant.followup import ResolvedQuestion
from assistant.lexical import BM25Index
from assistant.questions import analyse
from assistant.spans import SPAN_FEATURES
from assistant.types import Passage, RetrievedPassage, Sentence

DOC = "news.txt"


def unit_vector(i: int, dim: int = 8) -> np.ndarray:
    """The i-th basis vector."""
    v = np.zeros(dim, np.float32)
    v[i] = 1.0
    return v


def make_passages(sections: Sequence[tuple[str, Sequence[str]]], doc: str = DOC) -> tuple[str, list[Passage], list[Sentence]]:
    """A document of sections (heading, sentences), one passage per section: its text, passages, sentences."""
    text, passages, sentences = "", [], []
    for p_index, (heading, section_sentences) in enumerate(sections):
        text += heading + "\n"
        start = len(text)
        body = " ".join(section_sentences)
        text += body + "\n"
        pid = f"p{p_index}"
        passages.append(Passage(id=pid, doc=doc, section=heading, start=start, end=start + len(body), text=body,
                                position=p_index))
        cursor = start
        for sentence in section_sentences:
            s_start = text.index(sentence, cursor)
            cursor = s_start + len(sentence)
            sentences.append(Sentence(id=f"s{len(sentences)}", passage_id=pid, doc=doc, section=heading,
                                      start=s_start, end=cursor, text=sentence, position=len(sentences)))
    return text, passages, sentences


def make_evidence(question: str | ResolvedQuestion, sections: Sequence[tuple[str, Sequence[str]]],
                  vectors: np.ndarray, query_vector: np.ndarray, *, whole_document: bool = False,
                  phrase_vectors: dict[str, np.ndarray] | None = None) -> Evidence:
    """Evidence over every passage of a hand-made document (``vectors``: one row per sentence)."""
    resolved = question if isinstance(question, ResolvedQuestion) else ResolvedQuestion(question)
    _, passages, sentences = make_passages(sections)
    retrieved = [RetrievedPassage(id=p.id, doc=p.doc, section=p.section, start=p.start, end=p.end, text=p.text,
                                  score=1.0 / (1 + i)) for i, p in enumerate(passages)]
    ranks = {p.id: PassageRanks(dense=i + 1, sentence=i + 1, lexical=i + 1, fused=i + 1, score=p.score)
             for i, p in enumerate(retrieved)}
    statistics = CorpusStatistics(passages, BM25Index(passages), generation=1)
    return Evidence(question=resolved, analysis=analyse(resolved.question), query_vector=query_vector,
                    own_vector=query_vector, passages=retrieved, sentences=sentences,
                    sentence_vectors=np.asarray(vectors, np.float32), statistics=statistics, ranks=ranks,
                    whole_document=whole_document, phrase_vectors=phrase_vectors or {})


def _head(features: Sequence[str], weights: dict[str, float], intercept: float,
          threshold: float | None = None) -> LinearHead:
    coef = np.array([weights.get(name, 0.0) for name in features])
    n = len(features)
    return LinearHead(tuple(features), np.zeros(n), np.ones(n), coef, intercept, threshold)


def hand_model(*, sentence: dict[str, float] | None = None, answerable: dict[str, float] | None = None,
               answerable_intercept: float = 0.0, abstain_threshold: float = 0.5,
               span: dict[str, float] | None = None, span_threshold: float = 0.5) -> AnswerModel:
    """An answer model with hand-set heads (by default: relevance = similarity, answerable when the best
    sentence's logit is positive, short answer = the phrase outside the question's words)."""
    return AnswerModel(
        sentence=_head(SENTENCE_FEATURES, sentence or {"dense": 10.0, "coverage": 2.0}, -5.0),
        answerable=_head(QUESTION_FEATURES, answerable or {"best_logit": 1.0}, answerable_intercept,
                         abstain_threshold),
        span=_head(SPAN_FEATURES, span or {"question_overlap": -10.0, "has_year": 4.0, "distance": -2.0, "len_1": 2.0}, -1.0,
                   span_threshold),
        info={"name": "hand-made"},
    )
