"""``assistant ingest --url``: fetch one page (http/https only) and name it for the corpus folder.

The request has a timeout (``fetch_timeout_s``), the body is read up to ``max_document_bytes`` and no
further, and the response must say it is HTML (``text/html``, ``application/xhtml+xml``) or a PDF.
Redirects are followed only to http/https. The page is then added like an upload (``library``): kept
in the corpus with its URL beside it (``page.html.url``), and ingested.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from assistant.errors import CorpusError
from assistant.settings import Settings

CONTENT_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf"}
USER_AGENT = "assistant/0.1 (+article ingest)"


class FetchError(CorpusError):
    """The URL could not be fetched as a page: bad scheme, unreachable, too large, not HTML or PDF."""


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the URL it was asked for, its bytes, and the suffix its content type gives."""

    url: str
    data: bytes
    suffix: str


def check_url(url: str) -> str:
    """``url`` when it is http(s) with a host; FetchError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http:// and https:// URLs can be ingested, not {url[:80]!r}")
    return url.strip()


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201, PLR0913
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, settings: Settings) -> Fetched:
    """GET ``url`` within the timeout and size cap; FetchError (one line) when it is not a usable page."""
    url = check_url(url)
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "text/html,application/xhtml+xml,application/pdf"})
    limit = settings.max_document_bytes
    try:
        with opener.open(request, timeout=settings.fetch_timeout_s) as response:
            kind = (response.headers.get_content_type() or "").lower()
            suffix = CONTENT_TYPES.get(kind)
            if suffix is None:
                raise FetchError(f"{url[:80]} is {kind or 'of no stated type'}, not an HTML page or a PDF")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"{url[:80]} is {int(length) / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB "
                                 "(ASSISTANT_MAX_DOCUMENT_BYTES)")
            data = response.read(limit + 1)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"fetching {url[:80]} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"fetching {url[:80]} failed: {reason}") from None
    if len(data) > limit:
        raise FetchError(f"{url[:80]} is over {limit / 1e6:.1f} MB (ASSISTANT_MAX_DOCUMENT_BYTES)")
    return Fetched(url, data, suffix)


def name_for(url: str, suffix: str) -> str:
    """A corpus file name made from the URL's host and path, e.g. ``example.org-news-harbour.html``."""
    parts = urlsplit(url)
    path = re.sub(r"\.(html?|php|aspx?|pdf)$", "", parts.path.strip("/"), flags=re.IGNORECASE)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname}-{path}").strip("-").lower()
    return slug[:100].rstrip("-") + suffix
