"""Reading the corpus: clear errors for bad folders and files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.errors import CorpusError


def test_reads_txt_and_md_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("B", encoding="utf-8")
    (tmp_path / "sub" / "a.md").write_text("A", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert [d.name for d in load_corpus(tmp_path)] == ["b.txt", "sub/a.md"]


def test_text_is_kept_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Line one\r\nLine “two”\n".encode())
    assert load_corpus(tmp_path)[0].text == "Line one\r\nLine “two”\n"


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: None, "corpus folder not found"),
    (lambda p: p.mkdir(), "no .txt or .md files"),
    (lambda p: (p.mkdir(), (p / "x.txt").write_bytes(b"caf\xe9")), "not valid UTF-8"),
    (lambda p: p.write_text("x"), "not a folder"),
])
def test_bad_corpus_gives_one_clear_error(tmp_path: Path, setup, message: str) -> None:  # noqa: ANN001
    corpus = tmp_path / "corpus"
    setup(corpus)
    with pytest.raises(CorpusError, match=message) as info:
        load_corpus(corpus)
    assert "\n" not in str(info.value)
