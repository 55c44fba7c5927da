"""``POST /api/ask``: the structured answer over plain HTTP JSON, beside the web chat.

    curl -s http://127.0.0.1:7860/api/ask -H 'content-type: application/json' \\
         -d '{"question": "What did Medvedev propose in 2008?", "history": []}'

Returns ``Answer.model_dump()``. Bad input gets 400 (unusable question, invalid UTF-8 or Unicode, JSON
nested too deeply) or 422 (malformed body), always as ``{"error": "..."}`` quoting at most a short
prefix of the input; other methods get 405. With basic auth configured the endpoint asks for it too
(401; UTF-8 user names and passwords). The body's size is capped by ``assistant.web.middleware``.
"""

from __future__ import annotations

import base64
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
from assistant.web.limits import quoted

log = logging.getLogger(__name__)

CHALLENGE = 'Basic realm="assistant", charset="UTF-8"'
OTHER_METHODS = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]  # 405, else the chat's mount answers 404


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
    where = quoted(".".join(str(part) for part in first["loc"]))
    return f"{where}: {first['msg']}" if where else first["msg"]


def _authorized(request: Request, credentials: tuple[str, str] | None) -> bool:
    """Basic auth, compared as UTF-8 bytes in constant time (RFC 7617, charset UTF-8)."""
    if credentials is None:
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, colon, password = base64.b64decode(token.strip(), validate=True).partition(b":")
    except ValueError:  # not base64, or not ASCII
        return False
    user_ok = secrets.compare_digest(user, credentials[0].encode("utf-8"))
    password_ok = secrets.compare_digest(password, credentials[1].encode("utf-8"))
    return bool(colon) and user_ok and password_ok


def _parse(body: bytes) -> object:
    """The JSON of ``body``; QuestionError (one line) when it is not UTF-8, not JSON or nested too deeply."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise QuestionError("the body must be JSON in UTF-8: it holds invalid UTF-8 bytes") from None
    try:
        return json.loads(text or "null")
    except RecursionError:
        raise QuestionError("the body's JSON is nested too deeply") from None
    except ValueError:
        raise QuestionError('the body must be JSON: {"question": "...", "history": [...]}') from None


def add_api_routes(app: FastAPI, backend: ChatBackend, credentials: tuple[str, str] | None = None) -> None:
    """Add ``POST /api/ask`` (and 405 for its other methods) to ``app``, before the chat is mounted at ``/``."""

    @app.post("/api/ask")
    async def api_ask(request: Request) -> JSONResponse:
        if not _authorized(request, credentials):
            return _error(401, "authentication required", {"WWW-Authenticate": CHALLENGE})
        try:
            data = _parse(await request.body())
        except QuestionError as exc:
            return _error(400, str(exc))
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

    async def other_method(_: Request) -> JSONResponse:
        return _error(405, "method not allowed: /api/ask takes POST", {"Allow": "POST"})

    app.add_route("/api/ask", other_method, methods=OTHER_METHODS, include_in_schema=False)
