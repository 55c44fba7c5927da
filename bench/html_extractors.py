"""Which HTML extractor keeps a news article and drops the page around it: trafilatura vs readability-lxml.

    python bench/html_extractors.py

Three page layouts written here (nothing downloaded): the tests' page (<article>, nav with a newsletter
offer, cookie banner, "most read", footer, scripts); a page whose story sits in plain <div>s with a
newsletter box and "related stories" inside the story and a comment section; a page whose byline and date
are only in JSON-LD. For each extractor: the article sentences kept, the boilerplate phrases that leaked
into the text, the metadata found (title, author, date), and the time per page.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.documents.pages import BOILERPLATE, HARBOUR_PARAGRAPHS, news_page  # noqa: E402

SENTENCES = [t for texts in HARBOUR_PARAGRAPHS.values() for t in texts]
LEAKS = (*BOILERPLATE, "Related stories", "Comments", "Sign up", "Great article")


def div_page() -> str:
    """The story in <div class="story-body">, with a promo box and related links inside it, and comments."""
    paragraphs = [f"<p>{t}</p>" for t in SENTENCES]
    paragraphs.insert(3, '<div class="promo">Sign up: our newsletter for just £4.99 a month</div>')
    paragraphs.insert(6, '<div class="related"><h4>Related stories</h4><ul><li><a href="/x">Celebrity chef '
                         'opens seaside restaurant</a></li></ul></div>')
    return f"""<!DOCTYPE html><html><head><title>Port Elland harbour reopens | Courier</title>
<meta name="author" content="Maria Lindqvist"><meta name="date" content="2024-03-05"></head><body>
<div class="top"><a href="/">Home</a> <a href="/login">Sign in</a> <a href="/s">Subscribe to our newsletter</a></div>
<div class="cookie">We use cookies. <button>Accept all cookies</button></div>
<div class="story"><h1>Port Elland harbour reopens after storm repairs</h1>
<div class="story-body">{''.join(paragraphs)}</div></div>
<div class="comments"><h3>Comments</h3><p>Great article, thanks!</p></div>
<div class="footer">© 2024 The Coastal Courier. All rights reserved.</div>
<script>function trackPageview(){{}}</script></body></html>"""


def json_ld_page() -> str:
    """The tests' page with its author and date only in JSON-LD."""
    page = news_page()
    page = re.sub(r'\s*<meta name="author"[^>]*>', "", page)
    page = re.sub(r'\s*<meta property="article:published_time"[^>]*>', "", page)
    page = re.sub(r'<p class="byline">.*?</p>', "", page, flags=re.S)
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
          '"headline": "Port Elland harbour reopens after storm repairs", "author": {"@type": "Person", '
          '"name": "Maria Lindqvist"}, "datePublished": "2024-03-05T08:30:00Z"}</script>')
    return page.replace("</head>", ld + "\n</head>")


def with_trafilatura(page: str) -> tuple[str, tuple[str, str, str]]:
    import trafilatura

    text = trafilatura.extract(page, output_format="markdown", include_comments=False, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(page)
    return text, (meta.title or "", meta.author or "", meta.date or "") if meta else ("", "", "")


def with_readability(page: str) -> tuple[str, tuple[str, str, str]]:
    import lxml.html
    from readability import Document

    doc = Document(page)
    text = lxml.html.fromstring(doc.summary()).text_content()
    return text, (doc.short_title() or "", "", "")


def main() -> None:
    pages = {"article+nav": news_page(), "div story": div_page(), "JSON-LD meta": json_ld_page()}
    print(f"{'extractor':<13} {'page':<13} {'kept':>6} {'leaked':>7} {'title/author/date':>18} {'ms':>6}")
    for name, extract in (("trafilatura", with_trafilatura), ("readability", with_readability)):
        totals = [0, 0, 0, 0.0]
        for label, page in pages.items():
            extract(page)  # warm-up (imports, caches)
            started = time.perf_counter()
            text, meta = extract(page)
            ms = (time.perf_counter() - started) * 1000
            flat = " ".join(text.split())
            kept = sum(s in flat for s in SENTENCES)
            leaked = [p for p in LEAKS if p in flat]
            found = sum(bool(m) for m in meta)
            totals = [totals[0] + kept, totals[1] + len(leaked), totals[2] + found, totals[3] + ms]
            print(f"{name:<13} {label:<13} {kept:>3}/{len(SENTENCES):<2} {len(leaked):>7} {found:>16}/3 {ms:>6.1f}"
                  + (f"   leaked: {', '.join(leaked)}" if leaked else ""))
        print(f"{name:<13} {'all':<13} {totals[0]:>3}/{len(SENTENCES) * len(pages):<2} {totals[1]:>7} "
              f"{totals[2]:>16}/{3 * len(pages)} {totals[3] / len(pages):>6.1f}")


if __name__ == "__main__":
    main()
