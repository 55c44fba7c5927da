"""The learned answer model: three logistic heads read from a small versioned JSON file.

- ``sentence``: how likely a candidate sentence is the one that answers the question;
- ``answerable``: the calibrated probability that the evidence answers the question at all (the
  extractive answerer abstains under ``threshold``, chosen at fit time for a stated false-abstention
  rate);
- ``span``: how likely a phrase of the chosen sentence is the short answer.

The file names each head's features, its standardisation, coefficients and threshold, and the data it
was fitted on (``assistant fit`` writes it; see ``assistant.learning``). Inference is numpy only, so the
ask path imports no learning library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import AssistantError

SCHEMA_VERSION = 1
PACKAGED_MODEL = Path(__file__).resolve().parent / "models" / "answer-model.json"


class ModelFileError(AssistantError):
    """The answer-model file is missing, unreadable, or made for other features."""


@dataclass(frozen=True)
class LinearHead:
    """A standardised logistic-regression head: ``p = sigmoid(((x - mean) / scale) @ coef + intercept)``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float | None = None

    def logits(self, matrix: np.ndarray) -> np.ndarray:
        """One logit per row of ``matrix`` (columns in ``features`` order)."""
        if matrix.shape[0] == 0:
            return np.zeros(0, np.float64)
        return ((matrix - self.mean) / self.scale) @ self.coef + self.intercept

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """One probability per row of ``matrix``."""
        return 1.0 / (1.0 + np.exp(-self.logits(matrix)))

    def to_dict(self) -> dict[str, Any]:
        """The head as JSON-ready data."""
        out: dict[str, Any] = {"features": list(self.features), "mean": _floats(self.mean),
                               "scale": _floats(self.scale), "coef": _floats(self.coef),
                               "intercept": round(float(self.intercept), 6)}
        if self.threshold is not None:
            out["threshold"] = round(float(self.threshold), 6)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: tuple[str, ...]) -> LinearHead:
        """A head read from the file, checked to use the features the code computes."""
        features = tuple(data["features"])
        if features != expected:
            missing = sorted(set(expected) ^ set(features))
            raise ModelFileError(f"the answer model was fitted on other features ({', '.join(missing[:5]) or 'order'}):"
                                 " run 'assistant fit' (make fit) to refit it")
        arrays = [np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")]
        if any(a.shape != (len(features),) for a in arrays):
            raise ModelFileError("the answer model file is damaged (array sizes do not match its features)")
        return cls(features, *arrays, intercept=float(data["intercept"]), threshold=data.get("threshold"))


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


@dataclass(frozen=True)
class AnswerModel:
    """The three heads and what they were fitted on."""

    sentence: LinearHead
    answerable: LinearHead
    span: LinearHead
    info: dict[str, Any]
    path: str = ""

    @property
    def abstain_threshold(self) -> float:
        """Probability of being answerable under which the answerer abstains."""
        return float(self.answerable.threshold if self.answerable.threshold is not None else 0.5)

    @property
    def span_threshold(self) -> float:
        """Probability under which no phrase is offered as the short answer."""
        return float(self.span.threshold if self.span.threshold is not None else 0.5)

    @property
    def span_temperature(self) -> float:
        """Softmax temperature of the short-answer choice (0: the best-scored phrase; see ``spans.choose``)."""
        return float(self.info.get("span_temperature", 0.0))

    def to_dict(self) -> dict[str, Any]:
        """The model as the JSON object its file holds."""
        return {"schema_version": SCHEMA_VERSION, **self.info,
                "heads": {"sentence": self.sentence.to_dict(), "answerable": self.answerable.to_dict(),
                          "span": self.span.to_dict()}}

    def save(self, path: Path) -> None:
        """Write the model file (stable key order, one head per block)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")


def model_from_dict(data: dict[str, Any], path: str = "") -> AnswerModel:
    """An ``AnswerModel`` from the file's JSON object, checked against the features the code computes."""
    from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES
    from assistant.spans import SPAN_FEATURES

    if data.get("schema_version") != SCHEMA_VERSION:
        raise ModelFileError(f"the answer model {path or ''} has schema {data.get('schema_version')!r}, "
                             f"this version reads {SCHEMA_VERSION}: run 'assistant fit'")
    try:
        heads = data["heads"]
        return AnswerModel(
            sentence=LinearHead.from_dict(heads["sentence"], SENTENCE_FEATURES),
            answerable=LinearHead.from_dict(heads["answerable"], QUESTION_FEATURES),
            span=LinearHead.from_dict(heads["span"], SPAN_FEATURES),
            info={k: v for k, v in data.items() if k not in ("heads", "schema_version")}, path=path,
        )
    except (KeyError, TypeError) as exc:
        raise ModelFileError(f"the answer model file {path} is damaged ({exc})") from exc


@lru_cache(maxsize=8)
def load_answer_model(path: str | None = None) -> AnswerModel:
    """The answer model at ``path`` (default: the one shipped in the package), read once per process."""
    file = Path(path) if path else PACKAGED_MODEL
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"no answer model file at {file}: run 'assistant fit' (make fit)") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"cannot read the answer model {file}: {exc}") from exc
    return model_from_dict(data, str(file))
