"""A document as the assistant indexes it: its name, the exact text citations index, and what is known
about it (format, title, byline, date, URL, PDF page offsets). Light on purpose: ``assistant ask``
reads kept documents without importing the corpus readers.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DocumentInfo:
    """What is known about a document besides its text: its format and, where it has them, its title,
    author (byline), publication date, source URL, and the offset where each PDF page starts."""

    format: str = "text"  # text | markdown | html | pdf | docx
    title: str = ""
    author: str = ""
    date: str = ""
    url: str = ""
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based PDF page the character at ``offset`` is on (None for other formats)."""
        return bisect_right(self.pages, offset) if self.pages else None

    def as_dict(self) -> dict:
        """The fields as JSON-ready values."""
        return {**asdict(self), "pages": list(self.pages)}


@dataclass(frozen=True)
class Document:
    """A corpus document: its name relative to the corpus folder, the exact text it is indexed with,
    and what is known about it."""

    name: str
    text: str
    info: DocumentInfo = field(default_factory=DocumentInfo)

    @property
    def markdown(self) -> bool:
        """Whether ``#`` lines are its headings (Markdown files, and the text made from HTML and DOCX)."""
        return self.info.format in ("markdown", "html", "docx") or self.name.lower().endswith(".md")

    @property
    def title(self) -> str:
        """The title the document declares, else its first line (a headline), without ``#`` marks."""
        first = next((line.strip().lstrip("#").strip() for line in self.text.splitlines() if line.strip()), "")
        return self.info.title or first

    @property
    def sha256(self) -> str:
        """Hash of the text (and, for extracted formats, of what is known about it), to tell an edited
        file from an unchanged one."""
        data = self.text if self.info.format in ("text", "markdown") else json.dumps(
            [self.text, self.info.as_dict()], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()
