"""Classify a query: its type, topic and tone (issue 13, section 1).

:class:`Classifier` is the default: keyword rules and the tone lexicon
(:class:`~prioritize.signals.ToneLexicon`, the one the ``negativity`` signal
reads), configured as data. Any callable from text to :class:`Labels` may
replace it (:class:`VaderTone`, :func:`fit_sklearn`, your own).
:func:`classify` labels one query, :func:`classify_frame` a frame;
:func:`evaluate` measures a classifier on :func:`labelled_messages`.
"""

from prioritize.routing._backends import CLASSIFY_MISSING, SklearnClassifier, VaderTone, fit_sklearn
from prioritize.routing._classifier import (
    DEFAULT_TOPICS,
    DEFAULT_TYPES,
    GENERAL_TOPIC,
    OTHER_TYPE,
    TYPES,
    Classifier,
    Cues,
    Labels,
)
from prioritize.routing._evaluate import (
    FIELDS,
    Evaluation,
    FieldReport,
    evaluate,
    labelled_messages,
)
from prioritize.routing._frame import LABEL_COLUMNS, TextClassifier, classify, classify_frame

__all__ = [
    "CLASSIFY_MISSING",
    "DEFAULT_TOPICS",
    "DEFAULT_TYPES",
    "FIELDS",
    "GENERAL_TOPIC",
    "LABEL_COLUMNS",
    "OTHER_TYPE",
    "TYPES",
    "Classifier",
    "Cues",
    "Evaluation",
    "FieldReport",
    "Labels",
    "SklearnClassifier",
    "TextClassifier",
    "VaderTone",
    "classify",
    "classify_frame",
    "evaluate",
    "fit_sklearn",
    "labelled_messages",
]
