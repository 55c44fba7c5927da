"""`assistant eval` (with a fake service) and `assistant eval-compare` on two runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli
from assistant.evaluation.compare import Delta, compare_runs, load_run
from assistant.evaluation.dataset import DatasetError

from .conftest import FakeService, FakeSettings, sample_answers, sample_items


@pytest.fixture
def qa_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(i.model_dump_json() + "\n" for i in sample_items()), encoding="utf-8")
    return path


@pytest.fixture
def fake_service(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path):  # noqa: ANN201
    """Make `assistant eval` use a FakeService; flip ``.good`` to change its answers."""
    from assistant.service import AssistantService

    state = {"good": True, "service": None}

    def from_settings(settings, encoder=None):  # noqa: ANN001, ANN202
        state["service"] = FakeService(FakeSettings(corpus_dir), sample_answers(good=state["good"]))
        return state["service"]

    monkeypatch.setattr(AssistantService, "from_settings", staticmethod(from_settings))
    return state


def test_eval_writes_the_run_folder_and_passes_its_bars(fake_service, qa_set: Path, tmp_path: Path,  # noqa: ANN001
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "good"
    code = cli.main(["eval", str(qa_set), "--out", str(out), "--workers", "2",
                     "--fail-under", "contains_gold=1.0", "--fail-over", "false_abstention=0",
                     "--fail-over", "offset_mismatch=0"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "PASS contains_gold >= 1" in printed and "PASS false_abstention <= 0" in printed
    assert (out / "report.html").exists() and (out / "ragas.jsonl").exists()
    assert json.loads((out / "run.json").read_text())["workers"] == 2


def test_eval_exits_1_under_a_bar(fake_service, qa_set: Path, tmp_path: Path,  # noqa: ANN001
                                  capsys: pytest.CaptureFixture[str]) -> None:
    fake_service["good"] = False
    code = cli.main(["eval", str(qa_set), "--out", str(tmp_path / "bad"), "--fail-under", "contains_gold=0.8",
                     "--fail-over", "false_abstention=0.10"])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAIL contains_gold >= 0.8 (got 0.5)" in err and "FAIL false_abstention <= 0.1 (got 0.5)" in err
    assert (tmp_path / "bad" / "metrics.json").exists()  # the reports are written before the verdict


def test_eval_limit(fake_service, qa_set: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli.main(["eval", str(qa_set), "--out", str(tmp_path / "two"), "--limit", "2", "--no-report"]) == 0
    assert fake_service["service"].calls == ["Where was the summit?", "What did they agree?"]
    assert not (tmp_path / "two" / "report.html").exists()


@pytest.mark.parametrize("extra", [["--fail-under", "nonsense=1"], ["--workers", "0"], ["--limit", "0"]])
def test_eval_bad_options_exit_2_before_asking(fake_service, qa_set: Path, tmp_path: Path, extra: list[str],  # noqa: ANN001
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["eval", str(qa_set), "--out", str(tmp_path / "x"), *extra]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert fake_service["service"] is None


def test_eval_bad_qa_set_exits_2_naming_the_line(fake_service, tmp_path: Path,  # noqa: ANN001
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\n{"question": "x", "colour": "red"}\n', encoding="utf-8")
    assert cli.main(["eval", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2:" in err and "'colour'" in err


def _two_runs(fake_service, qa_set: Path, tmp_path: Path) -> tuple[Path, Path]:  # noqa: ANN001
    before, after = tmp_path / "before", tmp_path / "after"
    fake_service["good"] = False
    cli.main(["eval", str(qa_set), "--out", str(before), "--no-report"])
    fake_service["good"] = True
    cli.main(["eval", str(qa_set), "--out", str(after), "--no-report"])
    return before, after


def test_compare_runs(fake_service, qa_set: Path, tmp_path: Path) -> None:  # noqa: ANN001
    before, after = _two_runs(fake_service, qa_set, tmp_path)
    comparison = compare_runs(load_run(before), load_run(after))
    deltas = {d.metric: d for d in comparison.deltas}
    assert deltas["contains_gold"].delta == pytest.approx(0.5) and deltas["contains_gold"].verdict == "better"
    assert deltas["false_abstention"].delta == pytest.approx(-0.5) and deltas["false_abstention"].verdict == "better"
    assert deltas["questions"].verdict == "n/a"
    assert [(c.id, c.a, c.b, c.verdict) for c in comparison.changes] == [
        ("a2", "false-abstention", "correct", "better")]
    assert not comparison.only_a and not comparison.only_b
    assert {(d.group, d.metric) for d in comparison.type_deltas} >= {("factoid", "contains_gold")}


def test_delta_direction() -> None:
    assert Delta("overall", "latency_p50_ms", 10.0, 20.0).verdict == "worse"
    assert Delta("overall", "token_f1", 0.5, 0.4).verdict == "worse"
    assert Delta("overall", "token_f1", 0.5, 0.5).verdict == "same"
    assert Delta("overall", "token_f1", None, 0.5).verdict == "n/a"


def test_eval_compare_command(fake_service, qa_set: Path, tmp_path: Path,  # noqa: ANN001
                              capsys: pytest.CaptureFixture[str]) -> None:
    before, after = _two_runs(fake_service, qa_set, tmp_path)
    capsys.readouterr()
    assert cli.main(["eval-compare", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert "contains gold" in out and "+0.500" in out and "better" in out
    assert "a2" in out and "false-abstention" in out and "correct" in out


def test_eval_compare_on_a_missing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["eval-compare", str(tmp_path / "nope"), str(tmp_path / "nope2")]) == 2
    assert "is not a run folder" in capsys.readouterr().err
    with pytest.raises(DatasetError):
        load_run(tmp_path)


def test_eval_compare_html_shows_intervals_and_both_traces(fake_service, qa_set: Path, tmp_path: Path) -> None:  # noqa: ANN001
    before, after = _two_runs(fake_service, qa_set, tmp_path)
    page_path = tmp_path / "cmp" / "compare.html"
    assert cli.main(["eval-compare", str(before), str(after), "--html", str(page_path)]) == 0
    page = page_path.read_text()
    assert "<title>Comparison: before → after</title>" in page
    assert "+0.500 [+0.000, +1.000]" in page and "noise" in page
    assert 'data-verdict="better"' in page and "false-abstention → correct" in page
    assert "abstained on an answerable question: p(answerable) 0.20 &lt; threshold 0.30" in page  # before's trace
    assert "p(answerable) 0.80 ≥ threshold 0.30; quoted 1 sentence" in page  # after's trace
    assert "http" not in page.replace("http-equiv", "")  # no external asset


def test_eval_compare_of_several_runs_gives_one_table(fake_service, qa_set: Path, tmp_path: Path,  # noqa: ANN001
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    before, after = _two_runs(fake_service, qa_set, tmp_path)
    again = tmp_path / "again"
    cli.main(["eval", str(qa_set), "--out", str(again), "--no-report"])
    capsys.readouterr()
    assert cli.main(["eval-compare", str(before), str(after), str(again)]) == 0
    out = capsys.readouterr().out
    assert "3 runs; Δ against before" in out
    assert "contains gold" in out and "(+0.500, noise)" in out
    assert cli.main(["eval-compare", str(before), str(after), str(again), "--html", str(tmp_path / "x.html")]) == 2
    assert "--html compares two runs" in capsys.readouterr().err
