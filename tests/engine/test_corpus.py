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
    (tmp_path / "notes.odt").write_bytes(b"PK")  # a format the assistant does not read is left alone
    assert [d.name for d in load_corpus(tmp_path)] == ["b.txt", "sub/a.md"]


def test_text_is_kept_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Line one\r\nLine “two”\n".encode())
    assert load_corpus(tmp_path)[0].text == "Line one\r\nLine “two”\n"


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: None, "corpus folder not found"),
    (lambda p: p.mkdir(), "no .txt, .md, .html, .pdf or .docx files"),
    (lambda p: (p.mkdir(), (p / "x.txt").write_bytes(b"caf\xe9")), "not valid UTF-8"),
    (lambda p: p.write_text("x"), "not a folder"),
])
def test_bad_corpus_gives_one_clear_error(tmp_path: Path, setup, message: str) -> None:  # noqa: ANN001
    corpus = tmp_path / "corpus"
    setup(corpus)
    with pytest.raises(CorpusError, match=message) as info:
        load_corpus(corpus)
    assert "\n" not in str(info.value)


def test_a_file_or_folder_linking_outside_the_corpus_is_skipped_with_a_warning(tmp_path: Path) -> None:
    from assistant.corpus import scan_corpus

    corpus, secret = tmp_path / "corpus", tmp_path / "private"
    corpus.mkdir()
    secret.mkdir()
    (secret / "passwords.txt").write_text("root: hunter2", encoding="utf-8")
    (corpus / "article.txt").write_text("An article.", encoding="utf-8")
    (corpus / "link.txt").symlink_to(secret / "passwords.txt")
    (corpus / "folder").symlink_to(secret, target_is_directory=True)
    (corpus / "inside.txt").symlink_to(corpus / "article.txt")  # a link that stays inside is fine
    scan = scan_corpus(corpus)
    assert [p.name for p in scan.files] == ["article.txt", "inside.txt"]
    assert scan.skipped == ["skipped corpus file link.txt: it links outside the corpus folder"]  # the folder
    # link is not even walked into
    assert all("hunter2" not in d.text for d in load_corpus(corpus))


@pytest.mark.parametrize(("content", "message"), [
    ("Text with a NUL\x00 in it.", r"control character U\+0000 at offset 15"),
    ("Red \x1b[31malert\x1b[0m text.", r"control character U\+001B at offset 4"),
    ("A bell\x07.", r"control character U\+0007 at offset 6"),
])
def test_control_characters_are_refused_with_their_offset(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.txt").write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=f"corpus file bad.txt is not plain text: {message}"):
        load_corpus(tmp_path)


def test_tabs_line_breaks_and_form_feeds_are_text(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("a\tb\r\nc\fd\n", encoding="utf-8")
    assert load_corpus(tmp_path)[0].text == "a\tb\r\nc\fd\n"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 3_000_000, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"big.txt is 3.0 MB; the limit is 1.0 MB \(ASSISTANT_MAX_DOCUMENT_BYTES\)"):
        load_corpus(tmp_path, max_bytes=1_000_000)
    assert load_corpus(tmp_path, max_bytes=5_000_000)[0].name == "big.txt"
