"""Names in a question that the corpus never mentions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.entities import Vocabulary, unknown_names

ARTICLE = (Path(__file__).resolve().parents[2] / "corpus" / "global-security-architecture.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary([ARTICLE])


@pytest.mark.parametrize(("question", "unknown"), [
    ("What did Joe Biden say about it?", ["Joe", "Biden"]),
    ("What did the US president answer?", ["US"]),
    ("Was the ceremony held on Monday?", ["Monday"]),
    ("What do EU policymakers fear?", []),             # spelled out as European Union
    ("What does the IMF have to do with it?", []),     # International Monetary Fund
    ("Is the SCO part of the Western-led framework?", []),
    ("What about Asian partners and Chinese exports?", []),  # Asia, China
    ("What Did The Article Say About Putin?", []),      # title case carries no signal
    ("did lavrov attend?", []),                          # lower case: left to the support score
    ("I'm curious: what did Putin say?", []),           # a contraction of "I" is not a name
    ("Don't they mention NATO's role?", []),            # nor is a contraction; a possessive is its name
    ("What did the G7 decide?", ["G7"]),               # an alphanumeric name keeps its digits
    ("Was COVID-19 discussed?", ["COVID-19"]),
    ("Is the G20 mentioned?", []),                      # the article names the G20
    ("Is the Russian-led bloc new?", []),               # a hyphenated word: its capitalised part counts
    ("Is the Lavrov-led delegation there?", ["Lavrov"]),
    ("Putin spoke. Then what did Merkel say?", ["Merkel"]),  # "Then" starts a sentence
])
def test_unknown_names(vocabulary: Vocabulary, question: str, unknown: list[str]) -> None:
    assert unknown_names(question, vocabulary) == unknown
