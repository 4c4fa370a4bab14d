"""Optional backends: VADER for tone, a scikit-learn pipeline fitted on a team's own tickets.

Both are imported on first use (``pip install 'prioritize[classify]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prioritize._errors import InputError
from prioritize.routing._classifier import GENERAL_TOPIC, OTHER_TYPE, TYPES, Classifier, Labels

__all__ = ["CLASSIFY_MISSING", "SklearnClassifier", "VaderTone", "fit_sklearn"]

#: The one-line message when an optional classification backend is missing.
CLASSIFY_MISSING = "{what} needs {package}: pip install 'prioritize[classify]'"


def _require(module: str, package: str, what: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(CLASSIFY_MISSING.format(what=what, package=package)) from exc


class VaderTone:
    """A classifier whose tone is VADER's compound score (type and topic from ``rules``).

    Tone is ``negative`` at ``compound <= -threshold``, ``positive`` at
    ``compound >= threshold`` (VADER's documented 0.05 by default), confidence
    as for the lexicon (distance past the threshold, scaled to [0, 1]).
    """

    def __init__(self, *, threshold: float = 0.05, rules: Classifier | None = None) -> None:
        vader = _require("vaderSentiment.vaderSentiment", "vaderSentiment", "VaderTone")
        self._analyser = vader.SentimentIntensityAnalyzer()
        if not 0 < threshold < 1:
            raise InputError(f"threshold must be in (0, 1); got {threshold!r}")
        self.threshold = threshold
        self.rules = rules or Classifier()

    def __call__(self, text: str) -> Labels:
        base = self.rules(text)
        score = float(self._analyser.polarity_scores(text)["compound"])
        t = self.threshold
        if score <= -t:
            tone, confidence = "negative", (-score - t) / (1 - t)
        elif score >= t:
            tone, confidence = "positive", (score - t) / (1 - t)
        else:
            tone, confidence = "neutral", 1 - abs(score) / t
        return Labels(
            base.type,
            base.type_confidence,
            base.topic,
            base.topic_confidence,
            tone,
            score,
            min(1.0, max(0.0, confidence)),
        )


@dataclass(frozen=True)
class SklearnClassifier:
    """Type and topic from scikit-learn pipelines; tone from the rules' lexicon.

    A pipeline predicts a label with ``predict_proba``; the top probability is
    the confidence, and below ``min_confidence`` the label is the general one
    (``other`` / ``general``), as for the rules. Build it with :func:`fit_sklearn`.

    Attributes
    ----------
    type_pipeline, topic_pipeline
        Fitted pipelines from text to type and topic (either may be None: the rules decide).
    cv_accuracy
        Cross-validated accuracy of each fitted pipeline, by field: (mean, std over folds).
    """

    type_pipeline: Any
    topic_pipeline: Any
    cv_accuracy: dict[str, tuple[float, float]]
    rules: Classifier = field(default_factory=Classifier)
    min_confidence: float = 0.5

    def _predict(self, pipeline: Any, text: str, general: str) -> tuple[str, float]:
        proba = pipeline.predict_proba([text])[0]
        best = int(proba.argmax())
        label, confidence = str(pipeline.classes_[best]), float(proba[best])
        return (label, confidence) if confidence >= self.min_confidence else (general, confidence)

    def __call__(self, text: str) -> Labels:
        base = self.rules(text)
        kind, kind_c = base.type, base.type_confidence
        topic, topic_c = base.topic, base.topic_confidence
        if self.type_pipeline is not None:
            kind, kind_c = self._predict(self.type_pipeline, text, OTHER_TYPE)
        if self.topic_pipeline is not None:
            topic, topic_c = self._predict(self.topic_pipeline, text, GENERAL_TOPIC)
        return Labels(
            kind, kind_c, topic, topic_c, base.tone, base.tone_score, base.tone_confidence
        )


def _default_pipeline() -> Any:
    feature = _require("sklearn.feature_extraction.text", "scikit-learn", "fit_sklearn")
    linear = _require("sklearn.linear_model", "scikit-learn", "fit_sklearn")
    pipeline = _require("sklearn.pipeline", "scikit-learn", "fit_sklearn")
    return pipeline.make_pipeline(
        feature.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        linear.LogisticRegression(max_iter=1000, C=5.0),
    )


def fit_sklearn(
    texts: Sequence[str],
    *,
    types: Sequence[str] | None = None,
    topics: Sequence[str] | None = None,
    pipeline: Any = None,
    folds: int = 5,
    seed: int = 0,
    rules: Classifier | None = None,
    min_confidence: float = 0.5,
) -> SklearnClassifier:
    """Fit pipelines on a team's own labelled tickets; report cross-validated accuracy.

    Parameters
    ----------
    texts
        The messages.
    types, topics
        Their labels (same length as ``texts``); a field left None is left to the rules.
    pipeline
        An unfitted scikit-learn pipeline with ``predict_proba`` (cloned per
        field); default: TF-IDF of words and word pairs + logistic regression.
    folds, seed
        Stratified k-fold cross-validation (shuffled with ``seed``) before the final fit.
    """
    base = _require("sklearn.base", "scikit-learn", "fit_sklearn")
    selection = _require("sklearn.model_selection", "scikit-learn", "fit_sklearn")
    template = pipeline if pipeline is not None else _default_pipeline()
    texts = list(texts)
    fitted: dict[str, Any] = {"type": None, "topic": None}
    accuracy: dict[str, tuple[float, float]] = {}
    for name, labels in (("type", types), ("topic", topics)):
        if labels is None:
            continue
        labels = [str(v) for v in labels]
        if len(labels) != len(texts):
            raise InputError(f"{name}s has {len(labels)} labels for {len(texts)} texts")
        if name == "type" and (unknown := sorted(set(labels) - set(TYPES))):
            raise InputError(f"types has unknown labels {unknown}; expected some of {TYPES}")
        splitter = selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        scores = selection.cross_val_score(base.clone(template), texts, labels, cv=splitter)
        accuracy[name] = (float(scores.mean()), float(scores.std()))
        fitted[name] = base.clone(template).fit(texts, labels)
    return SklearnClassifier(
        fitted["type"], fitted["topic"], accuracy, rules or Classifier(), min_confidence
    )
