"""What a file is, judged by its bytes, and whether that matches its name.

PDF by its ``%PDF-`` header, DOCX by a ZIP holding ``word/document.xml``, HTML by markup near the
start of UTF-8 text. Anything else (an executable, an image, a ZIP of something else) is refused
with one line, whatever its name says.
"""

from __future__ import annotations

import io
import re
import zipfile

from assistant.errors import CorpusError

KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
_MAGIC = (  # well-known signatures, named in the refusal
    (b"\x7fELF", "a Linux executable"), (b"MZ", "a Windows executable"), (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"#!", "a script"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office (OLE) file"),
)
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|main|p|div|h[1-6])[\s>]", re.IGNORECASE)


class DocumentRefused(CorpusError):
    """A file that cannot be indexed: wrong type, corrupt, encrypted, no text, too large when unpacked."""


def sniff(data: bytes) -> str:
    """``html``, ``pdf``, ``docx`` or a description of what else the bytes are."""
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else "a ZIP archive"
        except zipfile.BadZipFile:
            return "a damaged ZIP archive"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 1 KB boundary
            return "binary data"
    if _HTML.search(data[:65536].lstrip(b"\xef\xbb\xbf")):
        return "html"
    return "plain text without HTML markup" if b"\x00" not in head else "binary data"


def check_kind(name: str, data: bytes) -> str:
    """The kind (``html``/``pdf``/``docx``) that file ``name`` claims and its content confirms."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = KINDS.get(suffix)
    if claimed is None:
        raise DocumentRefused(f"{name}: {suffix or 'no suffix'} is not a format the assistant reads "
                              "(.txt, .md, .html, .htm, .pdf, .docx)")
    found = sniff(data)
    if found != claimed:
        label = {"html": "an HTML page", "pdf": "a PDF", "docx": "a Word (.docx) document"}
        raise DocumentRefused(f"{name} is not {label[claimed]}: its content is {label.get(found, found)}")
    return claimed
