"""Names in a question that the corpus never mentions.

A capitalised word inside a question ("Lavrov", "Biden"), an acronym ("US", "WHO") or an
alphanumeric name ("G7", "COVID-19") names something; when no indexed passage mentions it, the
corpus cannot answer a question about it. What is not a name: the question's first word and the
first word after a full stop (sentence case), the pronoun "I" and its contractions ("I'm"), a
possessive's "'s" ("Putin's" is "Putin"), the lower-case parts of a hyphenated word ("Russian-led"
is "Russian"), plain numbers, and every capitalised word of a Title Case Question (only its
acronyms count). An acronym counts as mentioned when the corpus spells it out ("EU" ↔ "European
Union"), and a word when the corpus has a word sharing all but its last three letters ("Asian" ↔
"Asia").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text import STOP_WORDS, fold, stem, words

_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'’.-]*[A-Za-z0-9])?")
_SUFFIX = re.compile(r"(?:['’](?:s|m|re|ve|ll|d)|n['’]t|['’])$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.?!;:]\s+$")
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+(?:(?:of|and|for|the)[ \t]+)?[A-Z][a-z]+)+")
_NAME_IN_TEXT = re.compile(r"\b(?:[A-Z][\w’'-]*[A-Za-z0-9](?:\s+(?:of|for|the|de|van)\s+|\s+|-))*"
                           r"[A-Z][\w’'-]*[A-Za-z0-9]\b|\b[A-Z]{2,}\b")
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
        self.words.update(part for word in list(self.words) if "-" in word for part in word.split("-"))
        self._derive()

    def _derive(self) -> None:
        self.stems = {stem(w) for w in self.words}
        self.prefixes = {w[:n] for w in self.words for n in range(MIN_PREFIX, len(w) + 1)}

    def to_dict(self) -> dict[str, list[str]]:
        """The words and acronyms (sorted), from which ``from_dict`` rebuilds the same vocabulary."""
        return {"words": sorted(self.words), "acronyms": sorted(self.acronyms)}

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> Vocabulary:
        """The vocabulary ``to_dict`` described, without reading the corpus again."""
        vocabulary = cls(())
        vocabulary.words, vocabulary.acronyms = set(data["words"]), set(data["acronyms"])
        vocabulary._derive()
        return vocabulary

    def knows(self, token: str) -> bool:
        """Whether the corpus mentions ``token`` (as a word, a stem, or an acronym)."""
        compact = token.replace(".", "")
        if compact.isupper() and len(compact) >= 2 and compact.lower() in self.acronyms:
            return True
        parts = words(token) or [fold(token)]
        return all(p in self.words or stem(p) in self.stems or p[:max(MIN_PREFIX, len(p) - 3)] in self.prefixes
                   for p in parts)


def _is_acronym_or_alphanumeric(token: str) -> bool:
    compact = token.replace(".", "").replace("-", "")
    has_letter = any(c.isalpha() for c in compact)
    return has_letter and (any(c.isdigit() for c in compact) or (compact.isupper() and len(compact) >= 2))


def _name_parts(token: str) -> list[str]:
    """The parts of a capitalised token that name something: hyphen parts that are capitalised."""
    if "-" not in token or _is_acronym_or_alphanumeric(token):
        return [token]
    return [part for part in token.split("-") if part[:1].isupper()]


def name_tokens(question: str) -> list[str]:
    """Capitalised words, acronyms and alphanumerics of ``question`` that name something (see the
    module docstring for what is left out), in order, without repeats."""
    tokens: list[tuple[str, bool]] = []  # (token, starts a sentence)
    for match in _TOKEN.finditer(question):
        raw = _SUFFIX.sub("", match.group(0)).rstrip(".")
        if not raw:
            continue
        before = question[:match.start()]
        starts = not before.strip() or bool(_SENTENCE_BREAK.search(before))
        tokens.append((raw, starts))
    if not tokens:
        return []
    names = [t for t, starts in tokens if (t[0].isupper() and not starts and t.lower() != "i")
             or _is_acronym_or_alphanumeric(t)]
    words_only = [t for t, _ in tokens if not t.isdigit()]
    if len([t for t in words_only if t[0].isupper()]) > len(words_only) / 2:  # Title Case carries no signal
        names = [t for t in names if _is_acronym_or_alphanumeric(t)]
    out: list[str] = []
    for token in names:
        for part in _name_parts(token):
            if part not in out and not part.isdigit():
                out.append(part)
    return out


def unknown_names(question: str, vocabulary: Vocabulary) -> list[str]:
    """The names of ``question`` (``name_tokens``) that the corpus never mentions."""
    return [t for t in name_tokens(question) if not vocabulary.knows(t)]


def names_in(text: str) -> list[str]:
    """The names a sentence holds: runs of capitalised words and acronyms (its first word alone is not one)."""
    items = []
    for match in _NAME_IN_TEXT.finditer(text):
        parts = match.group(0).split()
        while parts and fold(parts[0]) in STOP_WORDS:  # "In Asia", "The Kremlin"
            parts = parts[1:]
        name = " ".join(parts)
        if not name or (match.start() == 0 and len(parts) == 1 and not name.isupper() and name == match.group(0)):
            continue
        items.append(name)
    return items
