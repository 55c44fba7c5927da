"""The trace of every decision path: which check decided, on what value, against what threshold.

Each path is driven with hand-made evidence and a hand-made answer model (as in
test_extractive_logic), or a fake chat model, so the check and the reason are known in advance.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answerers import Draft, FallbackAnswerer, ModelUnavailableError
from assistant.answerers.chat import ChatAnswerer
from assistant.answerers.extractive import AnswerPolicy, ExtractiveAnswerer
from assistant.answerers.local import ShortAnswerAnswerer
from assistant.evidence import Evidence, PassageRanks
from assistant.features import SENTENCE_FEATURES
from assistant.trace import Check, Trace, passage_traces, with_passages
from tests.fakes import hand_model, make_evidence, unit_vector

SECTIONS = [("Energy", ["Russia supplies gas to Europe.", "Volumes have fallen sharply since 2022.",
                        "This decline followed the sanctions."]),
            ("History", ["The Soviet Union dissolved in 1991."])]
VECTORS = np.stack([unit_vector(0), unit_vector(1), unit_vector(2), unit_vector(3)])


def _extractive(**model: float) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(hand_model(**model), abstention_message="NOT IN ARTICLE",
                              unknown_name_message="NO {names}", policy=AnswerPolicy(trace_candidates=2))


def _evidence(question: str, query: np.ndarray, **kwargs) -> Evidence:  # noqa: ANN003
    return make_evidence(question, SECTIONS, VECTORS, query, **kwargs)


def _trace(draft: Draft) -> Trace:
    assert draft.trace is not None
    return draft.trace


def test_an_answer_names_its_probability_against_the_threshold_and_its_short_answer() -> None:
    draft = _extractive().answer(_evidence("Since when have volumes fallen?", unit_vector(1)))
    trace = _trace(draft)
    assert trace.answered and trace.check is Check.ANSWERABLE
    assert trace.value is not None and trace.threshold is not None and trace.value >= trace.threshold
    assert re.match(r"p\(answerable\) \d\.\d\d ≥ threshold \d\.\d\d; quoted 1 sentence; short answer p \d\.\d\d ≥ "
                    r"\d\.\d\d$", trace.reason), trace.reason
    assert f"{trace.value:.2f}" in trace.reason and f"{trace.threshold:.2f}" in trace.reason
    chosen = [c for c in trace.candidates if c.chosen]
    assert [c.text for c in chosen] == ["Volumes have fallen sharply since 2022."]
    assert set(chosen[0].features) == set(SENTENCE_FEATURES)
    scores = [c.score for c in trace.candidates]
    assert scores == sorted(scores, reverse=True) and len(trace.candidates) == 2  # trace_candidates
    assert all(c.probability == pytest.approx(1 / (1 + np.exp(-c.score)), abs=1e-3) for c in trace.candidates)


def test_a_rejected_short_answer_says_by_how_much() -> None:
    trace = _trace(_extractive(span_threshold=0.999).answer(_evidence("Since when have volumes fallen?",
                                                                      unit_vector(1))))
    assert re.search(r"no short answer: best phrase p \d\.\d\d < 1\.00$", trace.reason), trace.reason


def test_an_abstention_under_the_threshold_names_both_and_the_best_sentence() -> None:
    draft = _extractive().answer(_evidence("what is the weather like?", unit_vector(7)))
    trace = _trace(draft)
    assert draft.abstained and not trace.answered and trace.check is Check.ANSWERABLE
    assert trace.value < trace.threshold  # type: ignore[operator]
    assert trace.reason.startswith(f"p(answerable) {trace.value:.2f} < threshold {trace.threshold:.2f} (best sentence: “")
    assert trace.candidates and not any(c.chosen for c in trace.candidates)


def test_an_unknown_name_is_named() -> None:
    trace = _trace(_extractive().answer(_evidence("What did Biden say about gas?", unit_vector(0))))
    assert trace.check is Check.UNKNOWN_NAME and not trace.answered
    assert trace.reason == "the question names “Biden”, which no passage of the corpus mentions"


def test_no_sentence_holding_the_kind_of_fact_says_which_kind() -> None:
    trace = _trace(_extractive().answer(_evidence("How many tankers carry gas to Europe?", unit_vector(0))))
    assert trace.check is Check.ANSWER_TYPE and not trace.answered
    assert trace.reason == "none of 4 retrieved sentences holds a number of tankers, the kind of fact the question asks for"
    assert trace.candidates and not any(c.allowed for c in trace.candidates)


def test_no_passage_at_all() -> None:
    evidence = make_evidence("Since when?", [], np.zeros((0, 8), np.float32), unit_vector(1))
    trace = _trace(_extractive().answer(evidence))
    assert trace.check is Check.NO_PASSAGE and trace.reason == "retrieval found no passage to answer from"


def test_years_between_says_what_it_counted() -> None:
    query = (unit_vector(1) + unit_vector(3)) / np.sqrt(2)
    trace = _trace(_extractive().answer(_evidence("How many years between the Soviet Union dissolving and "
                                                  "volumes falling?", query)))
    assert trace.answered and trace.reason.endswith("; 31 years counted between their earliest and latest year")


def test_a_summary_says_how_many_sentences_from_how_many_sections() -> None:
    trace = _trace(_extractive().answer(_evidence("Summarize the article", unit_vector(0), whole_document=True)))
    assert trace.check is Check.SUMMARY and trace.answered
    assert trace.reason == "summary of 4 sentences from 2 sections of the whole article"
    assert all(c.chosen for c in trace.candidates) and len(trace.candidates) == 4


def test_a_list_names_the_kind_and_the_similarity_bar() -> None:
    kind = unit_vector(0)
    evidence = _evidence("Which countries are mentioned?", unit_vector(0), whole_document=True,
                         phrase_vectors={"countries": kind, "Russia": kind, "Europe": kind, "Soviet Union": kind})
    trace = _trace(_extractive().answer(evidence))
    assert trace.check is Check.LIST
    assert re.match(r"list of \d sentences? naming countries \(similarity ≥ 0\.40 to the kind asked for\)$",
                    trace.reason), trace.reason


@pytest.mark.parametrize(("reply", "check", "reason"), [
    ("Volumes have fallen since 2022 [1].", Check.MODEL,
     "written by fake; 1 citations checked against the passages, 0 sentences cite none"),
    ("I don't know.", Check.MODEL_UNKNOWN, "fake said the passages do not answer"),
    ("Volumes have fallen since 2022 [9].", Check.NO_VALID_CITATION,
     "no sentence of fake's reply cites a retrieved passage (1 markers outside the passages removed)"),
])
def test_a_generated_answer_says_what_its_citation_check_found(reply: str, check: Check, reason: str) -> None:
    answerer = ChatAnswerer(GenericFakeChatModel(messages=iter([AIMessage(reply)])), service="a fake server",
                            model_name="fake", timeout=5, abstention_message="NOT IN ARTICLE")
    evidence = _evidence("Since when have volumes fallen?", unit_vector(1))
    trace = _trace(answerer.answer(evidence))
    assert (trace.check, trace.reason) == (check, reason)


def test_the_local_model_and_the_fallback_add_to_the_extractive_reason() -> None:
    evidence = _evidence("Since when have volumes fallen?", unit_vector(1))
    kept = _trace(ShortAnswerAnswerer(_extractive(), lambda prompt: "2022").answer(evidence))
    assert kept.reason.endswith("; short answer by the local model, found word for word in the quote")
    refused = _trace(ShortAnswerAnswerer(_extractive(), lambda prompt: "in 1066").answer(evidence))
    assert refused.reason.endswith("; the local model's phrase 'in 1066' was not used (not a short verbatim phrase "
                                   "of the quote)")

    class Failing:
        def answer(self, evidence: Evidence) -> Draft:
            raise ModelUnavailableError("down")

    fallback = _trace(FallbackAnswerer(Failing(), _extractive()).answer(evidence))
    assert fallback.reason.endswith("(extractive fallback: the model failed)")


def test_the_service_adds_each_passage_rank_in_fused_order() -> None:
    evidence = _evidence("Since when have volumes fallen?", unit_vector(1))
    first = evidence.passages[0].id
    ranked = Evidence(**{**evidence.__dict__, "ranks": {first: PassageRanks(dense=3, sentence=None, lexical=1,
                                                                            fused=1, score=0.05)}})
    traces = passage_traces(ranked)
    assert (traces[0].dense, traces[0].sentence, traces[0].lexical, traces[0].fused) == (3, None, 1, 1)
    assert [t.id for t in traces] == [p.id for p in evidence.passages]
    assert with_passages(None, ranked).check is Check.MODEL  # an answerer without a trace still gets one
