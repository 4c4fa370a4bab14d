"""The statistics a disparity is measured on, each defined once for 1-d and batched data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize._internal.constants import (
    CONFIDENCE,
    FAIL,
    FLAG_STATES,
    FOUR_FIFTHS,
    MIN_BAND_HITS,
    MIN_BAND_QUERIES,
    PASS,
    TOO_FEW,
)
from prioritize.fairness._columns import BoolArray, FloatArray, IntArray
from prioritize.models import answered_within

__all__ = [
    "EXACT_MEAN_MAX",
    "FAIL",
    "FLAG_STATES",
    "PASS",
    "STATS",
    "TOO_FEW",
    "Stat",
    "flag_state",
    "mean_replicates",
    "paired_share_replicates",
    "parse_stat",
    "percentile_interval",
    "quantile_replicates",
    "share_replicates",
]

#: Accepted statistic names; ``pXX`` is any percentile, e.g. ``p90`` or ``p99.5``.
STATS: tuple[str, ...] = ("mean", "median", "pXX", "max", "share_within")
_PERCENTILE = re.compile(r"p(\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class Stat:
    """A statistic of a sample: ``mean``, a quantile, ``max`` or ``share_within``.

    ``share_within`` is the share of rows that were answered with a value
    <= ``within_minutes`` (service-level attainment): :meth:`prepare` turns each
    row into a 0/1 hit, and the statistic is their mean.
    """

    name: str
    quantile: float | None = None
    within_minutes: float | None = None

    def prepare(self, values: FloatArray, abandoned: BoolArray | None) -> FloatArray:
        """Per-row inputs of :meth:`reduce` (hits for ``share_within``, else ``values``)."""
        if self.within_minutes is None:
            return values
        return answered_within(values, self.within_minutes, abandoned).astype(np.float64)

    def reduce(self, prepared: FloatArray) -> FloatArray:
        """The statistic along the last axis (a 0-d array for 1-d input).

        Quantiles use numpy's default linear interpolation (Hyndman-Fan
        type 7, the same as pandas' ``quantile``).
        """
        if self.quantile is not None:
            return np.asarray(np.quantile(prepared, self.quantile, axis=-1), dtype=np.float64)
        if self.name == "max":
            return np.asarray(prepared.max(axis=-1), dtype=np.float64)
        return np.asarray(prepared.mean(axis=-1), dtype=np.float64)


def parse_stat(stat: str, within_minutes: float | None = None) -> Stat:
    """The :class:`Stat` called ``stat``; ``within_minutes`` goes with ``share_within``."""
    if not isinstance(stat, str):
        raise InputError(f"stat must be one of {list(STATS)}; got {stat!r}")
    if stat == "share_within":
        if within_minutes is None or isinstance(within_minutes, bool):
            raise InputError("stat='share_within' needs within_minutes= (e.g. 60 for one hour)")
        # the one rule for within_minutes (as band_figures): a finite number >= 0
        return Stat(stat, within_minutes=check_number("within_minutes", within_minutes))
    if within_minutes is not None:
        raise InputError(f"within_minutes= only applies to stat='share_within', not {stat!r}")
    if stat in ("mean", "max"):
        return Stat(stat)
    if stat == "median":
        return Stat(stat, quantile=0.5)
    match = _PERCENTILE.fullmatch(stat)
    if match is not None and float(match.group(1)) <= 100.0:
        return Stat(stat, quantile=float(match.group(1)) / 100.0)
    raise InputError(
        f"stat must be one of {list(STATS)} (pXX is a percentile in [0, 100]); got {stat!r}"
    )


# --- intervals ------------------------------------------------------------------------------
#
# Every interval a report shows is a percentile bootstrap over the queries of a band
# (resampled with replacement, the band's size fixed). For the figures a report shows the
# bootstrap distribution is known in closed form, so the replicates are drawn from it
# directly in O(replicates) instead of resampling every row (20,000 rows x 1,000
# replicates would be 20 million draws):
#
# - a share of k hits in n is Binomial(n, k / n) / n in a resample;
# - the j-th smallest of n rows in a resample is the row at floor(n * U) of the sorted
#   rows, where U ~ Beta(j, n - j + 1) is the j-th smallest of n uniforms;
# - a mean is drawn from its normal limit, N(mean, sd / sqrt(n)) with the bootstrap's
#   own variance (sd with ddof=0): the one figure whose replicates are approximate.


def percentile_interval(replicates: FloatArray, level: float = CONFIDENCE) -> FloatArray:
    """The ``level`` percentile interval of bootstrap ``replicates`` (replicates on axis 0).

    Returns an array of shape ``(2, ...)``: the low ends, then the high ends.
    NaN replicates (a figure with no rows) give a NaN interval.
    """
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        return np.asarray(np.quantile(replicates, [tail, 1.0 - tail], axis=0), dtype=np.float64)


def share_replicates(
    hits: IntArray, sizes: IntArray, *, replicates: int, rng: np.random.Generator
) -> FloatArray:
    """Bootstrap replicates of shares ``hits / sizes`` (one per group), shape (replicates, groups).

    Exact: a resample of ``n`` rows of which ``k`` are hits has Binomial(n, k/n)
    hits. A group with no rows gives NaN.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    hits = np.asarray(hits, dtype=np.int64)
    safe = np.maximum(sizes, 1)
    drawn = rng.binomial(sizes, hits / safe, size=(replicates, sizes.size))
    return np.where(sizes > 0, drawn / safe, np.nan)


def paired_share_replicates(
    before: BoolArray, after: BoolArray, *, replicates: int, rng: np.random.Generator
) -> FloatArray:
    """Bootstrap replicates of ``mean(after) - mean(before)``, the rows resampled in pairs.

    ``before[i]`` and ``after[i]`` are the same query under two policies. Exact:
    a paired resample is a multinomial draw over the four (before, after)
    outcomes. No rows gives NaN.
    """
    n = int(before.size)
    if n == 0:
        return np.full(replicates, np.nan)
    cells = np.bincount(before.astype(np.int64) * 2 + after.astype(np.int64), minlength=4)
    counts = rng.multinomial(n, cells / n, size=replicates)
    gained, lost = counts[:, 1], counts[:, 2]  # (miss, hit) and (hit, miss)
    return np.asarray((gained - lost) / n, dtype=np.float64)


def quantile_replicates(
    ordered: FloatArray, quantile: float, *, replicates: int, rng: np.random.Generator
) -> FloatArray:
    """Bootstrap replicates of the ``quantile`` of the sorted sample ``ordered``.

    The quantile interpolates linearly between two order statistics (numpy's
    default); in a resample each order statistic is drawn exactly (see the
    module notes), the second given the first. An empty sample gives NaN.
    """
    n = int(ordered.size)
    if n == 0:
        return np.full(replicates, np.nan)
    h = (n - 1) * quantile
    lo = math.floor(h)
    frac = h - lo
    first = rng.beta(lo + 1, n - lo, size=replicates)  # the (lo + 1)-th smallest of n uniforms
    low = ordered[np.minimum((n * first).astype(np.int64), n - 1)]
    if frac == 0.0 or lo + 1 >= n:
        return np.asarray(low, dtype=np.float64)
    # the next smallest: the least of the n - lo - 1 uniforms above the first
    second = first + (1.0 - first) * rng.beta(1, n - lo - 1, size=replicates)
    high = ordered[np.minimum((n * second).astype(np.int64), n - 1)]
    return np.asarray(low + frac * (high - low), dtype=np.float64)


#: A mean's replicates resample groups up to this size exactly (replicates × n draws);
#: larger groups use the mean's normal limit (see :func:`mean_replicates`).
EXACT_MEAN_MAX = 1_000
#: At most this many draws held at once by an exact resampling (rows done in chunks).
_DRAWS_AT_ONCE = 4_000_000


def mean_replicates(values: FloatArray, *, replicates: int, rng: np.random.Generator) -> FloatArray:
    """Bootstrap replicates of the mean of ``values``.

    Up to :data:`EXACT_MEAN_MAX` values: each replicate is the mean of ``n``
    values drawn with replacement. Larger samples: the normal limit
    N(mean, sd / sqrt(n)), ``sd`` the bootstrap's own (ddof=0), clipped to
    [min, max] of the values, where every resample's mean lies. Either way
    no replicate leaves the values' range: a mean wait's interval never goes
    below zero, however skewed the waits (a small group of mostly zero waits
    and one long one gave the normal limit a negative lower bound). An empty
    sample gives NaN.
    """
    n = int(values.size)
    if n == 0:
        return np.full(replicates, np.nan)
    if n > EXACT_MEAN_MAX:
        draws = rng.normal(values.mean(), values.std() / math.sqrt(n), size=replicates)
        return np.asarray(np.clip(draws, values.min(), values.max()), dtype=np.float64)
    out = np.empty(replicates, dtype=np.float64)
    rows = max(1, _DRAWS_AT_ONCE // n)
    for start in range(0, replicates, rows):
        stop = min(start + rows, replicates)
        out[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


def flag_state(
    relative: float,
    high: float,
    queries: int,
    *,
    hits: int | None = None,
    threshold: float = FOUR_FIFTHS,
    min_queries: int = MIN_BAND_QUERIES,
) -> str:
    """What a ratio flag may say: :data:`PASS`, :data:`FAIL` or :data:`TOO_FEW`.

    ``relative`` is the measured ratio (1 = parity), ``high`` the upper end of
    its interval and ``queries`` the size of the group it is about. A ratio at
    or above ``threshold`` passes. Below it, the flag is :data:`FAIL` only when
    the whole interval is below ``threshold`` and the group has at least
    ``min_queries`` queries; otherwise the data cannot tell (:data:`TOO_FEW`).
    ``hits``, when given, is the fewest hits behind the two shares compared:
    a share of fewer than :data:`MIN_BAND_HITS` hits (1 of 180 queries) has
    no reliable interval, so it cannot fail either. A NaN ratio cannot tell.
    """
    if math.isnan(relative):
        return TOO_FEW
    if relative >= threshold:
        return PASS
    few_hits = hits is not None and hits < MIN_BAND_HITS
    if queries < min_queries or few_hits or math.isnan(high) or high >= threshold:
        return TOO_FEW
    return FAIL
