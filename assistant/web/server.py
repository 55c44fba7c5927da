"""One process, one port: a FastAPI app with ``POST /api/ask``, and the Gradio chat mounted at ``/``.

    python app.py            # http://127.0.0.1:7860 (ASSISTANT_WEB_HOST / ASSISTANT_WEB_PORT)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import assistant  # noqa: F401  (offline environment first)
from assistant.errors import AssistantError
from assistant.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.ingest import EmbedderFactory
    from assistant.web.throttle import FailedSignIns

MAX_UPLOAD_BYTES = 0  # Gradio's upload route refuses any file: documents come through /api/documents


def credentials(settings: Settings) -> tuple[str, str] | None:
    """Basic-auth user and password when both are set."""
    if settings.web_username and settings.web_password:
        return settings.web_username, settings.web_password.get_secret_value()
    return None


def create_app(service, settings: Settings | None = None,  # noqa: ANN001, ANN201
               sign_ins: FailedSignIns | None = None, embedder_factory: EmbedderFactory | None = None):
    """The FastAPI app serving the chat at ``/`` and the JSON API at ``/api/ask``.

    ``service`` is an ``AssistantService`` built by the caller; ``settings`` (default: the
    service's) give the feedback file, basic auth and the web limits; ``sign_ins`` (a
    ``FailedSignIns``, default: from the settings) counts failed sign-ins. ``embedder_factory``
    (default: the settings' model, loaded on the first upload) embeds uploaded documents.

    Every response carries the security headers; cross-origin writes are refused and no origin gets
    credentialed CORS (the parent's CORSMiddleware replaces Gradio's, which echoes localhost origins
    with credentials); bodies are capped; the chat takes no uploads; with auth on, failed sign-ins
    back off and the PWA manifest (which names the article) is not served; Gradio keeps at most
    ``web_max_sessions`` sessions (each holds the last inputs it was sent, up to the body cap).
    """
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import JSONResponse

    from assistant.web import assets
    from assistant.web.api import add_api_routes
    from assistant.web.documents_api import add_document_routes, shared_embedder, signed_in_to_chat, upload_body_limit
    from assistant.web.backend import ChatBackend, describe_corpus
    from assistant.web.conversations import Keeping
    from assistant.web.feedback import FeedbackLog
    from assistant.web.limits import InputLimits
    from assistant.web.middleware import BodyLimit, SameOriginWrites, SecurityHeaders
    from assistant.web.throttle import FailedSignIns, SignInThrottle
    from assistant.web.ui import CSS, HEAD, build_ui

    settings = settings or service.settings
    backend = ChatBackend(service, InputLimits.from_settings(settings))
    info = describe_corpus(service)
    auth = credentials(settings)
    app = FastAPI(title=f"Assistant: {info.title}", docs_url=None, redoc_url=None, openapi_url=None)
    # Added innermost first: a request meets SecurityHeaders, SameOriginWrites, CORS, the throttle, the cap.
    app.add_middleware(BodyLimit, max_bytes=settings.web_max_body_bytes,
                       routes={"/api/documents": upload_body_limit(settings)})
    app.add_middleware(SignInThrottle, failures=FailedSignIns.from_settings(settings) if sign_ins is None else sign_ins)
    app.add_middleware(CORSMiddleware, allow_origins=settings.web_trusted_origins, allow_methods=["GET", "POST"],
                       allow_headers=["content-type"], allow_credentials=False)
    app.add_middleware(SameOriginWrites, trusted=settings.web_trusted_origins)
    app.add_middleware(SecurityHeaders)
    add_api_routes(app, backend, auth)
    if auth:

        async def no_manifest(_: Request) -> JSONResponse:
            return JSONResponse({"error": "not found"}, status_code=404)

        app.add_route("/manifest.json", no_manifest, include_in_schema=False)
    feedback = FeedbackLog(settings.feedback_file, settings.feedback_max_bytes, settings.feedback_keep)
    demo = build_ui(backend, feedback, info, Keeping.from_settings(settings))
    add_document_routes(app, settings, auth, embedder_factory or shared_embedder(settings), backend.follow,
                        signed_in=signed_in_to_chat)
    demo.state_session_capacity = settings.web_max_sessions  # Gradio keeps every input of a session until evicted
    return gr.mount_gradio_app(
        app, demo, path="/", server_name=settings.web_host, server_port=settings.web_port,
        auth=auth, auth_message="This assistant is private: sign in with the configured user." if auth else None,
        footer_links=[], run_history=False, ssr_mode=False, mcp_server=False, pwa=False,
        css=CSS + assets.css(), head=HEAD, max_file_size=MAX_UPLOAD_BYTES, show_error=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python app.py [--host H] [--port P]``: load the index and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="app.py", description="Serve the web chat and /api/ask.")
    parser.add_argument("--host", help="bind address (default: ASSISTANT_WEB_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_WEB_PORT or 7860)")
    args = parser.parse_args(argv)
    settings = get_settings()
    settings = settings.model_copy(update={k: v for k, v in
                                           {"web_host": args.host, "web_port": args.port}.items() if v})
    started = time.perf_counter()
    print("loading the index and the embedding model…", flush=True)
    try:
        from assistant.service import AssistantService

        service = AssistantService.from_settings(settings)
        app = create_app(service, settings)
    except AssistantError as exc:
        hint = "" if "ingest" in str(exc) else "\n(build the index with `assistant ingest`, or use `make run`)"
        print(f"error: {exc}{hint}", file=sys.stderr)
        return 2
    import uvicorn

    print(f"ready in {time.perf_counter() - started:.1f} s: http://{settings.web_host}:{settings.web_port}"
          f"  (JSON API: POST /api/ask)", flush=True)
    uvicorn.run(app, host=settings.web_host, port=settings.web_port, log_level="warning")
    return 0
