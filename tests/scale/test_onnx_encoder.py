"""The ONNX query encoder gives the same vectors as sentence-transformers, and `assistant ask` uses it without torch."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from assistant.settings import Settings

pytestmark = pytest.mark.e2e

TEXTS = [
    "What did Medvedev propose in 2008?",
    "hi",
    "Which organizations does Russia take part in as alternatives to Western-led alliances?",
    "Ünïcödé — “quotes”, dashes – and emoji 🙂 in a question?",
    " ".join(["A very long question about security architecture and sanctions."] * 60),  # > 256 tokens: truncated
]


def test_onnx_and_torch_give_the_same_embeddings(onnx_settings: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.onnx_encoder import OnnxEmbeddings, onnx_export_dir

    onnx = OnnxEmbeddings(onnx_export_dir(onnx_settings))
    torch_vectors = minilm.embed_array(TEXTS)
    batch = onnx.embed_array(TEXTS)  # padded together
    single = np.vstack([onnx.embed_array([t]) for t in TEXTS])
    for vectors in (batch, single):
        cosine = np.sum(vectors * torch_vectors, axis=1) / (
            np.linalg.norm(vectors, axis=1) * np.linalg.norm(torch_vectors, axis=1))
        assert cosine.min() >= 0.999, cosine
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)


def test_auto_uses_onnx_when_exported_and_onnx_without_export_is_a_clear_error(onnx_settings: Settings,
                                                                             tmp_path) -> None:  # noqa: ANN001
    from assistant.embeddings import build_query_embedder
    from assistant.errors import IndexUnavailableError
    from assistant.onnx_encoder import OnnxEmbeddings

    assert isinstance(build_query_embedder(onnx_settings), OnnxEmbeddings)
    bare = onnx_settings.model_copy(update={"index_dir": tmp_path, "query_encoder": "onnx"})
    with pytest.raises(IndexUnavailableError, match="no ONNX export.*assistant ingest"):
        build_query_embedder(bare)


# What `assistant ask` must not import: models and libraries of other commands (ingest, eval, web, LLM answerers),
# and bm25s with SciPy (only building BM25 needs them; a saved index is searched with NumPy).
NOT_ON_THE_ASK_PATH = (
    "bm25s", "scipy", "torch", "sentence_transformers", "transformers", "huggingface_hub", "safetensors", "onnx", "sklearn",
    "gradio", "fastapi", "uvicorn", "pandas", "matplotlib", "openai", "langchain_openai", "langchain_ollama",
    "llama_cpp", "langchain_text_splitters", "assistant.ingest", "assistant.splitting", "assistant.corpus",
    "assistant.evaluation", "assistant.web", "assistant.answerers.chat", "assistant.answerers.local",
)


def test_assistant_ask_answers_without_importing_what_only_other_commands_need(onnx_settings: Settings) -> None:
    probe = (
        "import sys; from assistant.cli import main; code = main(['ask', 'What did Medvedev propose in 2008?']);"
        f"heavy = sorted(m for m in {NOT_ON_THE_ASK_PATH!r} if m in sys.modules); print('HEAVY', heavy); sys.exit(code)"
    )
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(onnx_settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(onnx_settings.index_dir)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "European Security Treaty" in done.stdout
    assert "HEAVY []" in done.stdout
