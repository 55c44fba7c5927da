"""What a request may send, checked in one place for /api/ask, the /ask API and the chat.

The earlier turns are capped (count and characters) before the engine sees them, every text must be
valid Unicode (JSON can carry lone surrogates, which nothing downstream can encode), and an error
message quotes at most a short prefix of what it refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import QuestionError
from assistant.settings import Settings
from assistant.text import check_unicode, printable
from assistant.types import Turn

QUOTED_CHARS = 60


def quoted(text: str, limit: int = QUOTED_CHARS) -> str:
    """``text`` as an error message may quote it: at most ``limit`` characters, then "…"."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class InputLimits:
    """Caps on the earlier turns a request may send."""

    history_turns: int
    history_chars: int

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        """The caps of ``settings`` (web_history_max_turns / web_history_max_chars)."""
        return cls(settings.web_history_max_turns, settings.web_history_max_chars)

    def check(self, question: str, history: Sequence[Turn | dict[str, Any]] | None,
              doc: str | None = None, mode: str | None = None) -> list[Turn]:
        """The history as turns; QuestionError when it is over the caps or any text is not valid Unicode."""
        if not isinstance(question, str):
            raise QuestionError("the question must be text")
        check_unicode(question, "question")
        check_unicode(doc if isinstance(doc, str) else None, "document name")
        check_unicode(mode if isinstance(mode, str) else None, "answer mode")
        history = history or []
        if not isinstance(history, Sequence) or isinstance(history, str):
            raise QuestionError("the history must be a list of turns {role, content}")
        if len(history) > self.history_turns:
            raise QuestionError(f"the history has {len(history)} turns; the limit is {self.history_turns}")
        turns, chars = [], 0
        for item in history:
            turn = item if isinstance(item, Turn) else _turn(item)
            chars += len(turn.role) + len(turn.content)
            if chars > self.history_chars:
                raise QuestionError(f"the history is over {self.history_chars} characters: send fewer or shorter turns")
            check_unicode(turn.role, "history")
            check_unicode(turn.content, "history")
            turns.append(turn)
        return turns

    def recent(self, history: list[dict[str, str]]) -> list[dict[str, str]]:
        """The latest turns of ``history`` that fit the caps (what the chat sends of a long conversation)."""
        kept: list[dict[str, str]] = []
        chars = 0
        for turn in reversed(history[-self.history_turns:] if self.history_turns else []):
            chars += len(turn["role"]) + len(turn["content"])
            if chars > self.history_chars:
                break
            kept.append(turn)
        return kept[::-1]


def _turn(item: object) -> Turn:
    if not (isinstance(item, dict) and isinstance(item.get("role"), str) and isinstance(item.get("content"), str)):
        raise QuestionError("each turn of the history must be {\"role\": text, \"content\": text}")
    return Turn(role=item["role"], content=item["content"])
