"""Crash consistency: a real ``assistant ingest`` killed (SIGKILL) at every step of each phase.

Each case copies a committed two-article index, adds three articles, and runs ``assistant ingest`` in
a subprocess with ``ASSISTANT_FAULT_KILL`` naming the point where it kills itself (``assistant.faults``):
after the split, after the first embedding batch is saved, at and in the middle of each collection's
write, after both are written, right after the commit, during the clean-up. After each kill the index
still answers (the old generation, or the new one once committed); a plain ``ingest`` then completes,
reusing what the killed run embedded, with no duplicate, no leftover collection, no orphan segment
folder, and ``assistant check`` finds it sound.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.scale.conftest import fresh_index

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
NEW_ARTICLES = {
    f"lighthouse-{n}.txt": f"Lighthouse {n}\nThe Keepers\nThe lighthouse number {n} of Vardholm was painted red in "
                           f"{1950 + n}. Its keepers left in {1980 + n}, when the lamp was automated. A museum opened "
                           f"in the keeper's house in {2001 + n}.\n"
    for n in range(3)
}
# (point, committed when killed there: None for a timed kill, which may land before or after the commit)
POINTS = [("split", False), ("embed", False), ("write:passages", False), ("write:passages@0.005", None),
          ("write:sentences", False), ("write:sentences@0.01", None), ("written", False),
          ("committed", True), ("cleanup", True)]


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "ASSISTANT_INDEX_DIR": str(settings.index_dir), **extra}


def _state(settings: Settings) -> tuple[list[str], int, int]:
    from assistant.store import open_index

    reader = open_index(settings).reader()
    passages = reader.all_passages()
    sentences, _ = reader.sentences_of(passages)
    return sorted(p.id for p in passages), len(sentences), reader.generation


def _collections_and_folders(settings: Settings) -> tuple[set[str], set[str], set[str]]:
    """Collection names, live vector segment ids, and the segment folders on disk."""
    chroma = settings.index_dir / "chroma"
    with sqlite3.connect(f"file:{chroma / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
        names = {row[0] for row in db.execute("SELECT name FROM collections")}
        segments = {row[0] for row in db.execute("SELECT id FROM segments")}
    folders = {p.name for p in chroma.iterdir() if p.is_dir()}
    return names, segments, folders


@pytest.mark.parametrize(("point", "committed"), POINTS, ids=[p for p, _ in POINTS])
def test_kill_at_each_point_then_a_plain_ingest_completes(point: str, committed: bool | None, onnx_settings: Settings,
                                                          minilm, tmp_path: Path) -> None:  # noqa: ANN001
    from assistant.cli import main
    from assistant.corpus import load_corpus
    from assistant.embeddings import QueryEncoder
    from assistant.ingest import _split_corpus, ingest
    from assistant.service import AssistantService

    settings = fresh_index(onnx_settings, tmp_path, minilm)
    before = _state(settings)
    for name, text in NEW_ARTICLES.items():
        (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    passages, sentences = _split_corpus(load_corpus(settings.corpus_dir), settings.passage_max_words)
    expected = sorted(p.id for p in passages)

    killed = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=_env(settings,
                            ASSISTANT_FAULT_KILL=point), capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    ids, n_sentences, _ = _state(settings)  # readers get a whole generation: the old one, or the new one
    new = (expected, len(sentences))
    assert (ids, n_sentences) in ([new] if committed else [before[:2]] if committed is False else [new, before[:2]])
    committed = (ids, n_sentences) == new
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    assert "European Security Treaty" in service.ask("What did Medvedev propose in 2008?").answer

    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.unchanged == committed
    if point != "split":  # the killed run's embeddings were checkpointed (or committed): nothing embedded again
        assert report.embedded == 0
    ids, n_sentences, generation = _state(settings)
    assert ids == expected and len(set(ids)) == len(ids) and n_sentences == len(sentences)
    assert generation == report.generation

    names, segments, folders = _collections_and_folders(settings)
    prefix = settings.collection_prefix
    assert names == {f"{prefix}_manifest", f"{prefix}_passages_g{generation}", f"{prefix}_sentences_g{generation}"}
    assert folders <= segments  # no orphan segment folder
    assert not list((settings.index_dir / "embedding-checkpoint").rglob("*.npz"))
    assert main(["--index", str(settings.index_dir), "check"]) == 0
    answer = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm)).ask(
        "When was lighthouse number 1 of Vardholm painted red?")
    assert "1951" in answer.answer
