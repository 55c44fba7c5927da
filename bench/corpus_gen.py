"""A deterministic corpus of many articles from the shipped article's paragraphs, reshuffled and renamed.

    python bench/corpus_gen.py OUT_DIR --articles 1000 --paragraphs 4 [--distinct]

Each article gets a made-up title, then two sections, each a heading of the shipped article and
``paragraphs / 2`` of its paragraphs drawn (seeded by the article number) and shuffled. The same
seed always gives the same files, byte for byte. Drawn paragraphs repeat across articles, and ingest
embeds a text once however often it occurs; with ``distinct`` every sentence is opened by its
article's number ("In briefing 0042, …"), so that every sentence and passage is a new text to embed,
as in a corpus of real articles.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from assistant.splitting import sentence_spans

SOURCE = Path(__file__).resolve().parent.parent / "corpus" / "global-security-architecture.txt"
_SENTENCE_END = re.compile(r"[.!?”\"’:]$")


def pieces(text: str) -> tuple[list[str], list[str]]:
    """(headings, paragraphs) of the shipped article: headings are short lines without end punctuation."""
    headings, paragraphs = [], []
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if len(line.split()) <= 12 and not _SENTENCE_END.search(line):
            headings.append(line)
        else:
            paragraphs.append(line)
    return headings, paragraphs


def _tagged(paragraph: str, number: int) -> str:
    """``paragraph`` with each sentence opened by the article's number."""
    return " ".join(f"In briefing {number:04d}, {paragraph[s:e]}" for s, e in sentence_spans(paragraph))


def article(number: int, headings: list[str], paragraphs: list[str], per_article: int, seed: int,
            distinct: bool = False) -> str:
    """The text of article ``number`` (every sentence its own with ``distinct``)."""
    rng = random.Random(seed * 1_000_003 + number)
    chosen = rng.sample(paragraphs, min(per_article, len(paragraphs)))
    if distinct:
        chosen = [_tagged(p, number) for p in chosen]
    half = max(1, len(chosen) // 2)
    first, second = rng.sample(headings[1:], 2)
    lines = [f"Briefing {number:04d}: {rng.choice(headings)}", "", first, *chosen[:half], "", second, *chosen[half:]]
    return "\n".join(lines) + "\n"


def generate(out: Path, articles: int = 1000, per_article: int = 4, seed: int = 0, distinct: bool = False) -> list[Path]:
    """Write ``articles`` files ``briefing-NNNN.txt`` into ``out`` (replacing older ones)."""
    headings, paragraphs = pieces(SOURCE.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("briefing-*.txt"):
        old.unlink()
    files = []
    for n in range(articles):
        path = out / f"briefing-{n:04d}.txt"
        path.write_text(article(n, headings, paragraphs, per_article, seed, distinct), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=4, help="paragraphs per article")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distinct", action="store_true", help="every sentence a new text (see above)")
    args = parser.parse_args()
    files = generate(args.out, args.articles, args.paragraphs, args.seed, args.distinct)
    print(f"wrote {len(files)} articles to {args.out}")


if __name__ == "__main__":
    main()
