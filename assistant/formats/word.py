"""Word (.docx) files through python-docx: paragraphs in order, headings kept as ``#`` sections.

A paragraph styled ``Title`` or ``Heading N`` becomes a Markdown heading line (``#`` for the title and
level 1, ``##`` for level 2…), so the splitter opens a section there; other paragraphs are separated
by blank lines, tables' cells read row by row. Title and author come from the document's properties
(not its dates: they tell when the file was made, not when the article was published).
A ZIP whose parts would unpack to more than ``max_unpacked_bytes`` (a zip bomb) is refused before
anything is unpacked.
"""

from __future__ import annotations

import io
import re
import zipfile

from assistant.document import DocumentInfo
from assistant.formats.sniff import DocumentRefused

MAX_RATIO = 200  # a part compressed more than this is treated as a bomb (text compresses ~5-10x)


def check_zip(name: str, data: bytes, max_unpacked_bytes: int) -> None:
    """DocumentRefused when the archive would unpack to too much, judged from its directory only."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise DocumentRefused(f"{name} is a damaged Word document ({exc})") from exc
    total = sum(i.file_size for i in infos)
    if total > max_unpacked_bytes:
        raise DocumentRefused(f"{name} would unpack to {total / 1e6:.0f} MB (a zip bomb?); the limit is "
                              f"{max_unpacked_bytes / 1e6:.0f} MB (ASSISTANT_MAX_UNPACKED_BYTES)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentRefused(f"{name}: part {info.filename[:60]} is compressed "
                                  f"{info.file_size // max(info.compress_size, 1)}x (a zip bomb?)")


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) + 1 if match else None


def read_docx(name: str, data: bytes, max_unpacked_bytes: int) -> tuple[str, DocumentInfo]:
    """The document's text (Markdown headings) and info; DocumentRefused when it is damaged or empty."""
    check_zip(name, data, max_unpacked_bytes)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 (python-docx raises KeyError, ValueError, lxml errors…)
        raise DocumentRefused(f"{name} is a damaged Word document ({type(exc).__name__})") from exc
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))
                if any(cells):
                    blocks.append(" | ".join(cells))
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        level = _heading_level(block.style.name if block.style is not None else "")
        blocks.append(f"{'#' * min(level, 6)} {text}" if level else text)
    if not any(not b.startswith("#") for b in blocks):
        raise DocumentRefused(f"{name}: the Word document holds no text")
    props = document.core_properties
    info = DocumentInfo(format="docx", title=props.title or "", author=props.author or "")
    return "\n\n".join(blocks) + "\n", info
