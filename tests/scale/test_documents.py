"""Many articles: a document filter in the service and the CLI; names outside the corpus are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.retrieval import DocumentFilterError, check_doc_name
from assistant.settings import Settings
from tests.scale.conftest import ARTICLE_NAME, ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def service(onnx_settings: Settings):  # noqa: ANN201
    from assistant.service import AssistantService

    return AssistantService.from_settings(onnx_settings)  # the ONNX query encoder


def test_the_filter_limits_retrieval_and_citations_to_one_article(service) -> None:  # noqa: ANN001
    everywhere = service.ask("When did the harbour reopen after repairs?")
    assert everywhere.citations and everywhere.citations[0].doc == "harbour.md"
    only_article = service.ask("When did the harbour reopen after repairs?", doc=ARTICLE_NAME)
    assert {p.doc for p in only_article.retrieved} == {ARTICLE_NAME}
    assert all(c.doc == ARTICLE_NAME for c in only_article.citations)
    only_harbour = service.ask("What did Medvedev propose in 2008?", doc="harbour.md")
    assert {p.doc for p in only_harbour.retrieved} == {"harbour.md"}
    assert "European Security Treaty" not in only_harbour.answer
    assert "European Security Treaty" in service.ask("What did Medvedev propose in 2008?", doc=ARTICLE_NAME).answer


@pytest.mark.parametrize("name", ["../x.txt", "/etc/passwd", "corpus/../../x", "C:\\x.txt", "", "a\x00b"])
def test_paths_outside_the_corpus_are_refused(service, name: str) -> None:  # noqa: ANN001
    with pytest.raises(DocumentFilterError, match="document filter"):
        service.ask("What did Medvedev propose?", doc=name)


def test_an_unknown_name_lists_what_the_index_holds(service) -> None:  # noqa: ANN001
    with pytest.raises(DocumentFilterError, match=r"no document named 'nope.txt'.*harbour.md"):
        service.ask("What did Medvedev propose?", doc="nope.txt")
    assert check_doc_name("./harbour.md") == "harbour.md"


@pytest.mark.parametrize(("args", "message"), [
    (("--doc", "../secret.txt"), "outside the corpus folder"),
    (("--doc", "missing.md"), "no document named 'missing.md'"),
])
def test_cli_doc_errors_exit_2_with_one_line(onnx_settings: Settings, args: tuple[str, ...], message: str) -> None:
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(onnx_settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(onnx_settings.index_dir)}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "When did the harbour reopen?", *args],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_cli_ask_with_doc_cites_only_that_file(onnx_settings: Settings) -> None:
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(onnx_settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(onnx_settings.index_dir)}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "When did the harbour reopen?",
                           "--doc", "harbour.md", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"doc": "harbour.md"' in done.stdout and ARTICLE_NAME not in done.stdout


def test_eval_with_doc_asks_every_question_of_that_document(onnx_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    from assistant.cli import main

    qa = ROOT / ".." / "shared" / "qa" / "dev.jsonl"
    if not qa.exists():
        pytest.skip("the shared dev set is not beside the project")
    args = ["--index", str(onnx_settings.index_dir), "eval", str(qa), "--corpus", str(onnx_settings.corpus_dir),
            "--limit", "4", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "run"), "--doc", ARTICLE_NAME]) == 0
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert len(results) == 4
    assert {p["doc"] for r in results for p in r["retrieved"]} == {ARTICLE_NAME}
    assert all(c["doc"] == ARTICLE_NAME for r in results for c in r["citations"])
    assert main([*args, "--out", str(tmp_path / "bad"), "--doc", "../x.txt"]) == 2
