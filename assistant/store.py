"""The Chroma index: passages and sentences with their embeddings, written in whole generations.

Each ingest writes a new *generation* (one passages and one sentences collection) and only then
moves the manifest's pointer to it, so a crash mid-ingest leaves the previous generation in use
and never a half-written one. Unchanged passages and sentences keep their embeddings: they are
copied from the previous generation by id, not embedded again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IndexUnavailableError
from assistant.settings import Settings
from assistant.types import Passage, Sentence

WRITE_BATCH = 1000


@dataclass(frozen=True)
class Manifest:
    """What the index holds now: its generation, the embedder that built it, each document's hash."""

    generation: int
    embedder: str
    documents: dict[str, str] = field(default_factory=dict)


def _span_metadata(span: Passage | Sentence) -> dict[str, str | int]:
    meta: dict[str, str | int] = {"doc": span.doc, "section": span.section, "start": span.start,
                                  "end": span.end, "position": span.position}
    if isinstance(span, Sentence):
        meta["passage_id"] = span.passage_id
    return meta


def _batches(n: int, size: int = WRITE_BATCH) -> Iterator[slice]:
    for i in range(0, n, size):
        yield slice(i, i + size)


def open_client(settings: Settings):  # noqa: ANN201 (chromadb's client type is private)
    """A Chroma client for the index folder of ``settings`` (telemetry off)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path = Path(settings.index_dir) / "chroma"
    try:
        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    except Exception as exc:  # chromadb raises many kinds on a damaged folder
        raise IndexUnavailableError(
            f"cannot open the index at {path} ({exc}); run 'assistant ingest --rebuild'"
        ) from exc


class ChromaIndex:
    """Passages and sentences of the corpus in Chroma, behind a generation pointer."""

    def __init__(self, client, prefix: str) -> None:  # noqa: ANN001
        self._client = client
        self._prefix = prefix

    # -- the manifest -------------------------------------------------------------------------
    @property
    def _manifest_name(self) -> str:
        return f"{self._prefix}_manifest"

    def _collection_name(self, kind: str, generation: int) -> str:
        return f"{self._prefix}_{kind}_g{generation}"

    def manifest(self) -> Manifest | None:
        """The committed state of the index, or None before the first ingest."""
        names = {c.name for c in self._client.list_collections()}
        if self._manifest_name not in names:
            return None
        meta = self._client.get_collection(self._manifest_name, embedding_function=None).metadata or {}
        if "generation" not in meta:
            return None
        return Manifest(int(meta["generation"]), str(meta["embedder"]), json.loads(str(meta["documents"])))

    def commit(self, manifest: Manifest) -> None:
        """Point readers at ``manifest.generation``: the single step that makes an ingest visible."""
        collection = self._client.get_or_create_collection(self._manifest_name, embedding_function=None)
        collection.modify(metadata={"generation": manifest.generation, "embedder": manifest.embedder,
                                    "documents": json.dumps(manifest.documents, sort_keys=True)})

    def drop_other_generations(self, keep: int) -> int:
        """Delete collections of every generation but ``keep`` (left over by older or crashed ingests)."""
        keep_names = {self._collection_name(kind, keep) for kind in ("passages", "sentences")}
        dropped = 0
        for collection in self._client.list_collections():
            name = collection.name
            if name.startswith(f"{self._prefix}_") and "_g" in name and name not in keep_names:
                if name.rsplit("_g", 1)[-1].isdigit():
                    self._client.delete_collection(name)
                    dropped += 1
        return dropped

    # -- writing ------------------------------------------------------------------------------
    def stored_embeddings(self, generation: int, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Embeddings already stored in ``generation`` for those of ``ids`` it holds."""
        try:
            collection = self._client.get_collection(self._collection_name(kind, generation), embedding_function=None)
        except Exception:
            return {}
        found: dict[str, np.ndarray] = {}
        id_list = list(ids)
        for part in _batches(len(id_list)):
            got = collection.get(ids=id_list[part], include=["embeddings"])
            for item_id, vector in zip(got["ids"], got["embeddings"], strict=True):
                found[item_id] = np.asarray(vector, dtype=np.float32)
        return found

    def stored_ids(self, generation: int, kind: str) -> set[str]:
        """Ids held by one collection of ``generation``."""
        try:
            collection = self._client.get_collection(self._collection_name(kind, generation), embedding_function=None)
        except Exception:
            return set()
        return set(collection.get(include=[])["ids"])

    def write_generation(self, generation: int, kind: str, spans: Sequence[Passage | Sentence],
                         embeddings: np.ndarray) -> None:
        """Write one collection of a new generation (replacing any leftover of a crashed ingest)."""
        name = self._collection_name(kind, generation)
        if name in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(name)
        collection = self._client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        for part in _batches(len(spans)):
            chunk = spans[part]
            collection.add(ids=[s.id for s in chunk], embeddings=embeddings[part],
                           documents=[s.text for s in chunk], metadatas=[_span_metadata(s) for s in chunk])

    # -- reading ------------------------------------------------------------------------------
    def _collection(self, kind: str):  # noqa: ANN202
        manifest = self.manifest()
        if manifest is None:
            raise IndexUnavailableError("the index is empty: run 'assistant ingest' first")
        try:
            return self._client.get_collection(self._collection_name(kind, manifest.generation),
                                               embedding_function=None)
        except Exception as exc:
            raise IndexUnavailableError(
                f"the index is damaged (missing {kind} of generation {manifest.generation}); "
                "run 'assistant ingest --rebuild'"
            ) from exc

    def reader(self) -> IndexReader:
        """A read view of the committed generation."""
        return IndexReader(self._collection("passages"), self._collection("sentences"))


class IndexReader:
    """Read access to one committed generation."""

    def __init__(self, passages, sentences) -> None:  # noqa: ANN001
        self._passages = passages
        self._sentences = sentences

    def all_passages(self) -> list[Passage]:
        """Every passage, in document and reading order."""
        got = self._passages.get(include=["documents", "metadatas"])
        passages = [
            Passage(id=i, text=t, doc=m["doc"], section=m["section"], start=m["start"], end=m["end"],
                    position=m["position"])
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(passages, key=lambda p: (p.doc, p.position))

    def dense_search(self, embedding: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the ``k`` nearest passages."""
        k = min(k, self._passages.count())
        if k == 0:
            return []
        got = self._passages.query(query_embeddings=[embedding], n_results=k, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    def dense_search_sentences(self, embedding: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity of its best sentence) for the passages of the ``k`` nearest sentences."""
        k = min(k, self._sentences.count())
        if k == 0:
            return []
        got = self._sentences.query(query_embeddings=[embedding], n_results=k, include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, distance in zip(got["metadatas"][0], got["distances"][0], strict=True):
            best.setdefault(str(meta["passage_id"]), 1.0 - distance)
        return list(best.items())

    def sentences_of(self, passage_ids: Sequence[str]) -> tuple[list[Sentence], np.ndarray]:
        """The sentences of the given passages with their embeddings, in reading order."""
        got = self._sentences.get(where={"passage_id": {"$in": list(passage_ids)}},
                                  include=["documents", "metadatas", "embeddings"])
        rows = sorted(zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True),
                      key=lambda r: (r[2]["doc"], r[2]["position"]))
        sentences = [
            Sentence(id=i, text=t, doc=m["doc"], section=m["section"], start=m["start"], end=m["end"],
                     position=m["position"], passage_id=m["passage_id"])
            for i, t, m, _ in rows
        ]
        vectors = np.asarray([r[3] for r in rows], dtype=np.float32).reshape(len(rows), -1)
        return sentences, vectors


def open_index(settings: Settings) -> ChromaIndex:
    """The index that ``settings`` point at."""
    return ChromaIndex(open_client(settings), settings.collection_prefix)
