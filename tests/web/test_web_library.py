"""Conversations saved in the browser (validated and capped when they come back) and their exports."""

from __future__ import annotations

import json

from assistant.types import Answer, Citation, RetrievedPassage
from assistant.web import conversations, export
from assistant.web.conversations import read_library, save


def _answer(question: str) -> Answer:
    cited = RetrievedPassage(id="p1", doc="a.txt", section="Roots", start=100, end=200, text="x" * 100, score=1.0)
    other = RetrievedPassage(id="p2", doc="a.txt", section="Other", start=300, end=400, text="y" * 100, score=0.5)
    return Answer(question=question, answer="Quoted. [1]", abstained=False,
                  citations=[Citation(marker=1, doc="a.txt", section="Roots", start=110, end=130, text="x" * 20)],
                  retrieved=[cited, other])


def _turns(*questions: str) -> list[dict]:
    return [{"question": q, "answer": _answer(q), "notice": None} for q in questions]


def test_a_saved_answer_keeps_only_its_cited_passages_and_comes_back_equal() -> None:
    library = save(conversations.empty_library(), "c1", _turns("q1"), 20, 400_000)
    stored = library["conversations"][0]["turns"][0]["answer"]
    assert [p["id"] for p in stored["retrieved"]] == ["p1"] and "trace" not in stored
    back = read_library(json.loads(json.dumps(library)), 20, 50)
    turn = conversations.live_turns(back["conversations"][0]["turns"], 50)[0]
    assert turn["answer"].citations == _answer("q1").citations


def test_garbage_from_the_browser_is_dropped_turn_by_turn() -> None:
    good = save(conversations.empty_library(), "c1", _turns("q1"), 20, 400_000)["conversations"][0]
    raw = {"version": 1, "conversations": [
        good, "junk", {"id": 5}, {"id": "x" * 100, "turns": good["turns"]},
        {"id": "c2", "turns": [{"question": "q", "answer": {"answer": 3}}, {"question": "n", "notice": "stopped"},
                               {"question": "z" * 5000, "answer": None, "notice": None}]}]}
    library = read_library(raw, 20, 50)
    assert [c["id"] for c in library["conversations"]] == ["c1", "c2"]
    assert [t["question"] for t in library["conversations"][1]["turns"]] == ["n"]
    for bad in (None, [], {"version": 99, "conversations": [good]}, {"version": 1, "conversations": "x"}):
        assert read_library(bad, 20, 50) == conversations.empty_library()


def test_the_library_is_capped_in_count_turns_and_bytes() -> None:
    library = conversations.empty_library()
    for n in range(5):
        library = save(library, f"c{n}", _turns(*[f"q{n}-{i}" for i in range(3)]), 3, 400_000)
    assert [c["id"] for c in library["conversations"]] == ["c4", "c3", "c2"]  # the latest first
    assert len(read_library(library, 20, 2)["conversations"][0]["turns"]) == 2  # the last two turns
    one = len(json.dumps(library["conversations"][:1]).encode())
    small = save(library, "c5", _turns("q5"), 20, one + 10)
    assert [c["id"] for c in small["conversations"]] == ["c5"]
    assert save(library, "c4", [], 20, 400_000)["conversations"][0]["id"] == "c3"  # no turn: not kept


def test_choices_list_the_open_conversation_even_before_its_first_question() -> None:
    library = save(conversations.empty_library(), "c1", _turns("What did Medvedev propose?"), 20, 400_000)
    assert conversations.choices(library, "new", []) == [("New chat", "new"), ("What did Medvedev propose? (1)", "c1")]
    assert conversations.choices(library, "c1", _turns("x")) == [("What did Medvedev propose? (1)", "c1")]
    assert len(conversations.title_of(_turns("w " * 100))) == conversations.TITLE_CHARS


def test_markdown_and_json_exports_carry_numbered_references() -> None:
    turns = [*_turns("q1"), {"question": "q2", "answer": None, "notice": "Stopped."}]
    markdown = export.to_markdown("Chat", turns)
    assert markdown.startswith("# Chat\n\n**Question:** q1\n\n**Answer:** Quoted. [1]\n\n")
    assert "[1] a.txt — Roots (chars 110–130)\n> " + "x" * 20 in markdown
    assert "**Question:** q2\n\n**Answer:** (Stopped.)" in markdown
    data = json.loads(export.to_json("Chat", turns))
    assert data["title"] == "Chat" and data["turns"][0]["citations"][0]["start"] == 110
    assert data["turns"][1] == {"question": "q2", "answer": None, "abstained": None, "short_answer": None,
                                "standalone_question": None, "citations": [], "notice": "Stopped."}


def test_a_reference_names_the_title_and_the_pdf_page_when_there_are_some() -> None:
    cited = Citation(marker=2, doc="report.pdf", section="Findings", start=5, end=9, text="Text", page=3,
                     title="Annual report")
    assert export.reference(cited) == "[2] Annual report (report.pdf) — Findings (page 3, chars 5–9)\n> Text"


def test_the_storage_key_is_made_once_per_index_folder(tmp_path) -> None:  # noqa: ANN001
    first = conversations.storage_secret(tmp_path / "index")
    assert first == conversations.storage_secret(tmp_path / "index") and len(first) >= 24
    assert conversations.storage_secret(tmp_path / "other") != first
