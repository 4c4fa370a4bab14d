"""The numbers behind a policy comparison: tables by band, queue over time, frontiers.

Pure pandas/numpy (no plotting), so the command line prints the same tables
the HTML report draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.attempts import first_attempts
from prioritize._internal.checks import SeedLike, check_baseline
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.frames import read_received_ns, require_columns
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.fairness import Waits, band_changes, band_ratio_tests
from prioritize.policy import Blind, Policy
from prioritize.routing import Retry, Routes
from prioritize.simulation import (
    CHURN_AFTER_ABANDON,
    PatienceLike,
    SimulationResult,
    breakdown,
    people_changes,
    sweep,
)

__all__ = [
    "BAND_COLUMNS",
    "FOLLOWER_WEIGHTS",
    "NO_SKILL",
    "VALUE_WEIGHTS",
    "Breakdown",
    "band_table",
    "baseline_changes",
    "breakdowns",
    "influence_policy",
    "influence_sweep",
    "pareto_front",
    "people_table",
    "queue_over_time",
    "summary_table",
]

#: Figures of :func:`band_table` (each but ``queries``, ``answered`` and ``share`` with
#: ``<figure>_low`` and ``<figure>_high``); ``<waits>`` is ``answered`` or ``all``.
BAND_COLUMNS: tuple[str, ...] = (
    "queries",
    "answered",
    "share",
    "median_wait_<waits>",
    "mean_wait_<waits>",
    "p90_wait_<waits>",
    "within_target",
    "abandon_rate",
    "four_fifths",
    "four_fifths_state",
)
#: Default weights of :func:`influence_sweep`.
FOLLOWER_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.4, 0.7, 1.0)
VALUE_WEIGHTS: tuple[float, ...] = (0.0, 0.5, 1.0)
#: How the report names the skill queue of queries that need no skill (``skills`` ``""``).
NO_SKILL = "(no skill)"
_NICE_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)


def band_table(
    records: pd.DataFrame,
    *,
    group: str,
    within_minutes: float = SLA_MINUTES,
    waits: Waits = "answered",
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Who waits how long, per group (e.g. ``follower_band``), each figure with its n and interval.

    :func:`prioritize.fairness.band_figures` (``queries``, ``answered``,
    ``median/mean/p90_wait_<waits>``, ``within_target`` within
    ``within_minutes``, ``abandon_rate``, ``four_fifths`` and its state, each
    figure with a 95% bootstrap interval ``_low``/``_high``) plus ``share``
    (of all queries). ``waits="answered"`` (the default): wait figures are of
    the queries answered (NaN when none was); ``"all"`` counts a query that
    gave up with how long it waited. The same table as
    :func:`prioritize.simulation.breakdown` (with ``retries`` when the
    records have ``attempt``).
    """
    require_columns(records, (group, "wait_minutes", "abandoned"))
    return breakdown(records, group=group, within_minutes=within_minutes, waits=waits, seed=seed)


def summary_table(
    results: Mapping[str, SimulationResult],
    *,
    within_minutes: float = SLA_MINUTES,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """The headline figures of each result, one row per policy, at one answer-time limit.

    The summary's figures (as ``compare`` returns them), then
    :func:`prioritize.fairness.band_ratio_tests`: ``within_target`` (share
    answered within ``within_minutes``) and, for ``follower_band`` and
    ``value_band``, ``four_fifths_<band>`` at ``within_minutes`` (replacing
    the summary's 60-minute figure) and ``wait_ratio_<band>``, each with its
    95% interval ``_low``/``_high``, the rows of the smaller band compared
    ``_n`` and ``_state`` (``"pass"``, ``"fail"`` or ``"too few to tell"``).
    """
    if not results:
        raise InputError("no results to tabulate")
    table = pd.DataFrame([dict(r.summary) for r in results.values()], index=list(results))
    table.index.name = "policy"
    extra: dict[str, list[Any]] = {}
    for result in results.values():
        row = band_ratio_tests(result.records, within_minutes=within_minutes, seed=seed)
        for column, value in row.items():
            extra.setdefault(column, []).append(value)
    for column, values in extra.items():
        table[column] = values
    return table


def baseline_changes(
    results: Mapping[str, SimulationResult],
    *,
    baseline: str | None = None,
    group: str = "follower_band",
    within_minutes: float = SLA_MINUTES,
    waits: Waits = "answered",
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Per policy and group, the change against the ``baseline`` policy on the same stream.

    ``baseline`` defaults to the policy named ``"fifo"`` if there is one, else
    the first. Rows: every other policy × group (a ``(policy, group)``
    index); columns: :func:`prioritize.fairness.band_changes`' (median wait,
    share within ``within_minutes``, share giving up: baseline, policy,
    change and its paired 95% interval). Empty with one policy.

    ``group`` is any column of the records: ``follower_band``,
    ``value_band``, ``skills`` (the skill queue), ``language``, ``topic``...
    With retries (:class:`~prioritize.Retry`), the queries compared are the
    first attempts, the stream's own queries, which both runs have (a retry
    exists only under the policy that let its customer give up);
    ``attrs["attempts"]`` is then ``"first"``.
    """
    if not results:
        raise InputError("no results to compare")
    base = check_baseline(list(results), baseline)
    firsts = {name: first_attempts(result.records) for name, result in results.items()}
    parts = {
        name: band_changes(
            firsts[name],
            firsts[base],
            group=group,
            within_minutes=within_minutes,
            waits=waits,
            seed=seed,
        )
        for name, result in results.items()
        if name != base
    }
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, names=["policy", group])
    table.attrs["baseline"] = base
    if any(len(firsts[name]) < len(r.records) for name, r in results.items()):
        table.attrs["attempts"] = "first"
    return table


def people_table(
    results: Mapping[str, SimulationResult],
    *,
    baseline: str | None = None,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Per policy, the people answered at all (on any attempt), against the baseline.

    One row per policy: ``people``, ``people_unanswered`` (the summary's:
    people none of whose attempts was answered) and
    :func:`~prioritize.simulation.people_changes` against ``baseline``
    (default ``"fifo"``, else the first): ``answered_baseline``, ``answered``,
    ``answered_change`` and its paired 95% interval ``answered_change_low`` /
    ``_high`` (each person resampled with their outcome under both policies;
    0 for the baseline itself). ``attrs["baseline"]`` names the baseline.
    """
    if not results:
        raise InputError("no results to compare")
    base = check_baseline(list(results), baseline)
    rows = {}
    for name, result in results.items():
        change = people_changes(result.records, results[base].records, seed=seed).iloc[0]
        summary = result.summary
        rows[name] = {
            "people": int(summary["people"]),
            "people_unanswered": int(summary["people_unanswered"]),
            **change.drop("people").astype(float).to_dict(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    table.attrs["baseline"] = base
    return table


def labelled(records: pd.DataFrame, column: str) -> bool:
    """Whether ``records`` have ``column`` with two labels or more (a breakdown tells something)."""
    return column in records.columns and records[column].nunique(dropna=False) >= 2


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A breakdown worth showing: the records ``column`` and how a reader calls it.

    ``same_as`` names the other breakdowns (``who``) that split every run's
    rows exactly as this one (every language its own skill queue): one table,
    not two identical ones; ``aliases`` maps each label of ``column`` to its
    labels in those columns, in order.
    """

    column: str
    who: str
    same_as: tuple[str, ...] = ()
    aliases: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """``who``, or ``"skill queue (= language)"`` for a merged breakdown."""
        return self.who + "".join(f" (= {w})" for w in self.same_as)

    def label(self, value: Any) -> str:
        """The row of ``value`` in a table: ``"es"``, or ``"(no skill) = en"`` where names differ.

        A skill queue of no skill (``skills`` ``""``) is :data:`NO_SKILL`.
        """
        first = _display(self.column, value)
        return " = ".join(dict.fromkeys([first, *self.aliases.get(value, ())]))

    def named(self, value: Any) -> str:
        """The row of ``value`` in a sentence: ``"skill queue es (= language es)"``."""
        names = self.aliases.get(value, ())
        # a label the aliases do not know (none in records that passed breakdown) has none
        others = "".join(f" (= {w} {n})" for w, n in zip(self.same_as, names, strict=False))
        return f"{self.who} {_display(self.column, value)}{others}"


def _display(column: str, value: Any) -> str:
    return NO_SKILL if column == "skills" and value == "" else str(value)


def breakdowns(
    records: Sequence[pd.DataFrame], *, columns: Sequence[tuple[str, str]]
) -> list[Breakdown]:
    """Of ``columns`` ((column, who) pairs), those worth a table, each partition of rows once.

    A column is worth a table when the first records have it with two labels
    or more (:func:`labelled`) and every records have it. A column that splits
    the rows of *every* ``records`` exactly as an earlier one (the same rows
    together, e.g. each language its own skill queue) is merged into it: the
    earlier column's :class:`Breakdown` lists it in ``same_as``.

    Examples
    --------
    >>> import pandas as pd
    >>> import prioritize as pz
    >>> records = pd.DataFrame({"skills": ["es", "", "es"], "language": ["es", "en", "es"]})
    >>> both = [("skills", "skill queue"), ("language", "language")]
    >>> [part] = pz.report.breakdowns([records], columns=both)
    >>> part.heading, part.label(""), part.named("es")
    ('skill queue (= language)', '(no skill) = en', 'skill queue es (= language es)')
    """
    out: list[tuple[Breakdown, list[Any]]] = []
    for column, who in columns:
        if not records or not labelled(records[0], column):
            continue
        if not all(column in r.columns for r in records):
            continue
        codes = [pd.factorize(r[column])[0] for r in records]
        twin = next(
            (
                i
                for i, (_, other) in enumerate(out)
                if all(np.array_equal(a, b) for a, b in zip(codes, other, strict=True))
            ),
            None,
        )
        if twin is None:
            out.append((Breakdown(column, who), codes))
            continue
        first, other = out[twin]
        both = pd.DataFrame(
            {"a": records[0][first.column].to_numpy(), "b": records[0][column].to_numpy()}
        ).drop_duplicates("a")
        pairs = dict(zip(both["a"], both["b"], strict=True))
        aliases = {
            value: (*first.aliases.get(value, ()), _display(column, name))
            for value, name in pairs.items()
        }
        out[twin] = (Breakdown(first.column, first.who, (*first.same_as, who), aliases), other)
    return [b for b, _ in out]


def _interval(span_minutes: float, points: int) -> float:
    for minutes in _NICE_MINUTES:
        if span_minutes / minutes <= points:
            return float(minutes)
    return float(np.ceil(span_minutes / points / 1440.0) * 1440.0)


def queue_over_time(
    records: pd.DataFrame, *, interval_minutes: float | None = None, points: int = 400
) -> pd.DataFrame:
    """How long the queue was, and how old its oldest query, in each interval of the run.

    A query waits from ``received_at`` for ``wait_minutes`` (until an agent
    starts on it, or until it gives up). Both figures are exact peaks over
    each interval, not samples: the count only changes at those instants,
    and the oldest query of an interval is the one with the largest
    ``min(end of its wait, end of the interval) - received_at``.

    Parameters
    ----------
    records
        Records with ``received_at`` and ``wait_minutes``.
    interval_minutes
        Interval length; default: a round length giving at most ``points``
        intervals over the run.
    points
        Most intervals when ``interval_minutes`` is not given.

    Returns
    -------
    pandas.DataFrame
        Indexed by interval start (UTC): ``waiting`` (int, the most queries
        waiting at once) and ``oldest_wait_minutes`` (the longest any query
        waiting in the interval had waited; 0 when nobody waited).
    """
    require_columns(records, ("received_at", "wait_minutes"))
    if interval_minutes is not None and not interval_minutes > 0:
        raise InputError(f"interval_minutes must be > 0; got {interval_minutes}")
    start = read_received_ns(records)
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    if np.isnan(wait).any() or (wait < 0).any() or np.isinf(wait).any():
        raise InputError("queue_over_time: wait_minutes must be finite and >= 0")
    if start.size == 0:
        empty = pd.DatetimeIndex([], tz="UTC", name="interval_start")
        return pd.DataFrame({"waiting": [], "oldest_wait_minutes": []}, index=empty)
    end = start + np.round(wait * NS_PER_MINUTE).astype(np.int64)
    t0, t1 = int(start.min()), int(end.max())
    step_min = interval_minutes or _interval((t1 - t0) / NS_PER_MINUTE, points)
    step = max(1, round(step_min * NS_PER_MINUTE))
    bins = (t1 - t0) // step + 1
    edges = t0 + np.arange(bins, dtype=np.int64) * step
    index = pd.DatetimeIndex(edges.view("datetime64[ns]"), name="interval_start").tz_localize("UTC")
    return pd.DataFrame(
        {
            "waiting": _peak_waiting(start, end, t0, step, bins),
            "oldest_wait_minutes": _peak_age(start, end, t0, step) / NS_PER_MINUTE,
        },
        index=index,
    ).astype({"oldest_wait_minutes": np.float64})


def _peak_waiting(
    start: npt.NDArray[np.int64], end: npt.NDArray[np.int64], t0: int, step: int, bins: int
) -> npt.NDArray[np.int64]:
    times = np.concatenate([end, start])
    delta = np.concatenate([-np.ones(end.size, np.int64), np.ones(start.size, np.int64)])
    order = np.argsort(times, kind="stable")
    times, level = times[order], np.cumsum(delta[order])
    # Only the level after every event at an instant is a state of the queue: a query
    # answered on arrival, or several leaving at once, must not leave a phantom peak.
    last = np.append(times[1:] != times[:-1], True)
    times, level = times[last], level[last]
    peak = np.zeros(bins, dtype=np.int64)
    np.maximum.at(peak, (times - t0) // step, level)
    # The level carried into an interval (set at or before its start) counts too.
    before = np.searchsorted(times, t0 + np.arange(bins) * step, side="right") - 1
    carried = np.where(before >= 0, level[np.maximum(before, 0)], 0)
    out: npt.NDArray[np.int64] = np.maximum(peak, carried)
    return out


def _peak_age(
    start: npt.NDArray[np.int64], end: npt.NDArray[np.int64], t0: int, step: int
) -> npt.NDArray[np.float64]:
    bins = (int(end.max()) - t0) // step + 1
    age = np.zeros(bins)
    waited = end > start
    s, e = start[waited], end[waited]
    first = (s - t0) // step
    last = (e - 1 - t0) // step  # the wait covers [s, e)
    spans = last - first + 1
    # one entry per (query, interval it waits in): total size ~ queries + total wait / step
    owner = np.repeat(np.arange(s.size), spans)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(spans) - spans, spans)
    k = first[owner] + offset
    value = np.minimum(e[owner], t0 + (k + 1) * step) - s[owner]
    np.maximum.at(age, k, value.astype(np.float64))
    return age


def pareto_front(
    table: pd.DataFrame, x: str, y: str, *, minimize_x: bool = True, maximize_y: bool = True
) -> npt.NDArray[np.bool_]:
    """Rows of ``table`` that no other row beats on both ``x`` and ``y``.

    Row ``i`` is dominated when another row is at least as good on both
    columns and better on one. Rows with NaN are never on the front; of
    identical rows the first is kept.

    Returns
    -------
    numpy.ndarray
        A boolean mask, True for the rows on the front.
    """
    require_columns(table, (x, y))
    xs = table[x].to_numpy(dtype=np.float64) * (1.0 if minimize_x else -1.0)
    ys = table[y].to_numpy(dtype=np.float64) * (1.0 if maximize_y else -1.0)
    front = np.zeros(len(table), dtype=bool)
    ok = np.flatnonzero(~(np.isnan(xs) | np.isnan(ys)))
    # best x first; among equal x the best y, then the first row
    order = ok[np.lexsort((ok, -ys[ok], xs[ok]))]
    best = -np.inf
    for i in order.tolist():
        if ys[i] > best:
            front[i] = True
            best = ys[i]
    return front


def influence_policy(base: Policy | None = None) -> Policy:
    """``base`` (default ``equal_treatment``) with follower reach and CRM value un-blinded.

    The starting point of :func:`influence_sweep`: the same urgency weight,
    aging and wait limit, but with weights on ``follower_reach`` and
    ``crm_value`` allowed to count.
    """
    from prioritize.policy.presets import equal_treatment

    policy = equal_treatment() if base is None else base
    rules = tuple(r for r in policy.rules if not isinstance(r, Blind))
    return policy.with_changes(name=f"{policy.name}+weights", rules=rules)


def influence_sweep(
    frame: pd.DataFrame | Callable[[int], pd.DataFrame],
    *,
    agents: Any,
    routes: Routes | None = None,
    retry: Retry | None = None,
    base: Policy | None = None,
    follower_weights: Sequence[float] = FOLLOWER_WEIGHTS,
    value_weights: Sequence[float] = VALUE_WEIGHTS,
    seed: int = 0,
    patience: PatienceLike = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Simulate :func:`influence_policy` over a grid of follower-reach and CRM-value weights.

    What does each point of influence buy, and at whose expense? Each row
    is one (``follower_reach``, ``crm_value``) weight pair, with the
    :data:`~prioritize.simulation.SUMMARY_FIELDS` of a run on ``frame`` with
    ``agents`` (and ``routes``, for a team; ``retry``, customers who try
    again): plot ``expected_loss`` against
    ``wait_ratio_follower_band`` and mark the :func:`pareto_front`.
    ``patience``, ``churn_after_abandon``,
    ``executor`` and ``progress`` are :func:`~prioritize.simulation.sweep`'s:
    give the ``patience`` of the runs you compare, so their stars and the
    sweep model abandonment alike (the table's ``abandonment`` column says how).
    """
    policy = influence_policy(base)
    grid = {"follower_reach": list(follower_weights), "crm_value": list(value_weights)}
    return sweep(
        frame,
        policy,
        grid=grid,
        agents=agents,
        routes=routes,
        retry=retry,
        seeds=[seed],
        patience=patience,
        churn_after_abandon=churn_after_abandon,
        executor=executor,
        progress=progress,
    )
