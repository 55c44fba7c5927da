"""Turning a corpus file that is not plain text into the text it is indexed with, and what is known about it.

One reader per format, each a library made for it: HTML pages through trafilatura (the article's main
text; navigation, banners, "most read" lists, footers and scripts dropped), PDF through pypdf (text
per page, each page's start offset kept), DOCX through python-docx (headings kept as ``#`` sections).
The type is judged by the content (``sniff``), and must match the file's suffix: an executable named
``.pdf`` is refused. Every refusal is a ``DocumentRefused`` with one line naming the file.

    >>> text, info = extract("page.html", html_bytes)
    >>> info.title, info.author, info.date
"""

from __future__ import annotations

from dataclasses import replace

from assistant.corpus import without_control_characters
from assistant.document import DocumentInfo
from assistant.formats.sniff import DocumentRefused, check_kind

DEFAULT_MAX_UNPACKED_BYTES = 50_000_000


def extract(name: str, data: bytes, *, url: str = "",
            max_unpacked_bytes: int | None = None) -> tuple[str, DocumentInfo]:
    """The text and info of file ``name`` holding ``data`` (HTML, PDF or DOCX), ``url`` being where it was
    fetched from; DocumentRefused otherwise."""
    kind = check_kind(name, data)
    if kind == "html":
        from assistant.formats.web_page import read_html

        text, info = read_html(name, data, url)
    elif kind == "pdf":
        from assistant.formats.pdf import read_pdf

        text, info = read_pdf(name, data)
    else:
        from assistant.formats.word import read_docx

        text, info = read_docx(name, data, max_unpacked_bytes or DEFAULT_MAX_UNPACKED_BYTES)
    # a PDF's or page's text may hold stray control characters (a NUL in a font's mapping…); the indexed
    # text must not, as for .txt files, so they become spaces (offsets index the cleaned text)
    text = without_control_characters(text)
    return text, replace(info, url=url) if url and not info.url else info


__all__ = ["DocumentRefused", "extract"]
