"""Rendering of messages and of the Sources panel: escaping, markers, highlights."""

from __future__ import annotations

import re

from assistant.types import Answer, Citation, RetrievedPassage
from assistant.web.render import (
    EMPTY_PANEL,
    render_answer,
    render_notice,
    render_question,
    render_sources,
    source_cards,
    source_id,
)

XSS = "<img src=x onerror=alert(1)>"
PASSAGE = "Intro sentence here. The cited <b>sentence</b> & more. A second cited one. Tail."


def _answer(**overrides) -> Answer:
    p = RetrievedPassage(id="p1", doc="a<x>.txt", section="Sec & <i>tion</i>", start=100,
                         end=100 + len(PASSAGE), text=PASSAGE, score=0.5)
    first = PASSAGE.index("The cited")
    second = PASSAGE.index("A second")
    c1 = Citation(marker=1, doc=p.doc, section=p.section, start=100 + first, end=100 + second - 1,
                  text=PASSAGE[first:second - 1])
    c2 = Citation(marker=2, doc=p.doc, section=p.section, start=100 + second,
                  end=100 + second + len("A second cited one."), text="A second cited one.")
    values = {"question": "Q <script>?", "answer": f"{c1.text} [1] {c2.text} [2]", "abstained": False,
              "citations": [c1, c2], "retrieved": [p]}
    values.update(overrides)
    return Answer(**values)


def test_question_is_rendered_as_text() -> None:
    out = render_question(XSS)
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out


def test_notice_is_escaped() -> None:
    assert "<b>" not in render_notice("bad <b>input</b>")


def test_known_markers_become_links_to_their_source() -> None:
    out = render_answer("It says <b>so</b> [1] and [3].", _answer().citations, turn=4)
    assert f'href="#{source_id(4, 1)}"' in out
    assert "[3]" in out and "#src-4-3" not in out  # unknown marker stays plain text
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert 'title="a&lt;x&gt;.txt — Sec &amp; &lt;i&gt;tion&lt;/i&gt;"' in out


def test_cards_group_citations_in_their_passage_and_highlight_exact_spans() -> None:
    answer = _answer()
    cards = source_cards(answer)
    assert len(cards) == 1 and [c.marker for c in cards[0].citations] == [1, 2]
    panel = render_sources([(2, answer)])
    marks = re.findall(r'<mark class="cited" id="(src-2-\d)"><sup class="mark-no">\[\d\]</sup>(.*?)</mark>', panel)
    assert [m[0] for m in marks] == ["src-2-1", "src-2-2"]
    assert marks[0][1] == "The cited &lt;b&gt;sentence&lt;/b&gt; &amp; more."
    assert marks[1][1] == "A second cited one."
    assert "<b>" not in panel and "<i>" not in panel and "<script>" not in panel
    assert "a&lt;x&gt;.txt" in panel


def test_citation_text_is_the_passage_slice() -> None:
    answer = _answer()
    (card,) = source_cards(answer)
    for c in card.citations:
        assert card.text[c.start - card.start:c.end - card.start] == c.text


def test_citation_outside_retrieved_passages_gets_its_own_card() -> None:
    c = Citation(marker=1, doc="d.txt", section="", start=5, end=9, text="abcd")
    (card,) = source_cards(_answer(citations=[c], answer="abcd [1]"))
    assert (card.doc, card.start, card.end, card.text) == ("d.txt", 5, 9, "abcd")


def test_abstention_shows_no_sources() -> None:
    panel = render_sources([(1, _answer(abstained=True, citations=[], answer="The article does not say."))])
    assert "No passage of the article supported an answer" in panel
    assert "source-card" not in panel


def test_earlier_answers_are_folded_with_their_own_ids() -> None:
    panel = render_sources([(1, _answer()), (2, _answer())])
    latest, earlier = panel.split("<details", 1)
    assert "src-2-1" in latest and "src-1-1" not in latest
    assert "src-1-1" in earlier


def test_empty_panel() -> None:
    assert render_sources([]) == EMPTY_PANEL


def test_panel_says_how_a_follow_up_was_read() -> None:
    panel = render_sources([(1, _answer(standalone_question="What does the <SCO> promote?"))])
    assert "Read with the conversation as" in panel and "&lt;SCO&gt;" in panel
    assert "Read with the conversation" not in render_sources([(1, _answer())])


def test_the_short_answer_leads_in_bold_and_is_escaped() -> None:
    citation = Citation(marker=1, doc="a.txt", section="S", start=0, end=10, text="It was <2008>.")
    html_out = render_answer("<2008> — It was <2008>. [1]", [citation], turn=1, short_answer="<2008>")
    assert html_out.startswith('<span class="answer"><strong class="short-answer">&lt;2008&gt;</strong> —')
    assert "<2008>" not in html_out
    # no short answer, or a text that does not start with it: nothing is bold
    assert "<strong" not in render_answer("It was 2008. [1]", [citation], turn=1)
    assert "<strong" not in render_answer("It was 2008. [1]", [citation], turn=1, short_answer="2008")


def test_why_this_answer_shows_the_reason_candidates_and_ranks_escaped() -> None:
    from assistant.trace import CandidateTrace, Check, PassageTrace, Trace

    trace = Trace(answered=False, check=Check.ANSWERABLE, reason="p(answerable) 0.20 < threshold 0.30 (“<b>x</b>”)",
                  value=0.2, threshold=0.3,
                  candidates=[CandidateTrace(id="s1", doc="d", start=0, end=5, text="A <i>sentence</i>.", score=-1.4,
                                             probability=0.2, allowed=True, chosen=False),
                              CandidateTrace(id="s2", doc="d", start=6, end=9, text="Other.", score=-3.0,
                                             probability=0.05, allowed=False)],
                  passages=[PassageTrace(id="p1", doc="d", section="Sec <x>", dense=2, sentence=None, lexical=1,
                                         fused=1, score=0.03)])
    panel = render_sources([(1, _answer(abstained=True, citations=[], answer="No.", trace=trace))])
    why = panel[panel.index('<details class="why-answer">'):]
    assert "<summary>Why this answer?</summary>" in why
    assert "p(answerable) 0.20 &lt; threshold 0.30 (“&lt;b&gt;x&lt;/b&gt;”)" in why
    assert "<td>0.20</td><td></td><td>A &lt;i&gt;sentence&lt;/i&gt;.</td>" in why
    assert "<td>0.05</td><td>cannot answer</td>" in why
    assert "<td>1</td><td>2</td><td>–</td><td>1</td><td>Sec &lt;x&gt;</td>" in why
    assert "<b>" not in why and "<i>" not in why
    assert "why-answer" not in render_sources([(1, _answer())])  # no trace, no toggle
