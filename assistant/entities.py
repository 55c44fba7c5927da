"""Names in a question that the corpus never mentions.

A capitalised word inside a question ("Lavrov", "Biden") or an acronym ("US", "WHO") names
something; when no indexed passage mentions it, the corpus cannot answer a question about it.
An acronym counts as mentioned when the corpus spells it out ("EU" ↔ "European Union"), and a
word when the corpus has a word sharing all but its last three letters ("Asian" ↔ "Asia").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text import fold, stem, words

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Z]")
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+(?:(?:of|and|for|the)[ \t]+)?[A-Z][a-z]+)+")
MIN_PREFIX = 4
_SMALL = {"of", "and", "for", "the"}


class Vocabulary:
    """Words, stems and acronyms of the corpus, for telling a known name from an unknown one."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.acronyms: set[str] = set()
        for text in texts:
            self.words.update(words(text))
            for run in _NAME_RUN.findall(text):
                initials = "".join(w[0] for w in run.split() if w.lower() not in _SMALL)
                self.acronyms.add(initials.lower())
            self.acronyms.update(t.lower() for t in re.findall(r"\b[A-Z]{2,}\b", text))
        self.stems = {stem(w) for w in self.words}
        self.prefixes = {w[:n] for w in self.words for n in range(MIN_PREFIX, len(w) + 1)}

    def knows(self, token: str) -> bool:
        """Whether the corpus mentions ``token`` (as a word, a stem, or an acronym)."""
        compact = token.replace(".", "")
        if compact.isupper() and len(compact) >= 2 and compact.lower() in self.acronyms:
            return True
        parts = words(token) or [fold(token)]
        return all(p in self.words or stem(p) in self.stems or p[:max(MIN_PREFIX, len(p) - 3)] in self.prefixes
                   for p in parts)


def unknown_names(question: str, vocabulary: Vocabulary) -> list[str]:
    """Capitalised words and acronyms of ``question`` (not its first word) the corpus never mentions."""
    tokens = _TOKEN.findall(question)
    if not tokens:
        return []
    capitalised = [t for t in tokens[1:] if t[0].isupper() and t != "I"]
    if len(capitalised) > len(tokens) / 2:  # Title Case Questions carry no signal
        capitalised = [t for t in capitalised if t.replace(".", "").isupper()]
    first = tokens[0]
    if first.replace(".", "").isupper() and len(first) >= 2:
        capitalised.insert(0, first)
    return [t.strip("'’.") for t in capitalised if not vocabulary.knows(t)]
