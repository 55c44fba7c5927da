"""Back-off for failed sign-ins, per client address, on ``/api/ask`` (basic auth) and Gradio's ``/login``.

A client may fail ``free_failures`` times; each further failure makes it wait (429 with Retry-After)
1 s, then 2 s, 4 s … up to ``max_wait``. A success forgets the client, and so does ``max_wait`` without
a failure. At most ``max_clients`` clients are remembered (the least recently failing are dropped),
so the memory stays bounded whatever the number of addresses.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

MAX_TRACKED_CLIENTS = 10_000
FIRST_WAIT_S = 1.0

# The sign-in routes and the status each answers a wrong password with.
SIGN_IN_FAILURES = {"/api/ask": 401, "/login": 400, "/login/": 400}


@dataclass
class _Record:
    failures: int
    last_failure: float
    blocked_until: float


class FailedSignIns:
    """Failed sign-ins per client, with an injectable clock (seconds, monotonic)."""

    def __init__(self, free_failures: int = 5, max_wait: float = 900.0, max_clients: int = MAX_TRACKED_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free_failures = free_failures
        self.max_wait = max_wait
        self.max_clients = max_clients
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> FailedSignIns:
        """The policy of ``settings`` (web_auth_free_failures, web_auth_backoff_max_s)."""
        return cls(settings.web_auth_free_failures, settings.web_auth_backoff_max_s)

    @property
    def tracked(self) -> int:
        """How many clients are remembered now."""
        return len(self._records)

    def retry_after(self, client: str) -> int | None:
        """Seconds ``client`` must still wait before trying again, or None when it may try now."""
        record = self._current(client)
        if record is None or record.blocked_until <= self.clock():
            return None
        return max(1, math.ceil(record.blocked_until - self.clock()))

    def failed(self, client: str) -> None:
        """Count a failed sign-in of ``client``."""
        now = self.clock()
        record = self._current(client) or _Record(0, now, now)
        record.failures += 1
        record.last_failure = now
        beyond = record.failures - self.free_failures
        if beyond >= 0:
            record.blocked_until = now + min(FIRST_WAIT_S * 2 ** min(beyond, 62), self.max_wait)
        self._records[client] = record
        self._records.move_to_end(client)
        while len(self._records) > self.max_clients:
            self._records.popitem(last=False)

    def succeeded(self, client: str) -> None:
        """Forget ``client``'s failures."""
        self._records.pop(client, None)

    def _current(self, client: str) -> _Record | None:
        """The record of ``client`` unless it has expired (``max_wait`` since its last failure and wait)."""
        record = self._records.get(client)
        if record is not None and self.clock() - max(record.last_failure, record.blocked_until) > self.max_wait:
            del self._records[client]
            return None
        return record


class SignInThrottle:
    """ASGI middleware: 429 for a client that must wait; counts the sign-in routes' failures and successes."""

    def __init__(self, app: ASGIApp, failures: FailedSignIns) -> None:
        self.app = app
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        failure_status = SIGN_IN_FAILURES.get(scope.get("path", "")) if scope["type"] == "http" else None
        if failure_status is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        wait = self.failures.retry_after(client)
        if wait is not None:
            response = JSONResponse({"error": f"too many failed sign-ins: try again in {wait} s"}, status_code=429,
                                    headers={"Retry-After": str(wait)})
            await response(scope, receive, send)
            return

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == failure_status:
                    self.failures.failed(client)
                elif 200 <= status < 300:
                    self.failures.succeeded(client)
            await send(message)

        await self.app(scope, receive, observe)
