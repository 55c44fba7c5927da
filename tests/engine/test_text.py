"""Word-level text handling."""

from __future__ import annotations

from assistant.text import content_terms, question_terms, words


def test_words_fold_quotes_accents_and_possessives() -> None:
    assert words("Russia’s “détente” in the 1970s") == ["russia", "detente", "in", "the", "1970s"]


def test_content_terms_drop_stop_words_and_stem() -> None:
    assert content_terms("What does the SCO actually promote?") == ["sco", "promot"]
    assert content_terms("promotes promoting promoted") == ["promot"] * 3


def test_question_terms_drop_phrasing_idioms() -> None:
    assert question_terms("From Russia's point of view, why are norms part of a framework?") == [
        "russia", "norm", "framework"]


def test_terminal_safe_strips_escape_sequences_and_controls_but_keeps_text() -> None:
    from assistant.text import terminal_safe

    hostile = "a\x1b[31mred\x1b[0m b\x07c\x1b]0;title\x07d\x00e\tf\ng\x9bh “quoted” é"
    assert terminal_safe(hostile) == "ared bcde\tf\ngh “quoted” é"


def test_cached_words_and_terms_are_fresh_lists() -> None:
    first = content_terms("Sanctions were imposed in 2014.")
    first.append("mutated")
    assert content_terms("Sanctions were imposed in 2014.") == ["sanction", "impos", "2014"]
    listed = words("Sanctions were imposed")
    listed.clear()
    assert words("Sanctions were imposed") == ["sanctions", "were", "imposed"]
