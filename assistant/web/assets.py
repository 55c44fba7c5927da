"""The chat page's own script and styles, kept as files in ``assistant/web/static`` and inlined into the page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


@cache
def head() -> str:
    """The page's script, as a ``<script>`` for Gradio's ``head``."""
    return f"<script>\n{(STATIC / 'chat.js').read_text(encoding='utf-8')}</script>\n"


@cache
def css() -> str:
    """The page's extra styles."""
    return (STATIC / "chat.css").read_text(encoding="utf-8")
