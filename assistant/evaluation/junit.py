"""A run as JUnit XML, the format CI systems show natively: one test case per question.

Each case is named by the question's id and type; a wrong outcome is a ``<failure>`` whose message
is ``verdicts.explanation`` (what went wrong and the trace's reason), an error an ``<error>``.
Example::

    write_junit(records, Path("test-output/junit-dev.xml"), suite="dev.jsonl")
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.verdicts import explanation, failed

_XML_UNSAFE = {c: " " for c in [*range(0, 9), 11, 12, *range(14, 32)]}


def _safe(text: Any) -> str:
    """Text XML 1.0 can hold (control characters become spaces)."""
    return str(text).translate(_XML_UNSAFE)


def junit_xml(records: Sequence[dict[str, Any]], suite: str) -> ET.ElementTree:
    """The JUnit tree of a run's result records."""
    errors = sum(r.get("outcome") == "error" for r in records)
    failures = sum(failed(r) for r in records) - errors
    seconds = sum(float(r.get("latency_ms", 0.0)) for r in records) / 1000
    root = ET.Element("testsuites", name="assistant eval", tests=str(len(records)), failures=str(failures),
                      errors=str(errors), time=f"{seconds:.3f}")
    suite_el = ET.SubElement(root, "testsuite", name=_safe(suite), tests=str(len(records)), failures=str(failures),
                             errors=str(errors), skipped="0", time=f"{seconds:.3f}")
    for r in records:
        case = ET.SubElement(suite_el, "testcase", classname=_safe(f"{suite}.{r.get('type', '')}"),
                             name=_safe(f"{r.get('id')} [{r.get('type', '')}]"),
                             time=f"{float(r.get('latency_ms', 0.0)) / 1000:.3f}")
        if failed(r):
            tag = "error" if r.get("outcome") == "error" else "failure"
            element = ET.SubElement(case, tag, message=_safe(explanation(r)), type=_safe(r.get("outcome", "")))
            gold = r.get("gold") or {}
            element.text = _safe("\n".join([
                f"question: {r.get('question', '')}",
                f"answer: {r.get('answer', '')}",
                f"gold: {'; '.join(gold.get('answers') or []) or ('(should abstain)' if gold.get('answerable') is False else '(none)')}",
            ]))
        ET.SubElement(case, "system-out").text = _safe(explanation(r) or r.get("outcome", ""))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(records: Sequence[dict[str, Any]], path: Path, suite: str) -> Path:
    """Write the JUnit XML of ``records`` to ``path`` (folders created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_xml(records, suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


__all__ = ["junit_xml", "write_junit"]
