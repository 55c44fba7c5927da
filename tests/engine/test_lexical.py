"""BM25: bm25s builds the index; a saved index answers without bm25s, exactly as bm25s would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bm25s
import pytest

from assistant.corpus import load_corpus
from assistant.lexical import BM25Index
from assistant.splitting import split_document
from assistant.text import content_terms

EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "qa" / "external"


def _passages_and_questions(name: str):  # noqa: ANN202
    docs = [d for d in load_corpus(EXTERNAL / "corpus") if d.name.startswith(name)]
    if not docs:
        pytest.skip(f"{EXTERNAL} is not there")
    passages, _ = split_document(docs[0])
    questions = [json.loads(line)["question"] for line in (EXTERNAL / f"{name}.jsonl").open(encoding="utf-8")]
    return passages, questions[:150]


def _bm25s_ranking(model: bm25s.BM25, ids: list[str], query: str, k: int) -> list[tuple[str, float]]:
    terms = [t for t in content_terms(query) if t in model.vocab_dict]
    if not terms:
        return []
    found, scores = model.retrieve([terms], k=min(k, len(ids)), show_progress=False, n_threads=0)
    return [(ids[int(i)], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]


@pytest.mark.parametrize("name", ["rhine", "computational-complexity"])
def test_search_ranks_and_scores_as_bm25s_before_and_after_saving(name: str, tmp_path: Path) -> None:
    passages, questions = _passages_and_questions(name)
    ids = [p.id for p in passages]
    model = bm25s.BM25()
    model.index([content_terms(f"{p.section} {p.text}") or [""] for p in passages], show_progress=False)
    built = BM25Index(passages)
    built.save(tmp_path)
    loaded = BM25Index.load(tmp_path, ids)
    compared = 0
    for question in questions:
        for k in (20, len(passages)):
            expected = _bm25s_ranking(model, ids, question, k)
            assert built.search(question, k) == expected == loaded.search(question, k), question
            compared += bool(expected)
    assert compared > 200  # most questions share terms with the article
    for term in {t for p in passages for t in content_terms(p.text)}:
        assert built.idf(term) == loaded.idf(term) and built.document_frequency(term) > 0


def test_a_saved_index_for_other_passages_is_refused(tmp_path: Path) -> None:
    passages, _ = _passages_and_questions("rhine")
    BM25Index(passages).save(tmp_path)
    with pytest.raises(ValueError, match="does not hold 3 passages"):
        BM25Index.load(tmp_path, [p.id for p in passages[:3]])


def test_answering_from_a_saved_index_does_not_import_bm25s(tmp_path: Path) -> None:
    passages, _ = _passages_and_questions("rhine")
    BM25Index(passages).save(tmp_path)
    (tmp_path / "ids.json").write_text(json.dumps([p.id for p in passages]))
    script = (
        "import json, sys; from pathlib import Path; from assistant.lexical import BM25Index\n"
        f"folder = Path({str(tmp_path)!r}); ids = json.loads((folder / 'ids.json').read_text())\n"
        "hits = BM25Index.load(folder, ids).search('Where does the Rhine empty?', 5)\n"
        "print(len(hits), 'bm25s' in sys.modules, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["5", "False", "False"]
