"""The ``assistant`` command as a user runs it (a real process, the real model and store)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings

pytestmark = pytest.mark.e2e


def run_cli(*args: str, settings: Settings | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if settings is not None:
        env.update(ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir))
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_ask_json_prints_the_structured_answer(article_settings: Settings, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "Who proposed a European Security Treaty?"},
                                   {"role": "assistant", "content": "One of the earliest examples came in 2008, when "
                                    "then-President Dmitry Medvedev introduced the idea of a “European Security Treaty.” [1]"}]))
    result = run_cli("ask", "and how was it received by the West?", "--json", "--history", str(history),
                     settings=article_settings)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) - {"short_answer"} == {"question", "answer", "abstained", "citations", "retrieved",
                                              "latency_ms", "trace"}  # optional keys only when they hold something
    assert answer["trace"]["answered"] and answer["trace"]["reason"].startswith("p(answerable) ")
    assert "limited enthusiasm" in answer["answer"] and not answer["abstained"]
    text = (article_settings.corpus_dir / answer["citations"][0]["doc"]).read_text(encoding="utf-8")
    for c in answer["citations"]:
        assert text[c["start"]:c["end"]] == c["text"] and c["section"]


def test_ask_prints_the_answer_and_its_sources(article_settings: Settings) -> None:
    result = run_cli("ask", "What did détente achieve in the 1970s?", settings=article_settings)
    assert result.returncode == 0, result.stderr
    assert "eased global tensions" in result.stdout
    assert "[1] global-security-architecture.txt — Parallels and Regional Reactions (chars" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("ask", "   "), "error: the question is empty: type a question about the article"),
    (("ask", "q" * 2001), "error: the question is 2001 characters long; the limit is 2000"),
])
def test_bad_questions_exit_2_with_one_line(args: tuple[str, ...], message: str, article_settings: Settings) -> None:
    result = run_cli(*args, settings=article_settings)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_ingest_of_a_missing_corpus_exits_2_and_leaves_the_index(article_settings: Settings, tmp_path: Path) -> None:
    before = sorted(p.name for p in (article_settings.index_dir / "chroma").iterdir())
    result = run_cli("ingest", "--corpus", str(tmp_path / "nowhere"), settings=article_settings)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: corpus folder not found: {tmp_path / 'nowhere'}"
    assert sorted(p.name for p in (article_settings.index_dir / "chroma").iterdir()) == before


def test_ask_before_any_ingest_says_to_ingest(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index")
    result = run_cli("ask", "anything?", settings=settings)
    assert result.returncode == 2
    assert "run 'assistant ingest' first" in result.stderr


def test_ask_json_has_the_short_answer_and_the_terminal_shows_it_first(article_settings: Settings) -> None:
    result = run_cli("ask", "In which year did Medvedev put forward his treaty idea?", "--json", settings=article_settings)
    answer = json.loads(result.stdout)
    assert answer["short_answer"] == "2008" and answer["answer"].startswith("2008 — ")
    plain = run_cli("ask", "In which year did Medvedev put forward his treaty idea?", settings=article_settings)
    assert plain.stdout.startswith("2008 — ")  # not a terminal: no escape codes
