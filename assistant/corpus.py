"""Finding and reading the corpus: every .txt/.md file under a folder, decoded strictly as UTF-8.

A file is text only if it decodes as UTF-8 and holds no control character other than tab, line
feed, carriage return and form feed (a NUL, a bell, an ANSI escape…): anything else is refused with
the offset of the first offender, since citations quote the file exactly. A file over
``max_bytes`` is refused too. A file (or a folder) whose real path lies outside the corpus folder,
through a symbolic link, is skipped with a warning: it is never read.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError

log = logging.getLogger(__name__)

CORPUS_SUFFIXES = (".txt", ".md")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Document:
    """A corpus file: its name relative to the corpus folder and its exact text."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        """Hash of the text, to tell an edited file from an unchanged one."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


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
        raise CorpusError(f"no .txt or .md files in corpus folder {corpus_dir}")
    return CorpusScan(files, skipped)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The corpus files under ``corpus_dir`` (see ``scan_corpus``)."""
    return scan_corpus(corpus_dir).files


def read_document(path: Path, corpus_dir: Path, max_bytes: int | None = None) -> Document:
    """Read one file without newline translation, so offsets index the file as it is on disk; CorpusError
    when it is unreadable, over ``max_bytes``, not UTF-8 or not text (see the module docstring)."""
    name = path.relative_to(corpus_dir).as_posix()
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(f"corpus file {name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
                              "(ASSISTANT_MAX_DOCUMENT_BYTES)")
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {name}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"corpus file {name} is not valid UTF-8 (bad byte at offset {exc.start})") from exc
    bad = _CONTROL.search(text)
    if bad:
        raise CorpusError(f"corpus file {name} is not plain text: control character U+{ord(bad.group()):04X} at "
                          f"offset {bad.start()}")
    return Document(name=name, text=text)


def load_corpus(corpus_dir: Path, max_bytes: int | None = None) -> list[Document]:
    """Every document of the corpus; fails as a whole on the first unreadable file."""
    return [read_document(path, corpus_dir, max_bytes) for path in corpus_files(corpus_dir)]
