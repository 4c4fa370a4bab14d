"""The statistics a disparity is measured on, each defined once for 1-d and batched data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from prioritize._errors import InputError
from prioritize.fairness._columns import BoolArray, FloatArray
from prioritize.models import answered_within

__all__ = ["STATS", "Stat", "parse_stat"]

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
        if not math.isfinite(float(within_minutes)):
            raise InputError(f"within_minutes must be a finite number; got {within_minutes!r}")
        return Stat(stat, within_minutes=float(within_minutes))
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
