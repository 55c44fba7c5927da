"""The answerer interface: retrieved passages in, an answer with exact citations out."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

from assistant.citations import chunks_of
from assistant.errors import AssistantError
from assistant.evidence import Evidence
from assistant.trace import Trace
from assistant.types import Citation, Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """What an answerer returns; the service adds the question, retrieval and timing."""

    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    short_answer: str | None = None
    notice: str | None = None
    trace: Trace | None = None


class Answerer(Protocol):
    """Anything that writes a cited answer from the evidence retrieval gathered (and nothing else)."""

    def answer(self, evidence: Evidence) -> Draft:
        """Answer ``evidence.question`` from ``evidence`` only, or abstain."""
        ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An answerer that can show its text while writing it."""

    def stream(self, evidence: Evidence) -> Iterator[str | Draft]:
        """Text chunks as they are written, then the final ``Draft`` (whose text may differ: checked)."""
        ...


class ModelUnavailableError(AssistantError):
    """The configured language model could not give an answer (unreachable, timeout, unknown model…)."""


class MissingExtraError(AssistantError):
    """An optional dependency of the chosen answerer is not installed."""


def describe_failure(exc: BaseException, service: str, model: str, timeout: float) -> str:
    """One line saying why a model call failed, whatever library raised it."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = {type(x).__name__ for x in chain}
    status = next((getattr(x, "status_code", None) for x in chain if getattr(x, "status_code", None)), None)
    text = " ".join(str(x) for x in chain).lower()
    if names & {"TimeoutError", "APITimeoutError", "ReadTimeout", "ConnectTimeout", "WriteTimeout", "PoolTimeout",
                "TimeoutException", "timeout"}:
        return f"{service} did not answer within {timeout:g} s"
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ConnectionRefusedError",
                "RemoteProtocolError", "NetworkError"}:
        return f"cannot reach {service}: is it running?"
    if status == 404 or ("model" in text and "not found" in text):
        return f"{service} has no model named {model!r}"
    if status in (401, 403) or "AuthenticationError" in names:
        return f"{service} rejected the API key (HTTP {status})"
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    if status:
        return f"{service} answered with an error (HTTP {status}): {first}"
    return f"{service} sent a reply that could not be read ({type(exc).__name__}: {first})"


def stream_draft(answerer: Answerer, evidence: Evidence) -> Iterator[str | Draft]:
    """Text chunks then the ``Draft``: the answerer's own stream, or its finished answer in pieces."""
    if isinstance(answerer, StreamingAnswerer):
        yield from answerer.stream(evidence)
        return
    draft = answerer.answer(evidence)
    yield from chunks_of(draft.answer)
    yield draft


class FallbackAnswerer:
    """A model answerer whose failures become the extractive answer with a notice (``llm_fallback``)."""

    def __init__(self, primary: Answerer, fallback: Answerer) -> None:
        self.primary = primary
        self.fallback = fallback

    def stream(self, evidence: Evidence) -> Iterator[str | Draft]:
        """The primary's stream; after a failure, the fallback's answer (in pieces) with a notice."""
        started = False
        try:
            for item in stream_draft(self.primary, evidence):
                started = started or isinstance(item, str)
                yield item
            return
        except ModelUnavailableError as exc:
            log.info("answerer failed, answering extractively: %s", exc)
            notice = f"{exc}; this is the extractive answer instead."
        draft = self.fallback.answer(evidence)
        trace = draft.trace and draft.trace.model_copy(update={"reason": f"{draft.trace.reason} (extractive "
                                                                          "fallback: the model failed)"})
        draft = replace(draft, notice=notice, trace=trace)
        if started:
            yield "\n"
        yield from chunks_of(draft.answer)
        yield draft

    def answer(self, evidence: Evidence) -> Draft:
        """The last item of ``stream``."""
        *_, draft = self.stream(evidence)
        return draft

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        """The primary's standalone rewrite of a follow-up, or None (rule-based resolution) when it fails."""
        rewrite = getattr(self.primary, "rewrite", None)
        if rewrite is None:
            return None
        try:
            return rewrite(question, history)
        except ModelUnavailableError as exc:
            log.info("follow-up rewrite failed: %s", exc)
            return None
