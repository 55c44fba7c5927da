"""`make fit` reproduces the committed answer model from its data (the external question sets)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.answer_model import PACKAGED_MODEL

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = ROOT.parent / "shared" / "qa" / "external"
SETS = ["rhine", "computational-complexity"]

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not EXTERNAL.is_dir(), reason=f"needs {EXTERNAL}")]


def test_fit_reproduces_the_committed_model(tmp_path: Path) -> None:
    out = tmp_path / "answer-model.json"
    args = [sys.executable, "-m", "assistant.cli", "--index", str(tmp_path / "index"), "fit", "--out", str(out)]
    for name in SETS:
        args += ["--set", f"{name}={EXTERNAL / f'{name}.jsonl'}:{EXTERNAL / 'corpus' / f'{name}.md'}"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    fitted, committed = json.loads(out.read_text()), json.loads(PACKAGED_MODEL.read_text())
    assert fitted["trained_on"] == committed["trained_on"]  # same files, same hashes, same counts
    for head in ("sentence", "answerable", "span"):
        a, b = fitted["heads"][head], committed["heads"][head]
        assert a["features"] == b["features"]
        assert np.allclose(a["coef"], b["coef"], atol=0.02), head
        assert a["intercept"] == pytest.approx(b["intercept"], abs=0.02)
        assert a.get("threshold", 0) == pytest.approx(b.get("threshold", 0), abs=0.02)
