"""One quantity measured overall and by group: :class:`DisparityFrame` and :func:`by_group`."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import SeedLike, check_fraction, check_int, check_random_state
from prioritize._internal.constants import FOUR_FIFTHS
from prioritize.fairness._columns import (
    BoolArray,
    FloatArray,
    Groups,
    GroupSpec,
    IntArray,
    encode_groups,
    read_abandoned,
    read_values,
)
from prioritize.fairness._stats import Stat, parse_stat, percentile_interval
from prioritize.models import parity_ratio

__all__ = ["FOUR_FIFTHS", "DisparityFrame", "Method", "by_group"]

Method = Literal["between_groups", "to_overall"]
_METHODS = ("between_groups", "to_overall")
_BOOT_CELLS = 2_000_000  # resampled values held in memory at once by bootstrap()
_NO_BOOTSTRAP = "no bootstrap yet: call .bootstrap(n=..., seed=...) for confidence intervals"


@dataclass(frozen=True, slots=True)
class _Sample:
    """The measured rows, sorted by group: group ``g`` is ``values[bounds[g]:bounds[g + 1]]``."""

    values: FloatArray
    abandoned: BoolArray | None
    bounds: IntArray
    groups: Groups
    excluded: int


def _excludes(
    records: Any, value: str, stats: Sequence[Stat], exclude_abandoned: bool | None
) -> bool:
    """Whether abandoned rows are left out: as asked, or by default (None) when the waits of
    answered queries are measured (``wait_minutes`` by a wait statistic, ``abandoned`` known)."""
    if exclude_abandoned is not None:
        if not isinstance(exclude_abandoned, bool):
            raise InputError(f"exclude_abandoned must be a bool or None; got {exclude_abandoned!r}")
        return exclude_abandoned
    waits = all(stat.within_minutes is None for stat in stats)
    return waits and value == "wait_minutes" and "abandoned" in getattr(records, "columns", ())


def _sample(
    records: Any, value: str, group: GroupSpec, *, need_abandoned: bool, exclude_abandoned: bool
) -> _Sample:
    groups = encode_groups(records, group)
    values = read_values(records, value)
    abandoned = None
    if exclude_abandoned or (need_abandoned and "abandoned" in records.columns):
        abandoned = read_abandoned(records)
    excluded = 0
    if exclude_abandoned and abandoned is not None:
        keep = ~abandoned
        excluded = int(abandoned.sum())
        groups, values, abandoned = groups.subset(keep), values[keep], abandoned[keep]
    if values.size == 0:
        why = " (every row is abandoned and exclude_abandoned=True)" if excluded else ""
        raise InputError(f"no rows to measure{why}")
    order = np.argsort(groups.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(groups.sizes)]).astype(np.int64)
    return _Sample(
        values[order],
        None if abandoned is None else abandoned[order],
        bounds,
        groups,
        excluded,
    )


def _by_segment(stat: Stat, prepared: FloatArray, bounds: IntArray) -> FloatArray:
    """``stat`` of each group segment along the last axis of ``prepared``."""
    parts = [stat.reduce(prepared[..., lo:hi]) for lo, hi in itertools.pairwise(bounds)]
    return np.stack(parts, axis=-1)


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise InputError(f"method must be one of {list(_METHODS)}; got {method!r}")


def _difference(groups: FloatArray, overall: FloatArray, method: str) -> FloatArray:
    if method == "between_groups":
        return np.asarray(groups.max(axis=-1) - groups.min(axis=-1))
    return np.asarray(np.abs(groups - overall[..., None]).max(axis=-1))


def _ratio(groups: FloatArray, overall: FloatArray, method: str) -> FloatArray:
    if method == "between_groups":
        return parity_ratio(groups.min(axis=-1), groups.max(axis=-1))
    whole = overall[..., None]
    return np.asarray(
        parity_ratio(np.minimum(groups, whole), np.maximum(groups, whole)).min(axis=-1)
    )


def _relative(groups: FloatArray, higher_is_better: bool) -> FloatArray:
    """Each group against the best group, as a ratio in [0, 1] (1 = as good as the best)."""
    if higher_is_better:
        return parity_ratio(groups, np.full_like(groups, groups.max()))
    return parity_ratio(np.full_like(groups, groups.min()), groups)


@dataclass(frozen=True, slots=True)
class _Bootstrap:
    n: int
    level: float
    overall: FloatArray  # (n,)
    groups: FloatArray  # (n, groups)

    def interval(self, replicates: FloatArray) -> FloatArray:
        return percentile_interval(replicates, self.level)


class DisparityFrame:
    """A quantity measured overall and for each group, and the gaps between groups.

    Modelled on fairlearn's ``MetricFrame`` (pure pandas/numpy): ``overall``,
    ``by_group``, ``difference()``, ``ratio()``, ``group_min()``,
    ``group_max()``, plus the four-fifths rule and bootstrap confidence
    intervals.

    Parameters
    ----------
    records
        One row per query (e.g. a simulation's ``records``).
    value
        The numeric (or boolean) column measured, ``wait_minutes`` by default.
        NaN is an error, not skipped.
    group
        The group column, or a list of columns: groups are then their
        combinations and ``by_group`` has a ``MultiIndex``. Missing labels
        are an error. Groups without rows (unused categories, unseen
        combinations) are left out of every result and listed in
        :attr:`empty_groups`.
    stat
        ``"mean"``, ``"median"``, ``"pXX"`` (a percentile, e.g. ``"p90"``;
        numpy's linear interpolation), ``"max"``, or ``"share_within"``: the
        share of rows answered with ``value <= within_minutes`` (service-level
        attainment). For ``share_within`` a row with ``abandoned`` true counts
        as a miss whatever its ``value``: it was never answered. Without an
        ``abandoned`` column every row counts as answered.
    within_minutes
        The time limit of ``share_within``, in minutes (the units of
        ``value``). Only for ``share_within``.
    higher_is_better
        Whether a larger value is better for a group. Default: true for
        ``share_within``, false otherwise (waits, abandonment rates). Only
        :meth:`four_fifths` uses it: the best group is the highest or the
        lowest. :meth:`ratio` is symmetric (smallest over largest).
    exclude_abandoned
        Leave abandoned queries out of the measurement (True; needs an
        ``abandoned`` column) or keep them (False: a query that gave up counts
        with how long it waited). The default, None, is the package's one
        definition of a wait by group (as in the summary, ``band_table`` and
        the reports): the waits of *answered* queries, i.e. True when
        ``value`` is ``wait_minutes``, the statistic is not ``share_within``
        and the records have an ``abandoned`` column; False otherwise.
        :attr:`excluded` counts the rows left out and :attr:`waits` says
        which definition was used.

    Notes
    -----
    Where fairlearn returns NaN for a ratio 0/0, this returns 1: groups with
    equal values are in parity, so ``ratio() == 1`` exactly when
    ``difference() == 0``. Ratios need values >= 0 (an :class:`InputError`
    otherwise).

    Examples
    --------
    Six answered or abandoned queries in two follower bands (``records`` would
    usually come from :func:`~prioritize.simulate`):

    >>> import pandas as pd
    >>> from prioritize.fairness import DisparityFrame
    >>> records = pd.DataFrame({
    ...     "wait_minutes": [2.0, 4.0, 30.0, 50.0, 90.0, 10.0],
    ...     "abandoned": [False, False, False, False, True, False],
    ...     "follower_band": ["<1k", "<1k", "<1k", "100k+", "100k+", "100k+"],
    ... })

    The median wait of answered queries by band, the smallest-to-largest ratio,
    and the bands under four fifths of the best:

    >>> d = DisparityFrame(records, group="follower_band", stat="median")
    >>> d.by_group["value"].to_dict()
    {'100k+': 30.0, '<1k': 4.0}
    >>> round(d.ratio(), 3), list(d.flagged)
    (0.133, ['100k+'])

    The share answered within 20 minutes (a query that gave up is a miss):

    >>> within = DisparityFrame(records, stat="share_within", within_minutes=20)
    >>> within.by_group["value"].round(3).to_dict()
    {'100k+': 0.333, '<1k': 0.667}
    """

    def __init__(
        self,
        records: Any,
        *,
        value: str = "wait_minutes",
        group: GroupSpec = "follower_band",
        stat: str = "mean",
        within_minutes: float | None = None,
        higher_is_better: bool | None = None,
        exclude_abandoned: bool | None = None,
    ) -> None:
        self._stat = parse_stat(stat, within_minutes)
        excluding = _excludes(records, value, [self._stat], exclude_abandoned)
        sample = _sample(
            records,
            value,
            group,
            need_abandoned=self._stat.within_minutes is not None,
            exclude_abandoned=excluding,
        )
        self.waits = "answered" if excluding else "all"
        self.value = value
        self.stat = stat
        self.within_minutes = self._stat.within_minutes
        self.higher_is_better = (
            self._stat.within_minutes is not None if higher_is_better is None else higher_is_better
        )
        self._groups = sample.groups
        self._bounds = sample.bounds
        self._excluded = sample.excluded
        self._prepared = self._stat.prepare(sample.values, sample.abandoned)
        self._nonnegative = bool(sample.values.min() >= 0)
        self._overall = self._stat.reduce(self._prepared)
        self._group_values = _by_segment(self._stat, self._prepared, self._bounds)
        self._boot: _Bootstrap | None = None

    def __repr__(self) -> str:
        names = self.group_names
        group = names[0] if len(names) == 1 else list(names)
        boot = "" if self._boot is None else f", bootstrap={self._boot.n}@{self._boot.level:g}"
        return (
            f"DisparityFrame(value={self.value!r}, group={group!r}, stat={self.stat!r}, "
            f"rows={self.waits!r}, groups={len(self._group_values)}, "
            f"overall={self.overall:.6g}{boot})"
        )

    @property
    def group_names(self) -> tuple[str, ...]:
        """The group column(s)."""
        return self._groups.names

    @property
    def overall(self) -> float:
        """The statistic over every measured row."""
        return float(self._overall)

    @property
    def by_group(self) -> pd.DataFrame:
        """One row per group with rows: ``value`` and ``count`` (rows measured).

        After :meth:`bootstrap`, also ``ci_low`` and ``ci_high``.
        """
        frame = pd.DataFrame(
            {"value": self._group_values, "count": self._groups.sizes}, index=self._groups.labels
        )
        if self._boot is not None:
            low, high = self._boot.interval(self._boot.groups)
            frame["ci_low"] = low
            frame["ci_high"] = high
        return frame

    @property
    def empty_groups(self) -> pd.Index:
        """Groups with no measured rows, left out of :attr:`by_group` and every gap."""
        return self._groups.empty

    @property
    def excluded(self) -> int:
        """Rows left out by ``exclude_abandoned=True`` (0 otherwise)."""
        return self._excluded

    def group_min(self) -> float:
        """The smallest group value."""
        return float(self._group_values.min())

    def group_max(self) -> float:
        """The largest group value."""
        return float(self._group_values.max())

    def difference(self, method: Method = "between_groups") -> float:
        """The largest gap: ``group_max() - group_min()`` (``"between_groups"``), or the
        largest ``|group - overall|`` (``"to_overall"``). In the units of ``value``."""
        _check_method(method)
        return float(_difference(self._group_values, self._overall, method))

    def ratio(self, method: Method = "between_groups") -> float:
        """The smallest ratio, in [0, 1]: ``group_min() / group_max()``
        (``"between_groups"``), or the smallest of ``min(g, overall) / max(g, overall)``
        (``"to_overall"``). 1 means parity; 0/0 counts as 1."""
        _check_method(method)
        self._check_nonnegative("ratio")
        return float(_ratio(self._group_values, self._overall, method))

    def four_fifths(self, *, threshold: float = FOUR_FIFTHS) -> pd.DataFrame:
        """Each group against the best group, flagged under the four-fifths rule.

        ``relative`` is ``value / best`` when higher is better (a service level
        of 60% against the best group's 90% is 0.67), and ``best / value`` when
        lower is better (a mean wait of 50 minutes against the best group's 20
        is 0.4). A group is ``flagged`` when ``relative < threshold`` (a
        ratio in (0, 1], :data:`FOUR_FIFTHS` by default). The
        smallest ``relative`` equals :meth:`ratio`, so some group is flagged
        exactly when ``ratio() < threshold``.
        """
        self._check_nonnegative("four_fifths")
        threshold = check_fraction("threshold", threshold, closed_above=True)
        relative = _relative(self._group_values, self.higher_is_better)
        return pd.DataFrame(
            {"value": self._group_values, "relative": relative, "flagged": relative < threshold},
            index=self._groups.labels,
        )

    @property
    def flagged(self) -> pd.Index:
        """The groups under the four-fifths rule (see :meth:`four_fifths`)."""
        table = self.four_fifths()
        return table.index[table["flagged"].to_numpy(dtype=bool)]

    def bootstrap(self, n: int = 1000, *, seed: SeedLike, level: float = 0.95) -> DisparityFrame:
        """A copy with percentile bootstrap confidence intervals at ``level``.

        The bootstrap is stratified: each replicate resamples every group's
        rows with replacement within the group (so group sizes are fixed and
        no group vanishes); its overall value is computed on the union of the
        group resamples. The intervals appear in :attr:`by_group` and come
        from :attr:`overall_ci`, :meth:`difference_ci` and :meth:`ratio_ci`,
        all from the same ``n`` replicates.

        The cost is ``n`` resamples of every row: 1,000 replicates of
        100,000 rows take a few seconds for a mean, several times that for a
        percentile.
        """
        n = check_int("n", n, minimum=1)
        level = check_fraction("level", level, closed_above=False)
        rng = check_random_state(seed)
        total = int(self._bounds[-1])
        sizes = np.diff(self._bounds)
        chunk = max(1, _BOOT_CELLS // total)
        overall = np.empty(int(n))
        groups = np.empty((int(n), len(sizes)))
        for first in range(0, int(n), chunk):
            count = min(chunk, int(n) - first)
            picks = [
                lo + rng.integers(0, size, size=(count, size))
                for lo, size in zip(self._bounds[:-1], sizes, strict=True)
            ]
            draws = self._prepared[np.concatenate(picks, axis=1)]
            done = slice(first, first + count)
            overall[done] = self._stat.reduce(draws)
            groups[done] = _by_segment(self._stat, draws, self._bounds)
        result = copy.copy(self)
        result._boot = _Bootstrap(int(n), float(level), overall, groups)
        return result

    @property
    def overall_ci(self) -> tuple[float, float]:
        """The bootstrap interval of :attr:`overall` (after :meth:`bootstrap`)."""
        return self._interval(self._bootstrap().overall)

    def difference_ci(self, method: Method = "between_groups") -> tuple[float, float]:
        """The bootstrap interval of :meth:`difference` (after :meth:`bootstrap`)."""
        _check_method(method)
        boot = self._bootstrap()
        return self._interval(_difference(boot.groups, boot.overall, method))

    def ratio_ci(self, method: Method = "between_groups") -> tuple[float, float]:
        """The bootstrap interval of :meth:`ratio` (after :meth:`bootstrap`)."""
        _check_method(method)
        self._check_nonnegative("ratio_ci")
        boot = self._bootstrap()
        return self._interval(_ratio(boot.groups, boot.overall, method))

    def _bootstrap(self) -> _Bootstrap:
        if self._boot is None:
            raise InputError(_NO_BOOTSTRAP)
        return self._boot

    def _interval(self, replicates: FloatArray) -> tuple[float, float]:
        low, high = self._bootstrap().interval(replicates)
        return float(low), float(high)

    def _check_nonnegative(self, what: str) -> None:
        if not self._nonnegative:
            raise InputError(
                f"{what} needs values >= 0; column {self.value!r} has negative values "
                f"(use difference() instead)"
            )


def by_group(
    records: Any,
    *,
    group: GroupSpec = "follower_band",
    value: str = "wait_minutes",
    stats: Sequence[str] = ("mean", "median", "p90", "max"),
    within_minutes: float | None = None,
    exclude_abandoned: bool | None = None,
) -> pd.DataFrame:
    """Several statistics of ``value`` for each group, in one table.

    Returns a frame indexed by group, one row for every group of the
    records, with a ``count`` column (the rows the wait statistics measured;
    every row when only ``share_within`` is asked or nothing is left out: a
    group whose queries were all abandoned measured none, count 0 and its
    wait statistics NaN) and one column per statistic, named as in ``stats``.
    Statistics, ``within_minutes`` and ``exclude_abandoned`` mean what they
    mean for :class:`DisparityFrame`; ``within_minutes`` is needed exactly
    when ``"share_within"`` is among ``stats``. By default the wait
    statistics are of answered queries and ``share_within`` of every query,
    each as :class:`DisparityFrame` measures it alone.

    Examples
    --------
    >>> import pandas as pd
    >>> from prioritize.fairness import by_group
    >>> records = pd.DataFrame({
    ...     "wait_minutes": [2.0, 4.0, 30.0, 50.0, 90.0, 10.0],
    ...     "abandoned": [False, False, False, False, True, False],
    ...     "follower_band": ["<1k", "<1k", "<1k", "100k+", "100k+", "100k+"],
    ... })
    >>> by_group(records, stats=("mean", "max", "share_within"), within_minutes=20).round(3)
                   count  mean   max  share_within
    follower_band
    100k+              2  30.0  50.0         0.333
    <1k                3  12.0  30.0         0.667
    """
    if isinstance(stats, str) or not stats:
        raise InputError(f"stats must be a non-empty list of statistic names; got {stats!r}")
    if len(set(stats)) != len(stats):
        raise InputError(f"stats lists a statistic twice: {list(stats)}")
    if within_minutes is not None and "share_within" not in stats:
        raise InputError("within_minutes= only applies when 'share_within' is among stats")
    parsed = [parse_stat(s, within_minutes if s == "share_within" else None) for s in stats]
    columns: dict[str, Any] = {}
    labels = None
    # one sample per definition of the rows measured (answered waits, every query's share)
    for excluding in (False, True):
        mine = [s for s in parsed if _excludes(records, value, [s], exclude_abandoned) == excluding]
        if not mine:
            continue
        sample = _sample(
            records,
            value,
            group,
            need_abandoned=any(s.within_minutes is not None for s in mine),
            exclude_abandoned=excluding,
        )
        index = sample.groups.labels
        labels = index if labels is None else labels.union(index, sort=False)
        for stat in mine:
            prepared = stat.prepare(sample.values, sample.abandoned)
            columns[stat.name] = pd.Series(_by_segment(stat, prepared, sample.bounds), index=index)
            if excluding or "count" not in columns:
                columns["count"] = pd.Series(sample.groups.sizes, index=index)
    # Every group of the records has its row: one whose rows were all left out
    # (every query abandoned) measured none, count 0 and its statistics NaN.
    every = encode_groups(records, group).labels
    table = pd.DataFrame(columns).reindex(labels.union(every, sort=False))  # type: ignore[union-attr]
    table["count"] = table["count"].fillna(0).astype(np.int64)
    return table[["count", *(s.name for s in parsed)]]
