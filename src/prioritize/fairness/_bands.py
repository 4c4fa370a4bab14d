"""Figures by band with their n and 95% intervals, the four-fifths test, and changes against a
baseline policy on the same stream.

The intervals are the percentile bootstrap over each band's queries (see the
notes in :mod:`prioritize.fairness._stats`); a flag reads "too few to tell"
unless the data can support it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import (
    SeedLike,
    check_fraction,
    check_int,
    check_number,
    check_random_state,
)
from prioritize._internal.constants import (
    BOOTSTRAP_REPLICATES,
    CONFIDENCE,
    FOUR_FIFTHS,
    MIN_BAND_QUERIES,
    SLA_MINUTES,
)
from prioritize._internal.frames import require_columns
from prioritize._internal.rows import listing, shown_value
from prioritize.fairness._columns import (
    BoolArray,
    FloatArray,
    GroupSpec,
    encode_groups,
    read_abandoned,
    read_values,
)
from prioritize.fairness._stats import (
    flag_state,
    mean_replicates,
    paired_share_replicates,
    percentile_interval,
    quantile_replicates,
    share_replicates,
)
from prioritize.models import answered_within, parity_ratio

__all__ = [
    "BANDS",
    "WAITS",
    "RatioTest",
    "Waits",
    "band_changes",
    "band_figures",
    "band_ratio_tests",
    "four_fifths_test",
    "wait_ratio_test",
]

#: Which queries a band's wait figures (mean, median, p90) are over: ``"answered"`` (the
#: default everywhere: waits of queries an agent reached; those who gave up are counted by
#: ``abandon_rate`` and count as misses in ``within_target``) or ``"all"`` (a query that
#: gave up counts with how long it waited before giving up).
Waits = Literal["answered", "all"]
WAITS: tuple[str, ...] = ("answered", "all")
_QUANTILES = (("median", 0.5), ("p90", 0.9))


def _check_waits(waits: object) -> Waits:
    if waits == "answered":
        return "answered"
    if waits == "all":
        return "all"
    raise InputError(f"waits must be one of {list(WAITS)}; got {waits!r}")


def _bootstrap(seed: Any, replicates: Any, level: Any) -> tuple[np.random.Generator, int, float]:
    """The checked bootstrap arguments: the generator, the replicates, the interval's level."""
    return (
        check_random_state(seed),
        check_int("replicates", replicates, minimum=1),
        check_fraction("level", level, closed_above=False),
    )


@dataclass(frozen=True, slots=True)
class _Bands:
    labels: pd.Index
    codes: Any  # IntArray: row -> band position
    sizes: Any  # IntArray
    wait: FloatArray
    abandoned: BoolArray
    hits: BoolArray


def _bands(records: Any, group: GroupSpec, within_minutes: float) -> _Bands:
    within_minutes = check_number("within_minutes", within_minutes)
    require_columns(records, ("wait_minutes", "abandoned"))
    groups = encode_groups(records, group)
    wait = read_values(records, "wait_minutes")
    abandoned = read_abandoned(records)
    if groups.sizes.size == 0:
        raise InputError("no rows to measure")
    hits = answered_within(wait, float(within_minutes), abandoned)
    return _Bands(groups.labels, groups.codes, groups.sizes, wait, abandoned, hits)


def _count(bands: _Bands, mask: BoolArray) -> Any:
    return np.bincount(bands.codes, weights=mask, minlength=bands.sizes.size).astype(np.int64)


def _measured(bands: _Bands, band: int, waits: str) -> FloatArray:
    """The sorted waits a band's wait figures are over."""
    mine = bands.codes == band
    if waits == "answered":
        mine &= ~bands.abandoned
    return np.sort(bands.wait[mine])


def _put(columns: dict[str, Any], name: str, value: Any, interval: FloatArray) -> None:
    columns[name] = value
    columns[f"{name}_low"] = interval[0]
    columns[f"{name}_high"] = interval[1]


def _relative_to_best(
    values: FloatArray, replicates: FloatArray, level: float, *, higher_is_better: bool = True
) -> tuple[FloatArray, FloatArray, int]:
    """Each group against the best group (a ratio in [0, 1]), its interval, and the best group.

    The best group is the one observed best, and every replicate compares with
    *that* group's replicate: re-picking the best in each replicate would bias
    the ratio down (the best of several noisy figures overstates the best), so
    that the interval of a fair policy would miss its own ratio. The interval
    is clipped to [0, 1], the range of the ratio.
    """
    if higher_is_better:
        best = int(np.argmax(values))
        relative = parity_ratio(values, np.full_like(values, values[best]))
        ratios = parity_ratio(replicates, replicates[:, [best]])
    else:
        best = int(np.argmin(values))
        relative = parity_ratio(np.full_like(values, values[best]), values)
        ratios = parity_ratio(replicates[:, [best]], replicates)
    interval = np.clip(percentile_interval(ratios, level), 0.0, 1.0)
    return relative, interval, best


def band_figures(
    records: Any,
    *,
    group: GroupSpec = "follower_band",
    within_minutes: float = SLA_MINUTES,
    waits: Waits = "answered",
    seed: SeedLike = 0,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = CONFIDENCE,
    min_queries: int = MIN_BAND_QUERIES,
) -> pd.DataFrame:
    """Who waits how long, per group, each figure with its n and a bootstrap interval.

    One row per group with rows (in category order). Columns:

    - ``queries`` (n of the shares) and ``answered``;
    - ``median_wait_<waits>``, ``mean_wait_<waits>``, ``p90_wait_<waits>``
      (minutes; ``<waits>`` is ``answered`` or ``all``, see :data:`Waits`;
      their n is ``answered`` or ``queries``);
    - ``within_target``: share answered within ``within_minutes`` (giving up
      is a miss); ``abandon_rate``;
    - ``four_fifths``: the group's ``within_target`` over the best group's
      (1 = as good as the best), and ``four_fifths_state``: ``"pass"`` (at
      least 0.8), ``"fail"`` (the whole interval below 0.8 and at least
      ``min_queries`` queries) or ``"too few to tell"``
      (:func:`~prioritize.fairness.flag_state`).

    Each figure ``x`` has ``x_low`` and ``x_high``: the ``level`` percentile
    bootstrap interval over the group's queries (``replicates`` replicates,
    drawn with ``seed``; the same seed gives the same intervals). Shares and
    quantiles are drawn from their exact bootstrap distributions; means are
    resampled in groups of up to 1,000 queries and drawn from their normal
    limit, clipped to the waits' range, in larger ones (see
    :func:`~prioritize.fairness._stats.mean_replicates`): no interval of a
    wait goes below zero. A figure with no rows to measure is NaN.
    """
    waits = _check_waits(waits)
    rng, replicates, level = _bootstrap(seed, replicates, level)
    min_queries = check_int("min_queries", min_queries, minimum=1)
    bands = _bands(records, group, within_minutes)
    sizes = bands.sizes
    answered = _count(bands, ~bands.abandoned)
    hit_count = _count(bands, bands.hits)
    columns: dict[str, Any] = {"queries": sizes, "answered": answered}
    suffix = f"_wait_{waits}"
    stats: dict[str, tuple[list[float], list[FloatArray]]] = {
        name: ([], []) for name in ("median", "mean", "p90")
    }
    for band in range(sizes.size):
        ordered = _measured(bands, band, waits)
        for name, q in _QUANTILES:
            stats[name][0].append(float(np.quantile(ordered, q)) if ordered.size else np.nan)
            stats[name][1].append(quantile_replicates(ordered, q, replicates=replicates, rng=rng))
        stats["mean"][0].append(float(ordered.mean()) if ordered.size else np.nan)
        stats["mean"][1].append(mean_replicates(ordered, replicates=replicates, rng=rng))
    for name in ("median", "mean", "p90"):
        values, reps = stats[name]
        _put(columns, name + suffix, values, percentile_interval(np.stack(reps, axis=1), level))
    within = hit_count / sizes
    within_reps = share_replicates(hit_count, sizes, replicates=replicates, rng=rng)
    _put(columns, "within_target", within, percentile_interval(within_reps, level))
    gave_up = sizes - answered
    gave_up_reps = share_replicates(gave_up, sizes, replicates=replicates, rng=rng)
    _put(columns, "abandon_rate", gave_up / sizes, percentile_interval(gave_up_reps, level))
    relative, interval, best = _relative_to_best(within, within_reps, level)
    _put(columns, "four_fifths", relative, interval)
    best_hits, best_size = int(hit_count[best]), int(sizes[best])
    columns["four_fifths_state"] = [
        flag_state(
            float(r),
            float(h),
            min(int(n), best_size),
            hits=min(int(k), best_hits),
            min_queries=min_queries,
        )
        for r, h, n, k in zip(relative, interval[1], sizes, hit_count, strict=True)
    ]
    return pd.DataFrame(columns, index=bands.labels)


@dataclass(frozen=True, slots=True)
class RatioTest:
    """A worst-group-over-best-group ratio with its interval, its n and what it may say.

    Returned by :func:`four_fifths_test` and :func:`wait_ratio_test`.

    Attributes
    ----------
    ratio
        The worst group's figure against the best group's, in [0, 1]
        (1 = parity; :meth:`DisparityFrame.ratio`).
    low, high
        Its bootstrap interval.
    group
        The worst group (the one the ratio is about).
    queries
        Rows behind the smaller of the two groups compared (the worst and the
        best): queries for a share, answered queries for a wait.
    state
        ``"pass"``, ``"fail"`` or ``"too few to tell"`` against the
        four-fifths threshold (:func:`flag_state`); None for a ratio that no
        rule judges (the wait ratio: mean waits are heavy-tailed, and the
        four-fifths rule is about rates, not waits).
    """

    ratio: float
    low: float
    high: float
    group: Any
    queries: int
    state: str | None


def four_fifths_test(
    records: Any,
    *,
    group: GroupSpec = "follower_band",
    within_minutes: float = SLA_MINUTES,
    seed: SeedLike = 0,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = CONFIDENCE,
    threshold: float = FOUR_FIFTHS,
    min_queries: int = MIN_BAND_QUERIES,
) -> RatioTest:
    """The four-fifths rule across groups, with its interval and what it may say.

    The ratio is the smallest group share answered within ``within_minutes``
    over the largest. It is ``"fail"`` only when its whole bootstrap interval
    is below ``threshold`` and the worst and the best group have at least
    ``min_queries`` queries and :data:`MIN_BAND_HITS` hits each; otherwise a
    ratio below ``threshold`` reads ``"too few to tell"``.
    """
    rng, replicates, level = _bootstrap(seed, replicates, level)
    min_queries = check_int("min_queries", min_queries, minimum=1)
    bands = _bands(records, group, within_minutes)
    return _four_fifths(bands, rng, replicates, level, threshold, min_queries)


def _four_fifths(
    bands: _Bands,
    rng: np.random.Generator,
    replicates: int,
    level: float,
    threshold: float = FOUR_FIFTHS,
    min_queries: int = MIN_BAND_QUERIES,
) -> RatioTest:
    if bands.sizes.size == 0:
        raise InputError("no rows to measure")
    hit_count = _count(bands, bands.hits)
    within = hit_count / bands.sizes
    reps = share_replicates(hit_count, bands.sizes, replicates=replicates, rng=rng)
    relative, interval, best = _relative_to_best(within, reps, level)
    worst = int(np.argmin(within))
    ratio = float(relative[worst])
    low, high = interval[:, worst]
    n = int(min(bands.sizes[worst], bands.sizes[best]))
    hits = int(min(hit_count[worst], hit_count[best]))
    state = flag_state(
        ratio, float(high), n, hits=hits, threshold=threshold, min_queries=min_queries
    )
    return RatioTest(ratio, float(low), float(high), bands.labels[worst], n, state)


def wait_ratio_test(
    records: Any,
    *,
    group: GroupSpec = "follower_band",
    seed: SeedLike = 0,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = CONFIDENCE,
) -> RatioTest:
    """The wait ratio across groups: the best-served group's mean wait over the worst's.

    Waits of answered queries (groups with none left out), as the summary's
    ``wait_ratio_<group>``; 1 = equal. Its interval, n (answered queries of
    the smaller of the two groups compared) are read as for
    :func:`four_fifths_test`; no rule judges it (``state`` is None). NaN
    when nobody was answered.
    """
    rng, replicates, level = _bootstrap(seed, replicates, level)
    bands = _bands(records, group, SLA_MINUTES)
    return _wait_ratio(bands, rng, replicates, level)


def _wait_ratio(
    bands: _Bands, rng: np.random.Generator, replicates: int, level: float
) -> RatioTest:
    answered = _count(bands, ~bands.abandoned)
    kept = np.flatnonzero(answered > 0)
    if kept.size == 0:
        return RatioTest(np.nan, np.nan, np.nan, None, 0, None)
    served = ~bands.abandoned
    waits = [bands.wait[(bands.codes == band) & served] for band in kept]  # no sort for a mean
    # summed in row order, as the summary's band_ratios does: the same ratio to the last bit
    total = np.bincount(
        bands.codes, weights=np.where(served, bands.wait, 0.0), minlength=bands.sizes.size
    )
    means = total[kept] / answered[kept]
    reps = np.stack([mean_replicates(w, replicates=replicates, rng=rng) for w in waits], axis=1)
    relative, interval, best = _relative_to_best(means, reps, level, higher_is_better=False)
    worst = int(np.argmin(relative))
    ratio = float(relative[worst])
    low, high = interval[:, worst]
    n = int(min(answered[kept[worst]], answered[kept[best]]))
    return RatioTest(ratio, float(low), float(high), bands.labels[kept[worst]], n, None)


#: The groups :func:`band_ratio_tests` tests by default.
BANDS: tuple[str, ...] = ("follower_band", "value_band")


def band_ratio_tests(
    records: Any,
    *,
    within_minutes: float = SLA_MINUTES,
    groups: tuple[str, ...] = BANDS,
    seed: SeedLike = 0,
) -> dict[str, Any]:
    """The headline fairness figures of one run, flat: a row of a summary table.

    ``within_target`` (share answered within ``within_minutes``) and, for each
    group column ``<g>`` of ``groups``, ``four_fifths_<g>`` (at
    ``within_minutes``; :func:`four_fifths_test`) and ``wait_ratio_<g>``
    (:func:`wait_ratio_test`), each with ``_low``, ``_high`` (95% bootstrap
    interval) and ``_n`` (rows of the smaller group compared); the four-fifths
    test also with ``_state``.
    """
    within_minutes = check_number("within_minutes", within_minutes)
    require_columns(records, ("wait_minutes", "abandoned"))
    wait, abandoned = read_values(records, "wait_minutes"), read_abandoned(records)
    hits = answered_within(wait, within_minutes, abandoned)
    row: dict[str, Any] = {"within_target": float(hits.mean()) if hits.size else float("nan")}
    rng = check_random_state(seed)
    for group in groups:
        bands = _bands(records, group, within_minutes)
        for kind, test in (
            ("four_fifths", _four_fifths(bands, rng, BOOTSTRAP_REPLICATES, CONFIDENCE)),
            ("wait_ratio", _wait_ratio(bands, rng, BOOTSTRAP_REPLICATES, CONFIDENCE)),
        ):
            row |= {
                f"{kind}_{group}": test.ratio,
                f"{kind}_{group}_low": test.low,
                f"{kind}_{group}_high": test.high,
                f"{kind}_{group}_n": test.queries,
            }
            if test.state is not None:
                row[f"{kind}_{group}_state"] = test.state
    return row


def _paired(records: Any, baseline: Any) -> pd.DataFrame:
    """``baseline``'s rows in the order of ``records``' queries (the same stream)."""
    require_columns(records, ("query_id",))
    require_columns(baseline, ("query_id",))
    ids = pd.Index(records["query_id"])
    other = pd.Index(baseline["query_id"])
    if len(ids) != len(other) or not ids.is_unique or not other.is_unique:
        raise SchemaError(
            "band_changes pairs the two runs by query_id: both need the same unique query ids "
            f"({len(ids)} and {len(other)} rows)"
        )
    position = other.get_indexer(ids)
    if (position < 0).any():
        missing = ids[position < 0]
        raise SchemaError(
            "query ids missing from the baseline records: "
            + listing((repr(shown_value(i)) for i in missing), len(missing), noun="ids")
        )
    return baseline.iloc[position]


def band_changes(
    records: Any,
    baseline: Any,
    *,
    group: GroupSpec = "follower_band",
    within_minutes: float = SLA_MINUTES,
    waits: Waits = "answered",
    seed: SeedLike = 0,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = CONFIDENCE,
) -> pd.DataFrame:
    """Per group, what a policy changes against a baseline policy on the same stream.

    ``records`` and ``baseline`` are two runs of the same queries (paired by
    ``query_id``; the groups are ``records``'). One row per group with
    ``queries`` and, for each figure ``x`` of ``median_wait_<waits>``,
    ``within_target`` (answered within ``within_minutes``) and
    ``abandon_rate``: ``x_baseline``, ``x`` (this policy), ``x_change``
    (``x - x_baseline``) and its interval ``x_change_low``, ``x_change_high``.

    The shares' intervals are a paired bootstrap over the group's queries
    (each query resampled with both of its outcomes; exact). The median's
    change is bootstrapped with the two medians drawn independently, which
    ignores the pairing: its interval is, if anything, wider than a paired
    one (a query's waits under two policies move together).
    """
    waits = _check_waits(waits)
    rng, replicates, level = _bootstrap(seed, replicates, level)
    after = _bands(records, group, within_minutes)
    paired = _paired(records, baseline)
    before_wait = read_values(paired, "wait_minutes")
    before_abandoned = read_abandoned(paired)
    before_hits = answered_within(before_wait, float(within_minutes), before_abandoned)
    before = _Bands(
        after.labels, after.codes, after.sizes, before_wait, before_abandoned, before_hits
    )
    name = f"median_wait_{waits}"
    rows: dict[str, list[float]] = {}
    for band in range(after.sizes.size):
        mine = after.codes == band
        a, b = _measured(before, band, waits), _measured(after, band, waits)
        median_a = float(np.median(a)) if a.size else np.nan
        median_b = float(np.median(b)) if b.size else np.nan
        reps = quantile_replicates(b, 0.5, replicates=replicates, rng=rng) - quantile_replicates(
            a, 0.5, replicates=replicates, rng=rng
        )
        figures = [(name, median_a, median_b, reps)]
        for figure, x, y in (
            ("within_target", before.hits[mine], after.hits[mine]),
            ("abandon_rate", before.abandoned[mine], after.abandoned[mine]),
        ):
            share = paired_share_replicates(x, y, replicates=replicates, rng=rng)
            figures.append((figure, float(x.mean()), float(y.mean()), share))
        for figure, base, value, draws in figures:
            low, high = percentile_interval(draws, level)
            for key, v in (
                (f"{figure}_baseline", base),
                (figure, value),
                (f"{figure}_change", value - base),
                (f"{figure}_change_low", low),
                (f"{figure}_change_high", high),
            ):
                rows.setdefault(key, []).append(float(v))
    table = pd.DataFrame(rows, index=after.labels)
    table.insert(0, "queries", after.sizes)
    return table
