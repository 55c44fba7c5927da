"""Finding and reading the corpus: .txt/.md files decoded strictly as UTF-8, and HTML, PDF and DOCX
files turned into text by ``assistant.formats``.

The text a document is indexed with (``Document.text``) is what citations' offsets index: for .txt/.md
the file itself, for the other formats the extracted text, which ingest keeps (``document_store``).
A file is text only if it decodes as UTF-8 and holds no control character other than tab, line
feed, carriage return and form feed (a NUL, a bell, an ANSI escape…): anything else is refused with
the offset of the first offender, since citations quote the file exactly. A file over
``max_bytes`` is refused too. A file (or a folder) whose real path lies outside the corpus folder,
through a symbolic link, is skipped with a warning: it is never read.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.document import Document, DocumentInfo
from assistant.errors import CorpusError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
CORPUS_SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CorpusScan:
    """The corpus files to read, and the ones skipped (with why)."""

    files: list[Path]
    skipped: list[str] = field(default_factory=list)


def scan_corpus(corpus_dir: Path) -> CorpusScan:
    """The corpus files under ``corpus_dir``, sorted, without those that resolve outside it; CorpusError
    when there are none."""
    if not corpus_dir.exists():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus path is not a folder: {corpus_dir}")
    root = corpus_dir.resolve()
    files, skipped = [], []
    for path in sorted(p for p in corpus_dir.rglob("*") if p.suffix.lower() in CORPUS_SUFFIXES and p.is_file()):
        if not path.resolve().is_relative_to(root):
            name = path.relative_to(corpus_dir).as_posix()
            skipped.append(f"skipped corpus file {name}: it links outside the corpus folder")
            log.warning(skipped[-1])
            continue
        files.append(path)
    if not files:
        raise CorpusError(f"no .txt, .md, .html, .pdf or .docx files in corpus folder {corpus_dir}")
    return CorpusScan(files, skipped)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The corpus files under ``corpus_dir`` (see ``scan_corpus``)."""
    return scan_corpus(corpus_dir).files


def source_url_file(path: Path) -> Path:
    """The file beside a fetched page that records the URL it came from (``page.html`` → ``page.html.url``)."""
    return path.with_name(path.name + ".url")


def read_document(path: Path, corpus_dir: Path, max_bytes: int | None = None,
                  max_unpacked_bytes: int | None = None) -> Document:
    """Read one file: .txt/.md without newline translation, so offsets index the file as it is on disk;
    HTML, PDF and DOCX through ``assistant.formats``. CorpusError when it is unreadable, over ``max_bytes``,
    not UTF-8 or not text (see the module docstring), or refused by its format's reader."""
    name = path.relative_to(corpus_dir).as_posix()
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(f"corpus file {name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
                              "(ASSISTANT_MAX_DOCUMENT_BYTES)")
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {name}: {exc.strerror or exc}") from exc
    if path.suffix.lower() not in TEXT_SUFFIXES:
        from assistant.formats import extract

        url_file = source_url_file(path)
        url = url_file.read_text(encoding="utf-8").strip() if url_file.is_file() else ""
        text, info = extract(name, raw, url=url, max_unpacked_bytes=max_unpacked_bytes)
        return Document(name=name, text=text, info=info)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"corpus file {name} is not valid UTF-8 (bad byte at offset {exc.start})") from exc
    bad = _CONTROL.search(text)
    if bad:
        raise CorpusError(f"corpus file {name} is not plain text: control character U+{ord(bad.group()):04X} at "
                          f"offset {bad.start()}")
    return Document(name=name, text=text, info=DocumentInfo("markdown" if path.suffix.lower() == ".md" else "text"))


def control_character(text: str) -> re.Match[str] | None:
    """The first character of ``text`` a document may not hold (see the module docstring), if any."""
    return _CONTROL.search(text)


def without_control_characters(text: str) -> str:
    """``text`` with each character a document may not hold replaced by a space (for extracted text)."""
    return _CONTROL.sub(" ", text)


def load_corpus(corpus_dir: Path, max_bytes: int | None = None) -> list[Document]:
    """Every document of the corpus; fails as a whole on the first unreadable file."""
    return [read_document(path, corpus_dir, max_bytes) for path in corpus_files(corpus_dir)]
