"""The ``assistant`` command: ingest, ask, eval."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
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


def format_answer(answer: Answer) -> str:
    """The answer followed by its numbered sources, for a terminal."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = f"{c.doc} — {c.section}" if c.section else c.doc
            lines.append(f"[{c.marker}] {where} (chars {c.start}-{c.end})")
            lines.append(f"    {c.text}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    from assistant.service import AssistantService, clean_question

    settings = _settings(args)
    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading models
    history = _read_history(args.history)
    answer = AssistantService.from_settings(settings).ask(args.question, history)
    if args.json:
        print(json.dumps(answer.model_dump(exclude={"standalone_question"}), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Run a QA set and write results.jsonl and metrics.json."""
    from rich.console import Console
    from rich.progress import track

    from assistant.evaluation.dataset import load_jsonl
    from assistant.evaluation.report import metrics_table
    from assistant.evaluation.runner import run_eval, write_run
    from assistant.service import AssistantService

    items = load_jsonl(args.qa)
    service = AssistantService.from_settings(_settings(args))
    progress = iter(track(range(len(items)), description="answering", transient=True))
    run = run_eval(service, items, on_answer=lambda *_: next(progress, None))
    write_run(run, args.out)
    Console().print(metrics_table(run.metrics))
    print(f"wrote {args.out / 'results.jsonl'} and {args.out / 'metrics.json'}")
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
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run a QA set and score it")
    p.add_argument("qa", type=Path, help="QA set (JSONL)")
    p.add_argument("--out", type=Path, required=True, help="folder for results.jsonl and metrics.json")
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_eval)
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
