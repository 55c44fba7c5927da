"""Warm latency over the dev questions: our whole answer against the peer's retrieval alone, interleaved.

    python bench/latency.py [--rounds 3] [--encoder onnx|torch] [--no-peer] [--profile]

One loaded service and one loaded peer (bench/peer.py: the LangChain RAG tutorial's retrieval over
the same corpus, built once under .assistant/bench/). Each question is asked of both in turn, the
order alternating, so machine noise falls on both alike. Round 1 is each question's first time (its
embedding is computed); later rounds hit the service's query-embedding cache, as a repeated question
does in the web chat (the peer has no such cache). ``--profile`` also times the stages of our answer
(query encoding, the three rankings, the sentences, the answerer) over the first round. Uses the
index that ASSISTANT_INDEX_DIR / ASSISTANT_CORPUS_DIR name (default: the shipped article's).
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import dev_questions, load_average, machine, peer_store, percentile, ratio, summary_ms


def profile_stages(service, items: list[dict]) -> dict[str, list[float]]:  # noqa: ANN001
    """Seconds each stage of the answer took, per question (the retriever's and answerer's own steps, timed
    from outside on a fresh query cache)."""
    from assistant.followup import resolve
    from assistant.fusion import reciprocal_rank_fusion
    from assistant.questions import analyse

    retriever, answerer = service.retriever, service.answerer
    stages: dict[str, list[float]] = {}

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        out = fn()
        stages.setdefault(name, []).append(time.perf_counter() - t)
        return out

    for item in items:
        question = f"{item['question']} "  # a new text: not in the query cache
        resolved = timed("resolve follow-up", lambda: resolve(question, [], 6))  # noqa: B023
        timed("analyse the question", lambda: analyse(resolved.question))  # noqa: B023
        vector = timed("encode the question (ONNX)", lambda: retriever.encoder(resolved.standalone))  # noqa: B023
        timed("dense passages (Chroma)", lambda: retriever.reader.dense_search(vector, retriever.dense_k))  # noqa: B023
        timed("dense sentences (Chroma)",
              lambda: retriever.reader.dense_search_sentences(vector, retriever.dense_k))  # noqa: B023
        timed("BM25", lambda: retriever.lexical.search(resolved.standalone, retriever.lexical_k))  # noqa: B023
        rankings, _, _ = retriever._rankings(resolved.standalone, vector, None)  # noqa: SLF001
        timed("fusion", lambda: reciprocal_rank_fusion(rankings, k=retriever.rrf_k))  # noqa: B023
        evidence = timed("gather (all of the above, cached vector)", lambda: retriever.gather(resolved))  # noqa: B023
        timed("answerer", lambda: answerer.answer(evidence))  # noqa: B023
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoder", choices=["auto", "onnx", "torch"], default="auto")
    parser.add_argument("--limit", type=int, help="only the first N questions (smoke runs)")
    parser.add_argument("--no-peer", action="store_true", help="ours alone (no bench extra needed)")
    parser.add_argument("--profile", action="store_true", help="also time the stages of our answer")
    args = parser.parse_args()

    from assistant.service import AssistantService
    from assistant.settings import get_settings

    settings = get_settings().model_copy(update={"query_encoder": args.encoder})
    service = AssistantService.from_settings(settings)
    service.ask("a warm-up question that is not in the dev set")
    store = None
    if not args.no_peer:
        from peer import retrieve

        store = peer_store(settings.corpus_dir)
        retrieve(store, "a warm-up question that is not in the dev set")
    items = dev_questions()[: args.limit]
    print(f"machine: {machine()}; encoder: {type(service.retriever.encoder._embedder).__name__}; "  # noqa: SLF001
          f"load average before: {load_average()}")
    first, cached, peer = [], [], []
    for round_ in range(args.rounds):
        for n, item in enumerate(items):
            def ours() -> None:
                t = time.perf_counter()
                service.ask(item["question"], item.get("history") or [])  # noqa: B023
                (first if round_ == 0 else cached).append(time.perf_counter() - t)  # noqa: B023

            def theirs() -> None:
                t = time.perf_counter()
                retrieve(store, item["question"])  # noqa: B023
                peer.append(time.perf_counter() - t)

            for step in ([ours, theirs] if (n + round_) % 2 == 0 else [theirs, ours]) if store else [ours]:
                step()
    print(f"ours, whole answer, first time each question: {summary_ms(first)}")
    if cached:
        print(f"ours, whole answer, repeated questions (cached embedding): {summary_ms(cached)}")
    print(f"ours, whole answer, all rounds: {summary_ms(first + cached)}")
    if peer:
        print(f"peer, retrieval alone (similarity_search k=4), all rounds: {summary_ms(peer)}")
        for p in (50, 95):
            ours_first, ours_all, theirs = (percentile(v, p) for v in (first, first + cached, peer))
            print(f"ratio p{p} ours/peer: first time {ratio(ours_first, theirs)}, all rounds {ratio(ours_all, theirs)}")
    if args.profile:
        stages = profile_stages(service, items)
        print("stages of our answer (first time each question; median / p95 ms):")
        for name, seconds in stages.items():
            ms = [s * 1000 for s in seconds]
            print(f"  {statistics.median(ms):6.2f} / {percentile(ms, 95):6.2f}  {name}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
