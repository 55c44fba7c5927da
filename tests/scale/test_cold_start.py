"""Cold start of `assistant ask`: the encoder loads in a background thread, its errors still reach the user."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.scale.conftest import copy_index

pytestmark = pytest.mark.e2e


def test_the_collector_is_held_off_during_a_one_shot_command_and_restored_after() -> None:
    from assistant.cli import _collector_held_off

    assert gc.isenabled()
    try:
        with _collector_held_off():
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _without_onnx_export(settings: Settings, tmp_path: Path) -> Settings:
    copy = copy_index(settings, tmp_path)
    shutil.rmtree(copy.index_dir / "onnx")
    return copy.model_copy(update={"query_encoder": "onnx"})


def test_an_encoder_error_from_the_background_thread_is_the_same_clear_error(onnx_settings: Settings,
                                                                            tmp_path: Path) -> None:
    from assistant.errors import IndexUnavailableError
    from assistant.service import AssistantService

    settings = _without_onnx_export(onnx_settings, tmp_path)
    with pytest.raises(IndexUnavailableError, match="no ONNX export.*assistant ingest"):
        AssistantService.from_settings(settings)
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_QUERY_ENCODER": "onnx"}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "What did Medvedev propose in 2008?"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: no ONNX export") and done.stderr.count("\n") == 1


def test_an_index_error_comes_first_while_the_encoder_loads(onnx_settings: Settings, tmp_path: Path) -> None:
    from assistant.errors import IndexUnavailableError
    from assistant.service import AssistantService

    settings = onnx_settings.model_copy(update={"index_dir": tmp_path / "empty"})
    shutil.copytree(onnx_settings.index_dir / "onnx", settings.index_dir / "onnx")
    with pytest.raises(IndexUnavailableError, match="the index is empty: run 'assistant ingest' first"):
        AssistantService.from_settings(settings)
