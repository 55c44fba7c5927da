"""The ``assistant`` command: ingest, ask, eval, eval-compare."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import assistant  # noqa: F401  (offline environment first)
from assistant.errors import AssistantError
from assistant.settings import Settings, get_settings
from assistant.types import Answer, Turn


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = args.corpus
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    return get_settings().model_copy(update=overrides)


def _progress_factory(description: str) -> Callable[[int], Callable[[int], None]]:
    """A rich progress bar per embedding job; returns the per-batch callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    def start(total: int) -> Callable[[int], None]:
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), transient=False)
        progress.start()
        task = progress.add_task(description, total=total)

        def tick(n: int) -> None:
            progress.advance(task, n)
            if progress.finished:
                progress.stop()

        return tick

    return start


def cmd_ingest(args: argparse.Namespace) -> int:
    """Index the corpus folder."""
    from assistant.ingest import ingest

    report = ingest(_settings(args), rebuild=args.rebuild, progress=_progress_factory("embedding"))
    print(report.summary())
    return 0


def _read_history(path: Path | None) -> list[Turn]:
    if path is None:
        return []
    try:
        raw = path.read_text(encoding="utf-8").strip()
        data = json.loads(raw) if raw.startswith("[") else [json.loads(line) for line in raw.splitlines() if line]
        return [Turn.model_validate(turn) for turn in data]
    except (OSError, ValueError) as exc:
        raise AssistantError(f"cannot read history file {path}: {str(exc).splitlines()[0]}") from exc


def format_sources(answer: Answer) -> str:
    """The numbered sources of an answer and the sentences no valid citation supports, for a terminal."""
    lines = []
    if answer.unsupported:
        lines.append("")
        lines.append("Not supported by a cited passage:")
        lines.extend(f"  - {sentence}" for sentence in answer.unsupported)
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = f"{c.doc} — {c.section}" if c.section else c.doc
            lines.append(f"[{c.marker}] {where} (chars {c.start}-{c.end})")
            lines.append(f"    {c.text}")
    return "\n".join(lines)


def format_answer(answer: Answer) -> str:
    """The answer followed by its numbered sources, for a terminal."""
    sources = format_sources(answer)
    return f"{answer.answer}\n{sources}" if sources else answer.answer


def _doc_filter(args: argparse.Namespace) -> str | None:
    """The --doc filter, checked to name a file inside the corpus folder (before anything is loaded)."""
    if getattr(args, "doc", None) is None:
        return None
    from assistant.retrieval import check_doc_name

    return check_doc_name(args.doc)


class _OneDocument:
    """A service whose answers come from one document (``--doc``), for the evaluator."""

    def __init__(self, service, doc: str) -> None:  # noqa: ANN001
        self._service, self._doc = service, service.retriever.check_doc(doc)
        self.settings = service.settings

    def ask(self, question: str, history=None) -> Answer:  # noqa: ANN001
        return self._service.ask(question, history, doc=self._doc)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._service, name)


@contextmanager
def _collector_held_off() -> Iterator[None]:
    """No cyclic garbage collection during a one-shot command, nor over what it leaves behind.

    Loading the libraries and the index makes ~250 000 long-lived objects, which the collector
    would traverse again and again (~0.15 s) and once more at exit (~0.3 s). They are frozen at
    the end instead (``gc.freeze``): what the command left in reference cycles then stays until
    the process ends, which for ``assistant ask`` is right after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, printing the answer as it is written (``--json``: only the final object)."""
    with _collector_held_off():
        return _ask(args)


def _ask(args: argparse.Namespace) -> int:
    from assistant.service import AssistantService, clean_question

    settings = _settings(args)
    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading models
    doc = _doc_filter(args)
    history = _read_history(args.history)
    shown: list[str] = []
    answer: Answer | None = None
    for item in AssistantService.from_settings(settings).stream(args.question, history, doc=doc):
        if isinstance(item, Answer):
            answer = item
        elif not args.json:
            shown.append(item)
            print(item, end="", flush=True)
    assert answer is not None
    if args.json:
        if answer.notice:
            print(f"note: {answer.notice}", file=sys.stderr)
        exclude = {"standalone_question"} | answer.optional_empty
        print(json.dumps(answer.model_dump(exclude=exclude), ensure_ascii=False))
        return 0
    streamed = "".join(shown)
    if not " ".join(streamed.split()).endswith(" ".join(answer.answer.split())):
        # the checked answer differs from the raw text (markers removed, abstention, fallback)
        print(f"\n\nChecked answer:\n{answer.answer}" if streamed.strip() else answer.answer, end="")
    print(flush=True)
    if answer.notice:
        print(f"note: {answer.notice}", file=sys.stderr, flush=True)
    sources = format_sources(answer)
    if sources:
        print(sources)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Run a QA set, write the run folder and reports; exit 1 when a --fail-under/--fail-over bar is missed."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from assistant.evaluation.dataset import load_qa_set
    from assistant.evaluation.gates import check_bars, parse_bar
    from assistant.evaluation.report import metrics_table, overall_line
    from assistant.evaluation.runner import run_eval, write_run
    from assistant.service import AssistantService

    bars = [parse_bar(b, "under") for b in args.fail_under] + [parse_bar(b, "over") for b in args.fail_over]
    if args.workers < 1 or (args.limit is not None and args.limit < 1):
        raise AssistantError("--workers and --limit must be at least 1")
    items = load_qa_set(args.qa)
    items = items[: args.limit] if args.limit else items
    settings = _settings(args)
    doc = _doc_filter(args)
    service = AssistantService.from_settings(settings)
    service = _OneDocument(service, doc) if doc else service
    console, err = Console(), Console(stderr=True)
    with Progress(TextColumn("answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("ETA"), TimeRemainingColumn(), console=err, transient=True) as progress:
        task = progress.add_task("answering", total=len(items))
        run = run_eval(service, items, workers=args.workers, on_answer=lambda *_: progress.advance(task))
    run.info.update(qa_set=str(args.qa), limit=args.limit, corpus_dir=str(settings.corpus_dir),
                    index_dir=str(settings.index_dir), top_k=settings.top_k, answerer=settings.answerer,
                    abstain_threshold=settings.abstain_threshold)
    written = write_run(run, args.out, reports=not args.no_report)
    console.print(metrics_table(run.metrics))
    print(overall_line(run.metrics))
    if run.metrics["overall"].get("errors"):
        print(f"warning: {run.metrics['overall']['errors']:.0f} question(s) raised an error; see results.jsonl",
              file=sys.stderr)
    if run.info.get("unreadable_docs"):
        print(f"warning: cited files not found under {settings.corpus_dir}: {', '.join(run.info['unreadable_docs'])}"
              " (their citations count as offset mismatches)", file=sys.stderr)
    print(f"wrote {', '.join(p.name for p in written)} in {args.out}")
    results = check_bars(run.metrics, bars)
    for result in results:
        print(result, file=sys.stdout if result.passed else sys.stderr)
    return 1 if any(not r.passed for r in results) else 0


def cmd_eval_compare(args: argparse.Namespace) -> int:
    """Print the metric deltas between two run folders and the questions whose outcome changed."""
    from rich.console import Console

    from assistant.evaluation.compare import (changes_table, compare_runs, deltas_table, load_run,
                                              type_deltas_table)

    a, b = load_run(args.run_a), load_run(args.run_b)
    name_a, name_b = args.run_a.name or str(args.run_a), args.run_b.name or str(args.run_b)
    if name_a == name_b:
        name_a, name_b = "A", "B"
    comparison = compare_runs(a, b)
    console = Console()
    console.print(deltas_table(comparison, name_a, name_b))
    if comparison.type_deltas:
        console.print(type_deltas_table(comparison, name_a, name_b))
    if comparison.changes:
        console.print(changes_table(comparison, name_a, name_b))
    else:
        console.print("no question changed outcome")
    for name, ids in [(name_a, comparison.only_a), (name_b, comparison.only_b)]:
        if ids:
            console.print(f"only in {name}: {', '.join(ids)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``assistant`` command."""
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: ASSISTANT_INDEX_DIR or .assistant)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index every .txt/.md file of the corpus folder")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: ASSISTANT_CORPUS_DIR or corpus)")
    p.add_argument("--rebuild", action="store_true", help="re-embed everything into a fresh index")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--history", type=Path, help="JSON list (or JSONL) of earlier turns {role, content}")
    p.add_argument("--doc", metavar="NAME", help="answer from this document only (file name relative to the corpus)")
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run a QA set, score it and write a report")
    p.add_argument("qa", type=Path, help="QA set: JSONL (our schema), CSV, or RAGAS-style records")
    p.add_argument("--out", type=Path, required=True,
                   help="run folder: results.jsonl, metrics.json, ragas.jsonl, run.json, report.md, report.html")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="questions asked in parallel (default 1)")
    p.add_argument("--fail-under", action="append", default=[], metavar="[TYPE:]METRIC=VALUE",
                   help="exit 1 when the metric is below VALUE (repeatable)")
    p.add_argument("--fail-over", action="append", default=[], metavar="[TYPE:]METRIC=VALUE",
                   help="exit 1 when the metric is above VALUE, e.g. false_abstention=0.10 (repeatable)")
    p.add_argument("--no-report", action="store_true", help="skip report.md and report.html")
    p.add_argument("--doc", metavar="NAME", help="ask every question of this document only (file name in the corpus)")
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("eval-compare", help="metric deltas and changed outcomes between two eval runs")
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="run folder written by 'assistant eval --out'")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="the run to compare against RUN_A")
    p.set_defaults(func=cmd_eval_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; user errors print one line to stderr and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
