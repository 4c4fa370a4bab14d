"""Inequality of a quantity across queries: Gini, Jain's index, generalized entropy."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize.fairness._columns import FloatArray, GroupSpec, encode_groups, read_values

__all__ = [
    "EntropyDecomposition",
    "entropy_decomposition",
    "generalized_entropy",
    "gini",
    "jain",
]


def _sample(x: Any, *, positive: bool = False, name: str = "x") -> FloatArray:
    """``x`` as a non-empty 1-d float array of finite values >= 0 (> 0 if ``positive``)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers; {exc}") from None
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{name} is empty; inequality needs at least one value")
    finite = np.isfinite(arr)
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise InputError(f"{name} must be finite numbers; got {arr[first]} at position {first}")
    low = arr <= 0 if positive else arr < 0
    if low.any():
        first = int(np.flatnonzero(low)[0])
        need = "> 0 for alpha <= 0" if positive else ">= 0"
        raise InputError(f"{name} must be {need}; got {arr[first]:g} at position {first}")
    return arr


def gini(x: Any) -> float:
    """The Gini coefficient of non-negative values ``x``.

    ``G = Σ_i Σ_j |x_i - x_j| / (2 n² μ)``: the mean absolute difference
    between two values drawn with replacement, over twice the mean. 0 when
    every value is equal (including all zero), at most ``1 - 1/n`` (one value
    holds everything). This is the population form, with no ``n/(n-1)``
    small-sample correction. Computed in O(n log n) from the sorted values as
    ``Σ_i (2i - n - 1) x_(i) / (n Σ x)``.

    Raises
    ------
    InputError
        If ``x`` is empty, not one-dimensional, or has a negative or
        non-finite value.
    """
    arr = np.sort(_sample(x))
    n = arr.size
    total = float(arr.sum())
    if arr[0] == arr[-1]:  # all equal: exactly 0, without rounding noise
        return 0.0
    ranks = np.arange(1, n + 1, dtype=np.float64)
    value = float(np.dot(2.0 * ranks - n - 1.0, arr) / (n * total))
    return min(max(value, 0.0), 1.0 - 1.0 / n)


def jain(x: Any) -> float:
    """Jain's fairness index of non-negative allocations ``x``: ``(Σx)² / (n Σx²)``.

    1 when every value is equal (all zero counts as equal), ``1/n`` when one
    value holds everything; invariant to scale. Jain defined it for
    *allocations*, "more is better" quantities such as throughput or speed
    of service, where ``1/n`` means one party got everything. For waits, a
    cost, apply it to a benefit such as ``jain(1 / (1 + wait_minutes))``
    (1 when everyone waits equally long, lower as waits spread out).

    Raises
    ------
    InputError
        If ``x`` is empty, not one-dimensional, or has a negative or
        non-finite value.
    """
    arr = _sample(x)
    top = float(arr.max())
    if top == 0.0:
        return 1.0
    # Scale by the maximum first so the squares cannot overflow or underflow.
    scaled = arr / top
    return float(scaled.sum() ** 2 / (arr.size * np.dot(scaled, scaled)))


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise InputError(f"alpha must be a real number; got {alpha!r}")
    if not math.isfinite(float(alpha)):
        raise InputError(f"alpha must be finite; got {alpha!r}")
    return float(alpha)


def _ge(arr: FloatArray, alpha: float) -> float:
    mean = float(arr.mean())
    if mean == 0.0:
        return 0.0
    r = arr / mean
    if alpha == 1.0:
        safe = np.where(r > 0, r, 1.0)  # 0 · log 0 = 0
        return float(np.mean(r * np.log(safe)))
    if alpha == 0.0:
        return float(-np.mean(np.log(r)))
    return float(np.mean(r**alpha - 1.0) / (alpha * (alpha - 1.0)))


def generalized_entropy(x: Any, *, alpha: float = 2.0) -> float:
    """The generalized entropy index GE(α) of non-negative values ``x``.

    ``GE(α) = (1 / (n α (α - 1))) Σ_i ((x_i / μ)^α - 1)``, with the limits
    ``GE(1) = (1/n) Σ (x_i/μ) ln(x_i/μ)`` (Theil's T) and
    ``GE(0) = -(1/n) Σ ln(x_i/μ)`` (mean log deviation). 0 when every value
    is equal; ``GE(2)`` is half the squared coefficient of variation. Larger
    α weighs the top of the distribution (the longest waits) more. GE is the
    inequality index that splits exactly into between- and within-group
    parts: see :func:`entropy_decomposition`.

    Raises
    ------
    InputError
        As :func:`gini`, and if ``alpha <= 0`` while some value is 0 (the
        index is infinite there: use ``alpha > 0`` for waits, which are
        often 0).
    """
    a = _check_alpha(alpha)
    return _ge(_sample(x, positive=a <= 0.0), a)


@dataclass(frozen=True, slots=True)
class EntropyDecomposition:
    """GE(α) split into a between-group and a within-group part.

    Attributes
    ----------
    alpha
        The GE parameter.
    total
        GE(α) over every row.
    between
        GE(α) of the rows with each value replaced by its group's mean: the
        inequality explained by group membership.
    within
        ``Σ_g weight_g · GE_g(α)``, with ``weight_g = (n_g / n) (μ_g / μ)^α``.
        ``total == between + within`` up to rounding.
    by_group
        Per group: ``count``, ``mean``, ``ge`` (GE(α) within the group),
        ``weight`` and ``contribution`` (``weight · ge``; they sum to
        ``within``).
    """

    alpha: float
    total: float
    between: float
    within: float
    by_group: pd.DataFrame

    @property
    def between_share(self) -> float:
        """``between / total`` (0 when ``total`` is 0): how much groups explain."""
        return self.between / self.total if self.total > 0 else 0.0


def entropy_decomposition(
    records: Any,
    *,
    value: str = "wait_minutes",
    group: GroupSpec = "follower_band",
    alpha: float = 2.0,
) -> EntropyDecomposition:
    """Split the GE(α) inequality of ``value`` into between- and within-group parts.

    Groups are read as in :class:`DisparityFrame` (one column or several;
    groups without rows left out). Values must be >= 0 (> 0 for ``alpha <= 0``).
    See :class:`EntropyDecomposition` for the formulas.
    """
    a = _check_alpha(alpha)
    groups = encode_groups(records, group)
    values = _sample(read_values(records, value), positive=a <= 0.0, name=f"column {value!r}")
    sizes = groups.sizes
    means = np.bincount(groups.codes, weights=values, minlength=sizes.size) / sizes
    mean = float(values.mean())
    inner = np.array([_ge(values[groups.codes == g], a) for g in range(sizes.size)])
    # When every value is 0 there is no inequality anywhere; the ratio μ_g/μ is taken as 1.
    weights = (sizes / values.size) * ((means / mean) ** a if mean > 0 else 1.0)
    contributions = weights * inner
    table = pd.DataFrame(
        {
            "count": sizes,
            "mean": means,
            "ge": inner,
            "weight": weights,
            "contribution": contributions,
        },
        index=groups.labels,
    )
    return EntropyDecomposition(
        alpha=a,
        total=_ge(values, a),
        between=_ge(means[groups.codes], a),
        within=float(contributions.sum()),
        by_group=table,
    )
