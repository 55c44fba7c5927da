"""Ingest: corpus folder → passages and sentences → embeddings → a new committed index generation.

Each document's indexed text is kept beside the index (``document_store``), published after the
commit. Idempotent: when nothing changed nothing is written; otherwise only new text is embedded and the
rest is copied from the previous generation. The whole corpus is read and checked before the index
is touched, so a bad file changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import snapshot
from assistant.corpus import Document, read_document, scan_corpus
from assistant.document_store import DocumentStore, Entry
from assistant.embedding_checkpoint import EmbeddingCheckpoint, text_key
from assistant.embeddings import (SentenceTransformerEmbeddings, TokenSums, build_embedder, ensure_onnx_export,
                                  vector_label)
from assistant.errors import IndexUnavailableError
from assistant.faults import checkpoint
from assistant.segments import check_or_raise
from assistant.index_lock import index_write_lock
from assistant.settings import Settings
from assistant.splitting import split_document
from assistant.store import ChromaIndex, Manifest, open_index
from assistant.types import Passage, Sentence

EmbedderFactory = Callable[[], SentenceTransformerEmbeddings]
ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did."""

    documents: int
    passages: int
    sentences: int
    embedded: int
    reused: int
    added_documents: list[str]
    changed_documents: list[str]
    removed_documents: list[str]
    generation: int
    unchanged: bool
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the CLI (and one per note: a moved-aside index, the ONNX export)."""
        return "\n".join([self._line(), *self.notes])

    def _line(self) -> str:
        if self.unchanged:
            return f"index up to date: {self.documents} documents, {self.passages} passages (nothing embedded)"
        return (f"indexed {self.documents} documents, {self.passages} passages, {self.sentences} sentences: "
                f"{self.embedded} texts embedded, {self.reused} reused; "
                f"{len(self.added_documents)} added, {len(self.changed_documents)} changed, "
                f"{len(self.removed_documents)} removed")


def _split_corpus(docs: Sequence[Document], max_words: int) -> tuple[list[Passage], list[Sentence]]:
    passages: list[Passage] = []
    sentences: list[Sentence] = []
    for doc in docs:
        p, s = split_document(doc, max_words)
        passages.extend(p)
        sentences.extend(s)
    return passages, sentences


class _Embedding:
    """Vectors for what the previous generation lacks, loading the model only if there is such text.

    Every token is run through the model once: sentences (and section headings) are encoded, and a
    passage's vector is composed from its heading's and its sentences' summed token embeddings —
    mean pooling over the passage's tokens, each token seen in the context of its own sentence.
    Texts are embedded in batches, longest first, each saved to the ``checkpoint`` as it is done; a
    text found there (from an ingest that was killed) is not embedded again.
    """

    def __init__(self, factory: EmbedderFactory, progress: ProgressFactory | None,
                 checkpoint: EmbeddingCheckpoint | None = None) -> None:
        self._factory = factory
        self._progress = progress
        self._checkpoint = checkpoint
        self._model: SentenceTransformerEmbeddings | None = None
        self.embedded = 0
        self.reused = 0

    @property
    def model(self) -> SentenceTransformerEmbeddings | None:
        """The embedder, if it was loaded."""
        return self._model

    def vectors(self, passages: Sequence[Passage], sentences: Sequence[Sentence], known_passages: dict[str, np.ndarray],
                known_sentences: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``passages`` and ``sentences`` in order: known ones reused, the others encoded."""
        new_passages = [p for p in passages if p.id not in known_passages]
        composing = {p.id for p in new_passages}
        to_encode = [s for s in sentences if s.id not in known_sentences or s.passage_id in composing]
        headings = sorted({(p.doc, p.section) for p in new_passages if p.section})  # each section's, once
        texts = [s.text for s in to_encode] + [section for _, section in headings]
        self.reused += len(passages) - len(new_passages) + len(sentences) - len(to_encode)
        if not texts:
            return _stack(passages, known_passages, {}), _stack(sentences, known_sentences, {})
        sums = TokenSums(self._token_sums(texts))
        row = {s.id: i for i, s in enumerate(to_encode)}
        heading_row = {h: len(to_encode) + i for i, h in enumerate(headings)}
        members = {p.id: [heading_row[(p.doc, p.section)]] if p.section else [] for p in new_passages}
        for s in to_encode:
            if s.passage_id in members:
                members[s.passage_id].append(row[s.id])
        fresh_sentences = dict(zip(row, sums.vectors()[: len(to_encode)]))
        fresh_passages = dict(zip(members, sums.composed(list(members.values()))))
        return _stack(passages, known_passages, fresh_passages), _stack(sentences, known_sentences, fresh_sentences)

    def _token_sums(self, texts: list[str]) -> np.ndarray:
        """Token sums of ``texts`` (one row each): from the checkpoint, else embedded batch by batch."""
        keys = [text_key(t) for t in texts]
        saved = self._checkpoint.load() if self._checkpoint else {}
        missing = sorted({k: i for i, k in enumerate(keys) if k not in saved}.values(), key=lambda i: -len(texts[i]))
        self.embedded += len(missing)
        self.reused += len(texts) - len(missing)
        if missing:
            self._model = self._model or self._factory()
            tick = self._progress(len(missing)) if self._progress else None
            step = self._model.batch_size * self._model.CHUNK_BATCHES
            for start in range(0, len(missing), step):
                rows = missing[start:start + step]
                sums = self._model.token_sums([texts[i] for i in rows], on_batch=tick).sums
                batch_keys = [keys[i] for i in rows]
                if self._checkpoint:
                    self._checkpoint.save(batch_keys, sums)
                saved.update(zip(batch_keys, sums, strict=True))
                checkpoint("embed")
        return np.vstack([saved[k] for k in keys]).astype(np.float32)


def _stack(spans: Sequence[Passage] | Sequence[Sentence], known: dict[str, np.ndarray],
           fresh: dict[str, np.ndarray]) -> np.ndarray:
    """The spans' vectors in order, each from ``fresh`` or else ``known``."""
    rows = [fresh.get(s.id, known.get(s.id)) for s in spans]
    dim = next((len(r) for r in rows if r is not None), 0)
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)


def ingest(settings: Settings, *, rebuild: bool = False, embedder_factory: EmbedderFactory | None = None,
           progress: ProgressFactory | None = None, index: ChromaIndex | None = None,
           export_onnx: bool | None = None, on_wait: Callable[[str], None] | None = None) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring.

    One writer at a time: the index's write lock is held throughout (``on_wait`` hears that another
    ingest holds it). ``export_onnx`` (default: when the real embedder is used, i.e. no
    ``embedder_factory``) also writes the ONNX export that ``assistant ask`` embeds questions with, once.
    """
    with index_write_lock(settings, on_wait):
        return ingest_holding_lock(settings, rebuild=rebuild, embedder_factory=embedder_factory, progress=progress,
                              index=index, export_onnx=export_onnx)


def ingest_holding_lock(settings: Settings, *, rebuild: bool, embedder_factory: EmbedderFactory | None,
                   progress: ProgressFactory | None, index: ChromaIndex | None,
                   export_onnx: bool | None) -> IngestReport:
    """``ingest`` for a caller that already holds ``index_write_lock`` (an upload writing its file first)."""
    scan = scan_corpus(settings.corpus_dir)
    docs = [read_document(path, settings.corpus_dir, settings.max_document_bytes, settings.max_unpacked_bytes)
            for path in scan.files]
    passages, sentences = _split_corpus(docs, settings.passage_max_words)
    checkpoint("split")
    kept_texts = DocumentStore(settings.index_dir)
    kept_texts.save(docs)
    per_doc = Counter(p.doc for p in passages), Counter(s.doc for s in sentences)
    entries = {d.name: Entry(d.sha256, per_doc[0][d.name], per_doc[1][d.name]) for d in docs}
    index = index or open_index(settings, rebuild=rebuild)
    notes = list(scan.skipped)
    if index.moved_aside:
        notes.append(f"the unreadable index folder was moved aside to {index.moved_aside}")
    export = embedder_factory is None if export_onnx is None else export_onnx
    factory = embedder_factory or (lambda: build_embedder(settings))
    embedder_name = vector_label(settings)
    documents = {d.name: d.sha256 for d in docs}

    current = index.manifest()
    if current is not None and current.embedder != embedder_name:
        current = None
    verification = index.verify(current.generation) if current else None
    damaged = {index.collection_kind(name) for name in verification.damaged_collections} if verification else set()
    if damaged and not rebuild:
        check_or_raise(verification)  # never read a damaged segment: one line naming --rebuild
    previous = None if rebuild else current
    old_docs = previous.documents if previous else {}
    report = dict(
        documents=len(docs), passages=len(passages), sentences=len(sentences),
        added_documents=sorted(set(documents) - set(old_docs)),
        changed_documents=sorted(n for n in documents if n in old_docs and old_docs[n] != documents[n]),
        removed_documents=sorted(set(old_docs) - set(documents)),
    )
    if (previous is not None and old_docs == documents
            and index.stored_ids(previous.generation, "passages") == {p.id for p in passages}
            and index.stored_ids(previous.generation, "sentences") == {s.id for s in sentences}):
        EmbeddingCheckpoint.for_settings(settings, embedder_name).clear()  # a crash after the commit left them
        index.drop_other_generations(keep=previous.generation)  # and these
        kept_texts.publish(entries)
        notes += _save_snapshot(settings, index, passages)
        notes += _export_onnx(settings, None, rebuild) if export else []
        return IngestReport(**report, embedded=0, reused=len(passages) + len(sentences),
                            generation=previous.generation, unchanged=True, notes=tuple(notes))

    saved = EmbeddingCheckpoint.for_settings(settings, embedder_name)
    embedding = _Embedding(factory, progress, saved)
    generation = index.next_generation()
    known = {kind: index.stored_embeddings(current.generation, kind, [s.id for s in spans])
             if current and kind not in damaged else {}
             for kind, spans in (("passages", passages), ("sentences", sentences))}
    if rebuild and current:
        kept = [kind for kind in ("passages", "sentences") if kind not in damaged]
        notes.append(f"rebuilt generation {current.generation}: reused the vectors of its undamaged "
                     f"{' and '.join(kept) or 'collections (none were)'}"
                     + (f"; re-embedded the damaged {' and '.join(sorted(damaged))}" if damaged else ""))
    passage_vectors, sentence_vectors = embedding.vectors(passages, sentences, known["passages"], known["sentences"])
    index.write_generation(generation, "passages", passages, passage_vectors)
    index.write_generation(generation, "sentences", sentences, sentence_vectors)
    checkpoint("written")
    index.commit(Manifest(generation, embedder_name, documents))
    checkpoint("committed")
    kept_texts.publish(entries)
    saved.clear()
    index.drop_other_generations(keep=generation)
    notes += _save_snapshot(settings, index, passages)
    notes += _export_onnx(settings, embedding.model, rebuild) if export else []
    return IngestReport(**report, embedded=embedding.embedded, reused=embedding.reused,
                        generation=generation, unchanged=False, notes=tuple(notes))


def _save_snapshot(settings: Settings, index: ChromaIndex, passages: Sequence[Passage]) -> list[str]:
    """Save what a start would otherwise rebuild from the committed generation (``assistant.snapshot``), and
    check its HNSW files once now so that readers find them verified; a failure is a note, not a failed ingest."""
    try:
        snapshot.ensure(index.reader(), snapshot.snapshot_root(settings.index_dir), passages)
    except (OSError, IndexUnavailableError) as exc:
        return [f"warning: could not save the index snapshot ({exc}); the next start will rebuild it"]
    return []


def _export_onnx(settings: Settings, model: SentenceTransformerEmbeddings | None, rebuild: bool) -> list[str]:
    """Write the ONNX export for fast question embedding; a failure is a note, not a failed ingest."""
    from assistant.onnx_encoder import onnx_export_dir

    folder = onnx_export_dir(settings)
    try:
        if rebuild and folder.exists():
            import shutil

            shutil.rmtree(folder)
        if ensure_onnx_export(settings, model):
            return [f"exported the embedding model to ONNX for fast questions: {Path(folder)}"]
    except Exception as exc:  # noqa: BLE001 (the index is committed; questions fall back to torch)
        return [f"warning: ONNX export failed ({type(exc).__name__}: {exc}); questions will use sentence-transformers"]
    return []
