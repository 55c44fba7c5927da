"""What the answer trace costs: warm latency with the full trace against a trace without candidates,
interleaved question by question, and the time and bytes the trace adds to an answer's JSON.

    python bench/trace_cost.py [--rounds 3]

Both services share one index and one query encoder; the only difference is ``trace_candidates``
(the default 5, against 0: the trace then holds the decision and the passages' ranks only). Every
question is asked of both, in alternating order, so machine noise falls on both alike.
"""

from __future__ import annotations

import argparse
import time

from common import dev_questions, load_average, machine, summary_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from assistant.answerers import build_answerer
    from assistant.service import AssistantService
    from assistant.settings import get_settings

    settings = get_settings()
    full = AssistantService.from_settings(settings)
    bare_settings = settings.model_copy(update={"trace_candidates": 0})
    bare = AssistantService(bare_settings, full.retriever, build_answerer(bare_settings))
    for service in (full, bare):
        service.ask("a warm-up question that is not in the dev set")
    items = dev_questions()
    print(f"machine: {machine()}; trace_candidates {settings.trace_candidates} vs 0; load average before: "
          f"{load_average()}")
    timings: dict[str, list[float]] = {"full": [], "bare": []}
    dump_with, dump_without, size_with, size_without = [], [], [], []
    for round_ in range(args.rounds):
        for n, item in enumerate(items):
            order = [("full", full), ("bare", bare)] if (n + round_) % 2 == 0 else [("bare", bare), ("full", full)]
            for name, service in order:
                t = time.perf_counter()
                answer = service.ask(item["question"], item.get("history") or [])
                timings[name].append(time.perf_counter() - t)
                if name == "full":
                    t = time.perf_counter()
                    size_with.append(len(answer.model_dump_json()))
                    dump_with.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    size_without.append(len(answer.model_dump_json(exclude={"trace"})))
                    dump_without.append(time.perf_counter() - t)
    print(f"ask with the full trace:          {summary_ms(timings['full'])}")
    print(f"ask with decision + ranks only:   {summary_ms(timings['bare'])}")
    print(f"answer JSON with trace:    {summary_ms(dump_with)}; mean {sum(size_with) / len(size_with) / 1024:.1f} KiB")
    print(f"answer JSON without trace: {summary_ms(dump_without)}; mean "
          f"{sum(size_without) / len(size_without) / 1024:.1f} KiB")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
