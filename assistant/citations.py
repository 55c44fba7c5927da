"""Checking a generated answer's ``[n]`` citations before anyone sees it.

A model is shown the retrieved passages numbered 1..N and asked to cite them as ``[n]``. Its text is
split into sentences and each sentence's markers are checked:

- a marker that names no retrieved passage (``[0]``, ``[N+1]``) is removed, and so is one whose
  passage shares no content word with the sentence (the sentence cannot come from it);
- a sentence left with no valid marker is kept in the text but listed as *unsupported*;
- an answer with no valid citation at all, or one that says it does not know, is the abstention.

Every kept marker becomes a ``Citation`` with exact offsets into the corpus file: the passage sentence
the model's sentence matches (quoted, or most of its content words found in one sentence) when there
is one, the whole passage otherwise. Markers are renumbered 1..k in order of first use, one per
distinct span, as in the extractive answers.

What it leaves out: it does not judge whether a cited passage entails the sentence (no NLI model
ships offline here); a sentence copied from a passage and cited to it is the well-supported case.

    >>> checked = check_citations("Medvedev proposed a treaty [2]. Bananas are blue [7].", passages, sentences)
    >>> checked.answer, checked.unsupported
    ('Medvedev proposed a treaty [1]. Bananas are blue.', ['Bananas are blue.'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.text import content_terms, fold
from assistant.types import Citation, RetrievedPassage, Sentence

# "[1]", "[1, 3]", "[1][2]", "[Passage 2]", "[source 1]" — the shapes models write.
MARKER = re.compile(r"\[\s*(?:passage|source|doc(?:ument)?)?\s*(\d+(?:\s*[,;]\s*(?:passage|source)?\s*\d+)*)\s*\]",
                    re.IGNORECASE)
# A sentence ends at . ! ? (closing quotes allowed) before white space, or at a line break; the
# markers written right after the full stop stay with their sentence.
_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"'”’)]*(?:\s*\[[^\[\]\n]{1,20}\])*(?=\s)|\n+"
)
_DONT_KNOW = re.compile(
    r"^\W*(?:i\s+(?:do\s*n[o']?t|cannot|can't)\s+(?:know|tell|answer|find)|unknown|no answer|"
    r"(?:the\s+)?(?:article|passages?|context|text|sources?)\s+(?:does|do)\s*(?:n[o']?t)\s+(?:say|mention|answer|state|contain))",
    re.IGNORECASE,
)
SENTENCE_MATCH = 0.6  # share of the claim's content words one passage sentence must hold


@dataclass(frozen=True)
class CheckedAnswer:
    """A generated answer after its citations were checked."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    removed_markers: list[str] = field(default_factory=list)
    says_unknown: bool = False

    @property
    def abstained(self) -> bool:
        """No valid citation (or an explicit "I don't know"): the answer must be the abstention."""
        return self.says_unknown or not self.citations


@dataclass
class _Claim:
    text: str           # the sentence without its markers
    markers: list[str]  # the markers as written, e.g. ["2", "7"]
    gap: str            # the white space that followed the sentence in the model's text


def split_claims(text: str) -> list[_Claim]:
    """The sentences of a model's text, each with the markers written in or right after it."""
    claims: list[_Claim] = []

    def add(raw: str, gap: str) -> None:
        stripped = raw.strip()
        if not stripped:
            if claims and gap == "\n":
                claims[-1].gap = gap
            return
        markers = [n for group in MARKER.findall(stripped) for n in re.findall(r"\d+", group)]
        words = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(MARKER.sub(" ", stripped).split()))
        if not re.search(r"\w", words) and claims:  # markers alone: they belong to the sentence before
            claims[-1].markers.extend(markers)
            if gap == "\n":
                claims[-1].gap = gap
            return
        claims.append(_Claim(words, markers, gap))

    pos = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0).startswith("\n"):
            add(text[pos:m.start()], "\n")
        else:
            add(text[pos:m.end()], " ")
        pos = m.end()
    add(text[pos:], "")
    return claims


def says_unknown(text: str) -> bool:
    """Whether the model's text opens by saying it cannot answer."""
    return bool(_DONT_KNOW.match(MARKER.sub(" ", text)))


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _best_sentence(claim: str, candidates: Iterable[Sentence]) -> Sentence | None:
    """The passage sentence the claim quotes or mostly repeats, if any."""
    norm = _normal(claim)
    terms = set(content_terms(claim))
    best, best_share = None, 0.0
    for s in candidates:
        if norm and (norm in _normal(s.text) or _normal(s.text) in norm):
            return s
        if terms:
            share = len(terms & set(content_terms(s.text))) / len(terms)
            if share > best_share:
                best, best_share = s, share
    return best if best_share >= SENTENCE_MATCH else None


def _supports(claim: str, passage: RetrievedPassage) -> bool:
    """A cited passage must share at least one content word with the sentence citing it."""
    terms = set(content_terms(claim))
    return not terms or bool(terms & set(content_terms(f"{passage.section} {passage.text}")))


def _span(claim: str, passage: RetrievedPassage, sentences: Sequence[Sentence]) -> tuple[str, str, int, int, str]:
    own = [s for s in sentences if s.doc == passage.doc and passage.start <= s.start and s.end <= passage.end]
    sentence = _best_sentence(claim, own)
    if sentence is not None:
        return sentence.doc, passage.section, sentence.start, sentence.end, sentence.text
    return passage.doc, passage.section, passage.start, passage.end, passage.text


def check_citations(text: str, passages: Sequence[RetrievedPassage], sentences: Sequence[Sentence] = ()) -> CheckedAnswer:
    """Check the ``[n]`` markers of ``text`` against ``passages`` (numbered from 1); see the module doc.

    ``sentences`` are the passages' sentences with exact offsets (``IndexReader.sentences_of``); without
    them every citation is passage-level.
    """
    claims = split_claims(text)
    spans: dict[tuple[str, int, int], Citation] = {}
    removed: list[str] = []
    unsupported: list[str] = []
    parts: list[str] = []
    for claim in claims:
        numbers: list[int] = []
        for written in claim.markers:
            n = int(written)
            if not 1 <= n <= len(passages) or not _supports(claim.text, passages[n - 1]):
                removed.append(written)
                continue
            doc, section, start, end, quoted = _span(claim.text, passages[n - 1], sentences)
            citation = spans.get((doc, start, end))
            if citation is None:
                citation = Citation(marker=len(spans) + 1, doc=doc, section=section, start=start, end=end,
                                    text=quoted)
                spans[(doc, start, end)] = citation
            if citation.marker not in numbers:
                numbers.append(citation.marker)
        if not numbers:
            unsupported.append(claim.text)
        parts.append(claim.text + "".join(f" [{n}]" for n in numbers) + claim.gap)
    answer = "".join(parts).strip()
    return CheckedAnswer(answer=answer, citations=list(spans.values()), unsupported=unsupported,
                         removed_markers=removed, says_unknown=says_unknown(text))


class MarkerFilter:
    """Drops out-of-range ``[n]`` markers from streamed text as it arrives.

    Text after an unclosed ``[`` is held back (at most a few characters) until the bracket closes.

        >>> f = MarkerFilter(3); "".join([f.feed("Yes [1"), f.feed("2] and [2]."), f.flush()])
        'Yes  and [2].'
    """

    HOLD = 24

    def __init__(self, n_passages: int) -> None:
        self._n = n_passages
        self._held = ""

    def _keep(self, m: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
        return m.group(0) if numbers and all(1 <= n <= self._n for n in numbers) else ""

    def feed(self, chunk: str) -> str:
        """The part of the text so far that can be shown."""
        text = self._held + chunk
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= self.HOLD:
            text, self._held = text[:cut], text[cut:]
        else:
            self._held = ""
        return MARKER.sub(self._keep, text)

    def flush(self) -> str:
        """Whatever is still held back."""
        text, self._held = self._held, ""
        return MARKER.sub(self._keep, text)


def chunks_of(text: str, words_per_chunk: int = 3) -> Iterator[str]:
    """``text`` in pieces of a few words (with their following white space); they join back to ``text``."""
    pieces = re.findall(r"\S+\s*", text)
    lead = text[: len(text) - len(text.lstrip())]
    for i in range(0, len(pieces), words_per_chunk):
        yield (lead if i == 0 else "") + "".join(pieces[i:i + words_per_chunk])


__all__ = ["MARKER", "CheckedAnswer", "MarkerFilter", "check_citations", "chunks_of", "says_unknown",
           "split_claims"]
