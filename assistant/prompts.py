"""Prompt and message templates, kept as files in the project's ``prompts/`` folder."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=None)
def load_prompt(name: str, prompts_dir: Path = PROMPTS_DIR) -> str:
    """The text of ``prompts/<name>.txt`` without its trailing newline."""
    return (prompts_dir / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")
