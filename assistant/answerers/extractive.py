"""The offline answerer: quotes the sentences of the retrieved passages that answer the question.

Sentences of the retrieved passages are grouped into *units*: a sentence and the following ones
that refer back to it ("This…", "Yet…", "Each of these…"). A unit's support score mixes its best
embedding similarity to the question, the IDF-weighted share of the question's terms it covers
(section-heading terms at a lower weight) and the rank of its passage. The best unit is quoted,
then others that cover question terms it lacks (multi-hop). The answer abstains when the best
support is weak, when no unit holds the kind of fact asked for (a number for "how many", a date
for "when"…) or only a much weaker one does, or when the question names something the corpus
never mentions. Citations are exact sentence spans, adjacent sentences merged into one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.answer_types import AnswerSpec, AnswerType, expected_answer, satisfies, years_in
from assistant.answerers.base import Draft
from assistant.embeddings import QueryEncoder
from assistant.entities import Vocabulary, unknown_names
from assistant.followup import ResolvedQuestion
from assistant.store import IndexReader
from assistant.text import content_terms, question_terms
from assistant.types import Citation, Passage, RetrievedPassage, Sentence

_REFERS_BACK = re.compile(
    r"^(?:(?:\S+\s+){0,3}(?:this|these|those|such)\b|(?:that|yet|both|it|they|each of these|the latter|"
    r"the former)\b)",
    re.IGNORECASE,
)
_FIRST_SECTION = re.compile(r"\b(?:opening|first|introductory|initial) (?:section|part|paragraph|lines?)\b|"
                            r"\b(?:intro|introduction|lede|beginning of the (?:article|piece|story))\b", re.IGNORECASE)
_LAST_SECTION = re.compile(r"\b(?:closing|final|last|concluding|ending) (?:section|part|paragraph|lines?)\b|"
                           r"\b(?:conclusion|end of the (?:article|piece|story))\b", re.IGNORECASE)
_META_WORDS = re.compile(r"\b(?:opening|closing|final|last|concluding|ending|first|introductory|initial) "
                         r"(?:section|part|paragraph|lines?)\b", re.IGNORECASE)
_SUMMARY = re.compile(r"\b(sum(?:s|med)? up|summar\w*|overview|main points|gist|recap|outline|in short|"
                      r"in a nutshell|key points|tl;?dr)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ScoringWeights:
    """How the signals of a sentence's support score are mixed (tuned on the dev set)."""

    dense: float = 0.6
    lexical: float = 0.4
    context_term: float = 0.25
    heading_term: float = 0.5
    passage_rank: float = 0.05
    section_hint: float = 0.3
    extra_unit_ratio: float = 0.8
    extra_unit_min_gain: float = 0.2
    typed_ratio: float = 0.75
    same_passage_follow_up: float = 0.1
    follow_up_threshold_factor: float = 0.85


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


@dataclass(frozen=True)
class _Signals:
    """Per-sentence signals: similarity, covered question terms (own and heading), rank prior, cue bonus."""

    query: dict[str, float]
    dense: np.ndarray
    covered: list[set[str]]
    heading: list[set[str]]
    prior: np.ndarray
    bonus: np.ndarray


@dataclass(frozen=True)
class _Unit:
    """Sentences read together: one sentence and those right after it that refer back to it."""

    members: list[int]
    score: float
    covered: set[str]
    text: str


class ExtractiveAnswerer:
    """Answers with quoted, cited sentences; see the module docstring."""

    def __init__(self, reader: IndexReader, encoder: QueryEncoder, passages: Sequence[Passage], *,
                 abstain_threshold: float, max_sentences: int, abstention_message: str,
                 unknown_name_message: str = "", weights: ScoringWeights | None = None) -> None:
        self._reader = reader
        self._encoder = encoder
        self._stats = TermStatistics(passages)
        self._vocabulary = Vocabulary(f"{p.section}\n{p.text}" for p in passages)
        self._unknown_name_message = unknown_name_message or abstention_message
        self._edge_sections = _edge_sections(passages)
        self.abstain_threshold = abstain_threshold
        self._max_sentences = max_sentences
        self._abstention = Draft(answer=abstention_message, abstained=True)
        self._weights = weights or ScoringWeights()

    # -- scoring ------------------------------------------------------------------------------
    def _query_terms(self, question: ResolvedQuestion) -> dict[str, float]:
        own = _META_WORDS.sub(" ", question.question)
        weights = {t: self._stats.idf(t) for t in question_terms(own)}
        for term in question_terms(question.context):
            weights.setdefault(term, self._weights.context_term * self._stats.idf(term))
        return weights

    def _section_bonus(self, question: str, sentence: Sentence) -> float:
        first, last = self._edge_sections.get(sentence.doc, ("", ""))
        if _FIRST_SECTION.search(question) and sentence.section == first:
            return self._weights.section_hint
        if _LAST_SECTION.search(question) and sentence.section == last:
            return self._weights.section_hint
        return 0.0

    def signals(self, question: ResolvedQuestion, sentences: Sequence[Sentence], vectors: np.ndarray,
                passage_rank: dict[str, int]) -> _Signals:
        """The per-sentence evidence that units are scored from."""
        query = self._query_terms(question)
        dense = vectors @ self._encoder(question.standalone)
        if question.context:  # a follow-up: its own words count as much as the context
            dense = (dense + vectors @ self._encoder(question.question)) / 2
        return _Signals(
            query=query,
            dense=dense,
            covered=[set(content_terms(s.text)) & query.keys() for s in sentences],
            heading=[set(content_terms(s.section)) & query.keys() for s in sentences],
            prior=np.array([1.0 / (1 + passage_rank[s.passage_id]) for s in sentences]),
            bonus=np.array([self._section_bonus(question.question, s) for s in sentences]),
        )

    def _unit(self, members: list[int], sig: _Signals, sentences: Sequence[Sentence]) -> _Unit:
        """Score sentences read together: their best similarity and their joint term coverage.

        A term found only in the section heading counts at ``weights.heading_term``.
        """
        w = self._weights
        covered = set().union(*(sig.covered[i] for i in members))
        heading = set().union(*(sig.heading[i] for i in members)) - covered
        total = sum(sig.query.values()) or 1.0
        lexical = (sum(sig.query[t] for t in covered) + w.heading_term * sum(sig.query[t] for t in heading)) / total
        score = (w.dense * max(sig.dense[i] for i in members) + w.lexical * lexical
                 + w.passage_rank * max(sig.prior[i] for i in members) + max(sig.bonus[i] for i in members))
        return _Unit(members, float(score), covered, " ".join(sentences[i].text for i in members))

    def units(self, sentences: Sequence[Sentence], sig: _Signals) -> list[_Unit]:
        """Each sentence grouped with the following ones of its passage that refer back to it, best first."""
        groups: list[list[int]] = []
        for i, s in enumerate(sentences):
            previous = sentences[groups[-1][-1]] if groups else None
            if (previous is not None and previous.passage_id == s.passage_id
                    and previous.position + 1 == s.position and _REFERS_BACK.match(s.text)):
                groups[-1].append(i)
            else:
                groups.append([i])
        return sorted((self._unit(g, sig, sentences) for g in groups), key=lambda u: -u.score)

    def _after_previous_reply(self, ranked: list[_Unit], sentences: Sequence[Sentence], reply: str) -> list[_Unit]:
        """Drop units the previous reply already quoted; favour the rest of the passages it quoted."""
        reply = " ".join(reply.split())
        if not reply:
            return ranked
        quoted = [u for u in ranked if u.text in reply]
        passages = {sentences[i].passage_id for u in quoted for i in u.members}
        rest = [replace(u, score=u.score + self._weights.same_passage_follow_up)
                if sentences[u.members[0]].passage_id in passages else u
                for u in ranked if u not in quoted]
        return sorted(rest, key=lambda u: -u.score)

    # -- selection ----------------------------------------------------------------------------
    def _select(self, ranked: list[_Unit], query: dict[str, float], spec: AnswerSpec) -> list[_Unit]:
        """The best unit plus those that add enough uncovered question terms (for "how many years
        between", also one that brings a year the chosen ones lack: the answer needs it, so it is held
        to the bar of a typed answer, ``typed_ratio``, rather than the stricter ``extra_unit_ratio``)."""
        w = self._weights
        best = ranked[0]
        chosen, have, years = [best], set(best.covered), set(years_in(best.text))
        total = sum(query.values()) or 1.0
        for unit in ranked[1:]:
            if (sum(len(u.members) for u in chosen) >= self._max_sentences
                    or unit.score < min(w.extra_unit_ratio, w.typed_ratio) * best.score):
                break
            new_year = spec.type is AnswerType.YEARS_BETWEEN and len(years) < 2 and bool(set(years_in(unit.text)) - years)
            if unit.score < w.extra_unit_ratio * best.score and not new_year:
                continue
            gain = sum(query[t] for t in unit.covered - have) / total
            if gain >= w.extra_unit_min_gain or new_year:
                chosen.append(unit)
                have |= unit.covered
                years |= set(years_in(unit.text))
        return chosen

    def _summary(self, ranked: list[_Unit], sentences: Sequence[Sentence]) -> list[_Unit]:
        """The best-supported units of the section the best unit belongs to."""
        def section(u: _Unit) -> tuple[str, str]:
            return sentences[u.members[0]].doc, sentences[u.members[0]].section

        same = [u for u in ranked if section(u) == section(ranked[0])]
        chosen, size = [], 0
        for unit in same:
            if size + len(unit.members) > self._max_sentences + 1:
                break
            chosen.append(unit)
            size += len(unit.members)
        return chosen

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
    def _years_between(text: str) -> str | None:
        years = sorted(set(years_in(text)))
        if len(years) < 2:
            return None
        first, last = years[0], years[-1]
        return f"{last - first} years ({first} to {last})."

    def answer(self, question: ResolvedQuestion, passages: Sequence[RetrievedPassage]) -> Draft:
        """Quote and cite the sentences that answer ``question``, or abstain."""
        names = unknown_names(question.question, self._vocabulary)
        if names:
            listed = " and ".join(f"“{n}”" for n in names)
            return Draft(answer=self._unknown_name_message.format(names=listed), abstained=True)
        if not passages:
            return self._abstention
        rank = {p.id: r for r, p in enumerate(passages)}
        sentences, vectors = self._reader.sentences_of(passages)
        if not sentences:
            return self._abstention
        sig = self.signals(question, sentences, vectors, rank)
        ranked = self._after_previous_reply(self.units(sentences, sig), sentences, question.previous_reply)
        if not ranked:
            return self._abstention
        spec = expected_answer(question.question)
        typed = [u for u in ranked if satisfies(u.text, spec)]
        threshold = self.abstain_threshold * (self._weights.follow_up_threshold_factor if question.context else 1.0)
        if not typed or typed[0].score < max(threshold, self._weights.typed_ratio * ranked[0].score):
            return self._abstention
        if _SUMMARY.search(question.question):
            chosen = self._summary(ranked, sentences)
        else:
            chosen = self._select(typed, sig.query, spec)
        lead = ""
        if spec.type is AnswerType.YEARS_BETWEEN:
            lead = self._years_between(" ".join(u.text for u in chosen)) or ""
            if not lead:
                return self._abstention
        members = sorted((i for u in chosen for i in u.members), key=lambda i: (sentences[i].doc, sentences[i].position))
        citations = self._citations(members, sentences, {p.id: p for p in passages})
        quoted = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        return Draft(answer=f"{lead} {quoted}".strip(), abstained=False, citations=citations)


def _edge_sections(passages: Iterable[Passage]) -> dict[str, tuple[str, str]]:
    """The first and last section heading of each document."""
    edges: dict[str, tuple[str, str]] = {}
    for p in sorted(passages, key=lambda p: (p.doc, p.position)):
        first, _ = edges.get(p.doc, (p.section, p.section))
        edges[p.doc] = (first, p.section)
    return edges
