"""Ingest: corpus folder → passages and sentences → embeddings → a new committed index generation.

Idempotent: when nothing changed nothing is written; otherwise only new text is embedded and the
rest is copied from the previous generation. The whole corpus is read and checked before the index
is touched, so a bad file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.corpus import Document, load_corpus
from assistant.embeddings import SentenceTransformerEmbeddings, build_embedder, ensure_onnx_export
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


def passage_embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: its section heading gives it context."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


def _split_corpus(docs: Sequence[Document], max_words: int) -> tuple[list[Passage], list[Sentence]]:
    passages: list[Passage] = []
    sentences: list[Sentence] = []
    for doc in docs:
        p, s = split_document(doc, max_words)
        passages.extend(p)
        sentences.extend(s)
    return passages, sentences


class _Embedding:
    """Embeds what the previous generation lacks, loading the model only if there is such text."""

    def __init__(self, factory: EmbedderFactory, progress: ProgressFactory | None) -> None:
        self._factory = factory
        self._progress = progress
        self._model: SentenceTransformerEmbeddings | None = None
        self.embedded = 0
        self.reused = 0

    @property
    def model(self) -> SentenceTransformerEmbeddings | None:
        """The embedder, if it was loaded."""
        return self._model

    def vectors(self, texts: list[str], ids: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
        missing = [i for i, item_id in enumerate(ids) if item_id not in known]
        fresh = np.zeros((0, 0), np.float32)
        if missing:
            self._model = self._model or self._factory()
            tick = self._progress(len(missing)) if self._progress else None
            fresh = self._model.embed_array([texts[i] for i in missing], on_batch=tick)
        self.embedded += len(missing)
        self.reused += len(ids) - len(missing)
        rows: list[np.ndarray] = [known[item_id] for item_id in ids if item_id in known]
        dim = fresh.shape[1] if missing else (rows[0].shape[0] if rows else 0)
        out = np.zeros((len(ids), dim), np.float32)
        fresh_rows = iter(fresh)
        for i, item_id in enumerate(ids):
            out[i] = known[item_id] if item_id in known else next(fresh_rows)
        return out


def ingest(settings: Settings, *, rebuild: bool = False, embedder_factory: EmbedderFactory | None = None,
           progress: ProgressFactory | None = None, index: ChromaIndex | None = None,
           export_onnx: bool | None = None) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring.

    ``export_onnx`` (default: when the real embedder is used, i.e. no ``embedder_factory``) also
    writes the ONNX export that ``assistant ask`` embeds questions with, once.
    """
    docs = load_corpus(settings.corpus_dir)
    passages, sentences = _split_corpus(docs, settings.passage_max_words)
    index = index or open_index(settings, rebuild=rebuild)
    notes = [f"the unreadable index folder was moved aside to {index.moved_aside}"] if index.moved_aside else []
    export = embedder_factory is None if export_onnx is None else export_onnx
    factory = embedder_factory or (lambda: build_embedder(settings))
    embedder_name = settings.embedder
    documents = {d.name: d.sha256 for d in docs}

    previous = None if rebuild else index.manifest()
    if previous is not None and previous.embedder != embedder_name:
        previous = None
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
        notes += _export_onnx(settings, None, rebuild) if export else []
        return IngestReport(**report, embedded=0, reused=len(passages) + len(sentences),
                            generation=previous.generation, unchanged=True, notes=tuple(notes))

    embedding = _Embedding(factory, progress)
    generation = (previous.generation + 1) if previous else _next_free_generation(index)
    for kind, spans, texts in (
        ("passages", passages, [passage_embedding_text(p) for p in passages]),
        ("sentences", sentences, [s.text for s in sentences]),
    ):
        ids = [s.id for s in spans]
        known = index.stored_embeddings(previous.generation, kind, ids) if previous else {}
        if not rebuild:  # what a crashed ingest already embedded into this generation (ids are content hashes)
            known |= index.stored_embeddings(generation, kind, [i for i in ids if i not in known], embedder_name)
        index.write_generation(generation, kind, spans, embedding.vectors(texts, ids, known))
    index.commit(Manifest(generation, embedder_name, documents))
    index.drop_other_generations(keep=generation)
    notes += _export_onnx(settings, embedding.model, rebuild) if export else []
    return IngestReport(**report, embedded=embedding.embedded, reused=embedding.reused,
                        generation=generation, unchanged=False, notes=tuple(notes))


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


def _next_free_generation(index: ChromaIndex) -> int:
    manifest = index.manifest()
    return manifest.generation + 1 if manifest else 1
