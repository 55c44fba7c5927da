"""Short-answer candidates: phrases with exact offsets, and their features."""

from __future__ import annotations

from assistant.questions import analyse
import numpy as np

from assistant.spans import SPAN_FEATURES, SpanCandidate, candidates, choose, tokenize

SENTENCE = "The biggest city on the river Rhine is Cologne, Germany with a population of more than 1,050,000 people."


def _candidates(question: str):  # noqa: ANN202
    spans, matrix = candidates(0, SENTENCE, analyse(question), 0.0)
    return spans, {s.text: dict(zip(SPAN_FEATURES, row, strict=True)) for s, row in zip(spans, matrix, strict=True)}


def test_tokens_keep_offsets_and_numbers_whole() -> None:
    tokens = tokenize(SENTENCE)
    assert all(SENTENCE[t.start:t.end] == t.text for t in tokens)
    assert "1,050,000" in [t.text for t in tokens]


def test_candidates_are_exact_slices_that_do_not_start_or_end_with_stop_words() -> None:
    spans, _ = _candidates("What is the largest city on the Rhine?")
    assert spans and all(SENTENCE[s.start:s.end] == s.text for s in spans)
    assert "Cologne" in {s.text for s in spans} and "Cologne, Germany" in {s.text for s in spans}
    assert not any(s.text.split()[-1].lower() in {"the", "of", "on", "with"} for s in spans)
    assert not any(s.text.split()[0].lower() in {"of", "on", "with", "is"} for s in spans)


def test_overlap_with_the_question_and_distance_to_its_words() -> None:
    _, rows = _candidates("What is the largest city on the Rhine?")
    assert "Rhine" not in rows and "city" not in rows  # made only of the question's words
    assert rows["river Rhine"]["question_overlap"] == 0.5
    assert rows["Cologne"]["question_overlap"] == 0.0
    assert rows["Cologne"]["distance"] < rows["1,050,000 people"]["distance"]
    assert rows["Cologne"]["after_copula"] == 1.0


def test_kind_of_phrase_meets_the_wh_word() -> None:
    _, rows = _candidates("How many people live in the city?")
    assert rows["1,050,000"]["has_digit"] == 1.0 and rows["1,050,000"]["how_many_x_number"] == 1.0
    assert "Cologne" not in rows  # a "how many" answer holds a number


def test_a_phrase_that_cuts_a_name_or_a_quotation_is_told_from_a_whole_one() -> None:
    text = 'The lake is called the Untersee ("lower lake") and lies beside Baden-Württemberg State Park.'
    spans, matrix = candidates(0, text, analyse("What does Untersee mean?"), 0.0)
    rows = {s.text: dict(zip(SPAN_FEATURES, row, strict=True)) for s, row in zip(spans, matrix, strict=True)}
    assert rows["lower lake"]["in_quotes"] == 1.0 and rows["lower"]["in_quotes"] == 0.0
    assert rows["Baden-Württemberg State Park"]["whole_name"] == 1.0
    assert rows["Baden-Württemberg State"]["name_cut_right"] == 1.0
    assert rows["State Park"]["name_cut_left"] == 1.0 and rows["State Park"]["whole_name"] == 0.0


def _phrases(text: str, pieces: list[str]) -> list[SpanCandidate]:
    return [SpanCandidate(0, text.index(p), text.index(p) + len(p), p) for p in pieces]


def test_the_best_scored_phrase_is_chosen_at_temperature_zero() -> None:
    spans = _phrases(SENTENCE, ["Cologne, Germany", "Cologne", "1,050,000 people"])
    assert choose(spans, np.array([1.0, 0.9, 0.95]), 0.0) == 0


def test_the_phrase_most_likely_phrases_overlap_wins_at_a_positive_temperature() -> None:
    # "Cologne" overlaps both of the two nearly-as-likely longer phrases; the number overlaps none
    spans = _phrases(SENTENCE, ["1,050,000 people", "Cologne, Germany", "Cologne", "is Cologne"])
    logits = np.array([1.0, 0.9, 0.8, 0.9])
    assert choose(spans, logits, 0.0) == 0
    assert spans[choose(spans, logits, 1.0)].text == "Cologne"


def _rows(text: str, question: str) -> dict[str, dict[str, float]]:
    spans, matrix = candidates(0, text, analyse(question), 0.0)
    return {s.text: dict(zip(SPAN_FEATURES, row, strict=True)) for s, row in zip(spans, matrix, strict=True)}


def test_a_phrase_between_the_words_around_the_questions_wh_word() -> None:
    rows = _rows("The Rhine flows into Lake Constance near Bregenz.", "The Rhine flows into which lake?")
    assert rows["Lake Constance"]["wh_left_match"] == 1.0 and rows["Bregenz"]["wh_left_match"] == 0.0
    rows = _rows("Today the Danube is larger than the Rhine.", "What river is larger than the Rhine?")
    assert rows["the Danube"]["wh_right_match"] == 1.0 and rows["Today"]["wh_right_match"] == 0.0


def test_the_word_that_closes_a_phrase_says_what_kind_of_word_it_is() -> None:
    rows = _rows("The field is theoretical and studies decision problems by computation.", "What does the field study?")
    assert rows["theoretical"]["ends_adjective"] == 1.0 and rows["theoretical"]["ends_noun"] == 0.0
    assert rows["decision problems"]["ends_plural"] == 1.0
    assert rows["computation"]["ends_noun"] == 1.0
