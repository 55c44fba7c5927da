"""Short-answer candidates: the phrases of a cited sentence that could answer the question, with features.

A candidate is a run of up to ``MAX_SPAN_TOKENS`` tokens of one sentence that neither starts nor ends
with punctuation or a stop word, is not made only of the question's own words, and holds the kind of
fact the question asks for, if it asks for one (a date for "when", a number for "how many"), and then
no more than the phrase holding it (no comma, no preposition: "2008", not "came in 2008"). Its features say what kind of phrase it
is (a number, a year, a name, a measure…), how it sits against the question's words in the sentence
(inside them, next to them, how far), and how that kind fits the question's wh-word. The learned
span head scores them; ``choose`` picks the one to offer (the best-scored one, or the one with the
highest expected overlap with the answer under the softmax of the scores: minimum Bayes risk), copied
word for word, with exact offsets. Boundary features say whether a phrase cuts a name ("Baden-
Württemberg State" of "Baden-Württemberg State Park") or is one whole, or is quoted ("lower lake").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answer_types import AnswerType, holds_type
from assistant.questions import WH_WORDS, QuestionAnalysis
from assistant.text import STOP_WORDS, fold, stem

MAX_SPAN_TOKENS = 10
_TOKEN = re.compile(r"\w+(?:[-'’.,/]\w+)*%?|[^\w\s]")
_YEAR = re.compile(r"^(?:1[0-9]\d\d|20\d\d)s?$")
_MONTH = frozenset("january february march april may june july august september october november december".split())
_UNIT = frozenset("km kilometres kilometers kilometre miles mi m metres meters ft feet percent % cubic sq km2 m3 "
                  "years year months days hours minutes seconds decades centuries century tonnes tons kg "
                  "dollars euros million billion trillion thousand hundred".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
                          "hundred thousand million billion dozen half first second third".split())
_PREPOSITIONS = frozenset("in at on by from to into of for with as near between through during".split())
_COPULAS = frozenset("is was are were be been called named known include includes including".split())
_OPEN_SPAN_WORDS = frozenset({"the", "a", "an"})  # may start a span ("the North Sea")
_KINDS = ("number", "year", "name", "lower")
_SUFFIX_GROUPS = {  # English derivational endings: what kind of word closes a phrase (a noun, an adjective…)
    "noun": ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ist", "ship", "hood", "er", "or", "ure"),
    "adjective": ("al", "ic", "ive", "ous", "able", "ible", "ful", "less", "ary", "ian"),
    "adverb": ("ly",),
    "participle": ("ing", "ed"),
}  # not exclusive: "Medvedev in 2008" is a name and a year
_WH_GROUPS = tuple(w for w in WH_WORDS if w not in ("yes-no", "other"))

SPAN_FEATURES: tuple[str, ...] = (
    "len_1", "len_2", "len_3", "len_4_5", "len_6_8", "len_9_plus", "question_overlap",
    "distance", "adjacent", "left_matches", "right_matches", "has_digit", "has_year", "has_month", "has_unit",
    "capitalised_start", "all_capitalised", "in_parentheses", "after_preposition", "after_copula", "after_comma",
    "before_comma", "before_end", "at_start", "target_next", "sentence_logit", "whole_gap", "gap_share",
    "gap_start", "gap_end", "after_match", "before_match", "starts_with_article", "between_matches",
    "left_distance", "right_distance", "next_is_preposition", "next_is_verb_like", "share_of_sentence",
    "name_cut_left", "name_cut_right", "whole_name", "unit_next", "in_quotes", "target_x_name", "target_x_lower",
    *(f"ends_{suffix}" for suffix in _SUFFIX_GROUPS), "ends_plural", "target_in_span",
    "wh_left_match", "wh_right_match",
    *(f"{wh.replace(' ', '_')}_x_{kind}" for wh in _WH_GROUPS for kind in _KINDS),
)


@dataclass(frozen=True)
class Token:
    """A token of a sentence with its offsets inside the sentence, folded (``lower``), and whether it is
    a word or number rather than punctuation (``is_word``)."""

    text: str
    start: int
    end: int
    lower: str
    is_word: bool


@dataclass(frozen=True)
class SpanCandidate:
    """A phrase of sentence ``sentence`` (an index into the evidence), ``text == sentence[start:end]``."""

    sentence: int
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    """Words, numbers and punctuation marks of ``text`` with their offsets."""
    return [Token(m.group(0), m.start(), m.end(), fold(m.group(0)), m.group(0)[0].isalnum())
            for m in _TOKEN.finditer(text)]


_QUOTES = frozenset('"“”‘’\'')


def _sentence_start(tokens: list[Token], k: int) -> bool:
    """Whether token ``k`` opens the sentence (its capital says nothing)."""
    return k == 0 or tokens[k - 1].text in ".!?:;\"“"


def _is_name(token: Token) -> bool:
    return token.text[0].isupper()


def _edge_ok(token: Token, first: bool) -> bool:
    if not token.is_word:
        return False
    lowered = token.lower
    if lowered in STOP_WORDS or lowered in ("e.g", "i.e", "etc"):
        return first and lowered in _OPEN_SPAN_WORDS
    return True


def choose(spans: list[SpanCandidate], logits: np.ndarray, temperature: float) -> int:
    """The index of the phrase to offer: the best-scored one (``temperature`` 0), or the one with the
    highest expected overlap F1 with the answer when the candidates' scores are read as a softmax at
    ``temperature`` (minimum-Bayes-risk choice: a phrase that many likely phrases overlap wins)."""
    if temperature <= 0 or len(spans) < 2:
        return int(np.argmax(logits))
    weights = np.exp((logits - logits.max()) / temperature)
    starts = np.array([s.start for s in spans], np.float64)
    ends = np.array([s.end for s in spans], np.float64)
    overlap = np.clip(np.minimum(ends[:, None], ends[None, :]) - np.maximum(starts[:, None], starts[None, :]), 0, None)
    lengths = ends - starts
    precision, recall = overlap / lengths[:, None], overlap / lengths[None, :]
    f1 = np.where(overlap > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    return int(np.argmax(f1 @ weights))


_WH_TOKEN = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how", "why"})


def _wh_context(question: str) -> tuple[str, set[str]]:
    """The word before the question's wh-word ("into" of "into which lake"), and the stems of the first
    two content words after it: an answer often sits between the same words in the sentence."""
    tokens = [t.lower for t in tokenize(question) if t.is_word]
    at = next((k for k, t in enumerate(tokens) if t in _WH_TOKEN), None)
    if at is None:
        return "", set()
    left = tokens[at - 1] if at > 0 else ""
    right = [stem(t) for t in tokens[at + 1:] if t not in STOP_WORDS][:2]
    return left, set(right)


def candidates(sentence_index: int, text: str, analysis: QuestionAnalysis,
               sentence_logit: float) -> tuple[list[SpanCandidate], np.ndarray]:
    """The candidate phrases of one sentence and their feature rows (columns ``SPAN_FEATURES``).

    What a feature needs of each token is computed once per token, and what it needs of a phrase grows
    token by token as the phrase is extended to the right, so a sentence costs O(tokens × MAX_SPAN_TOKENS).
    """
    tokens = tokenize(text)
    question_stems = set(analysis.terms) | {stem(n) for n in analysis.names}
    question_words = {fold(w) for w in re.findall(r"\w+", analysis.text)}
    stems = [stem(t.lower) if t.is_word else "" for t in tokens]
    matched = [i for i, t in enumerate(tokens) if t.is_word and (stems[i] in question_stems or
                                                                   (t.lower in question_words and t.lower not in STOP_WORDS))]
    target = set(analysis.target)
    depth, paren = 0, []
    for t in tokens:
        depth += t.text == "("
        paren.append(depth > 0)
        depth -= t.text == ")" and depth > 0
    n = len(tokens)
    n_words = max(sum(1 for t in tokens if t.is_word), 1)
    n_matched = max(len(matched), 1)
    matched_set = set(matched)
    typed = analysis.answer_type not in (AnswerType.ANY, AnswerType.YES_NO, AnswerType.YEARS_BETWEEN)
    # gaps: maximal runs of tokens that are neither question words nor hard punctuation
    gap_of = [-1] * n
    gaps: list[tuple[int, int]] = []
    k = 0
    while k < n:
        if k in matched_set or not tokens[k].is_word and tokens[k].text in ",.;:!?()[]\"“”":
            k += 1
            continue
        start = k
        while k < n and k not in matched_set and (tokens[k].is_word or tokens[k].text not in ",.;:!?()[]\"“”"):
            gap_of[k] = len(gaps)
            k += 1
        gaps.append((start, k - 1))
    gap_content = [sum(1 for t in tokens[a:b + 1] if t.is_word and t.lower not in STOP_WORDS) for a, b in gaps]
    # per token: what the features ask of it
    word = [t.is_word for t in tokens]
    content = [t.is_word and t.lower not in STOP_WORDS for t in tokens]
    name = [t.is_word and _is_name(t) for t in tokens]
    digit = [t.is_word and any(c.isdigit() for c in t.text) for t in tokens]
    year = [t.is_word and bool(_YEAR.match(t.text)) for t in tokens]
    number = [t.is_word and ((digit[k] and not year[k]) or t.lower in _NUMBER_WORDS) for k, t in enumerate(tokens)]
    month = [t.is_word and t.lower in _MONTH for t in tokens]
    unit = [t.is_word and t.lower in _UNIT for t in tokens]
    in_target = [bool(target) and stems[k] in target for k in range(n)]
    comma_or_preposition = [t.text == "," or t.lower in _PREPOSITIONS for t in tokens]
    ends = [[float(not name[k] and t.lower.endswith(e)) for e in _SUFFIX_GROUPS.values()] for k, t in enumerate(tokens)]
    wh_left, wh_right = _wh_context(analysis.text)
    spans: list[SpanCandidate] = []
    rows: list[list[float]] = []
    wh = analysis.wh
    for i in range(n):
        if not _edge_ok(tokens[i], first=True):
            continue
        left = [k for k in matched if k < i]
        nearest_left = i - left[-1] if left else None
        length = n_content = inside = 0
        has_digit = has_year = has_month = has_unit = has_number = has_name = has_target = cut = False
        all_names = all_content_names = True
        for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
            if tokens[j].text in ".;:!?()[]\"“”":
                break
            cut = cut or comma_or_preposition[j]
            has_target = has_target or in_target[j]
            if word[j]:
                length += 1
                has_digit, has_year, has_month = has_digit or digit[j], has_year or year[j], has_month or month[j]
                has_unit, has_number, has_name = has_unit or unit[j], has_number or number[j], has_name or name[j]
                all_names = all_names and name[j]
            if content[j]:
                n_content += 1
                inside += j in matched_set
                all_content_names = all_content_names and name[j]
            if not _edge_ok(tokens[j], first=False) or (j > i and tokens[j].lower in _OPEN_SPAN_WORDS):
                continue
            if n_content and inside == n_content:
                continue  # made only of the question's own words: it cannot be what the question asks
            if typed and (not holds_type(text[tokens[i].start:tokens[j].end], analysis.answer_type) or cut):
                continue  # not the kind of fact asked for (a date for "when", a number for "how many"), or
                # more than the phrase holding it ("came in 2008", "2008, when …": the answer is "2008")
            right = [k for k in matched if k > j]
            nearest_right = right[0] - j if right else None
            distance = min((d for d in (nearest_left, nearest_right) if d is not None), default=n)
            kinds = {kind for kind, present in (("year", has_year), ("number", has_number), ("name", has_name))
                     if present} or {"lower"}
            row = [
                float(length == 1), float(length == 2), float(length == 3), float(4 <= length <= 5),
                float(6 <= length <= 8), float(length >= 9),
                inside / max(n_content, 1),
                min(distance, 20) / 20.0, float(distance == 1),
                len(left) / n_matched,
                len(right) / n_matched,
                float(has_digit), float(has_year), float(has_month), float(has_unit),
                float(name[i]), float(all_content_names),
                float(paren[i]),
                float(i > 0 and tokens[i - 1].lower in _PREPOSITIONS),
                float(i > 0 and tokens[i - 1].lower in _COPULAS),
                float(i > 0 and tokens[i - 1].text == ","),
                float(j + 1 < n and tokens[j + 1].text == ","),
                float(j + 1 >= n or tokens[j + 1].text in ".;!?"),
                float(i == 0),
                float(bool(target) and ((i > 0 and in_target[i - 1]) or (j + 1 < n and in_target[j + 1]))),
                sentence_logit,
            ]
            gap = gap_of[i] if gap_of[i] == gap_of[j] else -1
            g_start, g_end = gaps[gap] if gap >= 0 else (i, j)
            gap_words = gap_content[gap] if gap >= 0 else n_content
            row += [
                float(gap >= 0 and n_content == gap_words),
                n_content / max(gap_words, 1) if gap >= 0 else 0.0,
                float(gap >= 0 and g_start == i), float(gap >= 0 and g_end == j),
                float(i - 1 in matched_set),
                float(j + 1 in matched_set),
                float(tokens[i].lower in _OPEN_SPAN_WORDS),
                float(bool(left) and bool(right)),
                min(nearest_left if left else 20, 20) / 20.0,
                min(nearest_right if right else 20, 20) / 20.0,
                float(j + 1 < n and tokens[j + 1].lower in _PREPOSITIONS),
                float(j + 1 < n and tokens[j + 1].lower.endswith(("ed", "es")) and not tokens[j + 1].text[0].isupper()),
                length / n_words,
                float(i > 0 and name[i - 1] and name[i] and not _sentence_start(tokens, i - 1)),
                float(j + 1 < n and name[j + 1] and name[j]),
                float(all_names and not (i > 0 and name[i - 1] and not _sentence_start(tokens, i - 1))
                      and not (j + 1 < n and name[j + 1])),
                float(j + 1 < n and tokens[j + 1].lower in _UNIT),
                float(i > 0 and j + 1 < n and tokens[i - 1].text in _QUOTES and tokens[j + 1].text in _QUOTES),
                float(bool(target) and "name" in kinds),
                float(bool(target) and kinds == {"lower"}),
                *ends[j],
                float(not name[j] and tokens[j].lower.endswith("s") and not tokens[j].lower.endswith("ss")),
                float(has_target),
                float(bool(wh_left) and i > 0 and tokens[i - 1].lower == wh_left),
                float(any(stems[k] in wh_right for k in range(j + 1, min(n, j + 4)))),
            ]
            row += [float(wh == group and k in kinds) for group in _WH_GROUPS for k in _KINDS]
            spans.append(SpanCandidate(sentence_index, tokens[i].start, tokens[j].end,
                                       text[tokens[i].start:tokens[j].end]))
            rows.append(row)
    matrix = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(SPAN_FEATURES))
    return spans, matrix
