"""Honest accuracy on the shipped labelled messages, and the optional backends."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from prioritize import InputError, SchemaError
from prioritize.routing import (
    TYPES,
    SklearnClassifier,
    VaderTone,
    evaluate,
    fit_sklearn,
    labelled_messages,
)

DATA = labelled_messages()


def test_the_labelled_set() -> None:
    assert len(DATA) >= 300
    assert DATA["message_id"].is_unique and DATA["text"].is_unique
    assert set(DATA["type"]) == set(TYPES)
    assert set(DATA["tone"]) == {"negative", "neutral", "positive"}
    assert set(DATA["split"]) == {"dev", "test"}
    assert abs((DATA["split"] == "test").mean() - 0.5) < 0.05
    assert {"twitter", "email", "chat", "web_form"} <= set(DATA["channel"])


def test_figures_agree_with_the_confusion_matrix() -> None:
    result = evaluate(split="all")
    for field, report in result.reports.items():
        confusion = report.confusion.to_numpy()
        assert confusion.sum() == report.n == len(DATA)
        per = report.per_class
        assert (per["support"].to_numpy() == confusion.sum(axis=1)).all()
        assert (per["predicted"].to_numpy() == confusion.sum(axis=0)).all()
        hits = np.diag(confusion)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.testing.assert_allclose(per["recall"], hits / confusion.sum(axis=1))
        assert report.accuracy == pytest.approx(hits.sum() / report.n)
        assert field in result.table().index.get_level_values("field")


def test_a_hand_made_evaluation() -> None:
    frame = pd.DataFrame(
        {
            "text": ["my parcel never arrived 😡", "lol", "thank you so much!"],
            "tone": ["negative", "positive", "positive"],
        }
    )
    report = evaluate(frame, split="all", fields=("tone",)).reports["tone"]
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.per_class.loc["positive", "recall"] == pytest.approx(0.5)
    assert report.per_class.loc["positive", "precision"] == pytest.approx(1.0)
    assert np.isnan(report.per_class.loc["neutral", "recall"])  # no true neutral


def test_held_out_accuracy_does_not_regress() -> None:
    # Floors well under the figures published in the README (held-out split).
    result = evaluate()
    assert result.split == "test"
    assert result.reports["type"].accuracy > 0.65
    assert result.reports["topic"].accuracy > 0.65
    assert result.reports["tone"].accuracy > 0.75


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="split"):
        evaluate(split="train")
    with pytest.raises(InputError, match="fields"):
        evaluate(fields=("mood",))
    with pytest.raises(SchemaError, match="tone"):
        evaluate(pd.DataFrame({"text": ["x"]}), split="all")


def test_vader_backend() -> None:
    vader = VaderTone()
    assert vader("I love it, thank you!").tone == "positive"
    assert vader("this is awful").tone == "negative"
    report = evaluate(classifier=vader, fields=("tone",)).reports["tone"]
    assert 0 < report.accuracy < 1
    with pytest.raises(InputError, match="threshold"):
        VaderTone(threshold=1.5)


def test_sklearn_backend_reports_cross_validated_accuracy() -> None:
    dev = DATA[DATA["split"] == "dev"]
    model = fit_sklearn(
        dev["text"].tolist(), types=dev["type"].tolist(), topics=dev["topic"].tolist(), folds=3
    )
    assert isinstance(model, SklearnClassifier)
    for mean, std in model.cv_accuracy.values():
        assert 0 <= mean <= 1 and std >= 0
    labels = model("I was charged twice, refund me")
    assert labels.type in TYPES
    assert -1 <= labels.tone_score <= 1
    with pytest.raises(InputError, match="unknown labels"):
        fit_sklearn(["a", "b"], types=["rant", "other"])
    with pytest.raises(InputError, match="2 labels for 3 texts"):
        fit_sklearn(["a", "b", "c"], topics=["x", "y"])


def test_a_missing_backend_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vaderSentiment.vaderSentiment", None)
    monkeypatch.setitem(sys.modules, "sklearn.base", None)
    with pytest.raises(ImportError, match=r"prioritize\[classify\]"):
        VaderTone()
    with pytest.raises(ImportError, match="scikit-learn"):
        fit_sklearn(["a"], types=["other"])
