"""The answer-model file: what it holds, how it is read, and that a mismatched file is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.answer_model import PACKAGED_MODEL, ModelFileError, load_answer_model, model_from_dict
from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES
from tests.fakes import hand_model

MODELS = PACKAGED_MODEL.parent


@pytest.mark.parametrize("name", ["answer-model.json", "answer-model.without-rhine.json",
                                  "answer-model.without-computational-complexity.json"])
def test_the_committed_models_load_and_name_their_features_and_data(name: str) -> None:
    model = load_answer_model(str(MODELS / name))
    assert model.sentence.features == SENTENCE_FEATURES and model.answerable.features == QUESTION_FEATURES
    assert 0 < model.abstain_threshold < 1
    trained = {t["set"] for t in model.info["trained_on"]}
    assert trained and all(len(t["sha256"]) == 64 for t in model.info["trained_on"])
    if "without" in name:  # a leave-one-article-out model never saw that article
        assert name.removeprefix("answer-model.without-").removesuffix(".json") not in trained


def test_save_and_read_back(tmp_path: Path) -> None:
    model = hand_model()
    model.save(tmp_path / "m.json")
    again = model_from_dict(json.loads((tmp_path / "m.json").read_text()))
    matrix = np.random.default_rng(0).normal(size=(5, len(SENTENCE_FEATURES)))
    assert np.allclose(model.sentence.logits(matrix), again.sentence.logits(matrix), atol=1e-4)
    assert again.abstain_threshold == model.abstain_threshold


def test_a_model_fitted_on_other_features_is_refused_with_one_line(tmp_path: Path) -> None:
    data = hand_model().to_dict()
    data["heads"]["sentence"]["features"] = data["heads"]["sentence"]["features"][:-1] + ["something_else"]
    with pytest.raises(ModelFileError, match="other features.*assistant fit"):
        model_from_dict(data)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFileError, match="cannot read"):
        load_answer_model(str(tmp_path / "bad.json"))
    with pytest.raises(ModelFileError, match="no answer model file"):
        load_answer_model(str(tmp_path / "missing.json"))
