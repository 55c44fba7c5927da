"""The offline answerer: quotes the sentences of the retrieved passages that answer the question.

Each sentence of the retrieved passages gets a support score mixing its embedding similarity to
the question, the IDF-weighted share of the question's terms it contains, and the rank of its
passage. The best sentence is kept, then others that cover question terms it lacks (multi-hop);
a sentence opening with "This", "Yet", "Each of these"… brings the sentence it refers back to.
The answer abstains when the best support is weak or no candidate holds the kind of fact asked
for (a number for "how many", a date for "when"…). Citations are the exact sentence spans.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer_types import AnswerType, expected_type, holds_type, years_in
from assistant.answerers.base import Draft
from assistant.embeddings import QueryEncoder
from assistant.followup import ResolvedQuestion
from assistant.store import IndexReader
from assistant.text import content_terms
from assistant.types import Citation, Passage, RetrievedPassage, Sentence

_REFERS_BACK = re.compile(
    r"^(?:this|these|that|those|such|yet|each of these|both|it|they|the latter|the former|"
    r"in this context|in that context)\b",
    re.IGNORECASE,
)
_SUMMARY = re.compile(r"\b(sum(?:s|med)? up|summar\w*|overview|main points|gist|recap|outline|in short|"
                      r"in a nutshell|key points|tl;?dr)\b", re.IGNORECASE)
CONTEXT_TERM_WEIGHT = 0.4


@dataclass(frozen=True)
class ScoringWeights:
    """How the signals of a sentence's support score are mixed (tuned on the dev set)."""

    dense: float = 0.6
    lexical: float = 0.4
    passage_rank: float = 0.05
    extra_sentence_ratio: float = 0.8
    extra_sentence_min_gain: float = 0.2


class TermStatistics:
    """Inverse document frequencies of content terms over the indexed passages."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for passage in passages:
            n += 1
            df.update(set(content_terms(f"{passage.section} {passage.text}")))
        self._df = df
        self._n = max(n, 1)
        self.unseen_idf = self.idf_of(0)

    def idf_of(self, df: int) -> float:
        """BM25's IDF for a document frequency."""
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        """IDF of a term; a term the corpus never uses gets the highest."""
        return self.idf_of(self._df.get(term, 0))


class ExtractiveAnswerer:
    """Answers with quoted, cited sentences; see the module docstring."""

    def __init__(self, reader: IndexReader, encoder: QueryEncoder, stats: TermStatistics, *,
                 abstain_threshold: float, max_sentences: int, abstention_message: str,
                 weights: ScoringWeights | None = None) -> None:
        self._reader = reader
        self._encoder = encoder
        self._stats = stats
        self.abstain_threshold = abstain_threshold
        self._max_sentences = max_sentences
        self._abstention = Draft(answer=abstention_message, abstained=True)
        self._weights = weights or ScoringWeights()

    # -- scoring ------------------------------------------------------------------------------
    def _query_terms(self, question: ResolvedQuestion) -> dict[str, float]:
        weights = {t: self._stats.idf(t) for t in content_terms(question.question)}
        for term in content_terms(question.context):
            weights.setdefault(term, CONTEXT_TERM_WEIGHT * self._stats.idf(term))
        return weights

    def support_scores(self, question: ResolvedQuestion, sentences: Sequence[Sentence], vectors: np.ndarray,
                       passage_rank: dict[str, int]) -> tuple[np.ndarray, list[set[str]], dict[str, float]]:
        """Support score of each sentence, the query terms each covers, and the query term weights."""
        w = self._weights
        dense = vectors @ self._encoder(question.standalone)
        query = self._query_terms(question)
        total = sum(query.values()) or 1.0
        covered = [set(content_terms(s.text)) & query.keys() for s in sentences]
        lexical = np.array([sum(query[t] for t in c) / total for c in covered])
        prior = np.array([1.0 / (1 + passage_rank[s.passage_id]) for s in sentences])
        return w.dense * dense + w.lexical * lexical + w.passage_rank * prior, covered, query

    # -- selection ----------------------------------------------------------------------------
    def _select(self, order: list[int], scores: np.ndarray, covered: list[set[str]], query: dict[str, float],
                best: int) -> list[int]:
        """The best sentence plus those that add enough uncovered question terms."""
        w = self._weights
        chosen = [best]
        have = set(covered[best])
        total = sum(query.values()) or 1.0
        for i in order:
            if len(chosen) >= self._max_sentences or scores[i] < w.extra_sentence_ratio * scores[best]:
                break
            gain = sum(query[t] for t in covered[i] - have) / total
            if i not in chosen and gain >= w.extra_sentence_min_gain:
                chosen.append(i)
                have |= covered[i]
        return chosen

    def _summary(self, order: list[int], sentences: Sequence[Sentence], best: int) -> list[int]:
        section = (sentences[best].doc, sentences[best].section)
        same = [i for i in order if (sentences[i].doc, sentences[i].section) == section]
        return same[: self._max_sentences]

    @staticmethod
    def _with_antecedents(chosen: list[int], sentences: Sequence[Sentence]) -> list[int]:
        by_position = {(s.doc, s.position): i for i, s in enumerate(sentences)}
        out = set(chosen)
        for i in chosen:
            s = sentences[i]
            previous = by_position.get((s.doc, s.position - 1))
            if previous is not None and _REFERS_BACK.match(s.text):
                out.add(previous)
        return sorted(out, key=lambda i: (sentences[i].doc, sentences[i].position))

    # -- output -------------------------------------------------------------------------------
    @staticmethod
    def _citations(chosen: list[int], sentences: Sequence[Sentence],
                   passages: dict[str, RetrievedPassage]) -> list[Citation]:
        """One citation per run of adjacent sentences of the same passage, text sliced exactly."""
        runs: list[list[Sentence]] = []
        for i in chosen:
            s = sentences[i]
            last = runs[-1][-1] if runs else None
            if last and last.passage_id == s.passage_id and last.position + 1 == s.position:
                runs[-1].append(s)
            else:
                runs.append([s])
        citations = []
        for marker, run in enumerate(runs, start=1):
            passage = passages[run[0].passage_id]
            start, end = run[0].start, run[-1].end
            citations.append(Citation(marker=marker, doc=passage.doc, section=passage.section, start=start,
                                      end=end, text=passage.text[start - passage.start:end - passage.start]))
        return citations

    @staticmethod
    def _years_between(chosen: list[int], sentences: Sequence[Sentence]) -> str | None:
        years = sorted({y for i in chosen for y in years_in(sentences[i].text)})
        if len(years) < 2:
            return None
        first, last = years[0], years[-1]
        return f"{last - first} years ({first} to {last})."

    def answer(self, question: ResolvedQuestion, passages: Sequence[RetrievedPassage]) -> Draft:
        """Quote and cite the sentences that answer ``question``, or abstain."""
        if not passages:
            return self._abstention
        rank = {p.id: r for r, p in enumerate(passages)}
        sentences, vectors = self._reader.sentences_of(list(rank))
        if not sentences:
            return self._abstention
        scores, covered, query = self.support_scores(question, sentences, vectors, rank)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        wanted = expected_type(question.question)
        typed = [i for i in order if holds_type(sentences[i].text, wanted)]
        if not typed or scores[typed[0]] < self.abstain_threshold:
            return self._abstention
        best = typed[0]
        if _SUMMARY.search(question.question):
            chosen = self._summary(order, sentences, best)
        else:
            chosen = self._select(typed if wanted is not AnswerType.ANY else order, scores, covered, query, best)
        chosen = self._with_antecedents(chosen, sentences)
        citations = self._citations(chosen, sentences, {p.id: p for p in passages})
        lead = ""
        if wanted is AnswerType.YEARS_BETWEEN:
            lead = self._years_between(chosen, sentences) or ""
            if not lead:
                return self._abstention
        quoted = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        return Draft(answer=f"{lead} {quoted}".strip(), abstained=False, citations=citations)
