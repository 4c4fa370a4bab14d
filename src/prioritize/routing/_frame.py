"""Classify one query or a whole frame with any classifier (the default rules, or your own)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import fail_rows, require_columns
from prioritize.models import Query
from prioritize.routing._classifier import NO_TEXT, Classifier, Labels

__all__ = ["LABEL_COLUMNS", "TextClassifier", "classify", "classify_frame"]

#: Anything that maps a text to :class:`Labels`: a :class:`Classifier`, a fitted
#: :class:`~prioritize.routing.SklearnClassifier`, or your own function.
TextClassifier = Callable[[str], Labels]

#: The columns :func:`classify_frame` adds, in order.
LABEL_COLUMNS: tuple[str, ...] = (
    "type",
    "type_confidence",
    "topic",
    "topic_confidence",
    "tone",
    "tone_score",
    "tone_confidence",
)

_DEFAULT = Classifier()


def _checked(labels: object, who: str) -> Labels:
    if not isinstance(labels, Labels):
        raise InputError(
            f"the classifier returned {type(labels).__name__} for {who}; expected Labels"
        )
    if not -1.0 <= labels.tone_score <= 1.0 or not all(
        0.0 <= c <= 1.0
        for c in (labels.type_confidence, labels.topic_confidence, labels.tone_confidence)
    ):
        raise InputError(
            f"the classifier returned {labels!r} for {who}; expected tone_score in [-1, 1] "
            "and confidences in [0, 1]"
        )
    return labels


def classify(query: Query | str, *, classifier: TextClassifier | None = None) -> Labels:
    """The :class:`Labels` of one query (or one text).

    Parameters
    ----------
    query
        A :class:`~prioritize.models.Query` (its ``text`` is read) or a text.
    classifier
        Any callable from text to :class:`Labels`; default: ``Classifier()``.

    Examples
    --------
    >>> from prioritize.routing import classify
    >>> labels = classify("My parcel NEVER arrived 😡")
    >>> labels.type, labels.topic, labels.tone
    ('complaint', 'delivery', 'negative')
    """
    text = query.text if isinstance(query, Query) else query
    if not isinstance(text, str):
        raise InputError(f"classify expects a Query or a str; got {type(query).__name__}")
    if not text:
        return NO_TEXT
    who = f"query {query.query_id!r}" if isinstance(query, Query) else "the text"
    return _checked((classifier or _DEFAULT)(text), who)


def classify_frame(
    frame: pd.DataFrame,
    *,
    classifier: TextClassifier | None = None,
    text: str = "text",
) -> pd.DataFrame:
    """``frame`` with the :data:`LABEL_COLUMNS` added (rows in = rows out, same index).

    A row whose text is missing (None/NaN) or empty gets the general labels
    (``other``, ``general``, ``neutral``, score 0) with confidence 0; their
    number is in ``result.attrs["text_missing"]``. Each distinct text is
    classified once, so the result is the scalar :func:`classify` of every row.
    A ``language`` column, when present, is kept as it is.

    Raises
    ------
    SchemaError
        If the frame has no ``text`` column, or a value that is not a string.
    """
    require_columns(frame, ())  # a DataFrame, one level of column names
    if text not in frame.columns:
        raise SchemaError(
            f"classify_frame reads column {text!r}, which the frame does not have "
            f"(columns: {list(frame.columns)})"
        )
    values = frame[text].to_numpy(dtype=object)
    missing = np.fromiter(
        (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) for v in values),
        dtype=bool,
        count=len(values),
    )
    not_text = (
        np.fromiter((not isinstance(v, str) for v in values), dtype=bool, count=len(values))
        & ~missing
    )
    if not_text.any():
        fail_rows(frame, text, not_text, "a string (or missing)")
    model = classifier or _DEFAULT
    seen: dict[str, Labels] = {"": NO_TEXT}
    rows: list[Labels] = []
    for position, value in enumerate(values):
        if missing[position]:
            rows.append(NO_TEXT)
            continue
        labels = seen.get(value)
        if labels is None:
            labels = seen[value] = _checked(model(value), f"row {frame.index[position]!r}")
        rows.append(labels)
    out = frame.copy()
    for column in LABEL_COLUMNS:
        data = [getattr(r, column) for r in rows]
        if column.endswith(("_confidence", "_score")):
            out[column] = np.asarray(data, dtype=np.float64)
        else:
            out[column] = pd.Series(data, index=frame.index, dtype=object)
    out.attrs["text_missing"] = int(missing.sum()) + int(
        sum(1 for v, m in zip(values, missing, strict=True) if not m and v == "")
    )
    return out
