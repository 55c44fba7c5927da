"""Hostile HTTP against the real app on a loopback port: raw requests a normal client would not send.

Credentials, sign-in back-off (with a clock the test moves), security headers, CORS and cross-origin
writes, uploads, body and history caps, bad Unicode, deep JSON, wrong methods, echoed input, the
manifest, and the feedback log under a flood of likes.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import select
import socket
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.web.throttle import FailedSignIns
from tests.web.conftest import free_port, serve_in_thread

pytestmark = pytest.mark.e2e

QUESTION = "What did Dmitry Medvedev propose in 2008?"
USER, PASSWORD = "änn", "pässwörd✓"
TITLE = "Putin Reaffirms Call for a New Global Security Architecture"
JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(url: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    """One raw request on a fresh connection."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def send_over_the_cap(url: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
    """POST a body the server may refuse before it has all of it: the status and headers it answered."""
    parts = urllib.parse.urlsplit(url)
    head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "content-length": str(len(body))}.items())
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as s:
        try:
            s.sendall(f"POST {path} HTTP/1.1\r\nhost: {parts.netloc}\r\n{head}\r\n".encode() + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while sending
        return _reply(s)


def _reply(s: socket.socket) -> Reply:
    """The HTTP response read from socket ``s``."""
    response = http.client.HTTPResponse(s)
    response.begin()
    return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())


def ask(url: str, data: object, headers: dict[str, str] | None = None) -> Reply:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return send(url, "POST", "/api/ask", body, {**JSON, **(headers or {})})


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def gradio_api(url: str, data: list) -> dict:
    """Call the chat's ``/ask`` API endpoint over raw HTTP; the final event as {"event", "data"}."""
    started = send(url, "POST", "/gradio_api/call/ask", json.dumps({"data": data}).encode(), JSON)
    assert started.status == 200, started.body[:200]
    stream = send(url, "GET", f"/gradio_api/call/ask/{started.json()['event_id']}").body.decode()
    event = re.findall(r"^event: (\w+)$", stream, re.MULTILINE)[-1]
    return {"event": event, "data": json.loads(re.findall(r"^data: (.*)$", stream, re.MULTILINE)[-1])}


def gradio_event(url: str, fn: int, data: list, session: str, event_data: dict | None = None) -> list[dict]:
    """Run one event of the chat (as its page does) through the queue; its messages."""
    body = {"data": data, "fn_index": fn, "session_hash": session, "event_data": event_data, "trigger_id": None}
    joined = send(url, "POST", "/gradio_api/queue/join", json.dumps(body).encode(), JSON)
    assert joined.status == 200, joined.body[:200]
    stream = send(url, "GET", f"/gradio_api/queue/data?session_hash={session}").body.decode()
    return [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: ")]


def chat_events(url: str) -> tuple[int, int]:
    """The fn indexes of the chat's answer (question submitted) and like events."""
    config = json.loads(send(url, "GET", "/config").body)
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"]}
    chatbot = ids["chat"]
    respond = next(d["id"] for d in config["dependencies"] if [ids["question"], "submit"] in d["targets"])
    like = next(d["id"] for d in config["dependencies"] if [chatbot, "like"] in d["targets"])
    return respond, like


class Clock:
    """The sign-in throttle's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class AuthApp:
    url: str
    clock: Clock
    sign_ins: FailedSignIns


@pytest.fixture(scope="module")
def auth_app(article_settings: Any, article_service: Any, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[AuthApp]:
    """The app with basic auth (UTF-8 credentials) and a throttle on a hand-moved clock."""
    from assistant.web.server import create_app

    clock = Clock()
    sign_ins = FailedSignIns(free_failures=3, max_wait=60, max_clients=4, clock=clock)
    port = free_port()
    settings = article_settings.model_copy(update={
        "web_port": port, "web_username": USER, "web_password": SecretStr(PASSWORD),
        "feedback_file": tmp_path_factory.mktemp("auth") / "feedback.jsonl"})
    server, thread = serve_in_thread(create_app(article_service, settings, sign_ins), port)
    yield AuthApp(f"http://127.0.0.1:{port}", clock, sign_ins)
    server.should_exit = True
    thread.join(timeout=10)


def from_ip(ip: str, **headers: str) -> dict[str, str]:
    """Headers of a request from client ``ip`` (uvicorn trusts X-Forwarded-For from loopback)."""
    return {"x-forwarded-for": ip, **headers}


def login(url: str, user: str, password: str, ip: str) -> Reply:
    form = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return send(url, "POST", "/login", form, {**FORM, **from_ip(ip)})


# 1. UTF-8 credentials


def test_utf8_credentials_on_the_api_and_the_gradio_login(auth_app: AuthApp) -> None:
    url = auth_app.url
    good = from_ip("10.1.0.1", authorization=basic(USER, PASSWORD))
    assert ask(url, {"question": QUESTION}, good).status == 200
    wrong = ask(url, {"question": QUESTION}, from_ip("10.1.0.2", authorization=basic(USER, "pässwörd")))
    assert wrong.status == 401 and 'charset="UTF-8"' in wrong.headers["www-authenticate"]
    raw = ask(url, {"question": QUESTION}, from_ip("10.1.0.3", authorization="Basic \xe4\xf6\xfc"))
    assert raw.status == 401
    ok = login(url, USER, PASSWORD, "10.1.0.4")
    assert ok.status == 200 and ok.json() == {"success": True} and "access-token" in ok.headers["set-cookie"]
    assert login(url, USER, "pässwörd✗", "10.1.0.5").status == 400


# 2. Back-off of failed sign-ins


def test_failed_sign_ins_back_off_exponentially_and_success_forgets(auth_app: AuthApp) -> None:
    url, clock = auth_app.url, auth_app.clock
    wrong, good = from_ip("10.2.0.1", authorization=basic(USER, "guess")), from_ip(
        "10.2.0.1", authorization=basic(USER, PASSWORD))
    assert [ask(url, {"question": QUESTION}, wrong).status for _ in range(3)] == [401, 401, 401]
    for wait in (1, 2, 4):
        refused = ask(url, {"question": QUESTION}, good)  # even the right password waits
        assert refused.status == 429 and refused.headers["retry-after"] == str(wait)
        assert "try again" in refused.json()["error"]
        clock.now += wait
        assert ask(url, {"question": QUESTION}, wrong).status == 401
    clock.now += 8
    assert ask(url, {"question": QUESTION}, good).status == 200
    assert ask(url, {"question": QUESTION}, wrong).status == 401  # forgotten: free failures again


def test_gradio_login_backs_off_and_forgets_after_a_while(auth_app: AuthApp) -> None:
    url = auth_app.url
    assert [login(url, USER, f"guess{n}", "10.2.1.1").status for n in range(3)] == [400, 400, 400]
    refused = login(url, USER, PASSWORD, "10.2.1.1")
    assert refused.status == 429 and refused.headers["retry-after"] == "1"
    assert login(url, USER, "other", "10.2.1.2").status == 400  # another client is not held back
    auth_app.clock.now += 61 + 1  # max_wait (60 s) after the wait: forgotten
    assert login(url, USER, PASSWORD, "10.2.1.1").status == 200


def test_tracked_clients_are_capped(auth_app: AuthApp) -> None:
    url = auth_app.url
    for _ in range(3):
        login(url, USER, "guess", "10.3.0.1")
    assert login(url, USER, "guess", "10.3.0.1").status == 429
    for n in range(2, 6):  # four other failing clients push the first out (at most 4 remembered)
        assert login(url, USER, "guess", f"10.3.0.{n}").status == 400
    assert auth_app.sign_ins.tracked <= 4
    assert login(url, USER, "guess", "10.3.0.1").status == 400


# 3. Security headers on every response


def test_security_headers_on_every_response(web_app: Any) -> None:
    url = web_app.url
    page = send(url, "GET", "/")
    asset = re.search(r'src="\./(assets/[^"]+\.js)"', page.body.decode()).group(1)
    replies = {
        "page": page, "asset": send(url, "GET", "/" + asset), "config": send(url, "GET", "/config"),
        "answer": ask(url, {"question": QUESTION}), "400": ask(url, {"question": " "}),
        "404": send(url, "GET", "/no/such/page"), "405": send(url, "GET", "/api/ask"),
        "413": send_over_the_cap(url, "/api/ask", b"x" * 1_000_001, JSON),
        "403": ask(url, {"question": QUESTION}, {"origin": "https://evil.example"}),
    }
    assert [r.status for r in replies.values()] == [200, 200, 200, 200, 400, 404, 405, 413, 403]
    for name, reply in replies.items():
        h = reply.headers
        assert h.get("x-frame-options") == "DENY" and h.get("x-content-type-options") == "nosniff", name
        assert h.get("referrer-policy") == "no-referrer", name
        csp = h.get("content-security-policy", "")
        for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "connect-src 'self'"):
            assert directive in csp, (name, directive)


# 4. CORS: no credentialed cross-origin requests


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:1", "https://evil.example", "null"])
def test_foreign_origins_get_no_cors_and_cannot_write(web_app: Any, origin: str) -> None:
    url = web_app.url
    read = send(url, "GET", "/config", headers={"origin": origin})
    preflight = send(url, "OPTIONS", "/gradio_api/queue/join", headers={
        "origin": origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type"})
    for reply in (read, preflight):
        assert "access-control-allow-origin" not in reply.headers
        assert "access-control-allow-credentials" not in reply.headers
    write = ask(url, {"question": QUESTION}, {"origin": origin})
    assert write.status == 403 and "cross-origin" in write.json()["error"]


def test_own_origin_may_write(web_app: Any) -> None:
    reply = ask(web_app.url, {"question": " "}, {"origin": web_app.url})
    assert reply.status == 400 and "empty" in reply.json()["error"]


# 5. Uploads


def _declare(url: str, path: str, length: int, headers: dict[str, str]) -> Reply:
    """Send only the head of a request announcing ``length`` body bytes; the reply."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest("POST", path)
        for name, value in {**headers, "content-length": str(length)}.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def test_uploads_are_refused(web_app: Any) -> None:
    url = web_app.url
    multipart = {"content-type": "multipart/form-data; boundary=b"}
    foreign = _declare(url, "/gradio_api/upload", 50_000_000, {**multipart, "origin": "http://localhost:9"})
    assert foreign.status == 403
    assert _declare(url, "/gradio_api/upload", 50_000_000, multipart).status == 413
    small = (b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
             b"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n")
    kept = send(url, "POST", "/gradio_api/upload", small, multipart)
    assert kept.status == 413 and b"a.txt" not in kept.body
    assert send(url, "POST", "/upload", small, multipart).status in {404, 405}


# 6. The body cap while the body streams


def test_chunked_body_over_the_cap_is_cut_off_while_streaming(web_app: Any) -> None:
    port = urllib.parse.urlsplit(web_app.url).port
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        try:  # keep sending until the server answers (or hangs up)
            while sent < 300_000_000 and not select.select([s], [], [], 0)[0]:
                s.sendall(frame)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = _reply(s)
    assert sent < 64_000_000, f"the server read {sent} bytes before refusing"
    assert reply.status == 413 and reply.headers["connection"] == "close"
    assert "over 1000000 bytes" in reply.json()["error"]
    assert _declare(web_app.url, "/api/ask", 300_000_000, JSON).status == 413  # refused from its length
    assert ask(web_app.url, {"question": " "}).status == 400  # and the server goes on


# 7–8. History and question caps on every route; what the chat keeps; the feedback log; Gradio's sessions


def test_history_caps_on_the_api_and_the_gradio_endpoint(web_app: Any) -> None:
    url = web_app.url
    many = [{"role": "user", "content": "x"}] * 51
    long = [{"role": "user", "content": "x" * 60_000}]
    assert "51 turns; the limit is 50" in ask(url, {"question": QUESTION, "history": many}).json()["error"]
    reply = ask(url, {"question": QUESTION, "history": long})
    assert reply.status == 400 and "over 50000 characters" in reply.json()["error"]
    for history, message in [(many, "51 turns"), (long * 3, "over 50000 characters")]:
        result = gradio_api(url, [QUESTION, history, None, None])
        assert result["event"] == "error" and message in result["data"]["error"]
    huge = json.dumps({"data": [QUESTION, [{"role": "user", "content": "x" * 2_000_000}]]}).encode()
    assert send_over_the_cap(url, "/gradio_api/call/ask", huge, JSON).status == 413


def test_refused_questions_and_liked_floods_keep_the_feedback_log_small(
        article_settings: Any, start_app: Any, tmp_path: Any) -> None:
    """Through the chat's own events: a 20 MB question is refused at the door, a 900 KB one is kept as a
    600-character prefix, and 40 likes of it leave clipped lines in rotated files."""
    feedback = tmp_path / "feedback.jsonl"
    url = start_app(article_settings.model_copy(update={
        "feedback_file": feedback, "feedback_max_bytes": 10_000, "feedback_keep": 2}))
    respond, like = chat_events(url)
    session = uuid.uuid4().hex[:12]
    huge = {"data": ["why? " * 4_000_000, None, 8, "All articles", "extractive", None, None], "fn_index": respond,
            "session_hash": session, "event_data": None, "trigger_id": None}
    assert send_over_the_cap(url, "/gradio_api/queue/join", json.dumps(huge).encode(), JSON).status == 413
    messages = gradio_event(url, respond, ["why? " * 180_000, None, 8, "All articles", "extractive", None, None], session)
    final = next(m for m in messages if m["msg"] == "process_completed")
    assert final["success"] and "the limit is 2000" in json.dumps(final["output"])
    for n in range(40):
        gradio_event(url, like, [None], session, {"index": 1, "value": "", "liked": n % 2 == 0})
    records = [json.loads(line) for f in (feedback, feedback.with_name("feedback.jsonl.1"))
               for line in f.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 10 and all(len(r["question"]) <= 601 for r in records)
    assert records[0]["question"].startswith("why? why?") and "the limit is 2000" in records[0]["answer"]
    rotated = [feedback, *(feedback.with_name(f"feedback.jsonl.{n}") for n in (1, 2))]
    assert all(f.exists() and f.stat().st_size <= 10_000 for f in rotated)
    assert not feedback.with_name("feedback.jsonl.3").exists()


def test_gradio_keeps_a_bounded_number_of_sessions(article_settings: Any, article_service: Any, tmp_path: Any
                                                   ) -> None:
    """Gradio keeps each session's last inputs (every /call opens one): at most web_max_sessions of them."""
    from gradio.routes import App

    from assistant.web.server import create_app

    port = free_port()
    app = create_app(article_service, article_settings.model_copy(update={
        "web_port": port, "web_max_sessions": 3, "feedback_file": tmp_path / "f.jsonl"}))
    server, thread = serve_in_thread(app, port)
    try:
        history = [{"role": "user", "content": "x" * 40_000}]
        for _ in range(8):
            assert gradio_api(f"http://127.0.0.1:{port}", [QUESTION, history, None, None])["event"] == "complete"
        gradio = next(route.app for route in app.routes if isinstance(getattr(route, "app", None), App))
        assert len(gradio.state_holder.session_data) <= 3
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# 9. Bad Unicode and deep JSON


def test_bad_unicode_and_deep_json_get_one_clear_line(web_app: Any) -> None:
    url = web_app.url
    for body, message in [
        (b'{"question": "\\ud800 what?"}', "invalid Unicode"),
        (b'{"question": "What?", "history": [{"role": "user", "content": "\\udfff"}]}', "invalid Unicode"),
        (b'{"question": "\xff\xfe what?"}', "invalid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"question": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "nested too deeply"),
    ]:
        reply = ask(url, body)
        assert reply.status == 400, (message, reply.body[:200])
        error = reply.json()["error"]
        assert message in error and "\n" not in error and len(error) < 200
    result = gradio_api(url, ["\ud800 what?", [], None, None])
    assert result["event"] == "error" and "invalid Unicode" in result["data"]["error"]
    assert "codec" not in json.dumps(result) and "surrogates not allowed" not in json.dumps(result)
    deep = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert send(url, "POST", "/gradio_api/call/ask", deep, JSON).status in {400, 422}


# 10. Wrong methods


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_wrong_methods_get_405_with_allow(web_app: Any, method: str) -> None:
    reply = send(web_app.url, method, "/api/ask")
    assert reply.status == 405 and reply.headers["allow"] == "POST"


# 11. Errors quote at most a short prefix of the input


def test_errors_never_echo_long_input(web_app: Any) -> None:
    url = web_app.url
    long = "z" * 500_000
    for data in [{"question": QUESTION, "doc": long}, {"question": QUESTION, "doc": "../" + long},
                 {"question": QUESTION, long: 1}, {"question": QUESTION, "history": [{"role": "user", long: ""}]}]:
        reply = ask(url, data)
        assert reply.status in {400, 422} and len(reply.body) < 400 and "z" * 61 not in reply.json()["error"]
    result = gradio_api(url, [QUESTION, [], None, long])
    assert result["event"] == "error" and len(json.dumps(result)) < 400
    respond, _ = chat_events(url)
    messages = gradio_event(url, respond, [QUESTION, None, 8, long, "extractive", None, None], uuid.uuid4().hex[:12])
    final = json.dumps(messages[-2:])
    assert "no document named" in final and "z" * 61 not in final and len(final) < 3000


# 12. The manifest names the article: not served without auth


def test_manifest_and_login_page_do_not_show_the_title_without_auth(auth_app: AuthApp, web_app: Any) -> None:
    manifest = send(auth_app.url, "GET", "/manifest.json")
    assert manifest.status == 404 and TITLE.encode() not in manifest.body
    assert TITLE.encode() not in send(auth_app.url, "GET", "/").body
    assert send(auth_app.url, "GET", "/config").status == 401
    assert TITLE in send(web_app.url, "GET", "/manifest.json").json()["name"]  # public app: public title
