"""Ingest throughput and query latency on a generated corpus of many articles.

    python bench/ingest_bench.py --articles 1000 --paragraphs 4

1. writes the corpus (bench/corpus_gen.py) and ingests it into a fresh index with the real
   MiniLM, loaded once beforehand (so neither figure includes the model load);
2. encodes the same passage texts (heading + text) with raw ``SentenceTransformer.encode`` in the
   same run, once before and once after the ingest, and compares passages/s with the mean of the two;
3. asks the dev questions against that index (ONNX query encoder), with and without a document
   filter, and prints p50/p95.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time

import numpy as np
from common import WORK, dev_questions, load_average, machine, summary_ms

from corpus_gen import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=4, help="paragraphs per generated article")
    parser.add_argument("--work", default=str(WORK), help="folder for the corpus and the index")
    args = parser.parse_args()

    from pathlib import Path

    from assistant.embeddings import QueryEncoder, build_embedder, build_query_embedder, ensure_onnx_export
    from assistant.ingest import _split_corpus, ingest
    from assistant.store import open_index
    from assistant.corpus import load_corpus
    from assistant.service import AssistantService
    from assistant.settings import Settings

    work = Path(args.work)
    corpus, index = work / f"corpus-{args.articles}", work / f"index-{args.articles}"
    shutil.rmtree(index, ignore_errors=True)
    generate(corpus, args.articles, args.paragraphs)
    settings = Settings(corpus_dir=corpus, index_dir=index)
    print(f"machine: {machine()}; load average before: {load_average()}")

    t = time.perf_counter()
    embedder = build_embedder(settings)
    embedder.embed_array(["warm up the model", "and its threads"])
    print(f"model load + warm-up: {time.perf_counter() - t:.1f} s")

    passages, _ = _split_corpus(load_corpus(corpus), settings.passage_max_words)
    texts = [f"{p.section}\n{p.text}" if p.section else p.text for p in passages]  # heading + text, whole

    def raw_encode() -> tuple[float, np.ndarray]:
        t = time.perf_counter()
        vectors = embedder._model.encode(texts, batch_size=settings.embed_batch_size,  # noqa: SLF001
                                         normalize_embeddings=True, convert_to_numpy=True)
        return time.perf_counter() - t, vectors

    raw_before_s, raw_vectors = raw_encode()  # raw runs before and after ingest, so load drift hits both
    print(f"raw SentenceTransformer.encode of the {len(texts)} passages: {raw_before_s:.1f} s")
    marks: list[float] = []  # when embedding started, then after each embedded chunk

    def progress(total: int):  # noqa: ANN202
        marks.append(time.perf_counter())
        return lambda n: marks.append(time.perf_counter())

    t = time.perf_counter()
    report = ingest(settings, embedder_factory=lambda: embedder, progress=progress, export_onnx=False)
    ingest_s = time.perf_counter() - t
    print(report.summary())
    stages = {"split": marks[0] - t, "embed": marks[-1] - marks[0], "write_and_commit": t + ingest_s - marks[-1]}
    print("ingest stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items()))
    raw_after_s, _ = raw_encode()
    raw_s = (raw_before_s + raw_after_s) / 2
    print(f"load average after ingest + raw encode: {load_average()}")

    index_ = open_index(settings)
    stored = index_.stored_embeddings(index_.manifest().generation, "passages", [p.id for p in passages])
    cosines = np.array([float(stored[p.id] @ raw_vectors[i]) for i, p in enumerate(passages)])
    results = {
        "articles": args.articles, "paragraphs_per_article": args.paragraphs,
        "passages": report.passages, "sentences": report.sentences, "texts_embedded": report.embedded,
        "ingest_s": round(ingest_s, 1), "ingest_passages_per_s": round(report.passages / ingest_s, 1),
        "ingest_stages_s": {name: round(seconds, 1) for name, seconds in stages.items()},
        "raw_encode_s": [round(raw_before_s, 1), round(raw_after_s, 1)],
        "raw_passages_per_s": round(len(texts) / raw_s, 1),
        "stored_vs_raw_passage_cosine": {"min": round(cosines.min(), 3), "mean": round(cosines.mean(), 3)},
    }
    results["ratio"] = round(results["ingest_passages_per_s"] / results["raw_passages_per_s"], 2)
    print(f"ingest: {report.passages} passages + {report.sentences} sentences ({report.embedded} texts through "
          f"the model) in {ingest_s:.1f} s = {results['ingest_passages_per_s']} passages/s end to end")
    print(f"raw SentenceTransformer.encode of the same passages: {raw_before_s:.1f} s before, {raw_after_s:.1f} s "
          f"after = {results['raw_passages_per_s']} passages/s")
    print(f"ratio ingest/raw: {results['ratio']}; stored passage vectors vs raw ones: cosine "
          f"min {cosines.min():.3f}, mean {cosines.mean():.3f}")

    ensure_onnx_export(settings, embedder)
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(build_query_embedder(settings)))
    service.ask("warm-up question about sanctions")
    items = dev_questions()
    docs = service.retriever.documents
    plain, filtered = [], []
    for i, item in enumerate(items):
        t = time.perf_counter()
        service.ask(item["question"], item.get("history") or [])
        plain.append(time.perf_counter() - t)
    for i, item in enumerate(items):
        t = time.perf_counter()
        service.ask(item["question"] + " ", item.get("history") or [], doc=docs[(i * 37) % len(docs)])
        filtered.append(time.perf_counter() - t)
    print(f"query latency at {args.articles} articles, no filter: {summary_ms(plain)}")
    print(f"query latency at {args.articles} articles, --doc filter: {summary_ms(filtered)}")
    results["query_ms"] = {"p50": round(sorted(plain)[len(plain) // 2] * 1000, 1),
                           "summary": summary_ms(plain), "filtered": summary_ms(filtered)}
    results["load_average_end"] = load_average()
    (work / f"ingest-{args.articles}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
