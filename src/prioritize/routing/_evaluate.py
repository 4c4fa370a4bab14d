"""Honest accuracy: per-class precision and recall of a classifier on labelled messages.

The package ships :func:`labelled_messages`: short customer messages written
for this project (tweets, emails, chat lines, web forms; sarcasm, negation,
emoji, ALL CAPS, typos), each labelled with its type, topic and tone and
assigned to a ``dev`` split (the lexicon was tuned looking at it) or a
``test`` split (held out: report this one).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import fail_rows, require_columns
from prioritize.routing._frame import TextClassifier, classify_frame

__all__ = ["FIELDS", "Evaluation", "FieldReport", "evaluate", "labelled_messages"]

#: The labels a classifier is evaluated on.
FIELDS: tuple[str, ...] = ("type", "topic", "tone")
_SPLITS = ("dev", "test", "all")


def labelled_messages() -> pd.DataFrame:
    """The labelled messages shipped with the package.

    Columns: ``message_id``, ``channel``, ``split`` (``dev`` or ``test``),
    ``text``, ``type``, ``topic``, ``tone``.
    """
    source = resources.files("prioritize.routing").joinpath("data/labelled_messages.csv")
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class FieldReport:
    """How one label (type, topic or tone) fares.

    Attributes
    ----------
    per_class
        One row per class (index): ``precision``, ``recall``, ``f1``, ``support``
        (true count) and ``predicted`` (predicted count); precision is NaN for a
        class never predicted.
    confusion
        Counts: true class (rows) by predicted class (columns).
    accuracy
        Share of messages labelled right.
    n
        Number of messages.
    """

    per_class: pd.DataFrame
    confusion: pd.DataFrame
    accuracy: float
    n: int


@dataclass(frozen=True)
class Evaluation:
    """The per-field reports of one classifier on one split."""

    split: str
    reports: dict[str, FieldReport]

    def table(self) -> pd.DataFrame:
        """Every field's per-class figures in one frame (index: field, class)."""
        return pd.concat(
            {f: r.per_class for f, r in self.reports.items()}, names=["field", "class"]
        )


def _report(truth: pd.Series, predicted: pd.Series) -> FieldReport:
    classes = sorted(set(truth) | set(predicted))
    confusion = pd.crosstab(
        pd.Categorical(truth, categories=classes),
        pd.Categorical(predicted, categories=classes),
        rownames=["true"],
        colnames=["predicted"],
        dropna=False,
    )
    hits = np.diag(confusion.to_numpy()).astype(float)
    support = confusion.sum(axis=1).to_numpy().astype(float)
    made = confusion.sum(axis=0).to_numpy().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(made > 0, hits / made, np.nan)
        recall = np.where(support > 0, hits / support, np.nan)
        f1 = 2 * precision * recall / (precision + recall)
    per_class = pd.DataFrame(
        {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support.astype(int),
            "predicted": made.astype(int),
        },
        index=pd.Index(classes, name="class"),
    )
    n = len(truth)
    return FieldReport(per_class, confusion, float(hits.sum() / n) if n else float("nan"), n)


def evaluate(
    frame: pd.DataFrame | None = None,
    *,
    classifier: TextClassifier | None = None,
    split: str = "test",
    fields: tuple[str, ...] = FIELDS,
) -> Evaluation:
    """Per-class precision, recall and confusion of ``classifier`` on labelled messages.

    Parameters
    ----------
    frame
        Labelled messages: ``text`` and a column per field in ``fields`` (and
        ``split`` unless ``split="all"``); default :func:`labelled_messages`.
    classifier
        Any callable from text to :class:`Labels`; default ``Classifier()``.
    split
        ``"test"`` (held out, default), ``"dev"`` or ``"all"``.
    fields
        Which labels to score (e.g. ``("tone",)`` for a tone-only backend).
    """
    if split not in _SPLITS:
        raise InputError(f"split must be one of {_SPLITS}; got {split!r}")
    if unknown := [f for f in fields if f not in FIELDS]:
        raise InputError(f"fields must be some of {FIELDS}; got {unknown}")
    data = labelled_messages() if frame is None else frame
    require_columns(data, ["text", *fields, *(["split"] if split != "all" else [])])
    if split != "all":
        data = data[data["split"] == split]
        if data.empty:
            raise SchemaError(f"column 'split': no row is {split!r}")
    for field in fields:  # a missing true label is no class: it would be scored as one
        missing = data[field].isna().to_numpy(dtype=bool)
        if missing.any():
            fail_rows(data, field, missing, "a true label (each evaluated message needs one)")
    labelled = classify_frame(data, classifier=classifier)
    reports = {
        f: _report(data[f].astype(str).reset_index(drop=True), labelled[f].reset_index(drop=True))
        for f in fields
    }
    return Evaluation(split, reports)
