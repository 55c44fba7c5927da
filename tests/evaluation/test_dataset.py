"""Each input format parsed, and bad input refused with an error naming the line and the columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.dataset import DatasetError, load_qa_set

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT.parent / "shared" / "qa" / "dev.jsonl"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_our_jsonl_schema(tmp_path: Path) -> None:
    path = write(tmp_path, "set.jsonl", jsonl(
        {"id": "a", "question": "Where?", "answerable": True, "answers": ["Geneva"], "evidence": ["It was Geneva."],
         "type": "factoid", "section": "Summit"},
        {"id": "b", "question": "And then?", "answerable": True, "answers": ["x"], "evidence": [], "type": "follow_up",
         "section": None, "history": [{"role": "user", "content": "Where?"}, {"role": "assistant", "content": "G."}]},
    ) + "\n")
    a, b = load_qa_set(path)
    assert (a.id, a.answers, a.evidence, a.type, a.section, a.has_answer) == (
        "a", ["Geneva"], ["It was Geneva."], "factoid", "Summit", True)
    assert [t.role for t in b.history] == ["user", "assistant"]


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not present")
def test_the_shared_dev_set_loads() -> None:
    items = load_qa_set(DEV_SET)
    assert len(items) == 30 and len({i.id for i in items}) == 30


def test_missing_id_gets_a_line_based_one(tmp_path: Path) -> None:
    (item,) = load_qa_set(write(tmp_path, "set.jsonl", "\n" + jsonl({"question": "Where?"})))
    assert item.id == "q0002" and item.has_answer is None


def test_csv_with_question_and_optional_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "set.csv", (
        "question,answers,evidence,answerable,type\n"
        'Where was it?,Geneva|Genf,"The summit took place in Geneva.",yes,factoid\n'
        'Who paid?,,,false,unanswerable\n'
        'Which two?,"[""arms control"", ""trade""]",,,\n'
    ))
    a, b, c = load_qa_set(path)
    assert a.answers == ["Geneva", "Genf"] and a.evidence == ["The summit took place in Geneva."]
    assert a.answerable is True and a.type == "factoid" and a.id == "q0002"
    assert b.answerable is False and b.has_answer is False and b.answers == []
    assert c.answers == ["arms control", "trade"] and c.type == "unknown" and c.has_answer is True


def test_csv_with_only_a_question_column(tmp_path: Path) -> None:
    items = load_qa_set(write(tmp_path, "set.csv", "question\nWhere?\n\nWhen?\n"))
    assert [i.question for i in items] == ["Where?", "When?"]
    assert all(i.has_answer is None and not i.answers for i in items)


def test_csv_single_answer_column(tmp_path: Path) -> None:
    (item,) = load_qa_set(write(tmp_path, "set.csv", "id,question,answer\nk1,Where?,Geneva\n"))
    assert item.id == "k1" and item.answers == ["Geneva"]


def test_ragas_jsonl_records(tmp_path: Path) -> None:
    path = write(tmp_path, "ragas.jsonl", jsonl(
        {"user_input": "Where?", "reference": "In Geneva.", "reference_contexts": ["The summit took place in Geneva."],
         "synthesizer_name": "single_hop_specific_query_synthesizer"},
        {"user_input": "Why?", "response": "old answer", "retrieved_contexts": ["old"]},
    ))
    a, b = load_qa_set(path)
    assert a.question == "Where?" and a.answers == ["In Geneva."] and a.evidence == ["The summit took place in Geneva."]
    assert a.type == "single_hop_specific_query_synthesizer" and a.has_answer is True
    assert b.answers == [] and b.has_answer is None  # an earlier run's response is not gold


def test_ragas_csv_with_pandas_list_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "ragas.csv", (
        "user_input,reference_contexts,reference\n"
        "\"Where?\",\"['The summit took place in Geneva.', 'Leaders met.']\",Geneva\n"
    ))
    (item,) = load_qa_set(path)
    assert item.evidence == ["The summit took place in Geneva.", "Leaders met."] and item.answers == ["Geneva"]


def test_json_array_of_records(tmp_path: Path) -> None:
    path = write(tmp_path, "set.json", json.dumps([{"question": "Where?"}, {"user_input": "When?", "reference": "1985"}]))
    a, b = load_qa_set(path)
    assert (a.question, b.question, b.answers) == ("Where?", "When?", ["1985"])


def test_our_own_ragas_output_reads_back(tmp_path: Path) -> None:
    path = write(tmp_path, "ragas.jsonl", jsonl({"user_input": "Q?", "retrieved_contexts": ["a"], "response": "r",
                                                 "reference": "g", "reference_contexts": ["e"]}))
    (item,) = load_qa_set(path)
    assert item.answers == ["g"] and item.evidence == ["e"]


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("set.jsonl", jsonl({"question": "ok"}) + '{"question": "broken"\n', r"set\.jsonl:2: not valid JSON"),
    ("set.jsonl", jsonl({"question": "ok"}, {"question": "ok", "answer": "x", "foo": 1}),
     r"set\.jsonl:2: .*unknown column\(s\) 'answer', 'foo'"),
    ("set.jsonl", "\n" + jsonl({"query": "Where?"}), r"set\.jsonl:2: .*missing column 'question'.*found: 'query'"),
    ("set.jsonl", jsonl({"question": "   "}), r"set\.jsonl:1: .*the question is empty"),
    ("set.jsonl", jsonl({"question": "a", "answers": "x"}, {"question": "b", "answers": [1]}),
     r"set\.jsonl:2: .*'answers' must be a list of strings"),
    ("set.jsonl", jsonl({"id": "a", "question": "x"}, {"id": "a", "question": "y"}),
     r"set\.jsonl:2: duplicate id 'a' \(first at line 1\)"),
    ("set.jsonl", jsonl({"question": "x", "history": [{"role": "user"}]}), r"set\.jsonl:1: .*history"),
    ("set.jsonl", jsonl(["not", "an", "object"]), r"set\.jsonl:1: .*expected an object"),
    ("set.jsonl", jsonl({"user_input": "x", "question": "y"}), r"set\.jsonl:1: .*unknown column\(s\) 'question' in a RAGAS"),
    ("set.csv", "question,colour\nWhere?,blue\n", r"set\.csv:2: .*unknown column\(s\) 'colour'"),
    ("set.csv", "query\nWhere?\n", r"set\.csv:2: .*missing column 'question'"),
    ("set.csv", "question,answerable\nA?,yes\nB?,maybe\n", r"set\.csv:3: .*must be true or false"),
    ("set.csv", "question\nA?\n\"B?\",extra\n", r"set\.csv:3: .*more cell\(s\) than the header"),
    ("set.csv", "question,answers\nA?,\"['x', \"\n", r"set\.csv:2: .*'answers' is not a valid list"),
    ("set.json", '[{"question": "a"}, {"questio": "b"}]', r"set\.json: record 2: .*missing column 'question'"),
    ("set.json", '{"question": "a"}', None),  # one object on one line is JSONL
    ("set.jsonl", "\n\n", r"has no questions"),
])
def test_bad_input_names_the_line(tmp_path: Path, name: str, text: str, expected: str | None) -> None:
    path = write(tmp_path, name, text)
    if expected is None:
        assert len(load_qa_set(path)) == 1
        return
    with pytest.raises(DatasetError, match=expected):
        load_qa_set(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read QA set"):
        load_qa_set(tmp_path / "missing.jsonl")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"question": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(DatasetError, match="cannot read QA set"):
        load_qa_set(path)
