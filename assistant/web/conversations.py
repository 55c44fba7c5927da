"""Conversations kept in the browser (``gr.BrowserState``, i.e. localStorage), listed beside the chat.

The browser sends its saved conversations once, when the page loads; the session keeps a copy (the
*library*) and sends it back to the browser after every change. What comes from the browser is
untrusted: it is validated here, turn by turn (a bad turn is dropped), and capped. A stored answer
keeps what the chat needs to show it again: its text, short answer, citations and the passages they
fall in (not the trace, nor passages cited by nothing), so a library stays well under the body cap.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.settings import Settings
from assistant.types import Answer
from assistant.web.conversation import kept_question, reply_content
from assistant.web.render import render_notice, render_question

VERSION = 1
TITLE_CHARS = 60
NEW_CHAT = "New chat"


def storage_secret(index_dir: Path) -> str:
    """The key the browser's copy is encrypted with: made once per index folder, so it survives restarts."""
    path = Path(index_dir) / "web-storage-secret"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(24)
        path.write_text(secret, encoding="utf-8")
        return secret


@dataclass(frozen=True)
class Keeping:
    """How conversations are kept in the browser: the encryption key and the caps."""

    secret: str
    max_conversations: int = 20
    max_turns: int = 50
    max_bytes: int = 400_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Keeping:
        """The caps of ``settings`` and the index folder's key."""
        return cls(storage_secret(settings.index_dir), settings.web_max_conversations,
                   settings.web_history_max_turns, settings.web_conversations_max_bytes)


def empty_library() -> dict[str, Any]:
    """No saved conversation."""
    return {"version": VERSION, "conversations": []}


def stored_answer(answer: Answer) -> dict[str, Any]:
    """What is kept of an answer: enough to show it and its sources again."""
    cited = [p for p in answer.retrieved
             if any(c.doc == p.doc and p.start <= c.start and c.end <= p.end for c in answer.citations)]
    kept = answer.model_copy(update={"retrieved": cited, "trace": None})
    return kept.model_dump(exclude={"trace", "latency_ms", "unsupported"})


def stored_turns(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The turns of a live conversation as they are saved."""
    return [{"question": t["question"], "notice": t["notice"],
             "answer": stored_answer(t["answer"]) if t["answer"] is not None else None} for t in turns]


def live_turns(saved: Any, max_turns: int) -> list[dict[str, Any]]:
    """Saved turns back as live ones; anything malformed is dropped, at most the last ``max_turns``."""
    turns = []
    for item in saved if isinstance(saved, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            continue
        notice = item.get("notice") if isinstance(item.get("notice"), str) else None
        try:
            answer = Answer.model_validate(item["answer"]) if item.get("answer") is not None else None
        except ValidationError:
            continue
        if answer is None and notice is None:
            continue
        turns.append({"question": kept_question(item["question"]), "answer": answer,
                      "notice": None if answer else kept_question(notice or "")})
    return turns[-max_turns:] if max_turns else []


def read_library(raw: Any, max_conversations: int, max_turns: int) -> dict[str, Any]:
    """The browser's saved conversations, validated; an empty library when unreadable."""
    library = empty_library()
    items = raw.get("conversations") if isinstance(raw, dict) and raw.get("version") == VERSION else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or len(item["id"]) > 64:
            continue
        turns = live_turns(item.get("turns"), max_turns)
        if turns:
            library["conversations"].append({"id": item["id"], "title": title_of(turns),
                                             "updated": _number(item.get("updated")),
                                             "turns": stored_turns(turns)})
    library["conversations"] = library["conversations"][:max_conversations]
    return library


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def title_of(turns: list[dict[str, Any]]) -> str:
    """A conversation's name in the list: its first question, clipped."""
    if not turns:
        return NEW_CHAT
    first = " ".join(turns[0]["question"].split())
    return first if len(first) <= TITLE_CHARS else first[:TITLE_CHARS - 1] + "…"


def save(library: dict[str, Any], conversation_id: str, turns: list[dict[str, Any]], max_conversations: int,
         max_bytes: int) -> dict[str, Any]:
    """``library`` with this conversation saved first (or removed when it has no turn), capped to
    ``max_conversations`` and ``max_bytes`` of JSON (the oldest dropped)."""
    others = [c for c in library["conversations"] if c["id"] != conversation_id]
    if turns:
        others.insert(0, {"id": conversation_id, "title": title_of(turns), "updated": time.time(),
                          "turns": stored_turns(turns)})
    kept = others[:max_conversations]
    while len(kept) > 1 and len(json.dumps(kept, ensure_ascii=False).encode()) > max_bytes:
        kept.pop()
    return {"version": VERSION, "conversations": kept}


def delete(library: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """``library`` without that conversation."""
    return {"version": VERSION, "conversations": [c for c in library["conversations"] if c["id"] != conversation_id]}


def find(library: dict[str, Any], conversation_id: str | None) -> dict[str, Any] | None:
    """The saved conversation with that id."""
    return next((c for c in library["conversations"] if c["id"] == conversation_id), None)


def choices(library: dict[str, Any], current_id: str, current_turns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The side list: ("title (questions)", id), the current conversation included even before its first turn."""
    items = [(f'{c["title"]} ({len(c["turns"])})', c["id"]) for c in library["conversations"]]
    if not any(i == current_id for _, i in items):
        items.insert(0, (title_of(current_turns), current_id))
    return items


def messages_of(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat's messages for saved turns (two per turn)."""
    messages = []
    for number, turn in enumerate(turns, start=1):
        messages.append({"role": "user", "content": render_question(turn["question"])})
        answer: Answer | None = turn["answer"]
        content = render_notice(turn["notice"] or "") if answer is None else reply_content(answer, number)
        messages.append({"role": "assistant", "content": content})
    return messages
