"""One settings object for the whole assistant; every field can be set as ASSISTANT_<NAME>."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings read from the environment (prefix ``ASSISTANT_``) or passed explicitly."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of the articles to index (.txt, .md, .html, .pdf, .docx).")
    index_dir: Path = Field(Path(".assistant"), description="Where the persistent Chroma index lives.")
    collection_prefix: str = Field("assistant", min_length=3, description="Prefix of Chroma collection names.")
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server (`chroma run`); unset: the local folder index_dir/chroma."
    )
    chroma_timeout_s: float = Field(10.0, gt=0, description="Longest wait for one Chroma server request, in seconds.")
    query_encoder: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="How questions are embedded: 'onnx' (the MiniLM export written at ingest, fast start), "
        "'torch' (sentence-transformers), 'auto' (onnx when the export exists)."
    )
    query_encoder_threads: int = Field(
        2, ge=1, le=64, description="onnxruntime threads that embed one question (2: 8.7 → 6.7 ms a question on "
        "2 cores; 1 leaves a core to concurrent requests).")

    embedder: Literal["minilm"] = Field("minilm", description="Embedding model (packaged all-MiniLM-L6-v2).")
    embed_batch_size: int = Field(32, ge=1, description="Texts embedded per batch at ingest.")

    passage_max_words: int = Field(120, ge=20, description="Longest passage, in words, before a paragraph is split.")
    max_document_bytes: int = Field(
        5_000_000, ge=1, description="Largest corpus file ingest, an upload or a fetched URL may be, in bytes (a "
        "larger one is refused with one line; about 5 MB of text is a long book).")
    max_unpacked_bytes: int = Field(
        50_000_000, ge=1, description="Most bytes a Word (.docx) file may unpack to; more is refused as a zip bomb "
        "before anything is unpacked.")
    fetch_timeout_s: float = Field(
        20.0, gt=0, description="Longest wait for 'assistant ingest --url' to connect and for each read of the page.")
    index_lock_timeout_s: float = Field(
        600.0, ge=0, description="How long an ingest waits for another one to finish writing the index before "
        "giving up (changing nothing).")

    top_k: int = Field(8, ge=1, le=50, description="Passages returned by the retriever.")
    dense_k: int = Field(20, ge=1, description="Candidates taken from dense search before fusion.")
    lexical_k: int = Field(20, ge=1, description="Candidates taken from BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")

    answerer: Literal["extractive", "openai", "ollama", "local"] = Field(
        "extractive", description="Which answerer writes the answer: the offline extractive default, a model "
        "behind an OpenAI-compatible server, an Ollama server, or the packaged local GGUF model.")
    max_answer_sentences: int = Field(3, ge=1, le=8, description="Most sentences an extractive answer quotes.")
    answer_model_path: Path | None = Field(
        None, description="The learned answer model (JSON, written by 'assistant fit'); unset: the one shipped "
        "in the package, fitted on the external question sets.")
    abstain_threshold: float | None = Field(
        None, ge=0, le=1, description="Probability of being answerable under which the extractive answerer "
        "abstains; unset: the model's own threshold, chosen at fit time for target_false_abstention.")
    target_false_abstention: float = Field(
        0.05, gt=0, lt=1, description="Share of answerable training questions 'assistant fit' lets the "
        "abstention threshold turn away (out of fold); lower answers more, abstains less.")
    extra_sentence_min_probability: float = Field(
        0.15, ge=0, le=1, description="Relevance probability a further sentence needs to join an answer "
        "(it must also cover question terms the others lack).")
    summary_sentences: int = Field(4, ge=3, le=5, description="Sentences in a summary of the article.")
    summary_diversity: float = Field(
        0.5, ge=0, le=1, description="Weight of novelty against relevance when picking summary sentences "
        "(maximal marginal relevance).")
    list_item_min_similarity: float = Field(
        0.4, ge=-1, le=1, description="Cosine similarity a name needs with the kind a list asks for "
        "('NATO' vs 'organizations') for its sentence to be listed.")
    max_list_sentences: int = Field(8, ge=1, le=30, description="Most sentences a list answer quotes.")
    trace_candidates: int = Field(
        5, ge=0, le=50, description="Candidate sentences (with their features and score) an answer's trace lists, "
        "besides those it quotes.")

    llm_base_url: str | None = Field(
        None, description="Server of the openai/ollama answerer (default: OpenAI's API for openai, "
        "http://127.0.0.1:11434 for ollama; e.g. http://127.0.0.1:8000/v1 for llama_cpp.server).")
    llm_model: str | None = Field(None, description="Model name for openai/ollama (default gpt-4o-mini / llama3.2).")
    llm_api_key: SecretStr | None = Field(
        None, description="API key of the OpenAI-compatible server (default: OPENAI_API_KEY, or a placeholder "
        "that local servers accept).")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds a model may take to answer before the request fails.")
    llm_max_tokens: int = Field(400, ge=16, description="Longest generated answer, in tokens.")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the openai/ollama answerer.")
    llm_fallback: bool = Field(
        True, description="When the model fails (unreachable, timeout, unknown model, malformed reply), answer "
        "extractively with a notice instead of reporting an error.")
    llm_rewrite_followups: bool = Field(
        True, description="Let the openai/ollama model rewrite a follow-up into a standalone question for retrieval.")
    local_model_path: Path | None = Field(
        None, description="GGUF file of the local answerer (default: the packaged Gemma 3 270M, assembled "
        "into <index_dir>/models on first use).")
    local_threads: int = Field(
        1, ge=1, description="CPU threads of the local model (1 by default: with 2 threads on a busy 2-core "
        "machine llama.cpp slowed from ~40 to under 1 token/s).")
    local_max_tokens: int = Field(16, ge=1, description="Longest short answer the local model may write, in tokens.")

    max_question_chars: int = Field(2000, ge=1, description="Longest accepted question.")
    max_history_turns: int = Field(6, ge=0, description="Earlier turns considered when resolving a follow-up.")

    web_host: str = Field("127.0.0.1", description="Address the web chat binds to (loopback unless you expose it).")
    web_port: int = Field(7860, ge=0, le=65535, description="Port of the web chat and its /api/ask endpoint.")
    web_username: str | None = Field(None, description="User name for basic auth of the web chat (off when unset).")
    web_password: SecretStr | None = Field(None, description="Password for basic auth of the web chat (with web_username).")
    feedback_file: Path = Field(Path(".assistant/feedback.jsonl"), description="JSONL file the web chat appends likes/dislikes to.")
    feedback_max_bytes: int = Field(
        10_000_000, ge=10_000, description="Size at which the feedback file is rotated "
        "(feedback.jsonl → feedback.jsonl.1).")
    feedback_keep: int = Field(
        3, ge=0, description="Rotated feedback files kept (.1 newest … .N); older ones are deleted.")
    web_max_body_bytes: int = Field(
        1_000_000, ge=10_000, description="Largest request body any web route accepts; a larger one gets 413 "
        "before it is read whole.")
    web_history_max_turns: int = Field(
        50, ge=0, description="Most earlier turns a request may send (/api/ask, the /ask API, the chat); "
        "more is refused.")
    web_history_max_chars: int = Field(
        50_000, ge=0, description="Most characters the earlier turns of a request may hold in all; more is refused.")
    web_auth_free_failures: int = Field(
        5, ge=1, description="Failed sign-ins a client (IP address) may make before it must wait (429, Retry-After).")
    web_auth_backoff_max_s: float = Field(
        900.0, ge=1, description="Longest wait after failed sign-ins: it doubles from 1 s with each further failure.")
    web_max_sessions: int = Field(
        500, ge=1, description="Chat sessions Gradio keeps in memory (each API call opens one too; each holds its "
        "last inputs); beyond it the oldest is dropped.")
    web_max_conversations: int = Field(
        20, ge=1, description="Conversations the chat keeps in the browser (localStorage); beyond it the oldest "
        "is dropped.")
    web_conversations_max_bytes: int = Field(
        400_000, ge=10_000, description="Most bytes of JSON the saved conversations may take (the browser sends "
        "them once per page load, so keep it under web_max_body_bytes); beyond it the oldest are dropped.")
    web_trusted_origins: list[str] = Field(
        default_factory=list, description="Origins (scheme://host[:port]) besides the app's own whose pages may send "
        "it requests (without credentials), e.g. the public address behind a proxy that rewrites Host.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
