"""Word-level text handling shared by BM25 and the answerer: normalising, stop words, stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " ", "–": " "})

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else ever few for from further
had has have having he her here hers herself him himself his how however i if in into is it its itself
just least less let like many may me might more most much must my myself neither no nor not now of off
often on once one only or other others our ours ourselves out over own per quite rather same shall she
should since so some such than that the their theirs them themselves then there these they this those
through thus to too under until up upon us very via was we were what whatever when where whether which
while who whom whose why will with within without would yet you your yours yourself yourselves
according article articles piece text say says said tell told mention mentions mentioned actually
really thing things way kind sort anything something give gives given
""".split())

_stemmer = Stemmer.Stemmer("english")
_CITATION_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def fold(text: str) -> str:
    """Lower-case, typographic quotes and dashes folded, accents removed."""
    text = text.translate(_FOLD).lower()
    if text.isascii():  # the common case: nothing to strip
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


TEXT_CACHE = 16384  # texts whose words and content terms are kept: the sentences asked about again and again


@lru_cache(maxsize=TEXT_CACHE)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w[:-2] if w.endswith("'s") else w for w in _WORD.findall(fold(text)))


def words(text: str) -> list[str]:
    """The words of ``text`` after folding, possessive ``'s`` removed."""
    return list(_words(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem of one folded word."""
    return _stemmer.stemWord(word)


@lru_cache(maxsize=TEXT_CACHE)
def _content_terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _words(text) if w not in STOP_WORDS)


def content_terms(text: str) -> list[str]:
    """Stemmed words of ``text`` without stop words: the tokens BM25 and lexical overlap use."""
    return list(_content_terms(text))


_QUESTION_IDIOMS = re.compile(
    r"\b(?:point of view|part of|things like|kind of|sort of|type of|in terms of|according to|"
    r"with regard to|when it comes to|is said to|does the (?:article|piece|text|author) say)\b",
    re.IGNORECASE,
)


def question_terms(question: str) -> list[str]:
    """Content terms of a question, without phrasing idioms ("point of view", "part of"…)."""
    return content_terms(_QUESTION_IDIOMS.sub(" ", question))


def strip_markers(text: str) -> str:
    """``text`` without citation markers such as ``[1]`` or ``[1, 2]`` (and the space before them)."""
    return _CITATION_MARKER.sub("", text).strip()


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and line feed."""
_TERMINAL_CONTROL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|"
                               + CONTROL.pattern)
_SURROGATE = re.compile("[\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """``text`` without escape sequences and control characters (tab and line feed kept), so that text
    from a corpus, a question or a model cannot drive the terminal it is printed to."""
    return _TERMINAL_CONTROL.sub("", text)


def printable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that it can be encoded as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def check_unicode(text: str | None, what: str) -> None:
    """QuestionError when ``text`` holds a lone surrogate: invalid Unicode, e.g. JSON's "\\ud800" or a
    command-line argument that was not UTF-8."""
    from assistant.errors import QuestionError

    if text is not None and _SURROGATE.search(text):
        raise QuestionError(f"the {what} holds invalid Unicode (a lone surrogate): send UTF-8 text")
