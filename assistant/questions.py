"""What a question asks for: one fact, a summary, a list or a reason; the kind of answer; its key terms.

The analysis is computed once per question and shared by retrieval (a summary or a list reads the
whole article) and by the answerer's features (the answer type, the names, numbers and qualifiers
the evidence must cover).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from assistant.answer_types import AnswerSpec, AnswerType, expected_answer
from assistant.entities import name_tokens
from assistant.text import STOP_WORDS, question_terms, stem, words


class Intent(Enum):
    """What kind of reply a question asks for."""

    FACT = "fact"
    SUMMARY = "summary"
    LIST = "list"
    REASON = "reason"


_SUMMARY = re.compile(
    r"\b(sum(?:s|med)?\s+(?:it\s+)?up|summar\w*|overview|main (?:points?|ideas?|takeaways?)|gist|recap|"
    r"in a nutshell|key (?:points|takeaways|facts)|tl;?\s?dr|brief me|"
    r"what(?:'s| is| was)\s+(?:this|the)\s+(?:article|piece|story|text|report)\s+(?:about|saying)|"
    r"what does (?:this|the) (?:article|piece|story|text|report) (?:say|cover|discuss)\s*\??$)",
    re.IGNORECASE)
_SUMMARY_FILLER = re.compile(
    r"\b(?:can|could|would|will|you|please|me|give|us|a|an|the|short|brief|quick|summary|summarise|summarize|"
    r"summarized|summarised|sum|up|it|this|that|article|piece|story|text|report|overview|main|points?|"
    r"ideas?|gist|recap|nutshell|in|key|takeaways?|facts|tl;?\s?dr|brief|what|is|was|about|of|saying|say|"
    r"does|cover|discuss|provide|write|for)\b|[^\w\s]", re.IGNORECASE)
_LIST = re.compile(
    r"^\s*(?:please\s+)?(?:list|name|enumerate)\b|\b(?:list|name) (?:all|every|each|the)\b|"
    r"\b(?:which|what) (?P<kind>(?:[a-z-]+ ){0,2}?[a-z-]+?s) (?:are|were|get|got|does the \w+|do they|did the \w+)?\s*"
    r"(?:mentioned|named|listed|cited|discussed|referred to|referenced|involved|included)\b|"
    r"\ball (?:the )?(?P<kind2>(?:[a-z-]+ ){0,2}?[a-z-]+?s) (?:that are |that were )?(?:mentioned|named|listed)\b",
    re.IGNORECASE)
_LIST_KIND = re.compile(r"\b(?:list|name|enumerate)(?: all| every| each)?(?: of)?(?: the)? (?P<kind>(?:[a-z-]+ ){0,2}?[a-z-]+)"
                        r"(?= (?:that|which|who|mentioned|named|in|of|from|the)\b|[?.!]|$)", re.IGNORECASE)
_REASON = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?why\b|\bwhy (?:is|are|was|were|do|does|did|has|have|had|would|should|could|"
    r"can|will|not)\b|\bhow come\b|\bfor what (?:reason|purpose)\b|\bwhat (?:is|was|were|are) the (?:reasons?|"
    r"causes?|purpose|motivation|rationale)\b|\bwhat (?:caused|led to|prompted|motivated|drove)\b|"
    r"\breasons? (?:for|behind|why)\b", re.IGNORECASE)
_FIRST_SECTION = re.compile(r"\b(?:opening|first|introductory|initial) (?:section|part|paragraph|lines?)\b|"
                            r"\b(?:intro|introduction|lede|beginning of the (?:article|piece|story))\b", re.IGNORECASE)
_LAST_SECTION = re.compile(r"\b(?:closing|final|last|concluding|ending) (?:section|part|paragraph|lines?)\b|"
                           r"\b(?:conclusion|end of the (?:article|piece|story))\b", re.IGNORECASE)
_META_WORDS = re.compile(r"\b(?:opening|closing|final|last|concluding|ending|first|introductory|initial) "
                         r"(?:section|part|paragraph|lines?)\b", re.IGNORECASE)
QUALIFIERS = frozenset({
    "exact", "exactly", "precise", "precisely", "official", "officially", "new", "newest", "all", "every", "first",
    "last", "latest", "only", "total", "entire", "whole", "original", "current", "currently", "final", "largest",
    "smallest", "biggest", "highest", "lowest", "most", "least", "main", "primary", "average", "never", "not",
    "no", "earliest", "oldest", "youngest", "longest", "shortest", "ever",
})
_WH = (("how many", re.compile(r"\bhow many\b")), ("how much", re.compile(r"\bhow much\b")),
       ("how long", re.compile(r"\bhow long\b")), ("how", re.compile(r"\bhow\b")),
       ("why", re.compile(r"\bwhy\b")),
       ("when", re.compile(r"\bwhen\b|\b(?:what|which) (?:year|date|time|decade|century|month|day)\b")),
       ("where", re.compile(r"\bwhere\b")), ("who", re.compile(r"\bwho(?:m|se)?\b")),
       ("which", re.compile(r"\bwhich\b")), ("what", re.compile(r"\bwhat\b|\bwhats\b")))
WH_WORDS = tuple(name for name, _ in _WH) + ("yes-no", "other")
_TARGET = re.compile(r"\b(?:what|which)\s+(?:(?:kind|type|sort|form|name)s?\s+of\s+)?(?P<noun>(?:[a-z-]+\s+){0,1}[a-z-]+)")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
NEGATION = re.compile(r"\b(?:not|never|no|cannot|nothing|none|neither|nor|without|nobody|nowhere)\b|n['’]t\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class QuestionAnalysis:
    """The parts of a question the answerer's features and the retriever use.

    ``terms``: stemmed content terms of the question's own words (meta words such as "closing
    section" left out); ``names``: its capitalised words, acronyms and alphanumerics (lower-cased);
    ``numbers``: its numerals and years; ``qualifiers``: words such as "exact", "official", "first"
    that the evidence must also hold (``negated``: it says "not", "never"…); ``target``: stems of the noun of "what/which X"; ``kind``:
    stems of the kind a list asks for; ``scope``: "first" or "last" when it asks about the article's
    opening or closing section.
    """

    text: str
    intent: Intent
    spec: AnswerSpec
    wh: str
    terms: tuple[str, ...]
    names: frozenset[str] = field(default_factory=frozenset)
    numbers: frozenset[str] = field(default_factory=frozenset)
    qualifiers: frozenset[str] = field(default_factory=frozenset)
    target: tuple[str, ...] = ()
    kind: str = ""
    topical: bool = True
    scope: str | None = None
    negated: bool = False

    @property
    def answer_type(self) -> AnswerType:
        """The kind of fact asked for (ANY when the question sets none)."""
        return self.spec.type


def wh_word(question: str) -> str:
    """The question's wh-word class (one of ``WH_WORDS``)."""
    lowered = question.lower()
    found = [(m.start(), name) for name, pattern in _WH if (m := pattern.search(lowered))]
    if found:
        dated = [f for f in found if f[1] == "when"]
        if dated and any(name in ("what", "which") and start == dated[0][0] for start, name in found):
            return "when"  # "which year", "in what century": the wh-word asks for a date
        first = min(found)[0]
        # "how many" and "how much" win over the bare "how" they start with
        return next(name for start, name in sorted(found, key=lambda f: (f[0], -len(f[1]))) if start == first)
    if re.match(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", lowered):
        return "yes-no"
    return "other"


def _intent(question: str) -> tuple[Intent, str, bool]:
    """Intent, the kind a list asks for ("organizations"), and whether a summary names a topic."""
    if _SUMMARY.search(question):
        rest = _SUMMARY_FILLER.sub(" ", question)
        return Intent.SUMMARY, "", bool([w for w in words(rest) if w not in STOP_WORDS])
    match = _LIST.search(question) or None
    if match:
        kind = match.groupdict().get("kind") or match.groupdict().get("kind2")
        if not kind:
            named = _LIST_KIND.search(question)
            kind = named.group("kind") if named else ""
        return Intent.LIST, " ".join(w for w in words(kind) if w not in STOP_WORDS), True
    if _REASON.search(question):
        return Intent.REASON, "", True
    return Intent.FACT, "", True


def analyse(question: str) -> QuestionAnalysis:
    """The analysis of one question's own words."""
    own = _META_WORDS.sub(" ", question)
    intent, kind, topical = _intent(question)
    target_match = _TARGET.search(question.lower())
    target = ()
    if target_match:
        target = tuple(stem(w) for w in words(target_match.group("noun")) if w not in STOP_WORDS)
    scope = "first" if _FIRST_SECTION.search(question) else "last" if _LAST_SECTION.search(question) else None
    lowered_words = set(words(question))
    return QuestionAnalysis(
        text=question, intent=intent, spec=expected_answer(question), wh=wh_word(question),
        terms=tuple(dict.fromkeys(question_terms(own))), names=frozenset(n.lower() for n in name_tokens(question)),
        numbers=frozenset(m.group(0).rstrip(".,") for m in _NUMBER.finditer(question)),
        qualifiers=frozenset(lowered_words & QUALIFIERS), target=target, kind=kind, topical=topical, scope=scope,
        negated=bool(NEGATION.search(question)),
    )
