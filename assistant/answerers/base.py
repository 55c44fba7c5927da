"""The answerer interface: retrieved passages in, an answer with exact citations out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.followup import ResolvedQuestion
from assistant.types import Citation, RetrievedPassage


@dataclass(frozen=True)
class Draft:
    """What an answerer returns; the service adds the question, retrieval and timing."""

    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)


class Answerer(Protocol):
    """Anything that writes a cited answer from retrieved passages."""

    def answer(self, question: ResolvedQuestion, passages: Sequence[RetrievedPassage]) -> Draft:
        """Answer ``question`` from ``passages`` only, or abstain."""
        ...
