"""The Chroma index: passages and sentences with their embeddings, written in whole generations.

Each ingest writes a new *generation* (one passages and one sentences collection) and only then
moves the manifest's pointer to it, so a crash mid-ingest leaves the previous generation in use
and never a half-written one. Unchanged passages and sentences keep their embeddings: they are
copied from the previous generation by id, not embedded again.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import numpy as np

from assistant.embeddings import vector_label
from assistant.errors import IndexUnavailableError
from assistant.faults import checkpoint
from assistant.segments import Verification, VerifiedCache, check_or_raise, verify_segments
from assistant.settings import Settings
from assistant.types import Passage, Sentence, passage_id_of

WRITE_BATCH = 1000
READ_PAGE = 5000  # records per get when reading a whole collection
VERIFIED_FILE = "verified-segments.json"  # beside the Chroma folder: segments found sound
T = TypeVar("T")
log = logging.getLogger(__name__)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _looks_like_uuid(name: str) -> bool:
    return bool(_UUID.match(name))


class StaleIndexError(IndexUnavailableError):
    """The generation a reader was opened on has been replaced by a newer ingest: reopen the index."""


@dataclass(frozen=True)
class Manifest:
    """What the index holds now: its generation, the embedder that built it, each document's hash."""

    generation: int
    embedder: str
    documents: dict[str, str] = field(default_factory=dict)


def _span_metadata(span: Passage | Sentence) -> dict[str, str | int]:
    """What a row stores beside its vector; a sentence's text and section come from its passage."""
    meta: dict[str, str | int] = {"doc": span.doc, "start": span.start, "end": span.end, "position": span.position}
    if span.page is not None:
        meta["page"] = span.page
    if isinstance(span, Sentence):
        meta["passage_id"] = span.passage_id
    else:
        meta["section"] = span.section
    return meta


def read_all(collection, include: list[str], page: int = READ_PAGE) -> dict[str, list]:  # noqa: ANN001
    """Every record of ``collection`` (``ids`` and the ``include``d fields), read ``page`` records at a
    time: one ``get`` of a whole large collection fails in Chroma's SQLite ("too many SQL variables",
    seen at 40,000 passages)."""
    got: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    offset = 0
    while True:
        part = collection.get(include=include, limit=page, offset=offset)
        for field in got:
            got[field].extend(part[field])
        offset += len(part["ids"])
        if len(part["ids"]) < page:
            return got


def _batches(n: int, size: int = WRITE_BATCH) -> Iterator[slice]:
    for i in range(0, n, size):
        yield slice(i, i + size)


def open_client(settings: Settings):  # noqa: ANN201 (chromadb's client type is private)
    """A Chroma client (telemetry off): the server at ``settings.chroma_url`` if set, else the index folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_url:
        return _http_client(settings.chroma_url, settings.chroma_timeout_s)
    path = Path(settings.index_dir) / "chroma"
    try:
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        client.list_collections(limit=1)  # a damaged database fails here rather than mid-answer
        return client
    except Exception as exc:  # chromadb raises many kinds on a damaged folder
        raise IndexUnavailableError(
            f"cannot open the index at {path} ({_first_line(exc)}); run 'assistant ingest --rebuild'"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _unreachable(url: str, exc: BaseException) -> IndexUnavailableError:
    return IndexUnavailableError(
        f"the Chroma server at {url} is unreachable or not answering ({_first_line(exc)}); start it "
        f"('chroma run --path DIR --host HOST --port PORT') or unset ASSISTANT_CHROMA_URL"
    )


def _http_client(url: str, timeout_s: float):  # noqa: ANN202
    """``chromadb.HttpClient`` for ``http(s)://host:port`` with bounded connect and read times."""
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexUnavailableError(f"ASSISTANT_CHROMA_URL must look like http://host:port, not {url!r}")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    try:  # chromadb's own session has no timeout: probe first so a dead address cannot hang us
        socket.create_connection((parts.hostname, port), timeout=min(timeout_s, 3.0)).close()
        client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl,
                                     settings=ChromaSettings(anonymized_telemetry=False))
    except Exception as exc:
        raise _unreachable(url, exc) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0))
    return client


def _is_transport_error(exc: BaseException) -> bool:
    import httpx  # already imported by chromadb

    return isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError))


class ChromaIndex:
    """Passages and sentences of the corpus in Chroma, behind a generation pointer."""

    moved_aside: Path | None = None  # set by open_index(rebuild=True) when the old folder was unreadable

    def __init__(self, client, prefix: str, location: str | None = None,  # noqa: ANN001
                 embedder: str | None = None, folder: Path | None = None) -> None:
        self._client = client
        self._prefix = prefix
        self.location = location  # the server URL in server mode, named in error messages
        self.embedder = embedder  # the embedder whose vectors this index writes
        self.folder = folder  # the local index's Chroma folder (None in server mode)

    # -- damage ---------------------------------------------------------------------------------
    def verify(self, generation: int, *, fresh: bool = False) -> Verification | None:
        """Check ``generation``'s HNSW files before hnswlib reads them (see ``assistant.segments``); None in
        server mode, where the server owns its files. Segments unchanged since they were found sound are
        not read again unless ``fresh``."""
        if self.folder is None:
            return None
        cache = None if fresh else VerifiedCache(self.folder.parent / VERIFIED_FILE)
        return verify_segments(self.folder, [self._collection_name(kind, generation)
                                             for kind in ("passages", "sentences")], cache)

    def collection_kind(self, name: str) -> str:
        """"passages" or "sentences" for a collection name of this index."""
        return "sentences" if name.startswith(f"{self._prefix}_sentences_") else "passages"

    def guard(self, action: Callable[[], T]) -> T:
        """Run a Chroma call, turning a lost server into a one-line ``IndexUnavailableError``."""
        try:
            return action()
        except IndexUnavailableError:
            raise
        except Exception as exc:
            if self.location and _is_transport_error(exc):
                raise _unreachable(self.location, exc) from exc
            raise

    # -- the manifest -------------------------------------------------------------------------
    @property
    def _manifest_name(self) -> str:
        return f"{self._prefix}_manifest"

    def _collection_name(self, kind: str, generation: int) -> str:
        return f"{self._prefix}_{kind}_g{generation}"

    def manifest(self) -> Manifest | None:
        """The committed state of the index, or None before the first ingest."""
        return self.guard(self._read_manifest)

    def _read_manifest(self) -> Manifest | None:
        names = {c.name for c in self._client.list_collections()}
        if self._manifest_name not in names:
            return None
        meta = self._client.get_collection(self._manifest_name, embedding_function=None).metadata or {}
        if "generation" not in meta:
            return None
        return Manifest(int(meta["generation"]), str(meta["embedder"]), json.loads(str(meta["documents"])))

    def commit(self, manifest: Manifest) -> None:
        """Point readers at ``manifest.generation``: the single step that makes an ingest visible."""
        self.guard(lambda: self._commit(manifest))

    def _commit(self, manifest: Manifest) -> None:
        collection = self._client.get_or_create_collection(self._manifest_name, embedding_function=None)
        collection.modify(metadata={"generation": manifest.generation, "embedder": manifest.embedder,
                                    "documents": json.dumps(manifest.documents, sort_keys=True)})

    def drop_other_generations(self, keep: int) -> int:
        """Delete collections of every generation but ``keep`` (left over by older or crashed ingests)."""
        return self.guard(lambda: self._drop_other_generations(keep))

    def _drop_other_generations(self, keep: int) -> int:
        keep_names = {self._collection_name(kind, keep) for kind in ("passages", "sentences")}
        dropped = 0
        for name, _ in self._generations():
            if name in keep_names:
                continue
            checkpoint("cleanup")
            try:
                self._client.delete_collection(name)
                dropped += 1
            except Exception as exc:  # a crashed write's leftover may not even load: the next ingest retries
                if self.location and _is_transport_error(exc):
                    raise
                log.warning("could not drop the leftover collection %s (%s)", name, _first_line(exc))
        self._remove_orphan_segments()
        return dropped

    def _generations(self) -> list[tuple[str, int]]:
        """(name, generation) of every passages/sentences collection of this index, committed or not."""
        found = []
        for collection in self._client.list_collections():
            name = collection.name
            for kind in ("passages", "sentences"):
                head = f"{self._prefix}_{kind}_g"
                if name.startswith(head) and name[len(head):].isdigit():
                    found.append((name, int(name[len(head):])))
        return found

    def next_generation(self) -> int:
        """A generation number no collection has used: past the committed one and past every leftover of a
        crashed ingest, whose half-written collections are never opened again (only dropped)."""
        manifest = self.manifest()
        used = [g for _, g in self.guard(self._generations)] + ([manifest.generation] if manifest else [])
        return max(used, default=0) + 1

    def _remove_orphan_segments(self) -> None:
        """Delete segment folders no collection owns any more (Chroma leaves them behind when it drops a
        collection); local index only."""
        if self.folder is None:
            return
        import sqlite3

        try:
            with sqlite3.connect(f"file:{self.folder / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
                live = {row[0] for row in db.execute("SELECT id FROM segments")}
        except sqlite3.Error as exc:
            log.warning("could not list the index's segments (%s); orphan folders left in place", exc)
            return
        for path in self.folder.iterdir():
            if path.is_dir() and _looks_like_uuid(path.name) and path.name not in live:
                shutil.rmtree(path, ignore_errors=True)

    # -- writing ------------------------------------------------------------------------------
    def stored_embeddings(self, generation: int, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Embeddings already stored in (committed) ``generation`` for those of ``ids`` it holds."""
        try:
            collection = self._client.get_collection(self._collection_name(kind, generation), embedding_function=None)
        except Exception as exc:
            if self.location and _is_transport_error(exc):
                raise _unreachable(self.location, exc) from exc
            return {}
        found: dict[str, np.ndarray] = {}
        id_list = list(ids)
        for part in _batches(len(id_list)):
            got = self.guard(lambda: collection.get(ids=id_list[part], include=["embeddings"]))  # noqa: B023
            for item_id, vector in zip(got["ids"], got["embeddings"], strict=True):
                found[item_id] = np.asarray(vector, dtype=np.float32)
        return found

    def stored_ids(self, generation: int, kind: str) -> set[str]:
        """Ids held by one collection of ``generation``."""
        try:
            collection = self._client.get_collection(self._collection_name(kind, generation), embedding_function=None)
        except Exception as exc:
            if self.location and _is_transport_error(exc):
                raise _unreachable(self.location, exc) from exc
            return set()
        return self.guard(lambda: set(read_all(collection, [])["ids"]))

    def write_generation(self, generation: int, kind: str, spans: Sequence[Passage | Sentence],
                         embeddings: np.ndarray) -> None:
        """Write one collection of a new generation, labelled with the index's ``embedder``."""
        self.guard(lambda: self._write_generation(generation, kind, spans, embeddings, self.embedder))

    def _write_generation(self, generation: int, kind: str, spans: Sequence[Passage | Sentence],
                          embeddings: np.ndarray, embedder: str | None) -> None:
        name = self._collection_name(kind, generation)
        collection = self._client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder} if embedder else None,
        )
        for part in _batches(len(spans)):
            checkpoint(f"write:{kind}")
            chunk = spans[part]
            documents = {"documents": [s.text for s in chunk]} if kind == "passages" else {}
            collection.add(ids=[s.id for s in chunk], embeddings=embeddings[part],
                           metadatas=[_span_metadata(s) for s in chunk], **documents)

    # -- reading ------------------------------------------------------------------------------
    def _collection(self, kind: str, generation: int):  # noqa: ANN202
        try:
            return self.guard(lambda: self._client.get_collection(self._collection_name(kind, generation),
                                                                  embedding_function=None))
        except IndexUnavailableError:
            raise
        except Exception as exc:
            raise self.explain(exc, generation, f"opening the {kind}") from exc

    def reader(self) -> IndexReader:
        """A read view of the committed generation."""
        manifest = self.manifest()
        if manifest is None:
            raise IndexUnavailableError("the index is empty: run 'assistant ingest' first")
        g = manifest.generation
        check_or_raise(self.verify(g))
        return IndexReader(self, g, self._collection("passages", g), self._collection("sentences", g),
                           sorted(manifest.documents))

    def explain(self, exc: BaseException, generation: int, action: str) -> IndexUnavailableError:
        """The error to raise for ``exc`` met while reading ``generation``: lost server, replaced
        generation (``StaleIndexError``: reopen) or a damaged index."""
        if isinstance(exc, IndexUnavailableError):
            return exc
        if self.location and _is_transport_error(exc):
            return _unreachable(self.location, exc)
        try:
            current = self.manifest()
        except IndexUnavailableError as lost:
            return lost
        if current is None or current.generation != generation:
            return StaleIndexError(f"generation {generation} of the index was replaced while {action}; reopen it")
        return IndexUnavailableError(
            f"the index is damaged (generation {generation}, {action}: {_first_line(exc)}); "
            "run 'assistant ingest --rebuild'"
        )


class IndexReader:
    """Read access to the committed generation, following it when an ingest replaces it.

    When a call finds its generation gone (a newer ingest committed and dropped it), the reader
    reopens the committed generation in place and retries, so a long-lived service keeps
    answering; ``generation`` tells holders of derived data (BM25, term statistics) to refresh.
    Other failures are one-line ``IndexUnavailableError``s. ``doc`` limits a search to one
    document (its name relative to the corpus folder).
    """

    RETRIES = 3

    def __init__(self, index: ChromaIndex, generation: int, passages, sentences,  # noqa: ANN001
                 documents: Sequence[str] = ()) -> None:
        self.index = index
        self.generation = generation
        self.documents = list(documents)
        self._passages = passages
        self._sentences = sentences
        self._counts: dict[str, int] = {}  # per collection kind; a generation's collections never change
        self._lock = threading.Lock()

    def reopen(self, stale: int) -> None:
        """Switch to the committed generation if this reader is still on ``stale``."""
        with self._lock:
            if self.generation != stale:
                return
            manifest = self.index.manifest()
            if manifest is None:
                raise IndexUnavailableError("the index is empty: run 'assistant ingest' first")
            g = manifest.generation
            check_or_raise(self.index.verify(g))
            passages, sentences = self.index._collection("passages", g), self.index._collection("sentences", g)  # noqa: SLF001
            self._passages, self._sentences = passages, sentences
            self._counts = {}
            self.documents = sorted(manifest.documents)
            self.generation = g

    def follow(self) -> bool:
        """Move to the committed generation if an ingest has committed a newer one; True if it moved."""
        stale = self.generation
        manifest = self.index.manifest()
        if manifest is None or manifest.generation == stale:
            return False
        self.reopen(stale)
        return self.generation != stale

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        for attempt in range(self.RETRIES):
            generation = self.generation
            try:
                return fn()
            except Exception as exc:
                error = self.index.explain(exc, generation, action)
                if not isinstance(error, StaleIndexError) or attempt == self.RETRIES - 1:
                    raise error from exc
            try:
                self.reopen(generation)
            except StaleIndexError:
                continue
        raise AssertionError("unreachable")

    @property
    def key(self) -> str:
        """The id Chroma gave this generation's passages collection: new for every collection it creates,
        so it names the generation's snapshot (``assistant.snapshot``)."""
        return str(self._passages.id)

    def passage_count(self) -> int:
        """How many passages the generation holds."""
        return self._call("counting the passages", lambda: self._passages.count())

    def all_passages(self) -> list[Passage]:
        """Every passage, in document and reading order."""
        got = self._call("reading the passages", lambda: read_all(self._passages, ["documents", "metadatas"]))
        passages = [
            Passage(id=i, text=t, doc=m["doc"], section=m["section"], start=m["start"], end=m["end"],
                    position=m["position"], page=m.get("page"))
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(passages, key=lambda p: (p.doc, p.position))

    def _query(self, kind: str, embedding: np.ndarray, k: int, doc: str | None, include: list[str]) -> dict:
        def run() -> dict:
            with self._lock:  # a collection and its count, from the same generation
                collection, counts = (self._passages if kind == "passages" else self._sentences), self._counts
            n = counts.get(kind)
            if n is None:
                n = counts.setdefault(kind, collection.count())
            if min(k, n) == 0:
                return {"ids": [[]], "distances": [[]], "metadatas": [[]]}
            where = {"doc": doc} if doc else None
            return collection.query(query_embeddings=[embedding], n_results=min(k, n), where=where, include=include)

        return self._call("searching", run)

    def dense_search(self, embedding: np.ndarray, k: int, doc: str | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the ``k`` nearest passages (of ``doc`` only, if given)."""
        got = self._query("passages", embedding, k, doc, ["distances"])
        return [(i, 1.0 - d) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    def dense_search_sentences(self, embedding: np.ndarray, k: int,
                               doc: str | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity of its best sentence) for the passages of the ``k`` nearest sentences."""
        got = self._query("sentences", embedding, k, doc, ["distances"])
        best: dict[str, float] = {}
        for sentence, distance in zip(got["ids"][0], got["distances"][0], strict=True):
            best.setdefault(passage_id_of(sentence), 1.0 - distance)
        return list(best.items())

    def sentences_of(self, passages: Sequence[Passage]) -> tuple[list[Sentence], np.ndarray]:
        """The sentences of ``passages`` with their embeddings, in reading order (their text sliced
        from their passage's, which the index stores once)."""
        by_id = {p.id: p for p in passages}
        got = self._call("reading sentences", lambda: self._sentences.get(
            where={"passage_id": {"$in": list(by_id)}}, include=["metadatas", "embeddings"]))
        rows = sorted(zip(got["ids"], got["metadatas"], got["embeddings"], strict=True),
                      key=lambda r: (r[1]["doc"], r[1]["position"]))
        sentences = []
        for sentence_id, meta, _ in rows:
            passage = by_id[str(meta["passage_id"])]
            start, end = int(meta["start"]), int(meta["end"])
            sentences.append(Sentence(id=sentence_id, text=passage.text[start - passage.start:end - passage.start],
                                      doc=passage.doc, section=passage.section, start=start, end=end,
                                      position=meta["position"], passage_id=passage.id, page=meta.get("page")))
        vectors = np.asarray([r[2] for r in rows], dtype=np.float32).reshape(len(rows), -1)
        return sentences, vectors


def open_index(settings: Settings, *, rebuild: bool = False) -> ChromaIndex:
    """The index that ``settings`` point at.

    With ``rebuild`` an index folder that cannot be opened is moved aside (``chroma.broken-<time>``)
    and a fresh one is started, so ``assistant ingest --rebuild`` recovers from any damage.
    """
    folder = None if settings.chroma_url else Path(settings.index_dir) / "chroma"
    try:
        return ChromaIndex(open_client(settings), settings.collection_prefix, settings.chroma_url,
                           vector_label(settings), folder)
    except IndexUnavailableError:
        if not rebuild or settings.chroma_url:
            raise
    path = Path(settings.index_dir) / "chroma"
    aside = path.with_name(f"chroma.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    _forget_client(path)
    try:
        path.rename(aside)
    except OSError as exc:
        raise IndexUnavailableError(f"cannot move the unreadable index {path} aside ({exc.strerror or exc}); "
                                    "move or delete it by hand") from exc
    index = ChromaIndex(open_client(settings), settings.collection_prefix, settings.chroma_url,
                        vector_label(settings), folder)
    index.moved_aside = aside
    return index


def _forget_client(path: Path) -> None:
    """Drop chromadb's in-process cache of the client for ``path`` (it would keep the old files open)."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        systems = SharedSystemClient._identifier_to_system  # noqa: SLF001
        for key in [k for k in systems if Path(k).resolve() == path.resolve()]:
            systems.pop(key).stop()
    except Exception:  # noqa: BLE001 (best effort: a fresh process has no cache)
        pass
