"""What the web chat needs from the engine: answers with a chosen number of passages, and a title.

The chat receives an ``AssistantService`` built elsewhere; ``ChatBackend`` only adds per-request
``top_k`` (the settings accordion) by keeping one light copy of the service per value — the copies
share the index reader, the embedder and the answerer, only the retriever's ``top_k`` differs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.corpus import load_corpus
from assistant.errors import AssistantError
from assistant.service import AssistantService
from assistant.types import Answer, Turn

# Example questions for the shipped article, each checked to get a cited answer (or, for the
# last one, a plain abstention).
SHIPPED_EXAMPLES = {
    "global-security-architecture.txt": [
        "What did Putin call for at the Kremlin ceremony?",
        "What did Dmitry Medvedev propose in 2008?",
        "Which organizations does Russia take part in as alternatives to Western-led alliances?",
        "How did détente ease tensions in the 1970s?",
        "What would a new security framework need to negotiate?",
        "How much money has Russia invested in Africa and Latin America?",
    ],
}

MAX_TOP_K = 20


@dataclass(frozen=True)
class CorpusInfo:
    """How the chat introduces the corpus."""

    title: str
    description: str
    examples: list[str]


def describe_corpus(service: AssistantService) -> CorpusInfo:
    """Title after the article's headline (or the number of articles), a line, and examples."""
    settings = service.settings
    try:
        documents = load_corpus(settings.corpus_dir)
    except AssistantError:
        documents = []
    names = sorted({p.doc for p in service.retriever.passages.values()}) or [d.name for d in documents]
    if len(documents) == 1:
        headline = next((line.strip() for line in documents[0].text.splitlines() if line.strip()), "")
        title = headline or documents[0].name
    else:
        title = f"{len(names)} articles" if names else "the article corpus"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    description = (f"Answers only from {shown or 'the indexed articles'}, quoting and citing the sentences "
                   "it relies on; when the text does not say, it says so.")
    examples: list[str] = []
    for name in names:
        examples.extend(SHIPPED_EXAMPLES.get(name, []))
    if not examples:
        sections = []
        for p in sorted(service.retriever.passages.values(), key=lambda p: (p.doc, p.position)):
            if p.section and p.section not in sections:
                sections.append(p.section)
        examples = [f"What does the article say about {s[0].lower() + s[1:]}?" for s in sections[1:5]]
    return CorpusInfo(title=title, description=description, examples=examples[:6])


class ChatBackend:
    """Answers for the web chat and /api/ask, optionally with another number of passages."""

    def __init__(self, service: AssistantService) -> None:
        self.service = service
        self._variants: dict[int, AssistantService] = {service.settings.top_k: service}
        self._lock = threading.Lock()

    @property
    def default_top_k(self) -> int:
        """The number of passages the settings ask for."""
        return self.service.settings.top_k

    def _service_for(self, top_k: int | None) -> AssistantService:
        if top_k is None:
            return self.service
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        with self._lock:
            variant = self._variants.get(top_k)
            if variant is None:
                base = self.service
                variant = AssistantService(base.settings.model_copy(update={"top_k": top_k}),
                                           base.retriever.model_copy(update={"top_k": top_k}), base.answerer)
                self._variants[top_k] = variant
            return variant

    def ask(self, question: str, history: Sequence[Turn | dict[str, Any]] | None = None,
            top_k: int | None = None) -> Answer:
        """The engine's answer; raises ``AssistantError`` subclasses for bad input."""
        return self._service_for(top_k).ask(question, history or [])
