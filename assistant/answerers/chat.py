"""Generative answers from a LangChain chat model (``ChatOpenAI`` or ``ChatOllama``), citations checked.

The retrieved passages go into the prompt numbered and fenced as ``<passage id="n">`` data, under a
system prompt saying that text inside them is never an instruction. The model's text is streamed as it
comes (out-of-range markers dropped on the fly) and checked at the end by ``assistant.citations``:
the final ``Draft`` carries exact citations, the unsupported sentences, or the abstention.

Any failure of the model (unreachable, timeout, unknown model, malformed reply) becomes a
``ModelUnavailableError`` with one clear line; ``FallbackAnswerer`` turns it into the extractive
answer plus a notice when the settings allow.

What it leaves out: the model is trusted to follow the citation format; a paraphrase that cites the
right passage but states something else is not detected (no entailment model ships offline here).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.answerers.base import Draft, ModelUnavailableError, describe_failure
from assistant.citations import MARKER, MarkerFilter, check_citations
from assistant.evidence import Evidence
from assistant.followup import ResolvedQuestion
from assistant.prompts import load_prompt
from assistant.text import content_terms
from assistant.trace import Check, Trace
from assistant.types import RetrievedPassage, Turn

log = logging.getLogger(__name__)
REWRITE_MAX_CHARS = 400
REWRITE_KNOWN_SHARE = 0.6


def fence(text: str) -> str:
    """Passage text that cannot close or open a ``<passage>`` fence."""
    return text.replace("<passage", "&lt;passage").replace("</passage", "&lt;/passage")


def format_passages(passages: Sequence[RetrievedPassage]) -> str:
    """The passages numbered from 1, each fenced as data with its source."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        source = f"{p.doc} — {p.section}" if p.section else p.doc
        blocks.append(f'<passage id="{n}" source="{fence(source).replace(chr(34), chr(39))}">\n{fence(p.text)}\n</passage>')
    return "\n\n".join(blocks)


def answer_messages(question: ResolvedQuestion, passages: Sequence[RetrievedPassage]) -> list[BaseMessage]:
    """System and user messages of the answer prompt (``prompts/answer_system.txt``, ``answer_user.txt``)."""
    conversation = ""
    if question.context:
        conversation = load_prompt("answer_conversation").format(conversation=question.context) + "\n\n"
    user = load_prompt("answer_user").format(passages=format_passages(passages), conversation=conversation,
                                             question=question.question)
    return [SystemMessage(load_prompt("answer_system")), HumanMessage(user)]


def _content(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    raise TypeError(f"unexpected chunk content {type(content).__name__}")


class ChatAnswerer:
    """Answers with a chat model and checked ``[n]`` citations; see the module docstring.

        >>> answerer = ChatAnswerer(ChatOpenAI(base_url="http://127.0.0.1:8000/v1", api_key="x"),
        ...                         service="the server at http://127.0.0.1:8000/v1", model_name="gemma",
        ...                         timeout=60, abstention_message="The article does not say.")
    """

    def __init__(self, model: Any, *, service: str, model_name: str, timeout: float,
                 abstention_message: str, max_tokens: int = 400, rewrite_followups: bool = True) -> None:
        self._model = model
        self.service = service
        self.model_name = model_name
        self.timeout = timeout
        self.max_chunks = max_tokens + 8  # a streamed chunk is about one token; a server may ignore the limit
        self._abstention = Draft(answer=abstention_message, abstained=True)
        self.rewrite_followups = rewrite_followups

    def _fail(self, exc: BaseException) -> ModelUnavailableError:
        return ModelUnavailableError(describe_failure(exc, self.service, self.model_name, self.timeout))

    def _generate(self, messages: list[BaseMessage]) -> Iterator[str]:
        """The model's text in chunks; any failure (or the deadline passing) as ModelUnavailableError."""
        deadline = time.monotonic() + self.timeout
        stream = self._model.stream(messages)
        try:
            for n, chunk in enumerate(stream):
                if n >= self.max_chunks:
                    log.info("stopped reading a reply after %d chunks", n)
                    break
                yield _content(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s")
        except ModelUnavailableError:
            raise
        except Exception as exc:  # every library's own error type: one clear message
            raise self._fail(exc) from exc
        finally:
            stream.close()  # ends the HTTP response when we stop early

    def draft(self, text: str, evidence: Evidence) -> Draft:
        """The checked answer for the model's full text."""
        checked = check_citations(text, evidence.passages, evidence.sentences)
        if checked.removed_markers:
            log.info("removed citation markers %s from a generated answer", checked.removed_markers)
        if checked.says_unknown:
            return replace(self._abstention, trace=Trace(
                answered=False, check=Check.MODEL_UNKNOWN, reason=f"{self.model_name} said the passages do not answer"))
        if checked.abstained:
            removed = f" ({len(checked.removed_markers)} markers outside the passages removed)" if checked.removed_markers else ""
            return replace(self._abstention, trace=Trace(
                answered=False, check=Check.NO_VALID_CITATION,
                reason=f"no sentence of {self.model_name}'s reply cites a retrieved passage{removed}"))
        reason = (f"written by {self.model_name}; {len(checked.citations)} citations checked against the passages, "
                  f"{len(checked.unsupported)} sentences cite none")
        return Draft(answer=checked.answer, abstained=False, citations=checked.citations,
                     unsupported=checked.unsupported,
                     trace=Trace(answered=True, check=Check.MODEL, reason=reason, value=float(len(checked.unsupported))))

    def stream(self, evidence: Evidence) -> Iterator[str | Draft]:
        """Text chunks as the model writes them, then the checked ``Draft``."""
        question, passages = evidence.question, evidence.passages
        if not passages:
            yield replace(self._abstention, trace=Trace(answered=False, check=Check.NO_PASSAGE,
                                                        reason="retrieval found no passage to answer from"))
            return
        shown = MarkerFilter(len(passages))
        parts: list[str] = []
        for piece in self._generate(answer_messages(question, passages)):
            parts.append(piece)
            visible = shown.feed(piece)
            if visible:
                yield visible
        rest = shown.flush()
        if rest:
            yield rest
        yield self.draft("".join(parts), evidence)

    def answer(self, evidence: Evidence) -> Draft:
        """The checked answer (the last item of ``stream``)."""
        *_, draft = self.stream(evidence)
        return draft

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up ``question`` rewritten as a standalone question (``prompts/rewrite_followup.txt``)."""
        if not self.rewrite_followups or not history:
            return None
        conversation = "\n".join(f"{t.role}: {' '.join(t.content.split())[:600]}" for t in history)
        prompt = load_prompt("rewrite_followup").format(conversation=conversation, question=question)
        text = "".join(self._generate([HumanMessage(prompt)])).strip()
        line = next((ln.strip().strip('"“”') for ln in text.splitlines() if ln.strip()), "")
        line = line.removeprefix("Standalone question:").strip()[:REWRITE_MAX_CHARS]
        if not plausible_rewrite(line, question, conversation):
            log.info("ignored an implausible follow-up rewrite %r", line[:100])
            return None
        return line


def plausible_rewrite(rewritten: str, question: str, conversation: str) -> bool:
    """Whether a rewrite reads as the question in other words: at least three words, and most of its
    content words taken from the question or the conversation (a small model may answer, or echo a
    label such as "[User 2]", instead of rewriting)."""
    terms = content_terms(MARKER.sub(" ", rewritten))
    if len(rewritten.split()) < 3 or not terms:
        return False
    known = set(content_terms(f"{question} {conversation}"))
    return sum(t in known for t in terms) >= REWRITE_KNOWN_SHARE * len(terms)


__all__ = ["ChatAnswerer", "answer_messages", "fence", "format_passages", "plausible_rewrite"]
