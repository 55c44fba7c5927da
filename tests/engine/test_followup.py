"""Resolving follow-up questions against the conversation."""

from __future__ import annotations

import pytest

from assistant.followup import needs_context, resolve
from assistant.types import Turn

HISTORY = [Turn(role="user", content="Tell me about Russia and the SCO."),
           Turn(role="assistant", content="It is a regional forum in Asia [1].")]


@pytest.mark.parametrize("question", ["what does it promote?", "and the West?", "why?",
                                      "How did western capitals take that?"])
def test_follow_ups_are_detected(question: str) -> None:
    assert needs_context(question)


def test_a_self_contained_question_is_left_alone() -> None:
    resolved = resolve("What defines the current geopolitical landscape?", HISTORY)
    assert resolved.context == ""
    assert resolved.standalone == "What defines the current geopolitical landscape?"
    assert resolved.previous_reply == "It is a regional forum in Asia."


def test_a_follow_up_carries_the_last_question_and_reply_without_markers() -> None:
    resolved = resolve("what does it actually promote?", HISTORY)
    assert "Russia and the SCO" in resolved.context
    assert "regional forum" in resolved.context
    assert "[1]" not in resolved.standalone
    assert resolved.standalone.startswith("what does it actually promote?")


def test_no_history_means_no_context() -> None:
    assert resolve("what does it promote?", []).context == ""
    assert resolve("what does it promote?", HISTORY, max_turns=0).context == ""


@pytest.mark.parametrize("question", ["Why did Russia propose a new European security treaty in 2008?",
                                      "How come Western capitals rejected Medvedev's treaty proposal?"])
def test_a_self_contained_why_question_is_read_as_it_is(question: str) -> None:
    resolved = resolve(question, HISTORY)
    assert not needs_context(question) and resolved.context == "" and resolved.standalone == question


def test_after_an_abstention_the_context_is_the_question_not_the_abstention() -> None:
    history = [*HISTORY, Turn(role="user", content="What did the SCO decide about tariffs?"),
               Turn(role="assistant", content="The article does not say: I found no passage in it that answers "
                                              "this question.")]
    resolved = resolve("and what about its members?", history)
    assert resolved.context == "What did the SCO decide about tariffs?"  # the turn it refers to, the latest
    assert "does not say" not in resolved.standalone and "regional forum" not in resolved.standalone
