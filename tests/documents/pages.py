"""Real-looking news pages, PDFs and Word files, written by the tests themselves (nothing downloaded).

Each page has what a news site wraps an article in: a navigation bar selling a newsletter, a cookie
banner, a "most read" list, a footer and scripts; the article has a headline, a byline, a date and
sub-headed paragraphs. ``BOILERPLATE`` are phrases that must never reach the indexed text.
"""

from __future__ import annotations

import io
from pathlib import Path

BOILERPLATE = ("newsletter", "£4.99", "cookies", "Most read", "All rights reserved", "trackPageview",
               "Celebrity chef", "Sign in")

HARBOUR_PARAGRAPHS = {
    "": [
        "The harbour of Port Elland reopened on Tuesday after a six-week closure caused by storm damage to the "
        "northern breakwater.",
        "Harbour master Ingrid Solberg said the repairs cost 2.4 million euros and were paid for by the regional "
        "council.",
    ],
    "Fishing fleet returns": [
        "Forty-two fishing boats sailed out on the first morning, according to the local cooperative.",
        "The cooperative's chair, Tomas Reyes, said the closure had cost each crew about 9,000 euros in lost catches.",
    ],
    "What comes next": [
        "Engineers will inspect the breakwater again in March before the spring tides.",
        "The council has also approved a study of a second, outer breakwater to protect the harbour from future storms.",
    ],
}


def news_page(title: str = "Port Elland harbour reopens after storm repairs", author: str = "Maria Lindqvist",
              date: str = "2024-03-05", paragraphs: dict[str, list[str]] | None = None) -> str:
    """A whole news page around an article made of ``paragraphs`` (section heading → paragraphs)."""
    paragraphs = HARBOUR_PARAGRAPHS if paragraphs is None else paragraphs
    body = []
    for section, texts in paragraphs.items():
        if section:
            body.append(f"<h2>{section}</h2>")
        body.extend(f"<p>{t}</p>" for t in texts)
    article = "\n      ".join(body)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | The Coastal Courier</title>
  <meta name="author" content="{author}">
  <meta property="og:title" content="{title}">
  <meta property="article:published_time" content="{date}T08:30:00Z">
  <script>window.dataLayer = []; function trackPageview() {{ dataLayer.push('view'); }}</script>
  <style>nav a {{ margin: 0 4px; }}</style>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
    <button>Accept all cookies</button> <button>Manage cookies</button></div>
  <header>
    <nav class="main-nav">
      <a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/login">Sign in</a>
      <a href="/subscribe">Subscribe to our newsletter for just £4.99 a month</a>
    </nav>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By <span class="author">{author}</span> · <time datetime="{date}">{date}</time></p>
      {article}
    </article>
    <aside class="most-read">
      <h3>Most read</h3>
      <ol>
        <li><a href="/a">Celebrity chef opens seaside restaurant</a></li>
        <li><a href="/b">Ferry timetable changes for the winter season</a></li>
        <li><a href="/c">Ten walks along the coast this weekend</a></li>
      </ol>
    </aside>
  </main>
  <footer><p>© 2024 The Coastal Courier. All rights reserved.</p>
    <p>Subscribe to our newsletter for just £4.99 a month.</p></footer>
  <script>trackPageview();</script>
</body>
</html>
"""


def minimal_pdf(pages: list[list[str]], title: str = "", author: str = "") -> bytes:
    """A PDF with a text layer, one list of lines per page, built with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    for lines in pages:
        y = 800
        for line in lines:
            size = 16 if line.isupper() else 11
            canvas.setFont("Helvetica-Bold" if size == 16 else "Helvetica", size)
            canvas.drawString(60, y, line)
            y -= 22 if size == 16 else 15
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def image_only_pdf() -> bytes:
    """A 'scanned' PDF: one page with a drawn rectangle and no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.rect(50, 50, 400, 600, fill=1)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def encrypted_pdf(pages: list[list[str]], password: str = "secret") -> bytes:
    """A PDF that needs a password to open (encrypted with pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(pages))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_document(title: str, author: str, sections: dict[str, list[str]]) -> bytes:
    """A DOCX built with python-docx: a Title paragraph, then each section's Heading 1 and paragraphs."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.add_paragraph(title, style="Title")
    for heading, texts in sections.items():
        if heading:
            document.add_heading(heading, level=1)
        for text in texts:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PDF_PAGES = [["CITY BUDGET REPORT", "The city council approved a budget of 12 million euros for",
              "new bicycle lanes on Monday.", "Mayor Anna Berg said the work starts in May."],
             ["SCHOOLS", "Three new schools will open in the autumn of next year, the council said."]]
LIBRARY = {"Background": ["The central library closed in 2023 for a renovation costing 8 million euros."],
           "Reopening": ["The library will reopen on 1 June with a new children's wing."]}


def write_corpus(folder: Path) -> None:
    """harbour.html, report.pdf and library.docx."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.html").write_text(news_page(), encoding="utf-8")
    (folder / "report.pdf").write_bytes(minimal_pdf(PDF_PAGES, title="City budget report", author="Press office"))
    (folder / "library.docx").write_bytes(word_document("Library renovation", "Jon Park", LIBRARY))
