"""Classify a query (type, topic, tone) and route it to the agents who may answer it.

:class:`Classifier` is the default: keyword rules and the tone lexicon
(:class:`~prioritize.signals.ToneLexicon`, the one the ``negativity`` signal
reads), configured as data. Any callable from text to :class:`Labels` may
replace it (:class:`VaderTone`, :func:`fit_sklearn`, your own).
:func:`classify` labels one query, :func:`classify_frame` a frame;
:func:`evaluate` measures a classifier on :func:`labelled_messages`.

Teams and skills: an :class:`AgentGroup` is agents with the same skills and
schedule, a :class:`Team` is the groups and how an arriving query picks a free
agent; :class:`Routes` map what a query is to its required and preferred
skills; :class:`Retry` says who contacts again after giving up.
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
from prioritize.routing._teams import (
    DELAY_KINDS,
    SELECT,
    AgentGroup,
    Retry,
    Route,
    Routes,
    Team,
)

for _cls in (AgentGroup, Retry, Route, Routes, Team):
    _cls.__module__ = __name__  # the public path, in reprs, pickles and doctests

__all__ = [
    "CLASSIFY_MISSING",
    "DEFAULT_TOPICS",
    "DEFAULT_TYPES",
    "DELAY_KINDS",
    "FIELDS",
    "GENERAL_TOPIC",
    "LABEL_COLUMNS",
    "OTHER_TYPE",
    "SELECT",
    "TYPES",
    "AgentGroup",
    "Classifier",
    "Cues",
    "Evaluation",
    "FieldReport",
    "Labels",
    "Retry",
    "Route",
    "Routes",
    "SklearnClassifier",
    "Team",
    "TextClassifier",
    "VaderTone",
    "classify",
    "classify_frame",
    "evaluate",
    "fit_sklearn",
    "labelled_messages",
]
