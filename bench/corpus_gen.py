"""A deterministic corpus of many articles from the shipped article's paragraphs, reshuffled and renamed.

    python bench/corpus_gen.py OUT_DIR --articles 1000 --paragraphs 4

Each article gets a made-up title, then two sections, each a heading of the shipped article and
``paragraphs / 2`` of its paragraphs drawn (seeded by the article number) and shuffled. The same
seed always gives the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

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


def article(number: int, headings: list[str], paragraphs: list[str], per_article: int, seed: int) -> str:
    """The text of article ``number``."""
    rng = random.Random(seed * 1_000_003 + number)
    chosen = rng.sample(paragraphs, min(per_article, len(paragraphs)))
    half = max(1, len(chosen) // 2)
    first, second = rng.sample(headings[1:], 2)
    lines = [f"Briefing {number:04d}: {rng.choice(headings)}", "", first, *chosen[:half], "", second, *chosen[half:]]
    return "\n".join(lines) + "\n"


def generate(out: Path, articles: int = 1000, per_article: int = 4, seed: int = 0) -> list[Path]:
    """Write ``articles`` files ``briefing-NNNN.txt`` into ``out`` (replacing older ones)."""
    headings, paragraphs = pieces(SOURCE.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("briefing-*.txt"):
        old.unlink()
    files = []
    for n in range(articles):
        path = out / f"briefing-{n:04d}.txt"
        path.write_text(article(n, headings, paragraphs, per_article, seed), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=4, help="paragraphs per article")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files = generate(args.out, args.articles, args.paragraphs, args.seed)
    print(f"wrote {len(files)} articles to {args.out}")


if __name__ == "__main__":
    main()
