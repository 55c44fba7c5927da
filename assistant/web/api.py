"""``POST /api/ask``: the structured answer over plain HTTP JSON, beside the web chat.

    curl -s http://127.0.0.1:7860/api/ask -H 'content-type: application/json' \\
         -d '{"question": "What did Medvedev propose in 2008?", "history": []}'

Returns ``Answer.model_dump()``. Bad input gets 400 (unusable question) or 422 (malformed body),
always as ``{"error": "..."}``; with basic auth configured the endpoint asks for it too (401).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from assistant.errors import AssistantError, QuestionError
from assistant.types import Turn
from assistant.web.backend import MAX_TOP_K, ChatBackend

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000


class AskRequest(BaseModel):
    """The body of ``POST /api/ask``."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question about the corpus.")
    history: list[Turn] = Field(default_factory=list, description="Earlier turns {role, content}, oldest first.")
    top_k: int | None = Field(None, ge=1, le=MAX_TOP_K, description="Passages to retrieve (default: settings).")
    doc: str | None = Field(None, description="Answer from this corpus file only (name relative to the corpus).")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def _authorized(request: Request, credentials: tuple[str, str] | None) -> bool:
    if credentials is None:
        return True
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(user, credentials[0]) & secrets.compare_digest(password, credentials[1])


def add_api_routes(app: FastAPI, backend: ChatBackend, credentials: tuple[str, str] | None = None) -> None:
    """Add ``POST /api/ask`` to ``app`` (before the chat is mounted at ``/``)."""

    @app.post("/api/ask")
    async def api_ask(request: Request) -> JSONResponse:
        if not _authorized(request, credentials):
            return _error(401, "authentication required", {"WWW-Authenticate": 'Basic realm="assistant"'})
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"request body over {MAX_BODY_BYTES} bytes")
        try:
            data = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            return _error(400, 'the body must be JSON: {"question": "...", "history": [...]}')
        if not isinstance(data, dict):
            return _error(422, 'the body must be a JSON object: {"question": "...", "history": [...]}')
        try:
            ask = AskRequest.model_validate(data)
        except ValidationError as exc:
            return _error(422, _describe(exc))
        try:
            answer = await run_in_threadpool(backend.ask, ask.question, ask.history, ask.top_k, ask.doc)
        except QuestionError as exc:
            return _error(400, str(exc))
        except AssistantError as exc:
            return _error(503, str(exc))
        except Exception:
            log.exception("/api/ask failed")
            return _error(500, "internal error while answering; see the server log")
        return JSONResponse(answer.model_dump())
