"""HTML news pages: the article's main text and metadata, through trafilatura.

trafilatura keeps the article body and drops navigation, cookie banners, "most read" lists, footers
and scripts (measured against readability-lxml on our own test pages: README, "Formats"). Its Markdown
output keeps the headline as ``#`` and sub-heads as ``##`` lines, so they become sections. Title,
author (byline), publication date and the page's URL come from the page's own metadata
(``<meta>``, Open Graph, JSON-LD, ``<time>``); a URL the page was fetched from wins over the one it names.
"""

from __future__ import annotations

import re

from assistant.document import DocumentInfo
from assistant.formats.sniff import DocumentRefused

MIN_ARTICLE_WORDS = 20


def _decode(data: bytes) -> str:
    """The page as text: UTF-8 when it is, else the charset the page declares, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
        for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["cp1252"]:
            try:
                return data.decode(encoding, errors="replace")
            except LookupError:
                continue
        return data.decode("utf-8", errors="replace")


def read_html(name: str, data: bytes, url: str = "") -> tuple[str, DocumentInfo]:
    """The article text of an HTML page (Markdown headings) and its metadata; DocumentRefused when the
    page holds no article text."""
    import trafilatura

    page = _decode(data)
    text = trafilatura.extract(page, url=url or None, output_format="markdown", include_comments=False,
                               include_tables=True, include_images=False, include_links=False,
                               favor_precision=True, with_metadata=False)
    text = (text or "").strip()
    if len(re.findall(r"\w+", text)) < MIN_ARTICLE_WORDS:
        raise DocumentRefused(f"{name}: no article text found in the page (only navigation, banners or "
                              "too little text)")
    meta = trafilatura.extract_metadata(page, default_url=url or None)
    title = (meta.title if meta else "") or ""
    if title and not text.startswith("#"):
        text = f"# {title}\n\n{text}"
    info = DocumentInfo(format="html", title=title, author=(meta.author if meta else "") or "",
                        date=(meta.date if meta else "") or "", url=url or (meta.url if meta else "") or "")
    return text + "\n", info
