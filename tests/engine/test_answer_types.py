"""Expected answer types and whether a sentence holds one."""

from __future__ import annotations

import pytest

from assistant.answer_types import AnswerType, expected_answer, satisfies, years_in


@pytest.mark.parametrize(("question", "answer_type"), [
    ("How many people were there?", AnswerType.COUNT),
    ("How much money did it cost?", AnswerType.MONEY),
    ("How much has Russia invested in Africa?", AnswerType.MONEY),
    ("How much gas is exported?", AnswerType.QUANTITY),
    ("When did it start?", AnswerType.DATE),
    ("In what year was the treaty proposed?", AnswerType.DATE),
    ("How long did the talks last?", AnswerType.DURATION),
    ("how many yrs between the war and the treaty?", AnswerType.YEARS_BETWEEN),
    ("Who introduced the idea?", AnswerType.NAME),
    ("Did he attend?", AnswerType.YES_NO),
    ("What does the SCO promote?", AnswerType.ANY),
])
def test_expected_type(question: str, answer_type: AnswerType) -> None:
    assert expected_answer(question).type is answer_type


def test_counted_noun_must_follow_a_number() -> None:
    spec = expected_answer("How many articles did the treaty contain?")
    assert spec.counted == ("articl",)
    assert satisfies("The draft treaty had 14 articles.", spec)
    assert not satisfies("One of the earliest examples came in 2008, when Medvedev proposed it.", spec)
    assert not satisfies("It had 14 signatories.", spec)


def test_years_are_not_counts_or_quantities() -> None:
    assert not satisfies("Volumes have fallen since 2022.", expected_answer("How many ships are there?"))
    assert not satisfies("Volumes have fallen since 2022.", expected_answer("How much gas is sold?"))
    assert satisfies("It sold 40 billion cubic metres.", expected_answer("How much gas is sold?"))


def test_vague_quantities_answer_counts_but_not_amounts() -> None:
    text = "Russia supplies gas to several European countries."
    assert satisfies(text, expected_answer("How many countries does Russia supply gas to?"))
    assert not satisfies(text, expected_answer("How much gas does Russia supply?"))


def test_money_dates_durations_names() -> None:
    assert satisfies("It invested $5 billion.", expected_answer("How much money was invested?"))
    assert not satisfies("It invested heavily in energy.", expected_answer("How much money was invested?"))
    assert satisfies("Since the early 2000s, it has proposed reforms.", expected_answer("Since when has it proposed reforms?"))
    assert not satisfies("It has proposed reforms.", expected_answer("When did it propose reforms?"))
    assert satisfies("It has featured over the past two decades.", expected_answer("How long has it featured?"))
    assert satisfies("The idea came from then-President Dmitry Medvedev.", expected_answer("Who had the idea?"))
    assert not satisfies("the idea came from the president.", expected_answer("Who had the idea?"))


def test_years_in() -> None:
    assert years_in("From 1991 to 2022, and in the 1970s.") == [1991, 2022, 1970]
