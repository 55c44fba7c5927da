"""Fakes for the evaluator's unit tests: a tiny corpus and a service that answers from a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.evaluation.dataset import QAItem
from assistant.trace import Check, Trace
from assistant.types import Answer, Citation, RetrievedPassage, Turn

DOC = "doc.md"
TEXT = (
    "# Summit\n\n"
    "The summit took place in Geneva in 1985. Leaders discussed arms control.\n\n"
    "## Outcome\n\n"
    "Both sides agreed to meet again. Trade was not discussed.\n"
)


def span(text: str, *, doc_text: str = TEXT) -> tuple[int, int]:
    """Offsets of ``text`` in the fake document."""
    start = doc_text.index(text)
    return start, start + len(text)


def cite(text: str, marker: int = 1, *, shift: int = 0) -> Citation:
    """A citation of ``text`` (``shift`` moves its offsets off the true slice)."""
    start, end = span(text)
    return Citation(marker=marker, doc=DOC, section="Summit", start=start + shift, end=end + shift, text=text)


def passage(text: str, score: float = 1.0) -> RetrievedPassage:
    """A retrieved passage (offsets need not be exact for retrieval metrics)."""
    return RetrievedPassage(id=f"p{abs(hash(text)) % 10_000}", doc=DOC, section="Summit", start=0, end=len(text),
                            text=text, score=score)


@dataclass
class FakeSettings:
    corpus_dir: Path


@dataclass
class FakeService:
    """Answers each question with the Answer registered for it; raises for unknown questions."""

    settings: FakeSettings
    answers: dict[str, Answer] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        self.calls.append(question)
        if question not in self.answers:
            raise RuntimeError(f"no answer registered for {question!r}")
        return self.answers[question]


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / DOC).write_text(TEXT, encoding="utf-8")
    return folder


SENT_GENEVA = "The summit took place in Geneva in 1985."
SENT_ARMS = "Leaders discussed arms control."
SENT_AGAIN = "Both sides agreed to meet again."


def sample_items() -> list[QAItem]:
    """Four questions covering HasAns, NoAns and no-gold cases."""
    return [
        QAItem(id="a1", question="Where was the summit?", answerable=True, answers=["Geneva"],
               evidence=[SENT_GENEVA], type="factoid"),
        QAItem(id="a2", question="What did they agree?", answerable=True, answers=["to meet again"],
               evidence=[SENT_AGAIN], type="factoid"),
        QAItem(id="n1", question="Who paid for lunch?", answerable=False, type="unanswerable"),
        QAItem(id="x1", question="Tell me about the summit.", type="summary"),
    ]


ANSWERED = Trace(answered=True, check=Check.ANSWERABLE, reason="p(answerable) 0.80 ≥ threshold 0.30; quoted 1 sentence",
                 value=0.8, threshold=0.3)
UNSURE = Trace(answered=False, check=Check.ANSWERABLE, reason="p(answerable) 0.20 < threshold 0.30", value=0.2,
               threshold=0.3)


def sample_answers(*, good: bool = True) -> dict[str, Answer]:
    """Answers to ``sample_items``, with traces; ``good=False`` swaps in a false abstention on a2."""
    abstain = "The article does not say."
    answers = {
        "Where was the summit?": Answer(
            question="Where was the summit?", answer=f"{SENT_GENEVA} [1]", abstained=False,
            citations=[cite(SENT_GENEVA)], retrieved=[passage(f"{SENT_GENEVA} {SENT_ARMS}")], latency_ms=10.0,
            trace=ANSWERED),
        "What did they agree?": Answer(
            question="What did they agree?", answer=f"{SENT_AGAIN} [1]", abstained=False,
            citations=[cite(SENT_AGAIN)], retrieved=[passage(SENT_GENEVA), passage(SENT_AGAIN)], latency_ms=20.0,
            trace=ANSWERED),
        "Who paid for lunch?": Answer(question="Who paid for lunch?", answer=abstain, abstained=True,
                                      retrieved=[passage(SENT_GENEVA)], latency_ms=30.0, trace=UNSURE),
        "Tell me about the summit.": Answer(
            question="Tell me about the summit.", answer=f"{SENT_GENEVA} [1]", abstained=False,
            citations=[cite(SENT_GENEVA)], retrieved=[passage(SENT_GENEVA)], latency_ms=40.0,
            trace=Trace(answered=True, check=Check.SUMMARY, reason="summary of 1 sentence from 1 section")),
    }
    if not good:
        answers["What did they agree?"] = Answer(question="What did they agree?", answer=abstain, abstained=True,
                                                 retrieved=[passage(SENT_GENEVA)], latency_ms=25.0, trace=UNSURE)
    return answers
