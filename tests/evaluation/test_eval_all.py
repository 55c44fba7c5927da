"""`assistant eval-all`: the dev set and each external set with its own index and leave-one-out model,
one table, a run folder per set; `eval-compare` on two such folders compares set by set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer_model import PACKAGED_MODEL

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "global-security-architecture.txt"

# Written for this test: a tiny "external" set about a short article of its own.
HARBOUR = "# Harbour\n\nThe harbour of Eastport reopened in 1998 after a long closure. It handles ferries to Northisle.\n"
QUESTIONS = [{"id": "h1", "question": "When did the harbour of Eastport reopen?", "answerable": True,
              "answers": ["1998"], "evidence": ["The harbour of Eastport reopened in 1998 after a long closure."]},
             {"id": "h2", "question": "How many cranes does the harbour have?", "answerable": False,
              "answers": [], "evidence": []}]
DEV = [{"id": "d1", "question": "Who introduced the idea of a European Security Treaty?", "answerable": True,
        "answers": ["Dmitry Medvedev"], "evidence": []}]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600, cwd=cwd, check=False)


def test_eval_all_writes_one_run_per_set_and_compares_set_by_set(article_settings, tmp_path: Path) -> None:  # noqa: ANN001
    external, models = tmp_path / "external", tmp_path / "models"
    (external / "corpus").mkdir(parents=True)
    models.mkdir()
    (external / "corpus" / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    (external / "harbour.jsonl").write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    (tmp_path / "dev.jsonl").write_text("\n".join(json.dumps(q) for q in DEV) + "\n", encoding="utf-8")
    shutil.copy(PACKAGED_MODEL, models / "answer-model.json")
    shutil.copy(PACKAGED_MODEL.with_name("answer-model.without-rhine.json"), models / "answer-model.without-harbour.json")
    common = ["--index", str(article_settings.index_dir), "eval-all", "--dev", str(tmp_path / "dev.jsonl"),
              "--external", str(external), "--models", str(models)]
    for out in ("a", "b"):  # run from the folder whose corpus/ is the shipped article
        done = _run(*common, "--out", str(tmp_path / out), cwd=article_settings.corpus_dir.parent)
        assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert list(summary) == ["dev", "harbour"]
    assert summary["harbour"]["answer_model"]["path"].endswith("answer-model.without-harbour.json")
    for name in summary:
        assert (tmp_path / "a" / name / "results.jsonl").is_file() and (tmp_path / "a" / name / "report.html").is_file()
    assert "contains_gold" in done.stdout and "harbour" in done.stdout
    compared = _run("eval-compare", str(tmp_path / "a"), str(tmp_path / "b"), cwd=ROOT)
    assert compared.returncode == 0 and "set dev" in compared.stdout and "set harbour" in compared.stdout
