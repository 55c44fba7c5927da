"""PDF files: text per page through pypdf (BSD licence), each page's start offset kept.

pypdf gives the lines of each page. Lines are joined back into paragraphs (a line ending a sentence
and shorter than the page's longest lines ends its paragraph; a short line with no closing punctuation
is a heading of its own), paragraphs are separated by blank lines and pages by a form feed, so the
splitter sees the paragraphs and headings the page shows. ``DocumentInfo.pages`` holds the offset
where each page's text starts, which gives every passage, sentence and citation its page.

Refused with one line: a file pypdf cannot parse (corrupt), one that needs a password (encrypted),
and one with no text layer at all (a scanned PDF: it needs OCR first). Title and author come from
the document information; its dates are left out (they tell when the file was made).
"""

from __future__ import annotations

import io
import logging
import re

from assistant.document import DocumentInfo
from assistant.formats.sniff import DocumentRefused

_ENDS = ".!?:\"'”’)"
SHORT_LINE = 0.75  # share of the page's longest line under which a line is "short"


def _paragraphs(lines: list[str]) -> list[str]:
    """The page's lines joined into paragraphs and stand-alone heading lines."""
    longest = max((len(line) for line in lines), default=0)
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        short = len(line) < SHORT_LINE * longest
        if short and line[-1] not in _ENDS and not current:
            out.append(line)  # a heading, alone on its line
            continue
        if current and current[-1].endswith("-") and not current[-1].endswith(" -"):
            current[-1] = current[-1] + line  # a word hyphenated across lines stays as printed
        else:
            current.append(line)
        if line[-1] in _ENDS and short:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def _page_text(raw: str) -> str:
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    return "\n\n".join(_paragraphs([line for line in lines if line]))


def read_pdf(name: str, data: bytes) -> tuple[str, DocumentInfo]:
    """The PDF's text (pages separated by a form feed) and info with each page's start offset."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRefused(f"{name} is an encrypted PDF: save it without a password first")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
    except DocumentRefused:
        raise
    except Exception as exc:  # noqa: BLE001 (pypdf raises many kinds on damaged files)
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise DocumentRefused(f"{name} is an encrypted PDF: save it without a password first") from exc
        kind = "is not a readable PDF" if isinstance(exc, PdfReadError) else "is a damaged PDF"
        raise DocumentRefused(f"{name} {kind} ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from exc
    if not raw_pages:
        raise DocumentRefused(f"{name} is a PDF with no pages")
    pages = [_page_text(raw) for raw in raw_pages]
    if not any(re.search(r"\w", p) for p in pages):
        raise DocumentRefused(f"{name} has no text layer (a scanned PDF?): run OCR on it first "
                              f"({len(pages)} page{'s' if len(pages) != 1 else ''}, no text)")
    starts, parts, offset = [], [], 0
    for i, page in enumerate(pages):
        piece = page + ("\n\f\n" if i < len(pages) - 1 else "\n")
        starts.append(offset)
        parts.append(piece)
        offset += len(piece)
    info = DocumentInfo(format="pdf", title=str(metadata.title or "") if metadata else "",
                        author=str(metadata.author or "") if metadata else "", pages=tuple(starts))
    return "".join(parts), info
