"""One chat conversation held in a session: its messages, its turns and the answer being streamed.

The chat shows two messages per turn (the question, then the answer or a notice), so message ``i``
belongs to turn ``i // 2``. While an answer streams, ``run`` holds its number and the last turn's two
messages are already shown but the turn is not yet in ``turns``; only one answer streams at a time.
"""

from __future__ import annotations

import secrets
from typing import Any

from assistant.types import Answer
from assistant.text import printable
from assistant.web.render import render_answer, render_inline_sources, render_notice, render_question

SHOWN_QUESTION_CHARS = 600
STOPPED = "Stopped: this answer was cut short. Regenerate to ask again."


def new_state() -> dict[str, Any]:
    """An empty conversation with a new id (also what a fresh session starts with)."""
    return {"id": secrets.token_hex(8), "messages": [], "turns": [], "run": None, "runs": 0}


def replace(state: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Make ``state`` (the session's object, which a streaming answer may hold) into ``other``: a run
    streaming in it is no longer current, so it stops."""
    state.clear()
    state.update(other)
    return state


def reply_content(answer: Answer, turn: int) -> str:
    """An answer as the chat shows it: linked markers, the short answer in bold, a notice if any."""
    content = render_answer(answer.answer, answer.citations, turn, answer.short_answer)
    return content + (render_notice(answer.notice) if answer.notice else "") + render_inline_sources(answer, turn)


def kept_question(question: str) -> str:
    """What the chat keeps of a question it could not answer: a short prefix, valid Unicode."""
    return printable(question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + "…")


def history(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The answered turns as the engine's history (notices and stopped turns left out)."""
    out = []
    for turn in turns:
        answer: Answer | None = turn["answer"]
        if answer is not None:
            out += [{"role": "user", "content": turn["question"]},
                    {"role": "assistant", "content": answer.answer}]
    return out


def answered(turns: list[dict[str, Any]]) -> list[tuple[int, Answer]]:
    """(turn number from 1, answer) of every answered turn."""
    return [(i + 1, t["answer"]) for i, t in enumerate(turns) if t["answer"] is not None]


def busy(state: dict[str, Any]) -> bool:
    """Whether an answer is streaming in this conversation."""
    return state.get("run") is not None


def begin(state: dict[str, Any], question: str, pending: str) -> int:
    """Show ``question`` and a pending reply; the number of this run."""
    state["runs"] = state.get("runs", 0) + 1
    state["run"] = state["runs"]
    state["asking"] = question
    state["messages"] += [{"role": "user", "content": render_question(kept_question(question))},
                          {"role": "assistant", "content": pending}]
    return state["run"]


def current(state: dict[str, Any], run: int) -> bool:
    """Whether ``run`` is still the streaming answer (not stopped, not replaced)."""
    return state.get("run") == run


def show(state: dict[str, Any], run: int, content: str) -> None:
    """Replace the streaming reply's content, unless the run was stopped."""
    if current(state, run):
        state["messages"][-1] = {"role": "assistant", "content": content}


def finish(state: dict[str, Any], run: int, question: str, answer: Answer | None, content: str,
           notice: str | None = None) -> bool:
    """Record the run's turn with its final reply; False when the run was stopped meanwhile."""
    if not current(state, run):
        return False
    state["messages"][-1] = {"role": "assistant", "content": content}
    state["turns"].append({"question": question, "answer": answer, "notice": notice})
    state["run"] = None
    return True


def release(state: dict[str, Any], run: int) -> None:
    """Forget ``run`` when it ends without a reply (its generator closed): the pending turn is dropped."""
    if current(state, run):
        del state["messages"][len(state["turns"]) * 2:]
        state["run"] = None


def stop(state: dict[str, Any]) -> bool:
    """End the streaming answer where it is: its text so far stays, marked as stopped; False when idle."""
    if not busy(state):
        return False
    state["run"] = None
    messages = state["messages"]
    shown = messages[-1]["content"] if len(messages) > len(state["turns"]) * 2 + 1 else ""
    partial = "" if 'class="answer pending"' in shown else shown
    messages[len(state["turns"]) * 2 + 1:] = [{"role": "assistant", "content": partial + render_notice(STOPPED)}]
    state["turns"].append({"question": kept_question(state.get("asking", "")), "answer": None,
                           "notice": STOPPED})
    return True


def pop_last(state: dict[str, Any]) -> str | None:
    """Remove the last turn (both its messages); its question, or None when there is none or one streams."""
    if busy(state) or not state["turns"]:
        return None
    turn = state["turns"].pop()
    del state["messages"][len(state["turns"]) * 2:]
    return turn["question"]


def streaming_content(shown: str, turn: int) -> str:
    """The reply while it streams: the text so far, markers not yet linked."""
    return render_answer(shown, [], turn)
