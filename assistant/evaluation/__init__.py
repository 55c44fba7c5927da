"""Running question-answer sets against the assistant and scoring the answers.

Example::

    from assistant.evaluation import load_qa_set, run_eval, write_run
    run = run_eval(service, load_qa_set(Path("../shared/qa/dev.jsonl")), workers=2)
    write_run(run, Path("eval-out"))   # results.jsonl, metrics.json, ragas.jsonl, report.md/.html
"""

from assistant.evaluation.dataset import DatasetError, QAItem, load_qa_set
from assistant.evaluation.runner import EvalRun, run_eval, write_run

__all__ = ["DatasetError", "EvalRun", "QAItem", "load_qa_set", "run_eval", "write_run"]
