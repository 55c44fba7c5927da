"""The evaluation report's HTML in headless Chromium: filtering the question table, expanding a row."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.runner import run_eval, write_run
from tests.evaluation.conftest import TEXT, FakeService, FakeSettings, QAItem, sample_answers, sample_items

pytestmark = pytest.mark.e2e


def _report(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.md").write_text(TEXT, encoding="utf-8")
    answers = sample_answers(good=False)
    items = sample_items() + [QAItem(id="n2", question="Who paid for dinner?", answerable=False, type="unanswerable")]
    answers["Who paid for dinner?"] = answers["Where was the summit?"].model_copy(update={"question": "Who paid for dinner?"})
    run = run_eval(FakeService(FakeSettings(corpus), answers), items)
    write_run(run, tmp_path / "run")
    return tmp_path / "run" / "report.html"


def _visible(page) -> list[tuple[str, str]]:  # noqa: ANN001
    rows = page.locator("#questions tr.question:visible")
    return [(rows.nth(i).get_attribute("data-outcome"), rows.nth(i).get_attribute("data-type"))
            for i in range(rows.count())]


def test_filtering_by_outcome_type_and_failures(browser, tmp_path: Path, output_dir: Path) -> None:  # noqa: ANN001
    report = _report(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    assert len(_visible(page)) == 5 and page.locator("#shown").inner_text() == "5 shown"

    page.select_option("#filter-outcome", "false-abstention")
    assert _visible(page) == [("false-abstention", "factoid")]
    assert page.locator("#shown").inner_text() == "1 shown"
    row = page.locator("#questions tr.question:visible").first
    row.locator("summary").click()
    details = row.locator("details")
    assert details.get_attribute("open") is not None
    assert "Why: abstained on an answerable question: p(answerable) 0.20 < threshold 0.30" in details.inner_text()
    page.screenshot(path=str(output_dir / "report-false-abstention.png"), full_page=True)

    page.select_option("#filter-outcome", "")
    page.select_option("#filter-type", "unanswerable")
    assert sorted(_visible(page)) == [("answered-unanswerable", "unanswerable"), ("correct-abstention", "unanswerable")]
    page.check("#filter-failed")
    assert _visible(page) == [("answered-unanswerable", "unanswerable")]
    assert all(u.startswith("file://") for u in requests)  # nothing fetched from anywhere
    context.close()
