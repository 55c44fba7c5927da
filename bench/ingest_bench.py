"""Ingest throughput, query latency and memory on a generated corpus of many articles, beside the peer.

    python bench/ingest_bench.py --articles 1000 --paragraphs 4 [--distinct] [--server] [--raw-runs 2]
                                 [--raw-sample N] [--no-peer]

1. writes the corpus (bench/corpus_gen.py; ``--distinct``: every sentence a new text) and ingests it into a fresh index with the real
   MiniLM, loaded once beforehand (so neither figure includes the model load); ``--server`` puts
   the index on a `chroma run` server started for the run (its data under the work folder);
2. encodes the same passage texts (heading + text) with raw ``SentenceTransformer.encode`` in the
   same run, before and (``--raw-runs 2``) after the ingest, and compares passages/s with the mean
   (``--raw-sample N``: only the first N passages, for a rate without re-encoding a large corpus);
3. indexes the same corpus the peer's way (bench/peer.py: 1000/200 character chunks,
   HuggingFaceEmbeddings of the same model, loaded beforehand too, ``Chroma.add_documents``), on
   the same store kind, and prints both times and their ratio;
4. asks the dev questions against both, interleaved: our whole answer (ONNX query encoder) and the
   peer's ``similarity_search`` (k = 4), then ours with a document filter; prints p50/p95 and ratios;
5. prints this process's peak RSS (the model, our service and the peer all loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import WORK, dev_questions, free_port, load_average, machine, peer_folder, percentile, ratio, summary_ms

from corpus_gen import generate


def start_chroma(path, port: int) -> subprocess.Popen:  # noqa: ANN001
    """`chroma run` over ``path`` on a loopback port; returns once it accepts connections."""
    import socket

    server = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(path),
                               "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("chroma run did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=4, help="paragraphs per generated article")
    parser.add_argument("--work", default=str(WORK), help="folder for the corpus and the index")
    parser.add_argument("--server", action="store_true", help="index on a `chroma run` server")
    parser.add_argument("--raw-runs", type=int, choices=[1, 2], default=2, help="raw encodes (before / and after)")
    parser.add_argument("--raw-sample", type=int, help="raw-encode only the first N passages (default: all)")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--distinct", action="store_true", help="every sentence a new text (bench/corpus_gen.py)")
    args = parser.parse_args()
    from assistant.settings import Settings

    work = Path(args.work)
    kind = "server" if args.server else "local"
    name = f"{args.articles}" + ("-distinct" if args.distinct else "")
    corpus, index = work / f"corpus-{name}", work / (f"index-{name}" + ("-server" if args.server else ""))
    shutil.rmtree(index, ignore_errors=True)
    generate(corpus, args.articles, args.paragraphs, distinct=args.distinct)
    server, url = None, None
    if args.server:
        port = free_port()
        server, url = start_chroma(index / "chroma-server", port), f"http://127.0.0.1:{port}"
    settings = Settings(corpus_dir=corpus, index_dir=index, chroma_url=url)
    print(f"machine: {machine()}; store: {kind}; load average before: {load_average()}")
    try:
        run(args, settings, work, corpus, url, kind)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


def run(args, settings, work, corpus, url, kind) -> None:  # noqa: ANN001, C901, PLR0915
    from assistant.embeddings import QueryEncoder, build_embedder, build_query_embedder, ensure_onnx_export
    from assistant.ingest import _split_corpus, ingest
    from assistant.store import open_index
    from assistant.corpus import load_corpus
    from assistant.service import AssistantService

    t = time.perf_counter()
    embedder = build_embedder(settings)
    embedder.embed_array(["warm up the model", "and its threads"])
    print(f"model load + warm-up: {time.perf_counter() - t:.1f} s")

    passages, _ = _split_corpus(load_corpus(corpus), settings.passage_max_words)
    passages = passages[: args.raw_sample]  # those raw encode gets: all, or the first N
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
    raw_after_s = raw_encode()[0] if args.raw_runs == 2 else raw_before_s
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
    print(f"raw SentenceTransformer.encode of {len(texts)} of the same passages: {raw_before_s:.1f} s before, "
          f"{raw_after_s:.1f} s after = {results['raw_passages_per_s']} passages/s")
    print(f"ratio ingest/raw: {results['ratio']}; stored passage vectors vs raw ones: cosine "
          f"min {cosines.min():.3f}, mean {cosines.mean():.3f}")

    peer_store = None
    if not args.no_peer:
        import peer

        hf = peer.embeddings()
        hf.embed_documents(["warm up the model", "and its threads"])
        folder = peer_folder(corpus)
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        peer_store = peer.build(corpus, folder, url, hf)
        peer_s = time.perf_counter() - t
        if url is None:
            (folder / "done").touch()
        chunks = len(peer_store.get(include=[])["ids"])
        results.update(peer_ingest_s=round(peer_s, 1), peer_chunks=chunks,
                       peer_chunks_per_s=round(chunks / peer_s, 1))
        print(f"peer ingest ({kind}): {chunks} chunks of <= 1000 characters in {peer_s:.1f} s "
              f"= {chunks / peer_s:.1f} chunks/s")
        print(f"ratio ingest time ours/peer: {ratio(ingest_s, peer_s)} (ours embeds "
              f"{report.embedded} texts, the peer {chunks}; the corpus is the same)")

    ensure_onnx_export(settings, embedder)
    service = AssistantService.from_settings(settings, encoder=QueryEncoder(build_query_embedder(settings)))
    service.ask("warm-up question about sanctions")
    items = dev_questions()
    docs = service.retriever.documents
    plain, filtered, theirs = [], [], []
    for i, item in enumerate(items):
        def ours() -> None:
            t = time.perf_counter()
            service.ask(item["question"], item.get("history") or [])  # noqa: B023
            plain.append(time.perf_counter() - t)

        def peers() -> None:
            t = time.perf_counter()
            peer.retrieve(peer_store, item["question"])  # noqa: B023
            theirs.append(time.perf_counter() - t)

        for step in ([ours, peers] if i % 2 == 0 else [peers, ours]) if peer_store else [ours]:
            step()
    for i, item in enumerate(items):
        t = time.perf_counter()
        service.ask(item["question"] + " ", item.get("history") or [], doc=docs[(i * 37) % len(docs)])
        filtered.append(time.perf_counter() - t)
    print(f"query latency at {args.articles} articles ({kind}), ours, whole answer: {summary_ms(plain)}")
    if theirs:
        print(f"query latency at {args.articles} articles ({kind}), peer, retrieval alone: {summary_ms(theirs)}")
        print(f"ratio ours/peer: p50 {ratio(percentile(plain, 50), percentile(theirs, 50))}, "
              f"p95 {ratio(percentile(plain, 95), percentile(theirs, 95))}")
    print(f"query latency at {args.articles} articles ({kind}), ours with a --doc filter: {summary_ms(filtered)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (torch model, our service{', the peer' if theirs else ''}): {peak:.0f} MB")
    results["query_ms"] = {"ours": summary_ms(plain), "peer": summary_ms(theirs) if theirs else None,
                           "filtered": summary_ms(filtered)}
    results["peak_rss_mb"] = round(peak)
    results["load_average_end"] = load_average()
    (work / f"ingest-{corpus.name.removeprefix('corpus-')}-{kind}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
