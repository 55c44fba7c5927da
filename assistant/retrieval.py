"""Hybrid retrieval as a LangChain retriever: dense search in Chroma (passages and sentences) + BM25, fused by RRF."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import QueryEncoder
from assistant.fusion import reciprocal_rank_fusion
from assistant.lexical import BM25Index
from assistant.store import IndexReader
from assistant.types import Passage, RetrievedPassage


class HybridRetriever(BaseRetriever):
    """Returns the ``top_k`` passages of three fused rankings (dense passages, dense sentences, BM25)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reader: IndexReader
    encoder: QueryEncoder
    lexical: BM25Index
    passages: dict[str, Passage]
    top_k: int = 6
    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60

    @classmethod
    def from_reader(cls, reader: IndexReader, encoder: QueryEncoder, **options: Any) -> HybridRetriever:
        """Build the retriever, loading every passage once for BM25 and look-ups."""
        passages = reader.all_passages()
        return cls(reader=reader, encoder=encoder, lexical=BM25Index(passages),
                   passages={p.id: p for p in passages}, **options)

    def retrieve(self, query: str, k: int | None = None) -> list[RetrievedPassage]:
        """The fused ranking as typed passages."""
        vector = self.encoder(query)
        rankings = [
            self.reader.dense_search(vector, self.dense_k),
            self.reader.dense_search_sentences(vector, self.dense_k),
            self.lexical.search(query, self.lexical_k),
        ]
        fused = reciprocal_rank_fusion([[i for i, _ in r] for r in rankings], k=self.rrf_k)
        out = []
        for passage_id, score in fused[: k or self.top_k]:
            p = self.passages[passage_id]
            out.append(RetrievedPassage(id=p.id, doc=p.doc, section=p.section, start=p.start, end=p.end,
                                        text=p.text, score=round(score, 6)))
        return out

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}))
                for p in self.retrieve(query)]
