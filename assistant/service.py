"""The question-answering service used alike by the CLI, the web chat and the evaluator.

The chain is plain LCEL: resolve the follow-up → gather the evidence (hybrid retriever) → answer from
that evidence. ``stream`` runs the same resolve → gather steps, then streams the answerer's text before
the final ``Answer``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answerers import Answerer, Draft, build_answerer, stream_draft
from assistant.embeddings import QueryEncoder, build_query_embedder
from assistant.document_store import DocumentStore
from assistant.errors import CorpusError, QuestionError
from assistant.followup import ResolvedQuestion, resolve
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.snapshot import snapshot_root
from assistant.store import IndexReader, open_index
from assistant.text import CONTROL, check_unicode
from assistant.trace import with_passages
from assistant.types import Answer, Citation, Turn


def clean_question(question: str, max_chars: int) -> str:
    """The question with control characters removed; QuestionError when empty or too long."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    check_unicode(question, "question")
    text = CONTROL.sub(" ", question).strip()
    if not text:
        raise QuestionError("the question is empty: type a question about the article")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    return text


class AssistantService:
    """Answers questions about the indexed corpus, with citations."""

    def __init__(self, settings: Settings, retriever: HybridRetriever, answerer: Answerer) -> None:
        self.settings = settings
        self.retriever = retriever
        self.answerer = answerer
        self.documents = DocumentStore(settings.index_dir)
        self.chain = self._build_chain()

    @classmethod
    def from_settings(cls, settings: Settings, encoder: QueryEncoder | None = None) -> AssistantService:
        """Open the committed index, load the question embedder and the answerer named by ``settings``."""
        return cls(settings, open_retriever(settings, encoder), build_answerer(settings))

    def _resolve(self, question: str, history: list[Turn]) -> ResolvedQuestion:
        """The rule-based resolution; a follow-up is rewritten by the answerer's model when it can."""
        resolved = resolve(question, history, self.settings.max_history_turns)
        rewrite = getattr(self.answerer, "rewrite", None)
        if resolved.context and rewrite is not None:
            recent = history[-self.settings.max_history_turns:] if self.settings.max_history_turns else []
            standalone = rewrite(question, recent)
            if standalone:
                return ResolvedQuestion(standalone, previous_reply=resolved.previous_reply)
        return resolved

    def _build_chain(self) -> Runnable:
        """resolve → gather → answer, each step adding its result to the request dict.

        Plain ``RunnableLambda`` steps rather than ``RunnablePassthrough.assign``: ``assign`` runs its one
        branch through ``RunnableParallel``, which starts a thread pool on every call (about 5 ms each here).
        """
        def step(name: str, key: str, fn: Callable[[dict[str, Any]], Any]) -> Runnable:
            return RunnableLambda(lambda x: {**x, key: fn(x)}, name=name)

        resolve_step = step("resolve", "resolved", lambda x: self._resolve(x["question"], x["history"]))
        gather_step = step("gather", "evidence",  # the current retriever, with the document filter
                           lambda x: self.retriever.gather(x["resolved"], doc=x.get("doc")))
        answer_step = step("answer", "draft", lambda x: self.answerer.answer(x["evidence"]))
        self.retrieval_chain = resolve_step | gather_step
        return self.retrieval_chain | answer_step

    def _request(self, question: str, history: Sequence[Turn | dict[str, Any]] | None,
                 doc: str | None) -> dict[str, Any]:
        """The chain's input: the cleaned question, typed turns and a checked document filter."""
        text = clean_question(question, self.settings.max_question_chars)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in history or []]
        checked = self.retriever.check_doc(doc)
        return {"question": text, "history": turns, "doc": checked}

    def ask(self, question: str, history: Sequence[Turn | dict[str, Any]] | None = None,
            doc: str | None = None) -> Answer:
        """Answer one question, given the earlier turns of the conversation (from document ``doc`` only, if given)."""
        started = time.perf_counter()
        result = self.chain.invoke(self._request(question, history, doc))
        return self._answer(result, result["draft"], started)

    def stream(self, question: str, history: Sequence[Turn | dict[str, Any]] | None = None,
               doc: str | None = None) -> Iterator[str | Answer]:
        """Answer text chunks as the answerer writes them, then the final ``Answer``.

        The final answer's text is the checked one (a generated answer's bad markers removed, or the
        abstention); show it in place of the chunks once it arrives.

            >>> for item in service.stream("What did Medvedev propose?"):
            ...     print(item if isinstance(item, str) else item.citations, end="")
        """
        started = time.perf_counter()
        result = self.retrieval_chain.invoke(self._request(question, history, doc))
        draft: Draft | None = None
        for item in stream_draft(self.answerer, result["evidence"]):
            if isinstance(item, Draft):
                draft = item
            elif item:
                yield item
        if draft is None:
            raise RuntimeError("the answerer finished without an answer")
        yield self._answer(result, draft, started)

    def _cited(self, citations: list[Citation]) -> list[Citation]:
        """The citations with their document's title and, for a PDF, the page they start on."""
        out = []
        for c in citations:
            try:
                doc = self.documents.document(c.doc)
            except CorpusError:  # an index built before documents were kept
                out.append(c)
                continue
            out.append(c.model_copy(update={"title": doc.title or None, "page": doc.info.page_at(c.start)}))
        return out

    def _answer(self, result: dict[str, Any], draft: Draft, started: float) -> Answer:
        text: str = result["question"]
        resolved: ResolvedQuestion = result["resolved"]
        return Answer(
            question=text, answer=draft.answer, abstained=draft.abstained, citations=self._cited(draft.citations),
            retrieved=result["evidence"].passages,
            standalone_question=resolved.standalone if resolved.standalone != text else None,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            unsupported=draft.unsupported, short_answer=draft.short_answer, notice=draft.notice,
            trace=with_passages(draft.trace, result["evidence"]),
        )


def open_retriever(settings: Settings, encoder: QueryEncoder | None = None) -> HybridRetriever:
    """The hybrid retriever over the committed index, with the question embedder named by ``settings``.

    The embedder loads in a background thread meanwhile (onnxruntime builds its session without
    holding the GIL, while opening the index is mostly importing chromadb).
    """
    with ThreadPoolExecutor(1, thread_name_prefix="load-query-encoder") as pool:
        pending = None if encoder else pool.submit(lambda: QueryEncoder(build_query_embedder(settings)))
        reader: IndexReader = open_index(settings).reader()
        encoder = encoder or pending.result()
    return HybridRetriever.from_reader(reader, encoder, snapshot_root(settings.index_dir), top_k=settings.top_k,
                                       dense_k=settings.dense_k, lexical_k=settings.lexical_k, rrf_k=settings.rrf_k)


__all__ = ["AssistantService", "clean_question", "open_retriever"]
