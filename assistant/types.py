"""The shapes that flow through the assistant: passages, sentences, citations, answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.trace import Trace


class Span(BaseModel):
    """A piece of a corpus document: ``text == document_text[start:end]`` (``assistant text DOC``)."""

    doc: str = Field(description="File name relative to the corpus folder.")
    section: str = Field(description="Heading of the section the span sits in ('' when none).")
    start: int
    end: int
    text: str
    page: int | None = Field(default=None, description="The PDF page the span starts on (None for other formats).")


class Passage(Span):
    """A retrieval unit: part of one section, never crossing a section boundary."""

    id: str
    position: int = Field(description="Order of the passage in its document.")


def sentence_id(passage_id: str, index: int) -> str:
    """The id of the ``index``-th sentence of a passage: its passage's id is recoverable from it (``passage_id_of``)."""
    return f"{passage_id}:{index}"


def passage_id_of(sentence_id_: str) -> str:
    """The id of the passage a sentence id (made by ``sentence_id``) belongs to.

    >>> passage_id_of(sentence_id("9f2c", 3))
    '9f2c'
    """
    return sentence_id_.rpartition(":")[0]


class Sentence(Span):
    """A sentence of a passage, the unit an extractive answer quotes and cites."""

    id: str
    passage_id: str
    position: int = Field(description="Order of the sentence in its document.")


class RetrievedPassage(Span):
    """A passage returned by the retriever with its fused score."""

    id: str
    score: float


class Citation(Span):
    """A numbered citation; ``marker`` is the number shown as ``[n]`` in the answer."""

    marker: int
    title: str | None = Field(default=None, description="Title of the cited document, when it has one.")


class Turn(BaseModel):
    """One earlier turn of a conversation."""

    role: str
    content: str


class Answer(BaseModel):
    """What the assistant says to a question, with what supports it."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedPassage] = Field(default_factory=list)
    latency_ms: float = 0.0
    standalone_question: str | None = Field(
        default=None, description="The question as resolved against the history, when it differs."
    )
    unsupported: list[str] = Field(
        default_factory=list, description="Sentences of a generated answer that cite no retrieved passage."
    )
    short_answer: str | None = Field(
        default=None, description="A short phrase in front of the quoted answer, copied word for word from it."
    )
    notice: str | None = Field(
        default=None, description="Why the configured model was not used (the extractive fallback answered)."
    )
    trace: Trace | None = Field(
        default=None, description="Why the answer is what it is: the deciding check and its reason, the passages' "
        "ranks, the candidate sentences' features and scores (see assistant.trace)."
    )

    @property
    def optional_empty(self) -> set[str]:
        """The optional fields that hold nothing (left out of ``assistant ask --json``)."""
        return {name for name in ("unsupported", "short_answer", "notice", "trace") if not getattr(self, name)}
