"""Warm answer latency over the dev questions: one loaded service, each question asked in turn.

    python bench/latency.py [--rounds 3] [--encoder onnx|torch]

Round 1 is each question's first time (its embedding is computed); later rounds hit the
service's query-embedding cache, as a repeated question does in the web chat. Uses the index
that ASSISTANT_INDEX_DIR / ASSISTANT_CORPUS_DIR name (default: the shipped article's).
"""

from __future__ import annotations

import argparse
import time

from common import dev_questions, load_average, machine, summary_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoder", choices=["auto", "onnx", "torch"], default="auto")
    parser.add_argument("--limit", type=int, help="only the first N questions (smoke runs)")
    args = parser.parse_args()

    from assistant.service import AssistantService
    from assistant.settings import get_settings

    settings = get_settings().model_copy(update={"query_encoder": args.encoder})
    service = AssistantService.from_settings(settings)
    service.ask("a warm-up question that is not in the dev set")
    items = dev_questions()[: args.limit]
    print(f"machine: {machine()}; encoder: {type(service.retriever.encoder._embedder).__name__}; "  # noqa: SLF001
          f"load average before: {load_average()}")
    first, cached = [], []
    for round_ in range(args.rounds):
        for item in items:
            t = time.perf_counter()
            service.ask(item["question"], item.get("history") or [])
            (first if round_ == 0 else cached).append(time.perf_counter() - t)
    print(f"warm latency, first time each question: {summary_ms(first)}")
    if cached:
        print(f"warm latency, repeated questions (cached embedding): {summary_ms(cached)}")
    print(f"warm latency, all rounds: {summary_ms(first + cached)}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
