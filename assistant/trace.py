"""Why an answer is what it is: the trace every answer carries.

A ``Trace`` names the check that decided (``Check``), the value it looked at and the threshold it
was held against, and says so in one line (``reason``): "p(answerable) 0.31 < threshold 0.36",
"the question names “Biden”, which no passage mentions", "summary of 4 sentences from 4 sections".
It also lists the retrieved passages with their rank in each ranking and the candidate sentences
with their features and score, so an evaluator can see what the answerer saw.

Answerers fill the decision and the candidates; the service adds the passages (``with_passages``).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from assistant.evidence import Evidence

TRACE_TEXT_CHARS = 200
"""Longest sentence text a candidate shows (the offsets locate the rest)."""


class Check(str, Enum):
    """The check that decided an answer."""

    UNKNOWN_NAME = "unknown_name"
    NO_PASSAGE = "no_passage"
    ANSWER_TYPE = "answer_type"
    ANSWERABLE = "answerable"
    YEARS_BETWEEN = "years_between"
    SUMMARY = "summary"
    LIST = "list"
    MODEL = "model"
    MODEL_UNKNOWN = "model_unknown"
    NO_VALID_CITATION = "no_valid_citation"
    ERROR = "error"


class PassageTrace(BaseModel):
    """A retrieved passage and where it stood in each ranking (1 = first, None = not in that ranking)."""

    id: str
    doc: str
    section: str
    dense: int | None = Field(description="Rank among the passages by question–passage embedding similarity.")
    sentence: int | None = Field(description="Rank by the best question–sentence embedding similarity.")
    lexical: int | None = Field(description="Rank by BM25.")
    fused: int = Field(description="Rank after reciprocal-rank fusion (the order the answerer reads).")
    score: float = Field(description="Fused score.")


class CandidateTrace(BaseModel):
    """A candidate sentence: its features, the answerer's score and whether it was quoted."""

    id: str
    doc: str
    start: int
    end: int
    text: str = Field(description=f"The sentence (its first {TRACE_TEXT_CHARS} characters).")
    score: float | None = Field(None, description="The sentence head's logit (None where no score was needed).")
    probability: float | None = Field(None, description="The sentence head's probability of answering.")
    allowed: bool = Field(True, description="Whether it passed the checks that need no learning (kind of fact, section).")
    chosen: bool = Field(False, description="Whether the answer quotes it.")
    features: dict[str, float] = Field(default_factory=dict)


class Trace(BaseModel):
    """The decision behind an answer, with what the answerer saw (see the module docstring)."""

    answered: bool
    check: Check
    reason: str = Field(description="One line naming the value and the threshold that decided.")
    value: float | None = Field(None, description="The value the deciding check looked at.")
    threshold: float | None = Field(None, description="The threshold it was held against.")
    passages: list[PassageTrace] = Field(default_factory=list)
    candidates: list[CandidateTrace] = Field(default_factory=list)


def passage_traces(evidence: Evidence) -> list[PassageTrace]:
    """The evidence's passages in fused order, with their rank in each ranking."""
    out = []
    for n, p in enumerate(evidence.passages, start=1):
        ranks = evidence.ranks.get(p.id)
        out.append(PassageTrace(id=p.id, doc=p.doc, section=p.section,
                                dense=ranks.dense if ranks else None, sentence=ranks.sentence if ranks else None,
                                lexical=ranks.lexical if ranks else None, fused=ranks.fused if ranks else n,
                                score=round(ranks.score if ranks else p.score, 6)))
    return out


def with_passages(trace: Trace | None, evidence: Evidence) -> Trace:
    """``trace`` with the evidence's passages; an answerer that left no trace gets a plain one."""
    if trace is None:
        trace = Trace(answered=True, check=Check.MODEL, reason="the answerer gave no trace")
    return trace.model_copy(update={"passages": passage_traces(evidence)})


def clip(text: str, limit: int = TRACE_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["CandidateTrace", "Check", "PassageTrace", "Trace", "clip", "passage_traces", "with_passages"]
