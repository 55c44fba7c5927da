"""Answers beyond one fact: a summary of the article (or of a topic), and a list gathered across it.

- A summary of the whole article picks ``n`` sentences by maximal marginal relevance around the
  article's centroid (the mean of its sentence vectors), one per section until every section has one,
  so the summary covers the article rather than its longest part. A summary of a topic ("sum up the
  historical background") does the same within the section of the most relevant sentence, relevance
  being the sentence head's score.
- A list ("which organizations are mentioned") quotes every sentence holding an item of the kind
  asked for: a name (a capitalised run or an acronym) whose embedding is close enough to the kind's,
  or a number or year when the kind is numeric.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.entities import names_in
from assistant.evidence import Evidence

_NUMERIC_KIND = re.compile(r"\b(?:years?|dates?|numbers?|figures?|amounts?|percentages?|statistics?|decades?)\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


def _mmr(vectors: np.ndarray, relevance: np.ndarray, pool: list[int], n: int, diversity: float,
         groups: list[str] | None = None) -> list[int]:
    """Greedy maximal marginal relevance over ``pool``; with ``groups``, one pick per group until
    every group of the pool has one."""
    chosen: list[int] = []
    remaining = list(pool)
    while remaining and len(chosen) < n:
        covered = {groups[i] for i in chosen} if groups else set()
        fresh = [i for i in remaining if groups and groups[i] not in covered]
        options = fresh or remaining
        redundancy = (vectors[options] @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(options))
        scores = (1 - diversity) * relevance[options] - diversity * redundancy
        pick = options[int(np.argmax(scores))]
        chosen.append(pick)
        remaining.remove(pick)
    return chosen


def summary_sentences(evidence: Evidence, logits: np.ndarray | None, n: int, diversity: float) -> list[int]:
    """Indices of the sentences of a summary (see the module docstring), in reading order."""
    sentences, vectors = evidence.sentences, evidence.sentence_vectors
    if not sentences:
        return []
    if logits is None:  # the whole article: around its centroid, covering its sections
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        relevance = vectors @ centroid
        pool = [i for i, s in enumerate(sentences) if len(s.text.split()) > 3]  # no stray fragments
        groups = [f"{s.doc}\n{s.section}" for s in sentences]
        chosen = _mmr(vectors, relevance, pool or list(range(len(sentences))), n, diversity, groups)
    else:  # a topic: the section of the most relevant sentence
        best = int(np.argmax(logits))
        pool = [i for i, s in enumerate(sentences) if (s.doc, s.section) == (sentences[best].doc, sentences[best].section)]
        relevance = 1.0 / (1.0 + np.exp(-logits))
        chosen = _mmr(vectors, relevance, pool, n, diversity)
    return sorted(chosen, key=lambda i: (sentences[i].doc, sentences[i].position))


def list_sentences(evidence: Evidence, min_similarity: float, limit: int) -> list[int]:
    """Indices of the sentences holding an item of the kind the list asks for, in reading order."""
    kind = evidence.analysis.kind
    sentences = evidence.sentences
    if _NUMERIC_KIND.search(kind):
        return [i for i, s in enumerate(sentences) if _NUMBER.search(s.text)][:limit]
    kind_vector = evidence.phrase_vectors.get(kind)
    if kind_vector is None:
        return []
    chosen = []
    for i, s in enumerate(sentences):
        vectors = [evidence.phrase_vectors[item] for item in names_in(s.text) if item in evidence.phrase_vectors]
        if vectors and float(np.max(np.asarray(vectors) @ kind_vector)) >= min_similarity:
            chosen.append(i)
    return chosen[:limit]
