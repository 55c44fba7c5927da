"""One contract, every answerer: the same evidence in, a draft with exact citations (or the abstention) out.

Each answerer is built with fakes (a hand-made answer model, a fake chat model, a fake completion, a
failing primary) and gets only ``Evidence``: no index, no encoder. The invariant checked for each:
citations are exact slices of the evidence's passages, numbered 1..k and shown in the answer; an
abstention cites nothing; the empty evidence gives the abstention.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answerers import Answerer, Draft, FallbackAnswerer, ModelUnavailableError, stream_draft
from assistant.answerers.chat import ChatAnswerer
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.answerers.local import ShortAnswerAnswerer
from assistant.evidence import Evidence
from tests.fakes import hand_model, make_evidence, make_passages, unit_vector

SECTIONS = [("Energy", ["Russia supplies gas to Europe.", "Volumes have fallen sharply since 2022."]),
            ("History", ["The Soviet Union dissolved in 1991."])]
TEXT, _, _ = make_passages(SECTIONS)
VECTORS = np.stack([unit_vector(0), unit_vector(1), unit_vector(2)])
ABSTENTION = "The article does not say."


def _extractive() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(hand_model(), abstention_message=ABSTENTION)


def _chat(reply: str) -> ChatAnswerer:
    model = GenericFakeChatModel(messages=iter([AIMessage(reply)]))
    return ChatAnswerer(model, service="a fake server", model_name="fake", timeout=5, abstention_message=ABSTENTION)


class _Failing:
    def answer(self, evidence: Evidence) -> Draft:
        raise ModelUnavailableError("a fake server did not answer within 5 s")


ANSWERERS: dict[str, Callable[[], Answerer]] = {
    "extractive": _extractive,
    "openai/ollama (chat)": lambda: _chat("Volumes have fallen sharply since 2022 [1]."),
    "local (short answer)": lambda: ShortAnswerAnswerer(_extractive(), lambda prompt: "2022"),
    "fallback": lambda: FallbackAnswerer(_Failing(), _extractive()),
}


@pytest.mark.parametrize("name", ANSWERERS)
def test_citations_are_exact_slices_of_the_evidence(name: str) -> None:
    evidence = make_evidence("Since when have volumes fallen?", SECTIONS, VECTORS, unit_vector(1))
    *chunks, draft = list(stream_draft(ANSWERERS[name](), evidence))
    assert isinstance(draft, Draft) and all(isinstance(c, str) for c in chunks)
    assert not draft.abstained and draft.citations
    assert [c.marker for c in draft.citations] == list(range(1, len(draft.citations) + 1))
    for citation in draft.citations:
        assert TEXT[citation.start:citation.end] == citation.text
        assert f"[{citation.marker}]" in draft.answer
    assert "since 2022" in " ".join(c.text for c in draft.citations)
    if draft.short_answer:
        assert draft.short_answer in " ".join(c.text for c in draft.citations)


@pytest.mark.parametrize("name", ANSWERERS)
def test_no_evidence_means_the_abstention(name: str) -> None:
    evidence = make_evidence("Since when have volumes fallen?", [], np.zeros((0, 8), np.float32), unit_vector(1))
    draft = ANSWERERS[name]().answer(evidence)
    assert draft.abstained and draft.citations == []
