"""RFM segmentation: recency, frequency and monetary scores by quantile."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import read_float, require_columns
from prioritize._internal.rows import describe_rows

__all__ = ["rfm_scores"]


def _quantile_scores(values: npt.NDArray[np.float64], bins: int) -> npt.NDArray[np.int64]:
    """Scores 1..bins from mid-ranks: score = 1 + floor(bins * (rank - 0.5) / n)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = pd.Series(values).rank(method="average").to_numpy(dtype=np.float64)
    scores: npt.NDArray[np.int64] = (1 + np.floor(bins * (ranks - 0.5) / n)).astype(np.int64)
    return scores


def rfm_scores(summary: pd.DataFrame, *, bins: int = 5) -> pd.DataFrame:
    """Score customers 1..``bins`` on recency, frequency and monetary value.

    An analysis helper for segmenting customers (e.g. "555" are recent,
    frequent, big spenders). Unlike the ``purchase_history`` signal, scores are
    *relative*: a customer's score depends on everyone else in ``summary``, so
    use them to describe a customer base, not to score one query.

    Parameters
    ----------
    summary
        A frame with ``purchase_count``, ``total_spend`` and
        ``days_since_last_purchase`` (e.g. from :func:`summarize_purchases`).
    bins
        Number of quantile groups, 2..9 (5 gives quintiles).

    Returns
    -------
    pandas.DataFrame
        Same index as ``summary``, with integer columns ``recency_score``
        (higher = more recent), ``frequency_score``, ``monetary_score`` and the
        string ``rfm`` joining them (e.g. ``"545"``).

    Notes
    -----
    Customers who bought (``purchase_count > 0``) are ranked among themselves
    with average ranks, and a customer of mid-rank ``k`` among ``n`` gets
    ``1 + floor(bins * (k - 0.5) / n)``. So with distinct values each score
    holds ``n / bins`` customers (±1); tied values always share a score
    (unlike ``rank(method="first")``, which would split them by row order);
    a single customer, or all-equal values, get the middle score; and the
    scores do not depend on row order. Customers who never bought score 0 on
    all three (``"000"``): they are outside the distribution, not at its bottom.

    Raises
    ------
    SchemaError
        A column is missing or invalid, or a customer with purchases has no
        ``days_since_last_purchase``.
    InputError
        ``bins`` is not an integer in 2..9.
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or not 2 <= bins <= 9:
        raise InputError(f"bins must be an integer from 2 to 9; got {bins!r}")
    require_columns(summary, ("purchase_count", "total_spend", "days_since_last_purchase"))
    count = read_float(summary, "purchase_count", integer=True)
    spend = read_float(summary, "total_spend")
    days = read_float(summary, "days_since_last_purchase", allow_nan=True)
    buyer = count > 0
    lost = buyer & np.isnan(days)
    if lost.any():
        raise SchemaError(
            f"column 'days_since_last_purchase': {int(lost.sum())} customer(s) with purchases "
            f"have no recency (NaN); expected days >= 0: {describe_rows(summary, lost)}"
        )
    scores = np.zeros((len(summary), 3), dtype=np.int64)
    for j, values in enumerate((-days, count, spend)):
        scores[buyer, j] = _quantile_scores(values[buyer], int(bins))
    out = pd.DataFrame(
        scores,
        index=summary.index,
        columns=["recency_score", "frequency_score", "monetary_score"],
    )
    # Each score is one digit (bins <= 9), so the code is a zero-padded 3-digit number.
    number = pd.Series(scores @ np.array([100, 10, 1]), index=summary.index)
    out["rfm"] = number.astype("str").str.zfill(3)
    return out
