"""Finding and reading the corpus: every .txt/.md file under a folder, decoded strictly as UTF-8."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError

CORPUS_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Document:
    """A corpus file: its name relative to the corpus folder and its exact text."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        """Hash of the text, to tell an edited file from an unchanged one."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The corpus files under ``corpus_dir``, sorted; raises CorpusError when there are none."""
    if not corpus_dir.exists():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus path is not a folder: {corpus_dir}")
    files = sorted(
        p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES
    )
    if not files:
        raise CorpusError(f"no .txt or .md files in corpus folder {corpus_dir}")
    return files


def read_document(path: Path, corpus_dir: Path) -> Document:
    """Read one file without newline translation, so offsets index the file as it is on disk."""
    name = path.relative_to(corpus_dir).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {name}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"corpus file {name} is not valid UTF-8 (bad byte at offset {exc.start})") from exc
    return Document(name=name, text=text)


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every document of the corpus; fails as a whole on the first unreadable file."""
    return [read_document(path, corpus_dir) for path in corpus_files(corpus_dir)]
