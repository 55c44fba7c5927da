"""The per-generation snapshot (passages, BM25, vocabulary) and the cache of segments found sound."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from tests.scale.conftest import fresh_index

pytestmark = pytest.mark.e2e


@pytest.fixture()
def indexed(onnx_settings: Settings, tmp_path: Path, minilm) -> Settings:  # noqa: ANN001
    return fresh_index(onnx_settings, tmp_path, minilm)


def _reader(settings: Settings):  # noqa: ANN202
    from assistant.store import open_index

    return open_index(settings).reader()


def test_ingest_saves_a_snapshot_equal_to_what_a_start_would_compute(indexed: Settings) -> None:
    from assistant import snapshot

    reader = _reader(indexed)
    root = snapshot.snapshot_root(indexed.index_dir)
    assert [p.name for p in root.iterdir()] == [reader.key]
    loaded = snapshot.load(root, reader.key, reader.passage_count(), reader.generation)
    assert loaded is not None
    passages, stats = loaded
    built, fresh = snapshot.build(reader.all_passages(), reader.generation)
    assert [p.model_dump() for p in passages] == [p.model_dump() for p in built]
    assert stats.vocabulary.to_dict() == fresh.vocabulary.to_dict()
    assert stats.vocabulary.prefixes == fresh.vocabulary.prefixes and stats.sections == fresh.sections
    for query in ("European Security Treaty Medvedev", "harbour ferries 1998", "nothing matches zzz"):
        assert stats.lexical.search(query, 10) == fresh.lexical.search(query, 10)
    for term in ("secur", "harbour", "unseen"):
        assert stats.idf(term) == fresh.idf(term)
    assert np.array_equal(stats.lexical._df, fresh.lexical._df)  # noqa: SLF001


def test_a_damaged_or_missing_snapshot_is_rebuilt_and_answers_do_not_change(indexed: Settings) -> None:
    from assistant.service import AssistantService
    from assistant.snapshot import snapshot_root

    service = AssistantService.from_settings(indexed)
    before = service.ask("What did Medvedev propose in 2008?")
    root = snapshot_root(indexed.index_dir)
    (folder,) = root.iterdir()
    data = (folder / "passages.json").read_text(encoding="utf-8")
    (folder / "passages.json").write_text(data.replace("Medvedev", "Medvedex"), encoding="utf-8")
    again = AssistantService.from_settings(indexed).ask("What did Medvedev propose in 2008?")
    assert again.answer == before.answer and "Medvedev" in again.answer
    assert "Medvedex" not in (folder / "passages.json").read_text(encoding="utf-8")  # saved anew
    shutil.rmtree(root)
    assert AssistantService.from_settings(indexed).ask("What did Medvedev propose in 2008?").answer == before.answer
    assert (root / folder.name / "meta.json").is_file()


def test_a_new_generation_gets_its_own_snapshot_and_the_old_one_goes(indexed: Settings, minilm) -> None:  # noqa: ANN001
    from assistant.ingest import ingest
    from assistant.snapshot import snapshot_root

    old = _reader(indexed).key
    (Path(indexed.corpus_dir) / "harbour.md").write_text("Harbour Notes\nThe quay was rebuilt in 2004.\n",
                                                       encoding="utf-8")
    ingest(indexed, embedder_factory=lambda: minilm, export_onnx=False)
    new = _reader(indexed).key
    assert new != old and [p.name for p in snapshot_root(indexed.index_dir).iterdir()] == [new]


def test_a_whole_collection_is_read_page_by_page(indexed: Settings, monkeypatch) -> None:  # noqa: ANN001
    """One ``get`` of a whole collection fails in Chroma's SQLite at ~40,000 passages ("too many SQL
    variables"): reading every passage (a start without a snapshot) goes page by page."""
    from assistant import store

    reader = _reader(indexed)
    whole = reader.all_passages()
    pages: list[int] = []
    read_all = store.read_all
    monkeypatch.setattr(store, "read_all", lambda c, include: (pages.append(1), read_all(c, include, page=7))[1])
    assert reader.all_passages() == whole and len(whole) > 14
    assert pages == [1]
    assert read_all(reader._passages, [], page=7)["ids"] == read_all(reader._passages, [])["ids"]  # noqa: SLF001
    assert len(read_all(reader._passages, ["metadatas"], page=len(whole))["metadatas"]) == len(whole)  # noqa: SLF001
