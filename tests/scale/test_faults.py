"""Faults and bad input: each gives a clear message and loses nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.embeddings import vector_label
from assistant.errors import CorpusError, IndexUnavailableError, QuestionError
from assistant.settings import Settings
from tests.scale.conftest import ARTICLE_NAME, HARBOUR, copy_index

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir)}


def _index_state(settings: Settings) -> tuple[list[str], int, int]:
    from assistant.store import open_index

    reader = open_index(settings).reader()
    passages = reader.all_passages()
    ids = [p.id for p in passages]
    sentences, _ = reader.sentences_of(passages)
    return ids, len(sentences), reader.generation


def _collections(settings: Settings) -> set[str]:
    """Collection names, read straight from Chroma's SQLite file (read-only, while another process writes)."""
    database = settings.index_dir / "chroma" / "chroma.sqlite3"
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            return {row[0] for row in db.execute("SELECT name FROM collections")}
    except sqlite3.Error:
        return set()


def _generated_corpus(folder: Path, articles: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus_gen import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generate(folder, articles=articles, per_article=4)


def test_kill_9_during_ingest_then_ingest_again_is_complete_without_duplicates(
        fresh_two: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.ingest import _split_corpus, ingest
    from assistant.corpus import load_corpus

    settings = fresh_two
    ingest(settings, embedder_factory=lambda: minilm)
    before = _index_state(settings)
    _generated_corpus(settings.corpus_dir, articles=15)  # enough new text to be mid-ingest when killed

    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest"], env=_env(settings),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wanted = f"{settings.collection_prefix}_passages_g{before[2] + 1}"
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and process.poll() is None and wanted not in _collections(settings):
        time.sleep(0.1)  # until the new generation's passages are being written (its sentences come next)
    assert process.poll() is None, "ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _index_state(settings) == before  # readers still get the last committed generation

    report = ingest(settings, embedder_factory=lambda: minilm)
    passages, sentences = _split_corpus(load_corpus(settings.corpus_dir), settings.passage_max_words)
    ids, n_sentences, generation = _index_state(settings)
    assert report.documents == 17 and not report.unchanged
    assert len(ids) == len(set(ids)) == len(passages) and n_sentences == len(sentences)
    assert sorted(ids) == sorted(p.id for p in passages)
    assert generation == report.generation


def test_a_corrupted_index_is_a_clear_error_and_rebuild_recovers(onnx_settings: Settings, tmp_path: Path) -> None:
    from assistant.cli import main

    settings = copy_index(onnx_settings, tmp_path)
    database = settings.index_dir / "chroma" / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 1000)
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "What did Medvedev propose in 2008?"],
                          capture_output=True, text=True, env=_env(settings), timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "cannot open the index" in done.stderr and "assistant ingest --rebuild" in done.stderr

    assert main(["--index", str(settings.index_dir), "ingest", "--corpus", str(settings.corpus_dir), "--rebuild"]) == 0
    assert list(settings.index_dir.glob("chroma.broken-*"))  # the damaged folder is kept aside, not deleted
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "What did Medvedev propose in 2008?"],
                          capture_output=True, text=True, env=_env(settings), timeout=120)
    assert done.returncode == 0 and "European Security Treaty" in done.stdout, done.stderr


def test_a_missing_generation_is_named_with_the_rebuild_hint(onnx_settings: Settings, tmp_path: Path) -> None:
    from assistant.store import open_index

    settings = copy_index(onnx_settings, tmp_path)
    index = open_index(settings)
    generation = index.manifest().generation
    index._client.delete_collection(f"{settings.collection_prefix}_sentences_g{generation}")  # noqa: SLF001
    with pytest.raises(IndexUnavailableError, match="damaged.*assistant ingest --rebuild"):
        index.reader()


def test_a_corpus_file_that_vanishes_or_turns_non_utf8_between_runs(fresh_two: Settings, minilm,  # noqa: ANN001
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import corpus
    from assistant.embeddings import QueryEncoder
    from assistant.ingest import ingest
    from assistant.retrieval import DocumentFilterError
    from assistant.service import AssistantService

    settings = fresh_two
    ingest(settings, embedder_factory=lambda: minilm)
    before = _index_state(settings)

    harbour = settings.corpus_dir / "harbour.md"
    harbour.write_bytes(HARBOUR.encode("utf-8") + b"\xff\xfe broken")
    with pytest.raises(CorpusError, match=r"harbour.md is not valid UTF-8 \(bad byte at offset"):
        ingest(settings, embedder_factory=lambda: minilm)
    assert _index_state(settings) == before  # nothing lost: the index still holds both articles

    from assistant import ingest as ingest_module

    listed = corpus.corpus_files
    monkeypatch.setattr(ingest_module, "scan_corpus",
                        lambda folder: corpus.CorpusScan([*listed(folder), folder / "gone.txt"]))
    harbour.write_text(HARBOUR, encoding="utf-8")
    with pytest.raises(CorpusError, match="cannot read corpus file gone.txt"):  # listed, then gone before reading
        ingest(settings, embedder_factory=lambda: minilm)
    assert _index_state(settings) == before
    monkeypatch.undo()

    harbour.unlink()  # removed between runs: its passages leave the index, the rest stays
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.removed_documents == ["harbour.md"] and report.embedded == 0
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    with pytest.raises(DocumentFilterError, match="no document named 'harbour.md'"):
        service.ask("When did the harbour reopen?", doc="harbour.md")
    assert "European Security Treaty" in service.ask("What did Medvedev propose in 2008?").answer


def test_huge_and_control_character_questions(onnx_settings: Settings) -> None:
    from assistant.service import AssistantService

    service = AssistantService.from_settings(onnx_settings)
    with pytest.raises(QuestionError, match="10000 characters long; the limit is 2000"):
        service.ask("x" * 10_000)
    with pytest.raises(QuestionError, match="empty"):
        service.ask("\x00\x01\x1b\x7f" * 3 + "\t\n ")  # only control characters and blanks
    answer = service.ask("What did\x00 Medvedev\x1b propose\r\n in 2008?\x07")
    assert "European Security Treaty" in answer.answer and "\x00" not in answer.question
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "y" * 10_000], capture_output=True,
                          text=True, env=_env(onnx_settings), timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "limit is 2000" in done.stderr


def test_a_long_lived_service_follows_concurrent_ingests(fresh_two: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.embeddings import QueryEncoder
    from assistant.ingest import ingest
    from assistant.service import AssistantService

    settings = fresh_two
    ingest(settings, embedder_factory=lambda: minilm)
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm))
    first_generation = service.retriever.reader.generation
    errors: list[BaseException] = []
    answers: list[str] = []
    stop = threading.Event()

    def ask_in_a_loop() -> None:
        questions = ["What did Medvedev propose in 2008?", "When did the harbour reopen?"]
        while not stop.is_set():
            try:
                answers.append(service.ask(questions[len(answers) % 2]).answer)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return

    asker = threading.Thread(target=ask_in_a_loop)
    asker.start()
    try:
        for n in range(3):  # each ingest commits a new generation and drops the one the service opened
            (settings.corpus_dir / f"lighthouse-{n}.txt").write_text(
                f"Lighthouse {n}\nThe lighthouse number {n} of Vardholm was painted red in {1950 + n}.\n",
                encoding="utf-8")
            ingest(settings, embedder_factory=lambda: minilm)
            time.sleep(0.3)
    finally:
        stop.set()
        asker.join(timeout=60)
    assert not errors, errors
    assert len(answers) > 3 and all(a for a in answers)
    assert service.retriever.reader.generation > first_generation
    answer = service.ask("When was lighthouse number 2 of Vardholm painted red?", doc="lighthouse-2.txt")
    assert "1952" in answer.answer
    assert ARTICLE_NAME in service.retriever.documents


def test_an_ingest_after_a_crash_reuses_what_the_crashed_one_embedded(fresh_two: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.ingest import ingest
    from assistant.store import ChromaIndex, open_index

    class CrashAfterPassages(ChromaIndex):
        def write_generation(self, generation, kind, spans, embeddings) -> None:  # noqa: ANN001
            super().write_generation(generation, kind, spans, embeddings)
            if kind == "passages":
                raise KeyboardInterrupt("simulated crash after the new passages were written")

    settings = fresh_two
    ingest(settings, embedder_factory=lambda: minilm)
    (settings.corpus_dir / "lighthouse.txt").write_text(
        "Lighthouse\nThe lighthouse of Vardholm was painted red in 1952. It was rebuilt in 1960.\n", encoding="utf-8")
    crashing = CrashAfterPassages(open_index(settings)._client, settings.collection_prefix,  # noqa: SLF001
                                  embedder=vector_label(settings))
    with pytest.raises(KeyboardInterrupt):
        ingest(settings, embedder_factory=lambda: minilm, index=crashing)
    assert list((settings.index_dir / "embedding-checkpoint").rglob("chunk-*.npz"))  # kept for the next run
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert report.added_documents == ["lighthouse.txt"]
    assert report.embedded == 0  # the crashed run's embeddings come from its checkpoint
    assert not list((settings.index_dir / "embedding-checkpoint").rglob("chunk-*.npz"))  # cleared at commit
    ids, n_sentences, _ = _index_state(settings)
    assert len(ids) == len(set(ids)) == report.passages and n_sentences == report.sentences


def test_a_question_argument_that_is_not_utf8_gets_one_line(onnx_settings: Settings) -> None:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", b"caf\xe9 or \xff\xfe?"], capture_output=True,
                          env=_env(onnx_settings), timeout=60)
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1
    assert done.stderr.startswith(b"error: the question holds invalid Unicode") and b"Traceback" not in done.stderr


def test_a_linked_secret_is_never_indexed_and_hostile_text_is_refused(fresh_two: Settings, minilm,  # noqa: ANN001
                                                                      tmp_path: Path) -> None:
    from assistant.embeddings import QueryEncoder
    from assistant.ingest import ingest
    from assistant.service import AssistantService

    settings = fresh_two
    secret = tmp_path / "secret.txt"
    secret.write_text("Passwords\nThe vault password of Vardholm is swordfish-42.\n", encoding="utf-8")
    (settings.corpus_dir / "vault.txt").symlink_to(secret)
    report = ingest(settings, embedder_factory=lambda: minilm)
    assert "skipped corpus file vault.txt: it links outside the corpus folder" in report.notes
    assert report.documents == 2
    answer = AssistantService.from_settings(settings, encoder=QueryEncoder(minilm)).ask(
        "What is the vault password of Vardholm?")
    assert "swordfish" not in answer.answer and all("swordfish" not in p.text for p in answer.retrieved)

    before = _index_state(settings)
    (settings.corpus_dir / "ansi.txt").write_text("Alert\n\x1b[2J\x1b[31mThe screen was cleared.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], capture_output=True, text=True,
                          env=_env(settings), timeout=300)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["skipped corpus file vault.txt: it links outside the corpus folder",
                                        "error: corpus file ansi.txt is not plain text: control character U+001B "
                                        "at offset 6"]
    assert "\x1b" not in done.stderr  # nothing reaches the terminal raw
    assert _index_state(settings) == before
