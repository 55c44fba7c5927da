"""What kind of answer a question asks for, and whether a sentence holds one.

"How many" wants a number, "how much" a quantity, "how much money" an amount, "when" a date, "how long" a duration,
"who" a name. A sentence that lacks the asked-for kind cannot answer the question, however
similar it is: that is the main signal for abstaining on facts the article does not give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from assistant.text import stem, words

_CARDINALS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|twenty|thirty|forty|"
              r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|half|percent")
_NUMBER_WORDS = _CARDINALS + r"|dozens|hundreds|thousands|millions|billions|several|a few|a couple"
_YEAR = r"\b(?:1[5-9]\d\d|20\d\d)(?:s\b|\b)"
_MONTH = r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b"
_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))"
_LENGTH = (r"(?:km|kilomet(?:re|er)s?|met(?:re|er)s?|m|miles?|mi|feet|ft|yards?|inches|cm|centimet(?:re|er)s?|"
           r"mm|nautical miles?)")


class AnswerType(Enum):
    """The kind of fact a question asks for."""

    ANY = "any"
    COUNT = "count"
    QUANTITY = "quantity"
    MONEY = "money"
    DATE = "date"
    DURATION = "duration"
    YEARS_BETWEEN = "years_between"
    NAME = "name"
    YES_NO = "yes_no"


_QUESTION_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.YEARS_BETWEEN, re.compile(r"\bhow many (?:years?|yrs?|decades?)\b.*\b(?:between|from|after|since|before)\b")),
    (AnswerType.MONEY, re.compile(r"\bhow much (?:money|cash|funding|capital)\b|\bhow much\b.*\b(?:cost|spen[dt]|invest\w*|pa(?:y|id)|worth|fund\w*|budget)\b|\bwhat (?:amount|sum|price)\b")),
    (AnswerType.DURATION, re.compile(r"\bhow long\b|\bfor how long\b|\bhow many (?:years?|yrs?|decades?|months?|days?|hours?|minutes?)\b")),
    (AnswerType.COUNT, re.compile(r"\bhow many\b")),
    (AnswerType.QUANTITY, re.compile(r"\bhow much\b|\bwhat (?:number|percentage|share|proportion|volume)\b")),
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:year|date|month|decade|day|century)\b|\bwhich (?:year|date|month|decade|century)\b|\bin what year\b")),
    (AnswerType.NAME, re.compile(r"^\s*who\b|\bwho (?:is|was|were|are|did|said)\b|\bwhich (?:person|leader|president|official|minister)\b")),
    (AnswerType.YES_NO, re.compile(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b")),
]

_SENTENCE_PATTERNS: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.QUANTITY: re.compile(r"\b\d[\d,.]*\b|%|\b(?:" + _CARDINALS + r")\b", re.IGNORECASE),
    AnswerType.MONEY: re.compile(r"[$€£¥₽]\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion|bn|m)?\s*"
                                 r"(?:dollars|euros|rubles|roubles|pounds|yuan|usd|eur|rub)\b", re.IGNORECASE),
    AnswerType.DATE: re.compile(_YEAR + "|" + _MONTH + r"|\b(?:yesterday|today|last (?:week|month|year))\b|"
                                r"\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
                                r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
                                r"eighteenth|nineteenth|twentieth|twenty-first)[\s-]+(?:century|centuries|millennium)\b|"
                                r"\b\d{2,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:AD|BC)\s*\d{1,4}\b", re.IGNORECASE),
    AnswerType.DURATION: re.compile(r"\b(?:\d[\d,.]*|" + _NUMBER_WORDS + r"|past|last|many|few)\s+"
                                    + _UNIT + r"\b|\bsince\b.*?" + _YEAR + r"|\b\d[\d,.]*\s*" + _LENGTH + r"\b",
                                    re.IGNORECASE),
    AnswerType.NAME: re.compile(r"\b[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)+|(?<=[a-z,;:]\s)[A-Z][a-z]+"),
}


_COUNTED = re.compile(r"\bhow many ((?:[a-z-]+ ){0,2}?[a-z-]+?)(?= (?:do|does|did|is|are|was|were|has|have|had|will|would|can|could|in|of|on|at|for|to|from|per|there)\b|[?.,]|$)")
_COUNTED_FIRST = re.compile(r"\bhow many ([a-z-]+)")  # "how many ambassadors presented …": the noun right after
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:" + _NUMBER_WORDS + r")\b", re.IGNORECASE)
NUMBER_TO_NOUN_WORDS = 4


@dataclass(frozen=True)
class AnswerSpec:
    """The kind of answer a question asks for; for counts, the stems of the counted noun phrase."""

    type: AnswerType
    counted: tuple[str, ...] = field(default_factory=tuple)


def expected_type(question: str) -> AnswerType:
    """The kind of answer ``question`` asks for (ANY when it sets none)."""
    lowered = question.lower()
    for answer_type, pattern in _QUESTION_PATTERNS:
        if pattern.search(lowered):
            return answer_type
    return AnswerType.ANY


def expected_answer(question: str) -> AnswerSpec:
    """The answer type of ``question`` and, for "how many X", the stems of X."""
    answer_type = expected_type(question)
    counted: tuple[str, ...] = ()
    if answer_type is AnswerType.COUNT:
        match = _COUNTED.search(question.lower()) or _COUNTED_FIRST.search(question.lower())
        if match:
            counted = tuple(stem(w) for w in words(match.group(1)))
    return AnswerSpec(answer_type, counted)


def _counts(text: str, counted: tuple[str, ...]) -> bool:
    """Whether a number (not a year) stands within a few words before one of the counted nouns."""
    without_years = re.sub(_YEAR, " ", text)
    if not counted:
        return bool(_NUMBER.search(without_years))
    for match in _NUMBER.finditer(without_years):
        following = [stem(w) for w in words(without_years[match.end():])[:NUMBER_TO_NOUN_WORDS]]
        if any(w in counted for w in following):
            return True
    return False


def satisfies(text: str, spec: AnswerSpec) -> bool:
    """Whether ``text`` holds the kind of fact ``spec`` asks for."""
    if spec.type is AnswerType.COUNT:
        return _counts(text, spec.counted)
    return holds_type(text, spec.type)


def years_in(text: str) -> list[int]:
    """The four-digit years a text mentions, in order."""
    return [int(m.group(0)[:4]) for m in re.finditer(_YEAR, text)]


def holds_type(text: str, answer_type: AnswerType) -> bool:
    """Whether ``text`` contains a fact of the kind asked for."""
    if answer_type in (AnswerType.ANY, AnswerType.YES_NO):
        return True
    if answer_type is AnswerType.YEARS_BETWEEN:
        return bool(years_in(text))
    if answer_type is AnswerType.COUNT:
        return _counts(text, ())
    if answer_type is AnswerType.QUANTITY:
        return bool(_SENTENCE_PATTERNS[answer_type].search(re.sub(_YEAR, " ", text)))
    return bool(_SENTENCE_PATTERNS[answer_type].search(text))
