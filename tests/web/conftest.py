"""Fixtures of the web tests: the real app on a free loopback port, and headless Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = ROOT / "test-output" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class RunningApp:
    """The app served by a test: its base URL and where it writes feedback."""

    url: str
    feedback_file: Path
    settings: Settings


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_in_thread(app, port: int) -> tuple[object, threading.Thread]:  # noqa: ANN001
    """Start uvicorn on 127.0.0.1:port in a daemon thread; returns (server, thread) once it answers."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"web-app-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return server, thread
        except httpx.HTTPError:
            pass
        if not thread.is_alive():
            break
        time.sleep(0.2)
    server.should_exit = True
    raise RuntimeError(f"the web app did not start on port {port}")


@pytest.fixture(scope="session")
def web_app(article_settings: Settings, article_service, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[RunningApp]:
    """The real chat + /api/ask over the shipped article, on a free loopback port."""
    from assistant.web.server import create_app

    port = free_port()
    feedback = tmp_path_factory.mktemp("web") / "feedback.jsonl"
    settings = article_settings.model_copy(update={"web_port": port, "feedback_file": feedback})
    server, thread = serve_in_thread(create_app(article_service, settings), port)
    yield RunningApp(url=f"http://127.0.0.1:{port}", feedback_file=feedback, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def start_app(article_service) -> Iterator[object]:  # noqa: ANN001
    """A factory: ``start_app(settings) -> url`` serves another app over the article, stopped after the test."""
    from assistant.web.server import create_app

    running = []

    def start(settings: Settings) -> str:
        port = free_port()
        running.append(serve_in_thread(create_app(article_service, settings), port))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where the browser tests leave screenshots (git-ignored)."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_app: RunningApp) -> Iterator[object]:  # noqa: ANN001
    """A fresh page (a fresh conversation) on the chat; fails on any request leaving loopback."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(web_app.url + "/")
    page.wait_for_selector("#question textarea")
    yield page
    context.close()
    assert not outside, f"the page tried to reach outside loopback: {outside}"
