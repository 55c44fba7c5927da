"""Summaries and lists assembled from hand-made evidence."""

from __future__ import annotations

import numpy as np

from assistant.answerers.compose import list_sentences, summary_sentences
from assistant.answerers.extractive import ExtractiveAnswerer
from tests.fakes import hand_model, make_evidence, unit_vector

SECTIONS = [("Opening", ["Putin called for a new security architecture.", "The remarks came at a ceremony.",
                         "Ambassadors presented their letters of credence."]),
            ("History", ["Medvedev proposed a European Security Treaty in 2008.",
                         "Western capitals met the proposal with limited enthusiasm."]),
            ("Partners", ["Russia works with the Shanghai Cooperation Organization and BRICS.",
                          "Trade with China and India has grown."]),
            ("Outlook", ["Whether talks follow remains uncertain."])]
VECTORS = np.stack([unit_vector(i % 8) + 0.5 * unit_vector(7) for i in range(8)])
VECTORS = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)


def test_a_summary_of_the_article_covers_its_sections_in_reading_order() -> None:
    evidence = make_evidence("Summarize the article", SECTIONS, VECTORS, unit_vector(0), whole_document=True)
    chosen = summary_sentences(evidence, None, 4, 0.5)
    assert len(chosen) == 4 and chosen == sorted(chosen)
    assert len({evidence.sentences[i].section for i in chosen}) == 4


def test_a_summary_never_abstains_even_when_nothing_resembles_the_request() -> None:
    answerer = ExtractiveAnswerer(hand_model(abstain_threshold=0.999), abstention_message="NO")
    draft = answerer.answer(make_evidence("give me a tl;dr", SECTIONS, VECTORS, unit_vector(6), whole_document=True))
    assert not draft.abstained and 3 <= len(draft.citations) <= 4


def test_a_topical_summary_stays_in_the_most_relevant_section() -> None:
    evidence = make_evidence("Sum up the history of the treaty", SECTIONS, VECTORS, unit_vector(3))
    logits = np.array([-3.0, -3.0, -3.0, 3.0, 1.0, -3.0, -3.0, -3.0])
    chosen = summary_sentences(evidence, logits, 4, 0.5)
    assert {evidence.sentences[i].section for i in chosen} == {"History"}


def test_a_list_gathers_every_sentence_holding_an_item_of_the_kind() -> None:
    kind = unit_vector(0)
    phrases = {"organizations": kind, "Shanghai Cooperation Organization": kind, "BRICS": kind,
               "European Security Treaty": unit_vector(1), "China": unit_vector(2), "India": unit_vector(2),
               "Medvedev": unit_vector(3), "Putin": unit_vector(3), "Western": unit_vector(4)}
    evidence = make_evidence("Which organizations are mentioned?", SECTIONS, VECTORS, unit_vector(0),
                             whole_document=True, phrase_vectors=phrases)
    chosen = list_sentences(evidence, 0.5, 8)
    assert [evidence.sentences[i].text for i in chosen] == [
        "Russia works with the Shanghai Cooperation Organization and BRICS."]
    years = make_evidence("Which years are mentioned?", SECTIONS, VECTORS, unit_vector(0), whole_document=True)
    assert [years.sentences[i].text for i in list_sentences(years, 0.5, 8)] == [
        "Medvedev proposed a European Security Treaty in 2008."]
