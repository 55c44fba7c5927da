"""The ``assistant`` command: ingest, text, documents, ask, eval, eval-compare."""

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
from assistant.text import terminal_safe
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
    """Index the corpus folder (with ``--url``: fetch a page into it first)."""
    from assistant.ingest import ingest

    if args.url:
        return _ingest_url(args)
    report = ingest(_settings(args), rebuild=args.rebuild, progress=_progress_factory("embedding"),
                    on_wait=lambda message: print(message, file=sys.stderr, flush=True))
    print(report.summary())
    return 0


def _ingest_url(args: argparse.Namespace) -> int:
    from assistant.fetch import fetch, name_for
    from assistant.library import add_document

    settings = _settings(args)
    fetched = fetch(args.url, settings)
    name = args.name or name_for(fetched.url, fetched.suffix)
    added = add_document(settings, name, fetched.data, url=fetched.url, replace=args.replace,
                         on_wait=lambda message: print(message, file=sys.stderr, flush=True))
    print(f"{'replaced' if added.replaced else 'added'} {added.name} from {fetched.url}: {added.passages} passages, "
          f"{added.sentences} sentences")
    print(added.report.summary())
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    """Print the exact text document DOC was indexed with (citations' offsets index it)."""
    from assistant.document_store import DocumentStore

    text = DocumentStore(_settings(args).index_dir).document(args.doc).text
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    """List the indexed documents with their metadata and counts (``--json``: one object per line)."""
    from assistant.document_store import DocumentStore

    store = DocumentStore(_settings(args).index_dir)
    catalog = store.catalog()
    if not catalog:
        raise AssistantError("no documents in the index: run 'assistant ingest' first")
    for name, entry in catalog.items():
        record = store.record(name)
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
            continue
        details = " · ".join(x for x in (record["author"], record["date"], record["url"]) if x)
        pages = f", {record['pages']} pages" if record["pages"] else ""
        print(terminal_safe(f"{name}  [{record['format']}] {record['title']}"
                            + (f" — {details}" if details else "")
                            + f"  ({entry.passages} passages, {entry.sentences} sentences{pages})"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Verify the committed index: its HNSW files hold what hnswlib needs to read them safely, and each
    collection opens and reads whole. Exit 0 when sound, 1 when damaged."""
    from assistant.segments import DamagedIndexError, check_or_raise
    from assistant.store import open_index

    settings = _settings(args)
    index = open_index(settings)
    manifest = index.manifest()
    if manifest is None:
        raise AssistantError("the index is empty: run 'assistant ingest' first")
    verification = index.verify(manifest.generation, fresh=True)
    try:
        check_or_raise(verification)
        reader = index.reader()
        passages = reader.all_passages()
        sentences, _ = reader.sentences_of(passages)
    except DamagedIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    checked = (f"{verification.segments} HNSW segments ({verification.elements} graph nodes, "
               f"{verification.bytes / 1e6:.1f} MB) are consistent" if verification else "the Chroma server owns its files")
    print(f"index sound: generation {manifest.generation}, {len(manifest.documents)} documents, {len(passages)} "
          f"passages, {len(sentences)} sentences; {checked}")
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


def format_sources(answer: Answer, titles: bool = False) -> str:
    """The numbered sources of an answer and the sentences no valid citation supports, for a terminal;
    ``titles``: name each cited document's title too (when the index holds several)."""
    lines = []
    if answer.unsupported:
        lines.append("")
        lines.append("Not supported by a cited passage:")
        lines.extend(f"  - {sentence}" for sentence in answer.unsupported)
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = f"{c.doc} — {c.section}" if c.section else c.doc
            if titles and c.title:
                where = f"“{c.title}” — {where}"
            page = f"page {c.page}, " if c.page is not None else ""
            lines.append(f"[{c.marker}] {where} ({page}chars {c.start}-{c.end})")
            lines.append(f"    {c.text}")
    return "\n".join(lines)


BOLD, PLAIN = "\033[1m", "\033[0m"


def answer_text(answer: Answer, bold: bool = False) -> str:
    """The answer's text, its short answer (which it starts with) in bold on a terminal."""
    short = answer.short_answer
    if bold and short and answer.answer.startswith(f"{short} —"):
        return f"{BOLD}{terminal_safe(short)}{PLAIN}{terminal_safe(answer.answer[len(short):])}"
    return terminal_safe(answer.answer)


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
    from assistant.answerers import StreamingAnswerer
    from assistant.service import AssistantService, clean_question

    settings = _settings(args)
    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading models
    doc = _doc_filter(args)
    history = _read_history(args.history)
    shown: list[str] = []
    answer: Answer | None = None
    service = AssistantService.from_settings(settings)
    live = not args.json and isinstance(service.answerer, StreamingAnswerer)  # a model writing as it goes
    for item in service.stream(args.question, history, doc=doc):
        if isinstance(item, Answer):
            answer = item
        elif live:
            shown.append(item)
            print(terminal_safe(item), end="", flush=True)
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
        text = answer_text(answer, bold=sys.stdout.isatty())
        print(f"\n\nChecked answer:\n{text}" if streamed.strip() else text, end="")
    print(flush=True)
    if answer.notice:
        print(f"note: {terminal_safe(answer.notice)}", file=sys.stderr, flush=True)
    sources = format_sources(answer, titles=len(service.retriever.documents) > 1)
    if sources:
        print(terminal_safe(sources))
    return 0


def _run_set(service, items, out: Path, info: dict, *, workers: int, reports: bool,  # noqa: ANN001, ANN202
             bars: Sequence = (), baseline: Path | None = None):
    """Ask every question of ``items`` with a progress bar, score them, check the bars and write the run
    folder; returns the run, the files written and the bars' results."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)
    from rich.console import Console

    from assistant.evaluation.runner import run_eval, write_run

    with Progress(TextColumn("answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("answering", total=len(items))
        run = run_eval(service, items, workers=workers, on_answer=lambda *_: progress.advance(task))
    run.info.update(info, **_model_info(service))
    from assistant.evaluation.gates import check_bars

    results = check_bars(run.metrics, bars)
    return run, write_run(run, out, reports=reports, gates=results, baseline=baseline), results


def cmd_eval(args: argparse.Namespace) -> int:
    """Run a QA set, write the run folder and reports; exit 1 when a --fail-under/--fail-over bar is missed."""
    from rich.console import Console

    from assistant.evaluation.compare import load_run
    from assistant.evaluation.dataset import load_qa_set
    from assistant.evaluation.gates import parse_bar
    from assistant.evaluation.report import metrics_table, overall_line
    from assistant.service import AssistantService

    bars = [parse_bar(b, "under") for b in args.fail_under] + [parse_bar(b, "over") for b in args.fail_over]
    if args.workers < 1 or (args.limit is not None and args.limit < 1):
        raise AssistantError("--workers and --limit must be at least 1")
    items = load_qa_set(args.qa)
    items = items[: args.limit] if args.limit else items
    if args.baseline is not None:
        load_run(args.baseline)  # a bad baseline is reported before the questions are asked
    settings = _settings(args)
    doc = _doc_filter(args)
    service = AssistantService.from_settings(settings)
    service = _OneDocument(service, doc) if doc else service
    info = dict(qa_set=str(args.qa), limit=args.limit, corpus_dir=str(settings.corpus_dir),
                index_dir=str(settings.index_dir), top_k=settings.top_k, answerer=settings.answerer)
    run, written, results = _run_set(service, items, args.out, info, workers=args.workers,
                                     reports=not args.no_report, bars=bars, baseline=args.baseline)
    if args.junit:
        from assistant.evaluation.junit import write_junit
        from assistant.evaluation.runner import result_records

        written.append(write_junit(result_records(run), args.junit, suite=args.qa.name))
    Console().print(metrics_table(run.metrics))
    print(overall_line(run.metrics))
    if run.metrics["overall"].get("errors"):
        print(f"warning: {run.metrics['overall']['errors']:.0f} question(s) raised an error; see results.jsonl",
              file=sys.stderr)
    if run.info.get("unreadable_docs"):
        print(f"warning: cited files not found under {settings.corpus_dir}: {', '.join(run.info['unreadable_docs'])}"
              " (their citations count as offset mismatches)", file=sys.stderr)
    print(f"wrote {', '.join(p.name for p in written if p.parent == args.out)} in {args.out}"
          + "".join(f"; {p}" for p in written if p.parent != args.out))
    for result in results:
        print(result, file=sys.stdout if result.passed else sys.stderr)
    return 1 if any(not r.passed for r in results) else 0


ALL_SETS_COLUMNS = ("questions", "contains_gold", "short_f1", "short_em", "token_f1", "evidence_recall",
                    "citation_precision", "correct_abstention", "false_abstention", "offset_mismatch",
                    "latency_p95_ms")


def cmd_eval_all(args: argparse.Namespace) -> int:
    """The dev set and every external set, each with its own index and the model fitted without it: one table."""
    from rich.console import Console
    from rich.table import Table

    from assistant.evaluation.dataset import load_qa_set
    from assistant.evaluation.report import fmt_metric
    from assistant.service import AssistantService

    settings = _settings(args)
    plan = [("dev", args.dev, settings, args.models / "answer-model.json")]
    for qa in sorted(args.external.glob("*.jsonl")):
        article = args.external / "corpus" / f"{qa.stem}.md"
        if not article.is_file():
            raise AssistantError(f"no article {article} for the question set {qa}")
        plan.append((qa.stem, qa, None, args.models / f"answer-model.without-{qa.stem}.json"))
    summary: dict[str, dict] = {}
    for name, qa, set_settings, model in plan:
        if not model.is_file():
            raise AssistantError(f"no model {model} for the set {name}: run 'make fit'")
        set_settings = (set_settings or _article_settings(settings, name, args.external / "corpus" / f"{name}.md"))
        set_settings = set_settings.model_copy(update={"answer_model_path": model})
        print(f"{name}: {qa} with {model.name}", file=sys.stderr)
        run, _, _ = _run_set(AssistantService.from_settings(set_settings), load_qa_set(qa), args.out / name,
                          dict(qa_set=str(qa), corpus_dir=str(set_settings.corpus_dir), top_k=set_settings.top_k,
                               index_dir=str(set_settings.index_dir), answerer=set_settings.answerer),
                          workers=args.workers, reports=True)
        summary[name] = {"qa_set": str(qa), "model": str(model), "metrics": run.metrics["overall"],
                         "answer_model": run.info.get("answer_model")}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    table = Table(title=f"eval-all: {args.out}")
    table.add_column("metric")
    for name in summary:
        table.add_column(name, justify="right")
    for column in ALL_SETS_COLUMNS:
        table.add_row(column, *(fmt_metric(column, entry["metrics"].get(column)) for entry in summary.values()))
    Console().print(table)
    print(f"wrote {', '.join(summary)} run folders and summary.json in {args.out}")
    return 0


def _model_info(service) -> dict:  # noqa: ANN001
    """What run.json records of the answer model: its file, what it was fitted on, the abstention cut."""
    from assistant.answerers import ExtractiveAnswerer

    answerer = getattr(service, "answerer", None)
    answerer = getattr(answerer, "fallback", None) or getattr(answerer, "extractive", None) or answerer
    if not isinstance(answerer, ExtractiveAnswerer):
        return {}
    model = answerer.model
    return {"answer_model": {"path": model.path, "trained_on": [t["set"] for t in model.info.get("trained_on", [])],
                             "target_false_abstention": model.info.get("target_false_abstention"),
                             "abstain_threshold": answerer.abstain_threshold,
                             "span_threshold": model.span_threshold}}


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the answer model on QA sets, each with its own article indexed apart, and write the model file."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.evaluation.dataset import load_qa_set
    from assistant.learning import TrainingSet, fit_answer_model, gather_with
    from assistant.service import open_retriever

    settings = _settings(args)
    sets = [_parse_set(spec) for spec in args.set]
    trainings, total = [], 0
    for name, qa_file, article in sets:
        retriever = open_retriever(_article_settings(settings, name, article))
        trainings.append(TrainingSet(name, qa_file, gather_with(retriever, settings.max_history_turns)))
        total += len(load_qa_set(qa_file))
    target = args.target_false_abstention or settings.target_false_abstention
    with Progress(TextColumn("fitting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("fitting", total=total)
        model = fit_answer_model(trainings, target, progress=lambda n: bar.advance(task, n))
    model.save(args.out)
    oof = model.info["out_of_fold"]
    print(f"wrote {args.out}: fitted on {', '.join(n for n, _, _ in sets)} ({total} questions); abstain under "
          f"p(answerable) {model.abstain_threshold:.3f} (out of fold: false abstention {oof['false_abstention']:.3f}, "
          f"correct abstention {oof['correct_abstention']}); short answer over p {model.span_threshold:.3f}")
    return 0


def _parse_set(spec: str) -> tuple[str, Path, Path]:
    """``NAME=QA_FILE:ARTICLE`` → (name, QA file, article file)."""
    name, sep, rest = spec.partition("=")
    qa, sep2, article = rest.rpartition(":")
    if not sep or not sep2 or not name.strip():
        raise AssistantError(f"--set takes NAME=QA_FILE:ARTICLE, not {spec!r}")
    paths = Path(qa), Path(article)
    for path in paths:
        if not path.is_file():
            raise AssistantError(f"--set {name}: no such file {path}")
    return name.strip(), *paths


def _article_settings(settings: Settings, name: str, article: Path) -> Settings:
    """Settings for one article indexed as its own corpus (under ``<index_dir>/sets/<name>``), ingested."""
    import shutil

    from assistant.ingest import ingest

    root = Path(settings.index_dir) / "sets" / name
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / article.name
    if not target.exists() or target.read_bytes() != article.read_bytes():
        for old in corpus.iterdir():
            old.unlink()
        shutil.copyfile(article, target)
    own = settings.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index", "chroma_url": None})
    ingest(own)
    return own


def cmd_eval_compare(args: argparse.Namespace) -> int:
    """Two runs: metric deltas with bootstrap intervals and the questions whose outcome changed (for two
    ``eval-all`` folders, set by set), and with ``--html`` a page of it. More runs: one table."""
    from rich.console import Console

    from assistant.evaluation.compare import load_run, runs_table

    runs = args.runs
    if len(runs) < 2:
        raise AssistantError("eval-compare needs at least two run folders")
    if len(runs) > 2:
        if args.html:
            raise AssistantError("--html compares two runs; give two run folders")
        Console().print(runs_table([load_run(r) for r in runs], _run_names(runs)))
        return 0
    run_a, run_b = runs
    if (run_a / "summary.json").is_file() and (run_b / "summary.json").is_file():
        sets = sorted(set(json.loads((run_a / "summary.json").read_text(encoding="utf-8")))
                      & set(json.loads((run_b / "summary.json").read_text(encoding="utf-8"))))
        for name in sets:
            Console().rule(f"set {name}")
            html = args.html.with_name(f"{args.html.stem}-{name}{args.html.suffix}") if args.html else None
            _compare_two(run_a / name, run_b / name, html)
        return 0
    _compare_two(run_a, run_b, args.html)
    return 0


def _run_names(runs: Sequence[Path]) -> list[str]:
    """Short distinct names of run folders: their own names, else their parents', else A, B, C…"""
    for names in ([r.name for r in runs], [f"{r.parent.name}/{r.name}" for r in runs]):
        if all(names) and len(set(names)) == len(names):
            return names
    return [chr(ord("A") + i) for i in range(len(runs))]


def _compare_two(run_a: Path, run_b: Path, html: Path | None = None) -> None:
    """Print the deltas and changed outcomes between two run folders; write the comparison page to ``html``."""
    from rich.console import Console

    from assistant.evaluation.compare import (changes_table, compare_runs, deltas_table, load_run,
                                              render_comparison_html, type_deltas_table)

    a, b = load_run(run_a), load_run(run_b)
    name_a, name_b = _run_names([run_a, run_b])
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
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_comparison_html(a, b, comparison, name_a, name_b), encoding="utf-8")
        console.print(f"wrote {html}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``assistant`` command."""
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: ASSISTANT_INDEX_DIR or .assistant)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index every .txt/.md/.html/.pdf/.docx file of the corpus folder")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: ASSISTANT_CORPUS_DIR or corpus)")
    p.add_argument("--rebuild", action="store_true", help="re-embed everything into a fresh index")
    p.add_argument("--url", help="fetch this http(s) page (HTML or PDF) into the corpus folder, then ingest")
    p.add_argument("--name", help="with --url: the file name to keep it under (default: from the URL)")
    p.add_argument("--replace", action="store_true", help="with --url: replace a document of the same name")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("text", help="print the exact text a document was indexed with (citations index it)")
    p.add_argument("doc", help="document name, as citations give it")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("documents", help="list the indexed documents: format, title, author, date, URL, counts")
    p.add_argument("--json", action="store_true", help="one JSON object per document")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("check", help="verify the index: its HNSW files consistent, every collection readable")
    p.set_defaults(func=cmd_check)

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
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML: one test case per question, "
                   "a failure (with its reason) per wrong outcome")
    p.add_argument("--baseline", type=Path, metavar="RUN",
                   help="an earlier run folder: the report shows what changed since it")
    p.add_argument("--doc", metavar="NAME", help="ask every question of this document only (file name in the corpus)")
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("eval-all", help="the dev set and each external set (leave-one-article-out models), one table")
    p.add_argument("--out", type=Path, required=True, help="folder of the run folders (one per set) and summary.json")
    p.add_argument("--dev", type=Path, default=Path("../shared/qa/dev.jsonl"), help="the dev QA set (shipped corpus)")
    p.add_argument("--external", type=Path, default=Path("../shared/qa/external"),
                   help="folder of external QA sets NAME.jsonl with their articles in corpus/NAME.md")
    p.add_argument("--models", type=Path, default=Path(__file__).resolve().parent / "models",
                   help="folder of answer-model.json and answer-model.without-NAME.json")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="questions asked in parallel (default 1)")
    p.set_defaults(func=cmd_eval_all)

    p = sub.add_parser("fit", help="fit the learned answer model on QA sets (make fit)")
    p.add_argument("--set", action="append", required=True, metavar="NAME=QA_FILE:ARTICLE",
                   help="a QA set and the article it asks about, indexed as its own corpus (repeatable)")
    p.add_argument("--out", type=Path, required=True, help="model file to write (JSON)")
    p.add_argument("--target-false-abstention", type=float, metavar="RATE",
                   help="share of answerable questions the abstention threshold may turn away (default: setting)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("eval-compare", help="metric deltas (with bootstrap intervals) and changed outcomes between "
                       "two eval runs (or two eval-all folders, set by set); more runs give one table")
    p.add_argument("runs", type=Path, nargs="+", metavar="RUN",
                   help="run folders written by 'assistant eval --out' (the first is the reference)")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the comparison of two runs as a page")
    p.set_defaults(func=cmd_eval_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; user errors print one line to stderr and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
