"""Hybrid retrieval as a LangChain retriever: dense search in Chroma (passages and sentences) + BM25, fused by RRF.

An optional document filter (``doc``: a file name relative to the corpus folder) limits all three
rankings to one article: Chroma's ``where={"doc": ...}`` for the dense searches, a filter on the
BM25 ranking for the lexical one. ``gather`` returns the ``Evidence`` an answerer works from: the
fused passages with their ranks, their sentences and vectors, the question's vectors and the corpus
statistics; a summary or a list request gets the whole best-matching article instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant import snapshot
from assistant.embeddings import QueryEncoder
from assistant.entities import names_in
from assistant.errors import QuestionError
from assistant.evidence import CorpusStatistics, Evidence, PassageRanks
from assistant.followup import ResolvedQuestion
from assistant.fusion import reciprocal_rank_fusion
from assistant.lexical import BM25Index
from assistant.questions import Intent, analyse
from assistant.store import IndexReader
from assistant.types import Passage, RetrievedPassage, Sentence

SENTENCE_CACHE = 4096  # passages whose sentences (with vectors) a retriever keeps in memory
DENSE_SEARCH_THREADS = 4  # the passage search runs on one of these while the sentence search runs (Chroma frees the GIL)


def _generation_data(reader: IndexReader, snapshots: Path | None) -> tuple[list[Passage], CorpusStatistics]:
    """The reader's passages and corpus statistics: through the snapshot folder when there is one."""
    if snapshots is not None:
        return snapshot.load_or_build(reader, snapshots)
    return snapshot.build(reader.all_passages(), reader.generation)


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
        shown = doc if len(doc) <= 60 else doc[:60] + "…"  # never echo a long input whole
        raise DocumentFilterError(f"the document filter {shown!r} is outside the corpus folder: "
                                  "name a file relative to it, e.g. 'article.txt'")
    return path.as_posix()


class HybridRetriever(BaseRetriever):
    """Returns the ``top_k`` passages of three fused rankings (dense passages, dense sentences, BM25).

    Follows the reader to a new index generation (after an ingest) by reloading its passages, BM25
    and the corpus statistics.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reader: IndexReader
    encoder: QueryEncoder
    lexical: BM25Index
    passages: dict[str, Passage]
    statistics: CorpusStatistics
    top_k: int = 6
    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60
    snapshots: Path | None = None
    _generation: int | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _sentence_cache: OrderedDict = PrivateAttr(default_factory=OrderedDict)
    _searches: ThreadPoolExecutor = PrivateAttr(
        default_factory=lambda: ThreadPoolExecutor(DENSE_SEARCH_THREADS, thread_name_prefix="dense-search"))

    @classmethod
    def from_reader(cls, reader: IndexReader, encoder: QueryEncoder, snapshots: Path | None = None,
                    **options: Any) -> HybridRetriever:
        """Build the retriever over every passage, with BM25 and the corpus statistics: read from the
        generation's snapshot under ``snapshots`` (written there when missing), else computed."""
        generation = reader.generation
        passages, statistics = _generation_data(reader, snapshots)
        retriever = cls(reader=reader, encoder=encoder, lexical=statistics.lexical,
                        passages={p.id: p for p in passages}, statistics=statistics, snapshots=snapshots, **options)
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
            asked = name if len(name) <= 60 else name[:60] + "…"  # never echo a long input whole
            raise DocumentFilterError(f"no document named {asked!r} in the index (it holds {shown})")
        return name

    def follow(self) -> None:
        """Move to the generation an ingest committed since (an upload, a removal), reloading passages and BM25."""
        self.reader.follow()
        self._sync()

    def _sync(self) -> None:
        """Reload passages and BM25 when the reader has moved to another generation."""
        if self._generation is None or self._generation == self.reader.generation:
            return
        with self._lock:
            generation = self.reader.generation
            if self._generation == generation:
                return
            passages, statistics = _generation_data(self.reader, self.snapshots)
            self.lexical = statistics.lexical
            self.passages = {p.id: p for p in passages}
            self.statistics = statistics
            self._sentence_cache.clear()
            self._generation = generation

    def _rankings(self, query: str, vector, doc: str | None):  # noqa: ANN001, ANN202
        """The three rankings (passage ids, best first) and the passages and statistics they index."""
        for _ in range(IndexReader.RETRIES):
            self._sync()
            generation = self.reader.generation
            passages_found = self._searches.submit(self.reader.dense_search, vector, self.dense_k, doc)
            sentences_found = self.reader.dense_search_sentences(vector, self.dense_k, doc)
            dense = [passages_found.result(), sentences_found]
            if self.reader.generation == generation:
                break
        self._sync()
        passages, lexical, statistics = self.passages, self.lexical, self.statistics
        if doc is None:
            ranked = lexical.search(query, self.lexical_k)
        else:
            ranked = [(i, s) for i, s in lexical.search(query, len(passages)) if passages[i].doc == doc]
        rankings = [[i for i, _ in r if i in passages] for r in (*dense, ranked[: self.lexical_k])]
        return rankings, passages, statistics

    @staticmethod
    def _typed(passage: Passage, score: float) -> RetrievedPassage:
        return RetrievedPassage(id=passage.id, doc=passage.doc, section=passage.section, start=passage.start,
                                end=passage.end, text=passage.text, page=passage.page, score=round(score, 6))

    def retrieve(self, query: str, k: int | None = None, doc: str | None = None) -> list[RetrievedPassage]:
        """The fused ranking as typed passages (of document ``doc`` only, when given)."""
        rankings, passages, _ = self._rankings(query, self.encoder(query), doc)
        fused = reciprocal_rank_fusion(rankings, k=self.rrf_k)
        return [self._typed(passages[i], score) for i, score in fused[: k or self.top_k]]

    def gather(self, question: ResolvedQuestion, doc: str | None = None) -> Evidence:
        """The evidence for one question: the ``top_k`` fused passages (for a summary of the article or
        a list, every passage of the best-matching document) with their sentences and vectors."""
        analysis = analyse(question.question)
        vector, own = self.encoder.cached([question.standalone, question.question if question.context
                                           else question.standalone])
        rankings, passages, statistics = self._rankings(question.standalone, vector, doc)
        fused = reciprocal_rank_fusion(rankings, k=self.rrf_k)
        positions = [{pid: r for r, pid in enumerate(ranking, start=1)} for ranking in rankings]
        ranks = {pid: PassageRanks(dense=positions[0].get(pid), sentence=positions[1].get(pid),
                                   lexical=positions[2].get(pid), fused=r, score=round(score, 6))
                 for r, (pid, score) in enumerate(fused, start=1)}
        whole = analysis.intent is Intent.LIST or (analysis.intent is Intent.SUMMARY and not analysis.topical)
        if whole and fused:
            chosen_doc = doc or passages[fused[0][0]].doc
            picked = sorted((p for p in passages.values() if p.doc == chosen_doc), key=lambda p: p.position)
            selected = [self._typed(p, ranks[p.id].score if p.id in ranks else 0.0) for p in picked]
        else:
            whole = False
            selected = [self._typed(passages[i], score) for i, score in fused[: self.top_k]]
        sentences, vectors = self._sentences_of(selected) if selected else ([], None)
        if vectors is None:
            vectors = np.zeros((0, len(vector)), np.float32)
        phrases: dict[str, np.ndarray] = {}
        if analysis.intent is Intent.LIST and analysis.kind and sentences:
            texts = list(dict.fromkeys([analysis.kind, *(item for s in sentences for item in names_in(s.text))]))
            phrases = dict(zip(texts, self.encoder.many(texts), strict=True))
        return Evidence(question=question, analysis=analysis, query_vector=vector, own_vector=own,
                        passages=selected, sentences=sentences, sentence_vectors=vectors, statistics=statistics,
                        ranks={p.id: ranks[p.id] for p in selected if p.id in ranks}, whole_document=whole,
                        phrase_vectors=phrases)

    def _sentences_of(self, passages: list[RetrievedPassage]) -> tuple[list[Sentence], np.ndarray]:
        """The sentences of ``passages`` with their vectors in reading order, as ``IndexReader.sentences_of``
        gives them; each passage's are read from the index once and then kept (``SENTENCE_CACHE`` passages,
        least recently used dropped). A passage id hashes its document and text, so its sentences never change."""
        with self._lock:
            have = {p.id: self._sentence_cache[p.id] for p in passages if p.id in self._sentence_cache}
            for pid in have:
                self._sentence_cache.move_to_end(pid)
        missing = [p for p in passages if p.id not in have]
        if missing:
            found, vectors = self.reader.sentences_of(missing)
            groups: dict[str, tuple[list[Sentence], list[np.ndarray]]] = {p.id: ([], []) for p in missing}
            for sentence, vector in zip(found, vectors, strict=True):
                groups[sentence.passage_id][0].append(sentence)
                groups[sentence.passage_id][1].append(vector)
            have.update(groups)
            with self._lock:
                self._sentence_cache.update(groups)
                while len(self._sentence_cache) > SENTENCE_CACHE:
                    self._sentence_cache.popitem(last=False)
        picked = [pair for p in passages for pair in zip(*have[p.id], strict=True)]
        picked.sort(key=lambda pair: (pair[0].doc, pair[0].position))
        return [s for s, _ in picked], np.asarray([v for _, v in picked], dtype=np.float32).reshape(len(picked), -1)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                doc: str | None = None) -> list[Document]:
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}))
                for p in self.retrieve(query, doc=doc)]
