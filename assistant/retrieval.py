"""Hybrid retrieval as a LangChain retriever: dense search in Chroma (passages and sentences) + BM25, fused by RRF.

An optional document filter (``doc``: a file name relative to the corpus folder) limits all three
rankings to one article: Chroma's ``where={"doc": ...}`` for the dense searches, a filter on the
BM25 ranking for the lexical one.
"""

from __future__ import annotations

import threading
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.embeddings import QueryEncoder
from assistant.errors import QuestionError
from assistant.fusion import reciprocal_rank_fusion
from assistant.lexical import BM25Index
from assistant.store import IndexReader
from assistant.types import Passage, RetrievedPassage


class DocumentFilterError(QuestionError):
    """The document filter names no indexed document, or a path outside the corpus folder."""


def check_doc_name(doc: str) -> str:
    """``doc`` if it reads as a file name relative to the corpus folder; DocumentFilterError otherwise.

    >>> check_doc_name("../secrets.txt")
    Traceback (most recent call last):
    ...
    assistant.retrieval.DocumentFilterError: the document filter '../secrets.txt' is outside the corpus folder: name a file relative to it, e.g. 'article.txt'
    """
    if not isinstance(doc, str) or not doc.strip() or any(ord(c) < 32 for c in doc):
        raise DocumentFilterError("the document filter must be a file name relative to the corpus folder")
    path = PurePosixPath(doc.replace("\\", "/"))
    if path.is_absolute() or PureWindowsPath(doc).drive or ".." in path.parts:
        raise DocumentFilterError(f"the document filter {doc!r} is outside the corpus folder: "
                                  "name a file relative to it, e.g. 'article.txt'")
    return path.as_posix()


class HybridRetriever(BaseRetriever):
    """Returns the ``top_k`` passages of three fused rankings (dense passages, dense sentences, BM25).

    Follows the reader to a new index generation (after an ingest) by reloading its passages and BM25.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reader: IndexReader
    encoder: QueryEncoder
    lexical: BM25Index
    passages: dict[str, Passage]
    top_k: int = 6
    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60
    _generation: int | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_reader(cls, reader: IndexReader, encoder: QueryEncoder, **options: Any) -> HybridRetriever:
        """Build the retriever, loading every passage once for BM25 and look-ups."""
        generation = reader.generation
        passages = reader.all_passages()
        retriever = cls(reader=reader, encoder=encoder, lexical=BM25Index(passages),
                        passages={p.id: p for p in passages}, **options)
        retriever._generation = generation
        return retriever

    @property
    def documents(self) -> list[str]:
        """Names of the indexed documents."""
        return sorted({p.doc for p in self.passages.values()})

    def check_doc(self, doc: str | None) -> str | None:
        """The document filter, checked: inside the corpus and indexed (DocumentFilterError otherwise)."""
        if doc is None:
            return None
        name = check_doc_name(doc)
        self._sync()
        if not any(p.doc == name for p in self.passages.values()) and self.reader.follow():
            self._sync()  # the name may come from an ingest made since this retriever last read the index
        if not any(p.doc == name for p in self.passages.values()):
            names = self.documents
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            raise DocumentFilterError(f"no document named {name!r} in the index (it holds {shown})")
        return name

    def _sync(self) -> None:
        """Reload passages and BM25 when the reader has moved to another generation."""
        if self._generation is None or self._generation == self.reader.generation:
            return
        with self._lock:
            generation = self.reader.generation
            if self._generation == generation:
                return
            passages = self.reader.all_passages()
            self.lexical = BM25Index(passages)
            self.passages = {p.id: p for p in passages}
            self._generation = generation

    def retrieve(self, query: str, k: int | None = None, doc: str | None = None) -> list[RetrievedPassage]:
        """The fused ranking as typed passages (of document ``doc`` only, when given)."""
        vector = self.encoder(query)
        for _ in range(IndexReader.RETRIES):
            self._sync()
            generation = self.reader.generation
            dense = [self.reader.dense_search(vector, self.dense_k, doc),
                     self.reader.dense_search_sentences(vector, self.dense_k, doc)]
            if self.reader.generation == generation:
                break
        self._sync()
        passages, lexical = self.passages, self.lexical
        if doc is None:
            ranked = lexical.search(query, self.lexical_k)
        else:
            ranked = [(i, s) for i, s in lexical.search(query, len(passages)) if passages[i].doc == doc]
        rankings = [*dense, ranked[: self.lexical_k]]
        fused = reciprocal_rank_fusion([[i for i, _ in r if i in passages] for r in rankings], k=self.rrf_k)
        out = []
        for passage_id, score in fused[: k or self.top_k]:
            p = passages[passage_id]
            out.append(RetrievedPassage(id=p.id, doc=p.doc, section=p.section, start=p.start, end=p.end,
                                        text=p.text, score=round(score, 6)))
        return out

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                doc: str | None = None) -> list[Document]:
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}))
                for p in self.retrieve(query, doc=doc)]
