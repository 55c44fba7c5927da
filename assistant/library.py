"""Adding and removing one document: checked in full before anything is written, then written and
ingested under the index's write lock, and undone if the ingest fails.

Used by uploads (``POST /api/documents``, the chat's upload panel), ``DELETE /api/documents/{doc}`` and
``assistant ingest --url``. Refused with one line, the corpus and the index unchanged: an odd file name
(a path, ``..``, a hidden or control character, an unknown suffix), a file over
``max_document_bytes``, content that is not what its name says, a damaged, encrypted or scanned PDF,
a page with no article text, a zip bomb, and a name that exists already unless ``replace`` is asked.
Since the write lock is the one ``assistant ingest`` holds, an upload and an ingest never write at once.

    >>> added = add_document(settings, "harbour.html", page_bytes, url="https://example.org/harbour")
    >>> added.name, added.passages, added.sentences
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus import CORPUS_SUFFIXES, TEXT_SUFFIXES, Document, DocumentInfo, control_character, source_url_file
from assistant.document_store import DocumentStore
from assistant.errors import CorpusError
from assistant.formats.sniff import DocumentRefused
from assistant.index_lock import index_write_lock
from assistant.ingest import EmbedderFactory, IngestReport, ingest_holding_lock
from assistant.settings import Settings

MAX_NAME_CHARS = 120
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()+,&'-]*")


class DocumentExistsError(CorpusError):
    """A document of that name is in the corpus already and replacing it was not asked for."""


@dataclass(frozen=True)
class AddedDocument:
    """A document that was added (or replaced) and indexed."""

    name: str
    passages: int
    sentences: int
    replaced: bool
    report: IngestReport


def check_name(name: object) -> str:
    """``name`` if it is a plain file name the corpus can hold; DocumentRefused otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise DocumentRefused("the file needs a name, e.g. 'article.html'")
    shown = repr(name if len(name) <= 60 else name[:60] + "…")
    if "/" in name or "\\" in name or name in (".", "..") or ".." in name:
        raise DocumentRefused(f"refused file name {shown}: give a plain file name, without folders or '..'")
    if len(name) > MAX_NAME_CHARS or not _NAME.fullmatch(name) or control_character(name):
        raise DocumentRefused(f"refused file name {shown}: use letters, digits, spaces and . _ - ( ) "
                              f"(at most {MAX_NAME_CHARS} characters, not starting with a dot)")
    if Path(name).suffix.lower() not in CORPUS_SUFFIXES:
        raise DocumentRefused(f"refused file {shown}: the assistant reads {', '.join(CORPUS_SUFFIXES)}")
    return name


def read_upload(settings: Settings, name: str, data: bytes, url: str = "") -> Document:
    """The document ``data`` makes, checked as ingest will read it; DocumentRefused/CorpusError otherwise."""
    name = check_name(name)
    if len(data) > settings.max_document_bytes:
        raise DocumentRefused(f"{name} is {len(data) / 1e6:.1f} MB; the limit is "
                              f"{settings.max_document_bytes / 1e6:.1f} MB (ASSISTANT_MAX_DOCUMENT_BYTES)")
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentRefused(f"{name} is not UTF-8 text (bad byte at offset {exc.start})") from None
        bad = control_character(text)
        if bad:
            raise DocumentRefused(f"{name} is not plain text: control character U+{ord(bad.group()):04X} at "
                                  f"offset {bad.start()}")
        if not text.strip():
            raise DocumentRefused(f"{name} is empty")
        return Document(name, text, DocumentInfo("markdown" if suffix == ".md" else "text"))
    from assistant.formats import extract

    text, info = extract(name, data, url=url, max_unpacked_bytes=settings.max_unpacked_bytes)
    return Document(name, text, info)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.upload")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def add_document(settings: Settings, name: str, data: bytes, *, url: str = "", replace: bool = False,
                 embedder_factory: EmbedderFactory | None = None,
                 on_wait: Callable[[str], None] | None = None) -> AddedDocument:
    """Check ``data`` as document ``name``, put it in the corpus folder and ingest; see the module docstring."""
    read_upload(settings, name, data, url)  # every refusal before anything is written or locked
    corpus = Path(settings.corpus_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    target, url_file = corpus / name, source_url_file(corpus / name)
    with index_write_lock(settings, on_wait):
        existed = target.exists() or target.is_symlink()
        if existed and not replace:
            raise DocumentExistsError(f"a document named {name!r} exists already: ask to replace it "
                                      "(replace=true, --replace) or rename the file")
        if target.is_symlink() or (existed and not target.is_file()):
            raise DocumentRefused(f"{name!r} in the corpus folder is not a plain file: it is left alone")
        before = (target.read_bytes() if existed else None, url_file.read_bytes() if url_file.exists() else None)
        try:
            _write(target, data)
            if url:
                _write(url_file, (url + "\n").encode("utf-8"))
            else:
                url_file.unlink(missing_ok=True)
            report = ingest_holding_lock(settings, rebuild=False, embedder_factory=embedder_factory, progress=None,
                                         index=None, export_onnx=None)
        except BaseException:
            _restore(target, before[0])
            _restore(url_file, before[1])
            raise
    entry = DocumentStore(settings.index_dir).catalog()[name]
    return AddedDocument(name, entry.passages, entry.sentences, existed, report)


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, data)


def remove_document(settings: Settings, name: str, *, embedder_factory: EmbedderFactory | None = None,
                    on_wait: Callable[[str], None] | None = None) -> IngestReport:
    """Delete document ``name`` from the corpus folder and the index (undone if the ingest fails)."""
    name = check_name(name)
    corpus = Path(settings.corpus_dir)
    target, url_file = corpus / name, source_url_file(corpus / name)
    with index_write_lock(settings, on_wait):
        if not target.is_file() or target.is_symlink():
            raise CorpusError(f"no document named {name!r} in the corpus folder")
        if set(DocumentStore(settings.index_dir).catalog()) <= {name}:
            raise CorpusError(f"{name!r} is the only document: the index needs at least one, so it stays")
        before = (target.read_bytes(), url_file.read_bytes() if url_file.exists() else None)
        try:
            target.unlink()
            url_file.unlink(missing_ok=True)
            return ingest_holding_lock(settings, rebuild=False, embedder_factory=embedder_factory, progress=None,
                                       index=None, export_onnx=None)
        except BaseException:
            _restore(target, before[0])
            _restore(url_file, before[1])
            raise


__all__ = ["AddedDocument", "DocumentExistsError", "add_document", "check_name", "read_upload", "remove_document"]
