"""What a question asks for: intent, wh-word, names, numbers, qualifiers, scope."""

from __future__ import annotations

import pytest

from assistant.questions import Intent, analyse, wh_word


@pytest.mark.parametrize(("question", "intent", "topical"), [
    ("Summarize the article", Intent.SUMMARY, False),
    ("give me a tl;dr", Intent.SUMMARY, False),
    ("What is this article about?", Intent.SUMMARY, False),
    ("What are the main points?", Intent.SUMMARY, False),
    ("Can you sum up the historical background of Russia's security vision?", Intent.SUMMARY, True),
    ("Which organizations are mentioned?", Intent.LIST, True),
    ("List all the countries named in the article", Intent.LIST, True),
    ("Why is the ceremony useful to Russia?", Intent.REASON, True),
    ("What caused the decline?", Intent.REASON, True),
    ("What did Medvedev propose in 2008?", Intent.FACT, True),
])
def test_intent(question: str, intent: Intent, topical: bool) -> None:
    analysis = analyse(question)
    assert analysis.intent is intent
    assert analysis.topical is topical


def test_list_kind() -> None:
    assert analyse("Which organizations are mentioned?").kind == "organizations"
    assert analyse("List all the countries named in the article").kind == "countries"


@pytest.mark.parametrize(("question", "wh"), [
    ("How many legions were there?", "how many"), ("How long is the Rhine?", "how long"),
    ("When did it start?", "when"), ("What year was it founded?", "when"), ("Who spoke?", "who"),
    ("In which city is it?", "which"), ("Is it long?", "yes-no"), ("The river flows into what?", "what"),
])
def test_wh_word(question: str, wh: str) -> None:
    assert wh_word(question) == wh


def test_names_numbers_qualifiers_negation_and_scope() -> None:
    analysis = analyse("What exact figure did NATO's G20 partners give in 2008, not 2009, in the closing section?")
    assert {"nato", "g20"} <= analysis.names
    assert analysis.numbers == {"2008", "2009"}
    assert "exact" in analysis.qualifiers
    assert analysis.negated and analysis.scope == "last"
    assert "section" not in analysis.terms  # "closing section" names where to look, not what to find
