"""The text each document was indexed with, kept beside the index, and what is known about it.

Citations' offsets index this text: for .txt/.md it equals the file, for HTML, PDF and DOCX it is the
extracted text, fixed at ingest. Files live in ``<index_dir>/documents/``:

- ``<sha256>.json``: one per document version, named by ``Document.sha256`` (text, format, title,
  author, date, URL, PDF page offsets). Ingest writes them before it commits a generation.
- ``catalog.json``: document name → its version and its passage and sentence counts, written after
  the commit (and again by an ingest that finds nothing changed); then unlisted versions are removed.

Each file is written to a temporary name and renamed, so a reader never sees half a file.

    >>> store = DocumentStore(settings.index_dir)
    >>> store.document("article.pdf").text[c.start:c.end] == c.text
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.document import Document, DocumentInfo
from assistant.errors import CorpusError

CATALOG = "catalog.json"


@dataclass(frozen=True)
class Entry:
    """A catalogued document: its version and how many passages and sentences it was split into."""

    sha256: str
    passages: int
    sentences: int


def _write_atomically(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)


class DocumentStore:
    """The kept texts of one index folder (see the module docstring)."""

    def __init__(self, index_dir: Path) -> None:
        self.root = Path(index_dir) / "documents"
        self._cache: dict[str, Document] = {}
        self._catalog: tuple[tuple[int, int, int], dict[str, Entry]] | None = None

    def save(self, docs: Iterable[Document]) -> None:
        """Write the versions of ``docs`` that are not stored yet."""
        self.root.mkdir(parents=True, exist_ok=True)
        for doc in docs:
            path = self.root / f"{doc.sha256}.json"
            if not path.exists():
                _write_atomically(path, json.dumps({"text": doc.text, **doc.info.as_dict()}, ensure_ascii=False))

    def publish(self, entries: dict[str, Entry]) -> None:
        """Make ``entries`` the catalog (after a commit) and remove versions no longer listed."""
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.root / CATALOG, json.dumps(
            {name: vars(entry) for name, entry in sorted(entries.items())}, ensure_ascii=False))
        keep = {f"{e.sha256}.json" for e in entries.values()}
        for path in self.root.glob("*.json"):
            if path.name != CATALOG and path.name not in keep:
                path.unlink(missing_ok=True)

    def catalog(self) -> dict[str, Entry]:
        """The catalogued documents by name (empty before the first ingest); read again when it changed."""
        path = self.root / CATALOG
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if self._catalog is not None and self._catalog[0] == stamp:
                return self._catalog[1]
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CorpusError(f"the document catalog {path} is unreadable ({exc}): run 'assistant ingest' again") from exc
        entries = {name: Entry(**entry) for name, entry in raw.items()}
        self._catalog = (stamp, entries)
        return entries

    def document(self, name: str) -> Document:
        """The indexed text and info of document ``name``; CorpusError when it is not in the index."""
        entry = self.catalog().get(name)
        if entry is None:
            known = sorted(self.catalog())
            shown = ", ".join(known[:5]) + (f" and {len(known) - 5} more" if len(known) > 5 else "")
            asked = name if len(name) <= 60 else name[:60] + "…"
            raise CorpusError(f"no document named {asked!r} in the index"
                              + (f" (it holds {shown})" if known else ": run 'assistant ingest' first"))
        cached = self._cache.get(entry.sha256)
        if cached is not None and cached.name == name:
            return cached
        try:
            raw = json.loads((self.root / f"{entry.sha256}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"the kept text of {name} is missing or unreadable: run 'assistant ingest' "
                              "again") from exc
        text = raw.pop("text")
        doc = Document(name=name, text=text, info=DocumentInfo(**{**raw, "pages": tuple(raw.get("pages", ()))}))
        self._cache[entry.sha256] = doc
        return doc

    def record(self, name: str) -> dict:
        """What ``assistant documents`` and ``GET /api/documents`` say about document ``name``."""
        doc, entry = self.document(name), self.catalog()[name]
        info = doc.info
        return {"name": name, "format": info.format, "title": doc.title, "author": info.author, "date": info.date,
                "url": info.url, "pages": len(info.pages), "passages": entry.passages, "sentences": entry.sentences,
                "characters": len(doc.text)}

    def text(self, name: str) -> str | None:
        """The indexed text of ``name``, or None when it is not in the index."""
        try:
            return self.document(name).text
        except CorpusError:
            return None
