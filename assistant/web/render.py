"""HTML for the web chat: messages with clickable citation markers, and the Sources panel.

Everything that comes from the question or the corpus goes through ``html.escape`` here, and
nowhere else builds HTML from it. Markers ``[n]`` become links to ``#src-<turn>-<n>``, the id of
the highlighted sentence in the Sources panel (``turn`` numbers the answers of one conversation,
so a marker of an earlier answer still finds its own source).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.types import Answer, Citation, RetrievedPassage

_MARKER = re.compile(r"\[(\d+)\]")


def escape_text(text: str) -> str:
    """Text as inert HTML: escaped, with line breaks kept."""
    return html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def source_id(turn: int, marker: int) -> str:
    """The element id of citation ``marker`` of answer ``turn`` in the Sources panel."""
    return f"src-{turn}-{marker}"


def reader_id(doc: str, start: int, end: int) -> str:
    """The element id of a cited span in the reader view (``assistant.web.reader``)."""
    return f"read-{hashlib.sha1(doc.encode()).hexdigest()[:8]}-{start}-{end}"


def render_question(question: str) -> str:
    """A user message, shown as the literal text typed."""
    return f'<span class="user-question">{escape_text(question)}</span>'


def render_answer(answer_text: str, citations: Sequence[Citation], turn: int, short_answer: str | None = None) -> str:
    """An answer (or a prefix of it, while streaming) with its known markers as links; its short
    answer, which the text starts with, in bold."""
    known = {c.marker: c for c in citations}

    def link(match: re.Match[str]) -> str:
        marker = int(match.group(1))
        if marker not in known:
            return match.group(0)
        c = known[marker]
        where = f"{c.doc} — {c.section}" if c.section else c.doc
        return (f'<a class="cite-marker" href="#{source_id(turn, marker)}" '
                f'title="{html.escape(where, quote=True)}">[{marker}]</a>')

    body = _MARKER.sub(link, escape_text(answer_text))
    lead = escape_text(f"{short_answer} —") if short_answer else ""
    if lead and body.startswith(lead):
        body = f'<strong class="short-answer">{escape_text(short_answer or "")}</strong> —{body[len(lead):]}'
    return f'<span class="answer">{body}</span>'


def render_notice(message: str) -> str:
    """A friendly message in the chat (bad input, index missing…)."""
    return f'<span class="notice">⚠️ {escape_text(message)}</span>'


@dataclass
class SourceCard:
    """One cited passage with the citations that fall inside it."""

    doc: str
    section: str
    start: int
    end: int
    text: str
    citations: list[Citation] = field(default_factory=list)


def _containing(c: Citation, retrieved: Sequence[RetrievedPassage]) -> RetrievedPassage | None:
    for p in retrieved:
        if p.doc == c.doc and p.start <= c.start and c.end <= p.end:
            return p
    return None


def source_cards(answer: Answer) -> list[SourceCard]:
    """The cited passages of ``answer`` in marker order, each once, with their citations.

    A citation is matched to the retrieved passage whose span contains it; a citation outside
    every retrieved passage (not expected) becomes a card of its own text.
    """
    cards: list[SourceCard] = []
    by_span: dict[tuple[str, int, int], SourceCard] = {}
    for c in sorted(answer.citations, key=lambda c: c.marker):
        p = _containing(c, answer.retrieved)
        span = (p.doc, p.start, p.end) if p else (c.doc, c.start, c.end)
        card = by_span.get(span)
        if card is None:
            card = SourceCard(doc=span[0], section=(p or c).section, start=span[1], end=span[2],
                              text=(p or c).text)
            by_span[span] = card
            cards.append(card)
        card.citations.append(c)
    return cards


def highlight(card: SourceCard, turn: int, id_prefix: str = "") -> str:
    """The card's passage, escaped, with each cited span wrapped in ``<mark id=...>`` (ids after ``id_prefix``)."""
    spans = sorted(
        ((max(c.start - card.start, 0), min(c.end - card.start, len(card.text)), c.marker) for c in card.citations),
    )
    out, pos = [], 0
    for start, end, marker in spans:
        if start < pos:  # overlapping citations: keep the marker as an anchor, no second highlight
            out.append(f'<span id="{id_prefix}{source_id(turn, marker)}"></span>')
            continue
        out.append(escape_text(card.text[pos:start]))
        out.append(f'<mark class="cited" id="{id_prefix}{source_id(turn, marker)}">'
                   f'<sup class="mark-no">[{marker}]</sup>{escape_text(card.text[start:end])}</mark>')
        pos = end
    out.append(escape_text(card.text[pos:]))
    return "".join(out)


def _answer_sources(answer: Answer, turn: int, id_prefix: str = "") -> str:
    if answer.abstained or not answer.citations:
        return ('<p class="no-sources">No passage of the article supported an answer, '
                'so nothing is cited.</p>')
    parts = []
    for card in source_cards(answer):
        markers = " ".join(f"[{c.marker}]" for c in card.citations)
        heading = escape_text(card.section) if card.section else "<em>(no section heading)</em>"
        first = card.citations[0]
        title = f'<span class="source-title">{escape_text(first.title)}</span> · ' if first.title else ""
        page = f"page {first.page}, " if first.page is not None else ""
        parts.append(
            f'<div class="source-card">'
            f'<div class="source-head"><span class="source-markers">{markers}</span> {title}'
            f'<span class="source-doc">{escape_text(card.doc)}</span> · '
            f'<span class="source-section">{heading}</span> '
            f'<span class="source-offsets">({page}chars {card.start}–{card.end})</span></div>'
            f'<div class="source-text">{highlight(card, turn, id_prefix)}</div>'
            + "".join(f'<a class="reader-link" href="#{reader_id(c.doc, c.start, c.end)}">Show [{c.marker}] in the '
                      f'article</a> ' for c in card.citations)
            + '</div>'
        )
    return "".join(parts)


INLINE_PREFIX = "m-"


def render_inline_sources(answer: Answer, turn: int) -> str:
    """The answer's sources folded right under it (shown on narrow screens, where the Sources panel is far
    below); their ids start with ``INLINE_PREFIX``. '' when nothing is cited."""
    if answer.abstained or not answer.citations:
        return ""
    count = len(source_cards(answer))
    label = "1 source" if count == 1 else f"{count} sources"
    return (f'<details class="inline-sources"><summary>{label}</summary>'
            f'{_answer_sources(answer, turn, INLINE_PREFIX)}</details>')


def render_why(answer: Answer) -> str:
    """The "Why this answer?" toggle: the trace's one-line reason, the candidate sentences the answerer
    weighed (score, quoted or not) and where each retrieved passage ranked; '' without a trace."""
    trace = answer.trace
    if trace is None:
        return ""
    parts = ['<details class="why-answer"><summary>Why this answer?</summary>',
             f'<p class="why-reason">{escape_text(trace.reason)}</p>']
    if trace.candidates:
        parts.append('<table class="why-table"><caption>Sentences weighed</caption><tr><th scope="col">p</th>'
                     '<th scope="col">quoted</th><th scope="col">sentence</th></tr>')
        for c in trace.candidates:
            p = "–" if c.probability is None else f"{c.probability:.2f}"
            quoted = "yes" if c.chosen else ("" if c.allowed else "cannot answer")
            parts.append(f"<tr><td>{p}</td><td>{quoted}</td><td>{escape_text(c.text)}</td></tr>")
        parts.append("</table>")
    if trace.passages:
        parts.append('<table class="why-table"><caption>Passages retrieved (rank in each ranking)</caption><tr>'
                     '<th scope="col">fused</th><th scope="col">dense</th><th scope="col">sentence</th>'
                     '<th scope="col">BM25</th><th scope="col">section</th></tr>')
        for p in trace.passages:
            ranks = "".join(f"<td>{'–' if r is None else r}</td>" for r in (p.dense, p.sentence, p.lexical))
            parts.append(f"<tr><td>{p.fused}</td>{ranks}<td>{escape_text(p.section or p.doc)}</td></tr>")
        parts.append("</table>")
    parts.append("</details>")
    return "".join(parts)


def _for_question(answer: Answer) -> str:
    line = f'<p class="sources-question">For: <q>{escape_text(answer.question)}</q></p>'
    if answer.standalone_question and answer.standalone_question != answer.question:
        line += (f'<p class="sources-standalone">Read with the conversation as: '
                 f'<q>{escape_text(answer.standalone_question)}</q></p>')
    return line


EMPTY_PANEL = '<div class="sources-panel"><p class="sources-hint">Ask a question: the passages its answer cites appear here, with the cited sentences highlighted.</p></div>'  # noqa: E501


def render_sources(answers: Sequence[tuple[int, Answer]]) -> str:
    """The Sources panel: the latest answer's sources, then earlier answers' sources folded away."""
    if not answers:
        return EMPTY_PANEL
    *earlier, (turn, latest) = answers
    parts = [
        '<div class="sources-panel">',
        f'<div class="sources-latest" data-turn="{turn}">'
        f'{_for_question(latest)}{_answer_sources(latest, turn)}{render_why(latest)}</div>',
    ]
    if earlier:
        parts.append('<details class="sources-earlier"><summary>Sources of earlier answers</summary>')
        for t, a in reversed(earlier):
            parts.append(f'<div class="sources-turn">{_for_question(a)}{_answer_sources(a, t)}{render_why(a)}</div>')
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)
