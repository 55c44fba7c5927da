"""The JUnit writer: parsed back, one case per question, a failure with the reason for each wrong outcome."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assistant import cli
from assistant.evaluation.junit import write_junit
from assistant.evaluation.runner import result_records, run_eval

from .conftest import FakeService, FakeSettings, sample_answers, sample_items


def _records(corpus_dir: Path, *, good: bool) -> list[dict]:
    return result_records(run_eval(FakeService(FakeSettings(corpus_dir), sample_answers(good=good)), sample_items()))


def test_one_case_per_question_and_a_failure_naming_the_reason(corpus_dir: Path, tmp_path: Path) -> None:
    path = write_junit(_records(corpus_dir, good=False), tmp_path / "ci" / "junit.xml", suite="dev.jsonl")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "dev.jsonl"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["a1 [factoid]", "a2 [factoid]", "n1 [unanswerable]", "x1 [summary]"]
    assert cases[0].get("classname") == "dev.jsonl.factoid" and float(cases[0].get("time")) == pytest.approx(0.01)
    failures = [(c.get("name"), c.find("failure")) for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    name, failure = failures[0]
    assert name == "a2 [factoid]" and failure.get("type") == "false-abstention"
    assert failure.get("message") == ("abstained on an answerable question: p(answerable) 0.20 < threshold 0.30")
    assert "question: What did they agree?" in failure.text and "gold: to meet again" in failure.text


def test_an_error_is_an_error_element_and_control_characters_do_not_break_the_xml(corpus_dir: Path,
                                                                                 tmp_path: Path) -> None:
    answers = sample_answers()
    del answers["Who paid for lunch?"]
    answers["Where was the summit?"].answer = "bell \x07 and escape \x1b[31m"
    records = result_records(run_eval(FakeService(FakeSettings(corpus_dir), answers), sample_items()))
    root = ET.parse(write_junit(records, tmp_path / "j.xml", suite="s")).getroot()
    errors = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert [c.get("name") for c in errors] == ["n1 [unanswerable]"]
    assert errors[0].find("error").get("message").startswith("asking raised an error: RuntimeError: no answer")
    assert root.find("testsuite").get("errors") == "1"


def test_eval_junit_option(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path, tmp_path: Path) -> None:
    from assistant.service import AssistantService

    monkeypatch.setattr(AssistantService, "from_settings", staticmethod(
        lambda settings, encoder=None: FakeService(FakeSettings(corpus_dir), sample_answers())))
    qa = tmp_path / "set.jsonl"
    qa.write_text("".join(i.model_dump_json() + "\n" for i in sample_items()), encoding="utf-8")
    junit = tmp_path / "out" / "junit.xml"
    assert cli.main(["eval", str(qa), "--out", str(tmp_path / "run"), "--junit", str(junit), "--no-report"]) == 0
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("name") == "set.jsonl" and suite.get("tests") == "4" and suite.get("failures") == "0"
