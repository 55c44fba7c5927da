"""Resolving a follow-up question against the conversation, without an LLM.

A question that leans on earlier turns (a pronoun such as "it" or "that", an opening "and"/"what
about", or too few words of its own) is completed with the previous user question and the
assistant's reply, so retrieval and sentence scoring see what it refers to. A question opening with
"why" or "how come" is not a follow-up for that alone ("Why did Russia propose a treaty?" stands on
its own), and a reply that was the abstention adds nothing to the context: only its question does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.citations import says_unknown
from assistant.text import content_terms, strip_markers
from assistant.types import Turn

_ANAPHORA = re.compile(
    r"\b(it|its|itself|that|this|these|those|they|them|their|he|him|his|she|her|there|then|such|"
    r"the same|former|latter|above)\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^\s*(and|but|so|also|what about|how about|and what|why not)\b", re.IGNORECASE)
MIN_OWN_TERMS = 3
CONTEXT_WORDS = 60


@dataclass(frozen=True)
class ResolvedQuestion:
    """A question with the conversational context it needs (empty when it stands alone) and the
    assistant's previous reply (so an answer does not simply repeat it)."""

    question: str
    context: str = ""
    previous_reply: str = ""

    @property
    def standalone(self) -> str:
        """The question followed by its context, as retrieval sees it."""
        return f"{self.question} ({self.context})" if self.context else self.question


def needs_context(question: str) -> bool:
    """Whether a question reads as a follow-up to an earlier turn."""
    own_terms = content_terms(_ANAPHORA.sub(" ", question))
    return bool(_ANAPHORA.search(question) or _CONTINUATION.match(question) or len(own_terms) < MIN_OWN_TERMS)


def resolve(question: str, history: Sequence[Turn], max_turns: int = 6) -> ResolvedQuestion:
    """Attach the latest user question and assistant reply when ``question`` is a follow-up."""
    recent = list(history)[-max_turns:] if max_turns else []
    last_reply = strip_markers(next((t.content for t in reversed(recent) if t.role == "assistant"), ""))
    if not recent or not needs_context(question):
        return ResolvedQuestion(question, previous_reply=last_reply)
    last_user = next((t.content for t in reversed(recent) if t.role == "user"), "")
    reply = "" if says_unknown(last_reply) else " ".join(last_reply.split()[:CONTEXT_WORDS])
    context = " ".join(part for part in (last_user.strip(), reply) if part)
    return ResolvedQuestion(question, context, last_reply)

