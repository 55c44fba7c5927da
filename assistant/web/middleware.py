"""ASGI middleware every request of the web app passes: security headers, same-origin writes, body cap.

* ``SecurityHeaders`` adds to every response a Content-Security-Policy (what the Gradio page needs:
  inline and evaluated scripts, inline styles, same-origin fetches, data/blob images; no framing, no
  plugins, no foreign base URL or form target), X-Frame-Options, X-Content-Type-Options and
  Referrer-Policy.
* ``SameOriginWrites`` refuses (403) a request that changes something (POST, PUT…) sent by a page of
  another origin: a form or upload posted from a foreign site never reaches the app.
* ``BodyLimit`` answers 413 as soon as a body is known to exceed the cap (its Content-Length, or the
  bytes received so far when it is chunked) and closes the connection, without reading the rest. The
  document upload route (``POST /api/documents``) has its own, larger cap: one document and its form.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Gradio's page runs inline scripts, and gr.HTML evaluates its template with Function(): the chat
# needs 'unsafe-inline' and 'unsafe-eval'. Everything else stays on this origin.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-case, without a default port ('' when it has none)."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = "" if port is None or str(port) == _DEFAULT_PORTS.get(parts.scheme) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


class SameOriginWrites:
    """403 for a non-safe request whose ``Origin`` is neither this server's (its Host) nor a trusted one."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = {origin_of(o) for o in trusted} - {""}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or self._allowed(origin, headers.get("host", "")):
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"error": "cross-origin request refused: send it from this app's own pages"},
                                status_code=403, headers={"Connection": "close"})
        await response(scope, receive, send)

    def _allowed(self, origin: str, host: str) -> bool:
        """The origin is trusted, or names this server's host and port (whatever the scheme a proxy added)."""
        own = origin_of(origin)
        if not own:
            return False  # "null" (sandboxed frames, local files) or garbage
        host = host.lower().removesuffix(":80").removesuffix(":443")
        return own in self.trusted or own.split("://", 1)[1] == host


class BodyLimit:
    """413 (and the connection closed) for a request body over ``max_bytes``; the app gets the body replayed.

    ``routes`` raise the cap for given paths (the document upload route takes a whole document).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, routes: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.routes = routes or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is None and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        cap = self.routes.get(scope.get("path", ""), self.max_bytes)
        if length is not None and (not length.isdigit() or int(length) > cap):
            await self._too_large(scope, receive, send, cap)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await self._too_large(scope, receive, send, cap)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = JSONResponse({"error": f"request body over {cap} bytes"}, status_code=413,
                                headers={"Connection": "close"})
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` in one message, then defers to ``receive`` (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
