"""Damaged segment files and concurrent writers, with real processes.

Damage (a truncated, a scrambled or a missing segment of the sentences collection) is found before
hnswlib reads it: ``ask``, ``ingest`` and ``check`` say so in one line (never a signal), and
``ingest --rebuild`` repairs the index reusing the undamaged passages' vectors. Two ingests never
write at once: the second waits for the index's lock, or gives up after its timeout, changing nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.scale.conftest import copy_index, fresh_index

pytestmark = pytest.mark.e2e
QUESTION = "What did Medvedev propose in 2008?"


def _run(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
                   "ASSISTANT_INDEX_DIR": str(settings.index_dir), **env}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=environment, timeout=300)


@pytest.fixture(scope="module")
def persisted(onnx_settings: Settings, minilm, tmp_path_factory: pytest.TempPathFactory) -> Settings:  # noqa: ANN001
    """The two articles and 100 generated ones, ingested: enough sentences for Chroma to persist their
    HNSW graph to disk (a small collection's graph lives in the write-ahead log alone)."""
    base = tmp_path_factory.mktemp("persisted")
    settings = fresh_index(onnx_settings, base, minilm)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        from corpus_gen import generate
    finally:
        sys.path.pop(0)
    generate(settings.corpus_dir, articles=100, per_article=4)
    from assistant.ingest import ingest

    ingest(settings, embedder_factory=lambda: minilm, export_onnx=False)
    return settings


def _sentence_segment(settings: Settings) -> Path:
    from assistant.segments import vector_segments
    from assistant.store import open_index

    generation = open_index(settings).manifest().generation
    name = f"{settings.collection_prefix}_sentences_g{generation}"
    segment = next(s for s, n in vector_segments(settings.index_dir / "chroma", [name]).items())
    return settings.index_dir / "chroma" / segment


def _truncate(folder: Path) -> None:
    path = folder / "data_level0.bin"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _scramble(folder: Path) -> None:
    path = folder / "data_level0.bin"
    data = bytearray(path.read_bytes())
    data[: 200 * 1676] = os.urandom(200 * 1676)  # the same size: the first 200 nodes, links and all
    path.write_bytes(bytes(data))


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder)


@pytest.mark.parametrize("damage", [_truncate, _scramble, _remove], ids=["truncated", "random-bytes", "missing"])
def test_damage_is_one_line_naming_rebuild_which_repairs_it(damage, persisted: Settings,  # noqa: ANN001
                                                           tmp_path: Path) -> None:
    settings = copy_index(persisted, tmp_path)  # opened by subprocesses only
    segment = _sentence_segment(settings)
    from assistant.segments import check_segment

    assert check_segment(segment)[0] > 0, "the sentences' graph should be on disk"
    damage(segment)
    for args in (("ask", QUESTION), ("ingest",), ("check",)):
        done = _run(settings, *args)
        assert done.returncode in (1, 2), (args, done.returncode, done.stderr)  # an exit code, never a signal
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: the index is damaged: ")
        assert "_sentences_" in done.stderr and "run 'assistant ingest --rebuild'" in done.stderr
    assert _run(settings, "check").returncode == 1

    rebuilt = _run(settings, "ingest", "--rebuild", ASSISTANT_INDEX_LOCK_TIMEOUT_S="5")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "reused the vectors of its undamaged passages; re-embedded the damaged sentences" in rebuilt.stdout
    answer = _run(settings, "ask", QUESTION)
    assert answer.returncode == 0 and "European Security Treaty" in answer.stdout
    checked = _run(settings, "check")
    assert checked.returncode == 0 and checked.stdout.startswith("index sound: generation ")


def test_a_segment_found_sound_is_not_read_again_until_its_files_change(persisted: Settings, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import segments
    from assistant.segments import DamagedIndexError
    from assistant.store import open_index

    settings = copy_index(persisted, tmp_path)  # new inodes: the copied cache of sound segments does not match
    index = open_index(settings)  # verify reads the files itself: no HNSW is loaded in this process
    generation = index.manifest().generation
    reads = []
    real = segments.check_segment
    monkeypatch.setattr(segments, "check_segment", lambda folder: reads.append(folder.name) or real(folder))
    first = index.verify(generation)
    assert len(reads) == 2 and first.elements > 0
    reads.clear()
    assert index.verify(generation).elements == first.elements and reads == []
    assert index.verify(generation, fresh=True).elements == first.elements and len(reads) == 2
    reads.clear()
    segment = _sentence_segment(settings)
    _scramble(segment)
    with pytest.raises(DamagedIndexError):
        segments.check_or_raise(index.verify(generation))
    assert reads == [segment.name]


def test_a_second_ingest_waits_for_the_lock_then_completes(onnx_settings: Settings, minilm, tmp_path: Path) -> None:  # noqa: ANN001
    from assistant.index_lock import index_write_lock

    settings = fresh_index(onnx_settings, tmp_path, minilm)
    (settings.corpus_dir / "note.txt").write_text("Note\nThe harbour festival takes place in June.\n")
    environment = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
                   "ASSISTANT_INDEX_DIR": str(settings.index_dir)}
    with index_write_lock(settings):  # a first writer, holding the index
        second = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest"], env=environment,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        line = second.stderr.readline()  # it says it waits, and does not write meanwhile
        assert line.startswith("another ingest is writing the index (") and "waiting up to 600 s" in line
        time.sleep(0.5)
        assert second.poll() is None
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "1 added" in out


def test_a_second_ingest_gives_up_after_its_timeout_and_changes_nothing(onnx_settings: Settings, minilm,  # noqa: ANN001
                                                                        tmp_path: Path) -> None:
    from assistant.index_lock import index_write_lock

    settings = fresh_index(onnx_settings, tmp_path, minilm)
    (settings.corpus_dir / "note.txt").write_text("Note\nThe harbour festival takes place in June.\n")
    before = _run(settings, "check").stdout
    with index_write_lock(settings):
        done = _run(settings, "ingest", ASSISTANT_INDEX_LOCK_TIMEOUT_S="0.5")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("another ingest is writing the index") and len(lines) == 2
    assert lines[1].startswith("error: another ingest has been writing the index for over 0.5 s")
    assert "nothing was changed" in lines[1]
    assert _run(settings, "check").stdout == before and "2 documents" in before


def test_two_concurrent_ingests_of_different_corpora_run_one_after_the_other(onnx_settings: Settings, minilm,  # noqa: ANN001
                                                                             tmp_path: Path) -> None:
    settings = fresh_index(onnx_settings, tmp_path, minilm)
    other = tmp_path / "other-corpus"
    other.mkdir()
    (other / "note.txt").write_text("Note\nThe harbour festival takes place in June.\n")
    environment = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir)}
    first = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", "--corpus", str(other)],
                             env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", "--corpus", str(settings.corpus_dir)],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=300) + (p.returncode,) for p in (first, second)]
    assert [r[2] for r in results] == [0, 0], results
    waited = [i for i, (_, err, _) in enumerate(results) if "another ingest is writing the index" in err]
    checked = _run(settings, "check")
    assert checked.returncode == 0, checked.stderr
    if waited:  # the one that waited wrote last: the index holds its corpus, whole
        assert len(waited) == 1
        assert f" {[1, 2][waited[0]]} documents," in checked.stdout
