"""Answerers: the extractive default, chosen by ``settings.answerer``."""

from __future__ import annotations

from assistant.answerers.base import Answerer, Draft
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.embeddings import QueryEncoder
from assistant.prompts import load_prompt
from assistant.settings import Settings
from assistant.store import IndexReader
from assistant.types import Passage


def build_answerer(settings: Settings, reader: IndexReader, encoder: QueryEncoder,
                   passages: list[Passage]) -> Answerer:
    """The answerer the settings name."""
    match settings.answerer:
        case "extractive":
            return ExtractiveAnswerer(
                reader, encoder, passages, abstain_threshold=settings.abstain_threshold,
                max_sentences=settings.max_answer_sentences, abstention_message=load_prompt("abstention"),
                unknown_name_message=load_prompt("abstention_unknown_name"),
            )
    raise ValueError(f"unknown answerer {settings.answerer!r}")


__all__ = ["Answerer", "Draft", "ExtractiveAnswerer", "build_answerer"]
