"""``/api/documents``: add, list and remove the articles the assistant answers from, over HTTP.

    curl -s -F file=@harbour.html http://127.0.0.1:7860/api/documents            # 201 {name, passages, …}
    curl -s -F file=@harbour.html -F replace=true http://127.0.0.1:7860/api/documents
    curl -s http://127.0.0.1:7860/api/documents                                    # {"documents": [...]}
    curl -s -X DELETE http://127.0.0.1:7860/api/documents/harbour.html

``POST`` takes one multipart field ``file`` (and optionally ``replace``), checks the file in full
(``assistant.library``: name, size, type by content, PDF/DOCX/HTML readable and holding text) and then
writes and ingests it under the index's write lock, the one ``assistant ingest`` takes, in a worker
thread. Refusals are one line: 400 (bad name, type, content), 409 (the name exists and ``replace`` was not
asked), 413 (over ``max_document_bytes``), 503 (another writer held the lock too long). Basic auth
applies when it is on; cross-origin writes are refused by the app's middleware.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.document_store import DocumentStore
from assistant.errors import AssistantError, CorpusError, IndexBusyError
from assistant.ingest import EmbedderFactory
from assistant.library import DocumentExistsError, add_document, check_name, remove_document
from assistant.settings import Settings
from assistant.web.api import CHALLENGE, _error
from assistant.web.api import _authorized as basic_auth_ok

log = logging.getLogger(__name__)

MULTIPART_OVERHEAD = 64_000  # the form's boundaries and headers, beyond the file itself
TRUE = {"1", "true", "yes", "on"}


def shared_embedder(settings: Settings) -> EmbedderFactory:
    """An embedder factory that loads the settings' model on the first upload and keeps it."""
    from assistant.embeddings import build_embedder

    loaded = []
    lock = threading.Lock()

    def factory():  # noqa: ANN202
        with lock:
            if not loaded:
                loaded.append(build_embedder(settings))
            return loaded[0]

    return factory


def upload_body_limit(settings: Settings) -> int:
    """The largest body ``POST /api/documents`` accepts: the largest document plus the form around it."""
    return settings.max_document_bytes + MULTIPART_OVERHEAD


def _status(exc: AssistantError) -> int:
    if isinstance(exc, DocumentExistsError):
        return 409
    if isinstance(exc, IndexBusyError):
        return 503
    return 400 if isinstance(exc, CorpusError) else 503


def signed_in_to_chat(request: Request) -> bool:
    """Whether ``request`` carries the session cookie of someone signed in to the chat mounted on this app
    (Gradio's login form sets it; the chat's upload panel sends it), so the panel works when basic auth is on."""
    for route in request.app.routes:
        server = getattr(route, "app", None)  # the mounted Gradio app keeps its sessions' tokens
        if hasattr(server, "tokens") and hasattr(server, "cookie_id"):
            token = (request.cookies.get(f"access-token-{server.cookie_id}")
                     or request.cookies.get(f"access-token-unsecure-{server.cookie_id}"))
            return token is not None and token in server.tokens
    return False


def add_document_routes(app: FastAPI, settings: Settings, credentials: tuple[str, str] | None,
                        embedder_factory: EmbedderFactory | None = None,
                        on_change: Callable[[str], None] | None = None,
                        signed_in: Callable[[Request], bool] | None = None) -> None:
    """Add the ``/api/documents`` routes; ``on_change(name)`` runs after a document was added or removed
    (the chat's service follows the new index generation there). With ``credentials`` a request needs
    them as basic auth, or the chat's session (``signed_in``)."""
    kept = DocumentStore(settings.index_dir)

    def _authorized(request: Request, credentials: tuple[str, str] | None) -> bool:
        return basic_auth_ok(request, credentials) or (signed_in is not None and signed_in(request))

    def listing() -> list[dict]:
        return [kept.record(name) for name in kept.catalog()]

    @app.get("/api/documents")
    async def list_documents(request: Request) -> JSONResponse:
        if not _authorized(request, credentials):
            return _error(401, "authentication required", {"WWW-Authenticate": CHALLENGE})
        try:
            return JSONResponse({"documents": await run_in_threadpool(listing)})
        except AssistantError as exc:
            return _error(503, str(exc))

    @app.post("/api/documents")
    async def upload_document(request: Request) -> JSONResponse:
        if not _authorized(request, credentials):
            return _error(401, "authentication required", {"WWW-Authenticate": CHALLENGE})
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            return _error(415, "send the document as multipart/form-data with the field 'file'")
        try:
            form = await request.form(max_files=1, max_fields=4, max_part_size=upload_body_limit(settings))
        except Exception as exc:  # noqa: BLE001 (python-multipart's errors: malformed form, too many parts)
            return _error(400, f"malformed multipart form ({str(exc)[:100]})")
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _error(400, "no file: send it in the multipart field 'file'")
        data = await upload.read(settings.max_document_bytes + 1)
        name = upload.filename or ""
        if len(data) > settings.max_document_bytes:
            return _error(413, f"{name[:60]} is over {settings.max_document_bytes / 1e6:.1f} MB, the limit "
                               "(ASSISTANT_MAX_DOCUMENT_BYTES)")
        replace = str(form.get("replace", request.query_params.get("replace", ""))).lower() in TRUE
        try:
            added = await run_in_threadpool(add_document, settings, name, data, replace=replace,
                                            embedder_factory=embedder_factory)
        except AssistantError as exc:
            return _error(_status(exc), str(exc))
        except Exception:
            log.exception("uploading %r failed", name[:60])
            return _error(500, "internal error while adding the document; see the server log")
        if on_change:
            await run_in_threadpool(on_change, added.name)
        return JSONResponse({"name": added.name, "passages": added.passages, "sentences": added.sentences,
                             "replaced": added.replaced, "document": kept.record(added.name)},
                            status_code=201)

    @app.delete("/api/documents/{doc:path}")
    async def delete_document(request: Request, doc: str) -> JSONResponse:
        if not _authorized(request, credentials):
            return _error(401, "authentication required", {"WWW-Authenticate": CHALLENGE})
        try:
            name = check_name(doc)
            if name not in kept.catalog():
                return _error(404, f"no document named {name!r} in the index")
            report = await run_in_threadpool(remove_document, settings, name, embedder_factory=embedder_factory)
        except AssistantError as exc:
            return _error(_status(exc), str(exc))
        if on_change:
            await run_in_threadpool(on_change, name)
        return JSONResponse({"removed": name, "documents": report.documents})


__all__ = ["add_document_routes", "shared_embedder", "upload_body_limit"]
