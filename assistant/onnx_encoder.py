"""Question embeddings without torch: the MiniLM exported to ONNX once at ingest, run by onnxruntime.

``export_minilm`` (ingest time, needs torch) traces the sentence-transformers model — transformer,
mean pooling and L2 normalisation — into one ONNX graph under ``<index_dir>/onnx/<embedder>/``.
``OnnxEmbeddings`` (ask time) loads that graph with onnxruntime and the model's own
``tokenizer.json`` with ``tokenizers``: about 0.5 s to import instead of 10-14 s for
sentence-transformers, and the same vectors (cosine ≥ 0.999, checked in tests/scale).

What it leaves out: batching by length (queries are short) and any model but the one exported.

    >>> enc = OnnxEmbeddings(onnx_export_dir(settings))   # doctest: +SKIP
    >>> enc.embed_array(["What did Medvedev propose?"]).shape
    (1, 384)
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.settings import Settings

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "export.json"
MAX_SEQ_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2


def onnx_export_dir(settings: Settings) -> Path:
    """Where the ONNX export of ``settings.embedder`` lives (inside the index folder, not in git)."""
    return Path(settings.index_dir) / "onnx" / settings.embedder


def export_exists(folder: Path, embedder: str) -> bool:
    """Whether ``folder`` holds a complete export of ``embedder``."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("embedder") == embedder and (folder / MODEL_FILE).is_file() and (folder / TOKENIZER_FILE).is_file()


def export_minilm(st_model, model_path: str, folder: Path, embedder: str) -> Path:  # noqa: ANN001
    """Trace ``st_model`` (a loaded SentenceTransformer) to ``folder``; written whole or not at all."""
    import torch

    class _Pooled(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN202
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    transformer = st_model[0].auto_model.eval()
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    sample = st_model.tokenizer(["a short one", "and a somewhat longer second sentence"], padding=True,
                                return_tensors="pt")
    inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    axes = {"batch": 0, "tokens": 1}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches of the HF code
        torch.onnx.export(
            _Pooled(transformer), inputs, str(tmp / MODEL_FILE),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["sentence_embedding"],
            dynamic_axes={**{n: {v: k for k, v in axes.items()} for n in ("input_ids", "attention_mask",
                                                                            "token_type_ids")},
                          "sentence_embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    shutil.copyfile(Path(model_path) / TOKENIZER_FILE, tmp / TOKENIZER_FILE)
    (tmp / META_FILE).write_text(json.dumps({"embedder": embedder, "source": model_path,
                                             "max_seq_length": MAX_SEQ_LENGTH}), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


class OnnxEmbeddings:
    """Normalised MiniLM embeddings from the ONNX export (same interface as SentenceTransformerEmbeddings)."""

    def __init__(self, folder: Path, name: str = "all-MiniLM-L6-v2", threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])

    def embed_array(self, texts: Sequence[str], on_batch=None) -> np.ndarray:  # noqa: ANN001
        """Embeddings of ``texts`` as a float32 array (one batch)."""
        if not texts:
            return np.zeros((0, 384), np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = self._session.run(["sentence_embedding"], feed)
        if on_batch:
            on_batch(len(texts))
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain-style interface: embeddings of many texts."""
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain-style interface: embedding of one query."""
        return self.embed_array([text])[0].tolist()
