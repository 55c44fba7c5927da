"""The reader view: one whole article, with its section headings, and every sentence the conversation
cites highlighted in place.

The article is put back together from the index's passages (in document order, a heading wherever
the section changes), so the offsets are the corpus file's. A highlighted sentence has the id
``reader_id(doc, start, end)``; the Sources panel links to it ("Show in the article").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.types import Answer, Passage
from assistant.web.render import escape_text, reader_id


def cited_spans(turns: list[dict[str, Any]], doc: str) -> list[tuple[int, int, list[str]]]:
    """(start, end, markers like "2.1" = answer 2, marker 1) of every citation of ``doc`` in the conversation."""
    spans: dict[tuple[int, int], list[str]] = {}
    for number, turn in enumerate(turns, start=1):
        answer: Answer | None = turn["answer"]
        for c in answer.citations if answer else []:
            if c.doc == doc:
                spans.setdefault((c.start, c.end), []).append(f"{number}.{c.marker}")
    return [(start, end, markers) for (start, end), markers in sorted(spans.items())]


def default_document(turns: list[dict[str, Any]], documents: list[str]) -> str | None:
    """The document of the latest cited sentence, else the first document."""
    for turn in reversed(turns):
        answer: Answer | None = turn["answer"]
        if answer and answer.citations:
            return answer.citations[0].doc
    return documents[0] if documents else None


def _passage_html(passage: Passage, spans: list[tuple[int, int, list[str]]]) -> str:
    out, pos = [], passage.start
    for start, end, markers in spans:
        if end <= passage.start or start >= passage.end or start < pos:
            continue
        end = min(end, passage.end)
        out.append(escape_text(passage.text[pos - passage.start:start - passage.start]))
        label = ", ".join(f"[{m.split('.')[1]}] of answer {m.split('.')[0]}" for m in markers)
        out.append(f'<mark class="cited reader-cited" id="{reader_id(passage.doc, start, end)}" '
                   f'title="Cited: {label}">{escape_text(passage.text[start - passage.start:end - passage.start])}</mark>')
        pos = end
    out.append(escape_text(passage.text[pos - passage.start:]))
    return "".join(out)


def render_reader(doc: str | None, passages: Iterable[Passage], turns: list[dict[str, Any]]) -> str:
    """The reader view of ``doc``: its title, its sections with headings, cited sentences highlighted."""
    if doc is None:
        return '<div class="reader" data-doc=""><p>No article is indexed.</p></div>'
    ordered = sorted((p for p in passages if p.doc == doc), key=lambda p: p.position)
    spans = cited_spans(turns, doc)
    parts = [f'<div class="reader" data-doc="{escape_text(doc)}">',
             '<button type="button" class="reader-back">← Back to the chat</button>',
             f'<p class="reader-doc">{escape_text(doc)} · {len(spans)} cited sentence{"" if len(spans) == 1 else "s"}'
             ' highlighted</p>']
    section = None
    for p in ordered:
        if p.section != section:
            section = p.section
            if section:
                parts.append(f"<h3>{escape_text(section)}</h3>")
        parts.append(f"<p>{_passage_html(p, spans)}</p>")
    parts.append("</div>")
    return "".join(parts)
