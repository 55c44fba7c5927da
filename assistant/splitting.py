"""Splitting a document into sections, passages and sentences, keeping exact character offsets.

Every span produced here satisfies ``span.text == document.text[span.start:span.end]``.
Headings are Markdown ``#`` lines (in .md files and the text made from HTML and DOCX), or in plain text short lines with no closing punctuation
that stand alone on their line (as news headlines and sub-heads do). Paragraphs are lines that
end a sentence, or blocks separated by blank lines; a paragraph longer than ``max_words`` is cut
into runs of whole sentences. No passage crosses a section. A PDF's spans carry the page they start on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.corpus import Document
from assistant.types import Passage, Sentence, sentence_id

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_CLOSING = "\"'”’)]"
_OPENING = "\"'“‘(["
_SENTENCE_END = re.compile(r"[.!?]+[" + re.escape(_CLOSING) + r"]*(?=\s+[" + re.escape(_OPENING) + r"]?[A-Z0-9])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "gov", "sen", "rep",
    "vs", "etc", "e.g", "i.e", "no", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "a.m", "p.m", "approx",
}
MAX_HEADING_WORDS = 14


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> Iterator[_Line]:
    """Non-empty lines with their offsets, stripped of surrounding white space."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip().strip("\ufeff").strip()
        if stripped:
            start = pos + body.index(stripped)
            yield _Line(start, start + len(stripped), stripped)
        else:
            yield _Line(pos, pos, "")
        pos += len(raw)


def _is_plain_heading(line: _Line) -> bool:
    words = line.text.split()
    return 0 < len(words) <= MAX_HEADING_WORDS and line.text[-1] not in ".!?:;,\"”’)" and not line.text.startswith("-")


def _heading_text(line: _Line, markdown: bool) -> str | None:
    """The heading a line carries, or None when it is body text."""
    if markdown:
        match = _MD_HEADING.match(line.text)
        return match.group(1) if match else None
    return line.text if _is_plain_heading(line) else None


@dataclass(frozen=True)
class _Paragraph:
    section: str
    start: int
    end: int


def _paragraphs(doc: Document) -> Iterator[_Paragraph]:
    """Body paragraphs of a document with the heading of the section each belongs to."""
    markdown = doc.markdown
    section = ""
    block: list[_Line] = []

    def flush() -> Iterator[_Paragraph]:
        if block:
            yield _Paragraph(section, block[0].start, block[-1].end)
            block.clear()

    for line in _lines(doc.text):
        if not line.text:
            yield from flush()
            continue
        heading = _heading_text(line, markdown)
        if heading is not None:
            yield from flush()
            section = heading
            continue
        block.append(line)
        if line.text[-1] in ".!?" or (line.text[-1] in _CLOSING and line.text[-2:-1] in (".", "!", "?")):
            yield from flush()
    yield from flush()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, white space trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        word = text[cursor:match.start()].split()[-1:] or [""]
        token = word[0].lower().lstrip(_OPENING)
        closed = match.group(0)[-1] in _CLOSING  # a quote or bracket after the stop ends a sentence
        if not closed and (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def _group_sentences(spans: list[tuple[int, int]], text: str, max_words: int) -> Iterator[tuple[int, int]]:
    """Runs of whole sentences of at most ``max_words`` words (a longer sentence stands alone)."""
    group_start, group_end, words = spans[0][0], spans[0][1], 0
    for s, e in spans:
        n = len(text[s:e].split())
        if words and words + n > max_words:
            yield group_start, group_end
            group_start, words = s, 0
        group_end = e
        words += n
    yield group_start, group_end


def _stable_id(doc: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha256(f"{doc}\x00{text}".encode("utf-8")).hexdigest()[:24]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def split_document(doc: Document, max_words: int = 120) -> tuple[list[Passage], list[Sentence]]:
    """Passages and sentences of one document, in reading order."""
    passages: list[Passage] = []
    sentences: list[Sentence] = []
    seen: dict[str, int] = {}
    for para in _paragraphs(doc):
        spans = sentence_spans(doc.text, para.start, para.end)
        for p_start, p_end in _group_sentences(spans, doc.text, max_words):
            text = doc.text[p_start:p_end]
            passage = Passage(
                id=_stable_id(doc.name, text, seen), doc=doc.name, section=para.section,
                start=p_start, end=p_end, text=text, position=len(passages), page=doc.info.page_at(p_start),
            )
            passages.append(passage)
            for i, (s, e) in enumerate(x for x in spans if p_start <= x[0] and x[1] <= p_end):
                sentences.append(Sentence(
                    id=sentence_id(passage.id, i), passage_id=passage.id, doc=doc.name, section=para.section,
                    start=s, end=e, text=doc.text[s:e], position=len(sentences), page=doc.info.page_at(s),
                ))
    return passages, sentences
