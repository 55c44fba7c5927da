"""What the web chat needs from the engine: answers with a chosen number of passages, and a title.

The chat receives an ``AssistantService`` built elsewhere; ``ChatBackend`` only adds the choices of
the settings accordion (number of passages, answer mode) by keeping one light copy of the service per
choice — the copies share the index reader and the embedder (and the answerer, for the same mode).
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answerers import build_answerer
from assistant.corpus import Document, load_corpus
from assistant.document_store import DocumentStore
from assistant.errors import AssistantError, QuestionError
from assistant.service import AssistantService
from assistant.types import Answer, Turn
from assistant.web.limits import InputLimits, quoted

# Example questions for the shipped article, each checked to get a cited answer (or, for the
# last one, a plain abstention).
SHIPPED_EXAMPLES = {
    "global-security-architecture.txt": [
        "What did Putin call for at the Kremlin ceremony?",
        "What did Dmitry Medvedev propose in 2008?",
        "What does the Shanghai Cooperation Organization promote?",
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
    """Title after the article's title or headline (or the number of articles), a line with its byline, date
    and URL when it has them, and examples."""
    settings = service.settings
    try:
        kept = DocumentStore(settings.index_dir)
        catalog = list(kept.catalog())
        documents = ([kept.document(catalog[0])] if len(catalog) == 1 else [Document(n, "") for n in catalog]
                     ) or load_corpus(settings.corpus_dir)
    except AssistantError:
        documents = []
    names = sorted({p.doc for p in service.retriever.passages.values()}) or [d.name for d in documents]
    byline = ""
    if len(documents) == 1:
        title = documents[0].title or documents[0].name
        info = documents[0].info
        byline = " · ".join(x for x in (f"By {info.author}" if info.author else "", info.date, info.url) if x)
    else:
        title = f"{len(names)} articles" if names else "the article corpus"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    description = (f"{byline}. " if byline else "") + (
        f"Answers only from {shown or 'the indexed articles'}, quoting and citing the sentences "
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
    """Answers for the web chat and /api/ask, optionally with another number of passages, another
    answer mode or a document filter (when the engine supports them).

    Every request passes ``limits`` first (history caps, valid Unicode), whichever route it came by.
    """

    def __init__(self, service: AssistantService, limits: InputLimits | None = None) -> None:
        self.service = service
        self.limits = limits or InputLimits.from_settings(service.settings)
        self._variants: dict[tuple[int, str], AssistantService] = {
            (service.settings.top_k, service.settings.answerer): service}
        self._lock = threading.Lock()

    @property
    def default_top_k(self) -> int:
        """The number of passages the settings ask for."""
        return self.service.settings.top_k

    @property
    def answer_modes(self) -> list[str]:
        """The configured answer mode, then the offline extractive one when it is another."""
        configured = self.service.settings.answerer
        return [configured] + (["extractive"] if configured != "extractive" else [])

    @property
    def documents(self) -> list[str]:
        """Names of the indexed documents."""
        return sorted({p.doc for p in self.service.retriever.passages.values()})

    def follow(self, _changed: str = "") -> None:
        """Answer from the index generation an upload or a removal has just committed."""
        self.service.retriever.follow()

    def _service_for(self, top_k: int | None, mode: str | None) -> AssistantService:
        base = self.service
        top_k = base.settings.top_k if top_k is None else max(1, min(int(top_k), MAX_TOP_K))
        mode = mode or base.settings.answerer
        if mode not in self.answer_modes:
            raise QuestionError(f"unknown answer mode {quoted(str(mode))!r}: "
                                f"choose one of {', '.join(self.answer_modes)}")
        with self._lock:
            variant = self._variants.get((top_k, mode))
            if variant is None:
                settings = base.settings.model_copy(update={"top_k": top_k, "answerer": mode})
                answerer = base.answerer
                if mode != base.settings.answerer:
                    answerer = build_answerer(settings)
                variant = AssistantService(settings, base.retriever.model_copy(update={"top_k": top_k}), answerer)
                self._variants[(top_k, mode)] = variant
            return variant

    def ask(self, question: str, history: Sequence[Turn | dict[str, Any]] | None = None,
            top_k: int | None = None, doc: str | None = None, mode: str | None = None) -> Answer:
        """The engine's answer; raises ``AssistantError`` subclasses for bad input."""
        turns = self.limits.check(question, history, doc, mode)
        service = self._service_for(top_k, mode)
        if doc:
            self._check_filter(service)
            return service.ask(question, turns, doc=doc)
        return service.ask(question, turns)

    @staticmethod
    def _check_filter(service: AssistantService) -> None:
        if "doc" not in inspect.signature(service.ask).parameters:
            raise QuestionError("this engine has no document filter: leave the document out")

    def stream(self, question: str, history: Sequence[Turn | dict[str, Any]] | None = None,
               top_k: int | None = None, doc: str | None = None, mode: str | None = None
               ) -> Iterator[str | Answer]:
        """Text chunks as the answerer writes them, then the final ``Answer`` (whose text wins).

        Uses the engine's ``stream`` when it has one; otherwise the finished answer word by word.
        """
        turns = self.limits.check(question, history, doc, mode)
        service = self._service_for(top_k, mode)
        stream = getattr(service, "stream", None)
        if stream is None:
            answer = self.ask(question, turns, top_k, doc, mode)
            yield from re.findall(r"\S+\s*", answer.answer)
            yield answer
            return
        if doc:
            self._check_filter(service)
            yield from stream(question, turns, doc=doc)
        else:
            yield from stream(question, turns)
