"""Splitting: sections, passages and sentences with exact offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import Document
from assistant.splitting import sentence_spans, split_document

ARTICLE = (Path(__file__).resolve().parents[2] / "corpus" / "global-security-architecture.txt").read_text(encoding="utf-8")


def test_every_span_is_the_exact_slice_of_the_file() -> None:
    doc = Document("a.txt", ARTICLE)
    passages, sentences = split_document(doc)
    assert passages and sentences
    for span in [*passages, *sentences]:
        assert doc.text[span.start:span.end] == span.text
        assert span.text == span.text.strip()


def test_plain_text_headings_become_sections_and_the_title_is_not_a_passage() -> None:
    passages, _ = split_document(Document("a.txt", ARTICLE))
    sections = list(dict.fromkeys(p.section for p in passages))
    assert sections[0] == "Moscow Ceremony Highlights Russia’s Diplomatic Message"
    assert sections[-1] == "The Road Ahead"
    assert len(sections) == 8
    assert all("Putin Reaffirms Call" not in p.text for p in passages)


def test_passages_never_cross_a_section() -> None:
    text = "Title\nFirst Part\nOne. Two sentences here.\nSecond Part\nThree. Four."
    passages, sentences = split_document(Document("a.txt", text))
    assert [(p.section, p.text) for p in passages] == [
        ("First Part", "One. Two sentences here."), ("Second Part", "Three. Four.")]
    assert [s.text for s in sentences] == ["One.", "Two sentences here.", "Three.", "Four."]


def test_markdown_headings_and_blank_line_paragraphs() -> None:
    text = "# Title\n\n## Background\n\nA wrapped\nparagraph goes on. And ends.\n\n## Next\n\nShort one.\n"
    passages, _ = split_document(Document("a.md", text))
    assert [(p.section, p.text) for p in passages] == [
        ("Background", "A wrapped\nparagraph goes on. And ends."), ("Next", "Short one.")]


def test_long_paragraphs_are_cut_between_sentences() -> None:
    paragraph = " ".join(f"Sentence number {i} has exactly seven words." for i in range(30))
    passages, sentences = split_document(Document("a.txt", paragraph), max_words=40)
    assert len(passages) > 1
    assert all(len(p.text.split()) <= 40 for p in passages)
    assert sum(len([s for s in sentences if s.passage_id == p.id]) for p in passages) == 30


def test_sentence_splitter_keeps_abbreviations_quotes_and_initials() -> None:
    text = 'Dr. Smith met U.S. officials. He said “no.” Then J. Doe left! Did he? Yes.'
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ["Dr. Smith met U.S. officials.", "He said “no.”", "Then J. Doe left!", "Did he?", "Yes."]


def test_ids_are_stable_and_depend_on_document_and_text() -> None:
    a1, _ = split_document(Document("a.txt", ARTICLE))
    a2, _ = split_document(Document("a.txt", ARTICLE))
    b, _ = split_document(Document("b.txt", ARTICLE))
    assert [p.id for p in a1] == [p.id for p in a2]
    assert not {p.id for p in a1} & {p.id for p in b}


def test_repeated_paragraphs_get_distinct_ids() -> None:
    passages, sentences = split_document(Document("a.txt", "Same words here.\nSame words here.\n"))
    assert len({p.id for p in passages}) == 2
    assert len({s.id for s in sentences}) == 2


@pytest.mark.parametrize("text", ["", "\n\n", "Only A Heading"])
def test_documents_without_body_text_give_nothing(text: str) -> None:
    assert split_document(Document("a.txt", text)) == ([], [])


def test_crlf_and_bom_offsets_stay_exact() -> None:
    text = "\ufeffTitle\r\nPart One\r\nFirst sentence. Second one.\r\n"
    passages, sentences = split_document(Document("a.txt", text))
    assert [text[s.start:s.end] for s in sentences] == ["First sentence.", "Second one."]
    assert passages[0].section == "Part One"


def test_a_sentence_id_names_its_passage() -> None:
    from assistant.types import passage_id_of, sentence_id

    assert passage_id_of(sentence_id("9f2c-2", 12)) == "9f2c-2"
    _, sentences = split_document(Document("a.txt", ARTICLE))
    assert sentences and all(passage_id_of(s.id) == s.passage_id for s in sentences)
