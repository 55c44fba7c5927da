"""The conversation held in a chat session: turns, the streaming run, Stop, Regenerate/Edit's pop."""

from __future__ import annotations

from assistant.types import Answer
from assistant.web import conversation
from assistant.web.conversation import STOPPED

PENDING = '<span class="answer pending">Reading…</span>'


def _answer(question: str) -> Answer:
    return Answer(question=question, answer=f"about {question}", abstained=False)


def test_a_finished_run_is_one_turn_of_two_messages() -> None:
    state = conversation.new_state()
    run = conversation.begin(state, "q1", PENDING)
    assert conversation.busy(state) and len(state["messages"]) == 2 and state["turns"] == []
    conversation.show(state, run, "partial")
    assert conversation.finish(state, run, "q1", _answer("q1"), "final")
    assert not conversation.busy(state)
    assert [m["content"] for m in state["messages"]][1] == "final" and len(state["turns"]) == 1
    assert conversation.history(state["turns"]) == [{"role": "user", "content": "q1"},
                                                    {"role": "assistant", "content": "about q1"}]


def test_stop_keeps_the_text_so_far_and_a_late_frame_changes_nothing() -> None:
    state = conversation.new_state()
    run = conversation.begin(state, "q1", PENDING)
    conversation.show(state, run, "half an answ")
    assert conversation.stop(state)
    assert not conversation.stop(state)  # idle: nothing to stop
    reply = state["messages"][-1]["content"]
    assert reply.startswith("half an answ") and STOPPED in reply
    assert state["turns"] == [{"question": "q1", "answer": None, "notice": STOPPED}]
    conversation.show(state, run, "late frame")
    assert not conversation.finish(state, run, "q1", _answer("q1"), "late final")
    assert state["messages"][-1]["content"] == reply and len(state["turns"]) == 1
    assert conversation.history(state["turns"]) == []  # a stopped turn is no context


def test_stop_before_any_word_shows_only_the_notice() -> None:
    state = conversation.new_state()
    conversation.begin(state, "q1", PENDING)
    conversation.stop(state)
    assert "pending" not in state["messages"][-1]["content"] and len(state["messages"]) == 2


def test_a_closed_run_leaves_no_half_turn() -> None:
    state = conversation.new_state()
    run = conversation.begin(state, "q1", PENDING)
    conversation.release(state, run)
    assert state["messages"] == [] and not conversation.busy(state)


def test_pop_last_gives_the_question_back_but_not_while_streaming() -> None:
    state = conversation.new_state()
    assert conversation.pop_last(state) is None
    for q in ("q1", "q2"):
        run = conversation.begin(state, q, PENDING)
        conversation.finish(state, run, q, _answer(q), q)
    run = conversation.begin(state, "q3", PENDING)
    assert conversation.pop_last(state) is None  # an answer streams
    conversation.stop(state)
    assert conversation.pop_last(state) == "q3"
    assert conversation.pop_last(state) == "q2"
    assert len(state["messages"]) == 2 and len(state["turns"]) == 1


def test_a_long_question_is_kept_as_a_prefix() -> None:
    assert len(conversation.kept_question("x" * 5000)) == conversation.SHOWN_QUESTION_CHARS + 1
