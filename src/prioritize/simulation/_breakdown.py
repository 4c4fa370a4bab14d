"""``breakdown``: a run's results per agent group, skill queue, topic, language, tone or type.

One function for every breakdown a table, ``compare`` or the report shows.
By what a query *is* (``skills``, ``topic``, ``language``, ``tone``,
``type``, ``channel``, a band, any column of the records) the figures are
:func:`prioritize.fairness.band_figures`' — each with its n and 95%
bootstrap interval, the one interval machinery of the package. By
``agent_group`` they are what the group did: the queries it answered, their
waits, and its occupancy (busy time over on-duty time, with capacity
weights).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import SeedLike, check_number
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.frames import FloatArray, require_columns
from prioritize._internal.rows import describe_rows
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.fairness import Waits, band_figures
from prioritize.models import Shift, group_labels
from prioritize.routing import AgentGroup, Team
from prioritize.simulation._result import SimulationResult
from prioritize.simulation._schedule import capacity_changes

__all__ = ["AGENT_GROUP", "AGENT_GROUP_COLUMNS", "SINGLE_POOL", "breakdown"]

#: The records column naming the agent group that answered a query (``<NA>`` if nobody did).
AGENT_GROUP = "agent_group"
#: The one group of a run without a team (records with no ``agent_group`` column).
SINGLE_POOL = "all agents"
#: Columns of ``breakdown(records, group="agent_group")``; the waits and occupancy
#: figures are NaN for a group that answered nothing / has no on-duty time.
AGENT_GROUP_COLUMNS: tuple[str, ...] = (
    "served",
    "share",
    "median_wait_answered",
    "median_wait_answered_low",
    "median_wait_answered_high",
    "mean_wait_answered",
    "mean_wait_answered_low",
    "mean_wait_answered_high",
    "busy_minutes",
    "on_duty_minutes",
    "occupancy",
)


@dataclass(frozen=True, slots=True)
class _Pool:
    name: str
    staff: int | tuple[Shift, ...]
    group: AgentGroup | None  # None: one pool without a team (capacity 1 everywhere)

    def weight(self, channel: str) -> float:
        return 1.0 if self.group is None else 1.0 / self.group.capacity_of(channel)


def _pools(agents: Any) -> list[_Pool]:
    """The agent groups of a staffing: a team's groups, or one pool for an int / shifts."""
    if isinstance(agents, Team):
        return [_Pool(g.name, g.agents, g) for g in agents.groups]
    if isinstance(agents, Shift):
        return [_Pool(SINGLE_POOL, (agents,), None)]
    if isinstance(agents, int | np.integer) and not isinstance(agents, bool) and agents >= 1:
        return [_Pool(SINGLE_POOL, int(agents), None)]
    if isinstance(agents, Sequence) and agents and all(isinstance(s, Shift) for s in agents):
        return [_Pool(SINGLE_POOL, tuple(agents), None)]
    raise InputError(
        f"agents must be a Team, an int >= 1, a Shift or a list of Shift; got {agents!r}"
    )


def _ns(records: pd.DataFrame, column: str) -> tuple[Any, Any]:
    series = records[column]
    missing = series.isna().to_numpy(dtype=bool)
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        if missing.all():  # an all-NaT column: nobody was served
            return np.zeros(len(series), dtype=np.int64), missing
        raise SchemaError(
            f"column {column!r} must be timezone-aware datetime64; got {series.dtype}"
        )
    return np.asarray(series.array.as_unit("ns").asi8, dtype=np.int64), missing


def _on_duty(staff: int | tuple[Shift, ...], t0: int, end: int) -> tuple[Any, Any]:
    """Agents on duty as a step function on [t0, end]: change times (ns) and levels."""
    if isinstance(staff, int):
        return np.array([t0], dtype=np.int64), np.array([float(staff)])
    steps = list(takewhile(lambda step: step[0] < end, capacity_changes(staff, t0)))
    times = np.array([t for t, _ in steps], dtype=np.int64)
    return times, np.array([float(n) for _, n in steps])


def _occupancy(
    start: Any, finish: Any, weight: FloatArray, staff: int | tuple[Shift, ...], t0: int, end: int
) -> tuple[float, float]:
    """Busy and on-duty agent-minutes of one group over [t0, end].

    Busy: the sum over its answered queries of handle time × capacity weight.
    On duty: the integral of ``max(agents on duty, agents busy)`` — an agent
    who finishes the query in hand after the shift ended is on duty until then.
    """
    busy = float(np.sum((finish - start) / NS_PER_MINUTE * weight))
    cap_times, cap_level = _on_duty(staff, t0, end)
    grid = np.unique(np.concatenate([cap_times, start, finish, [t0, end]]))
    grid = grid[(grid >= t0) & (grid <= end)]
    # busy level on [grid[i], grid[i+1]): starts at or before grid[i] minus finishes
    order_s, order_f = np.sort(start), np.sort(finish)
    cum_w_s = np.concatenate([[0.0], np.cumsum(weight[np.argsort(start, kind="stable")])])
    cum_w_f = np.concatenate([[0.0], np.cumsum(weight[np.argsort(finish, kind="stable")])])
    left = grid[:-1]
    level = (
        cum_w_s[np.searchsorted(order_s, left, side="right")]
        - cum_w_f[np.searchsorted(order_f, left, side="right")]
    )
    cap = cap_level[np.maximum(np.searchsorted(cap_times, left, side="right") - 1, 0)]
    duty = float(np.sum(np.maximum(cap, level) * np.diff(grid) / NS_PER_MINUTE))
    return busy, duty


def has_team_labels(records: pd.DataFrame) -> bool:
    """Whether ``records`` name the agent group of some answered query (a run with a team)."""
    if AGENT_GROUP not in records.columns:
        return False
    served = ~records["abandoned"].to_numpy(dtype=bool)
    return bool(records[AGENT_GROUP][served].notna().any())


def _group_of_rows(records: pd.DataFrame, served: Any, agents: Any) -> Any:
    """Each row's agent group: the ``agent_group`` column of a team's run, else one pool."""
    team_run = isinstance(agents, Team) or (agents is None and has_team_labels(records))
    if not team_run:
        if has_team_labels(records):
            raise SchemaError(
                f"the records name agent groups ({AGENT_GROUP!r}) but agents={agents!r} is not "
                "a team: pass the run's pz.Team"
            )
        return np.full(len(records), SINGLE_POOL, dtype=object)
    if AGENT_GROUP not in records.columns:
        raise SchemaError(
            f"records have no {AGENT_GROUP!r} column, so they cannot be read by the team's groups"
        )
    column = records[AGENT_GROUP]
    missing = column.isna().to_numpy(dtype=bool)
    labels = np.where(missing, None, column.astype(object).to_numpy())  # no NA: compares
    unlabelled = served & missing
    if unlabelled.any():
        raise SchemaError(
            f"answered queries with no {AGENT_GROUP!r}: {describe_rows(records, unlabelled)}"
        )
    return labels


def _agent_groups(
    records: pd.DataFrame, agents: Any, within_minutes: float, seed: SeedLike
) -> pd.DataFrame:
    require_columns(records, ("received_at", "started_at", "finished_at", "abandoned", "channel"))
    abandoned = records["abandoned"].to_numpy(dtype=bool)
    served = ~abandoned
    labels = _group_of_rows(records, served, agents)
    pools = _pools(agents) if agents is not None else None
    names = (
        [p.name for p in pools]
        if pools is not None
        else sorted({str(v) for v in labels[served].tolist()})
    )
    seen = {str(v) for v in labels[served].tolist()}
    unknown = sorted(seen - set(names))
    if unknown:
        raise SchemaError(f"records name agent groups the team does not have: {unknown}")
    answered = records.loc[served].assign(**{AGENT_GROUP: labels[served].astype(str)})
    table = pd.DataFrame(index=pd.Index(names, name=AGENT_GROUP))
    counts = answered[AGENT_GROUP].value_counts()
    table["served"] = counts.reindex(names, fill_value=0).to_numpy(dtype=np.int64)
    table["share"] = table["served"] / max(1, int(served.sum()))
    waits = [c for c in AGENT_GROUP_COLUMNS if c.startswith(("median_wait", "mean_wait"))]
    if len(answered):
        figures = band_figures(
            answered, group=AGENT_GROUP, within_minutes=within_minutes, seed=seed
        )
        figures.index = figures.index.astype(str)
        table[waits] = figures[waits].reindex(names)
    else:
        table[waits] = np.nan
    table["busy_minutes"] = np.nan
    table["on_duty_minutes"] = np.nan
    table["occupancy"] = np.nan
    if pools is None or not len(records):
        return table[list(AGENT_GROUP_COLUMNS)]
    received, _ = _ns(records, "received_at")
    start, _ = _ns(records, "started_at")
    finish, _ = _ns(records, "finished_at")
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    left = np.where(served, finish, received + np.round(wait * NS_PER_MINUTE).astype(np.int64))
    t0, end = int(received.min()), int(left.max())
    channels = records["channel"].astype(object).to_numpy()
    for pool in pools:
        mine = served & (labels == pool.name)
        kinds, where = np.unique(channels[mine].astype(str), return_inverse=True)
        weight = np.array([pool.weight(c) for c in kinds.tolist()], dtype=np.float64)[where]
        busy, duty = _occupancy(start[mine], finish[mine], weight, pool.staff, t0, end)
        table.loc[pool.name, ["busy_minutes", "on_duty_minutes"]] = [busy, duty]
        table.loc[pool.name, "occupancy"] = busy / duty if duty > 0 else np.nan
    return table[list(AGENT_GROUP_COLUMNS)]


def breakdown(
    records: pd.DataFrame | SimulationResult,
    *,
    group: str,
    agents: Any = None,
    within_minutes: float = SLA_MINUTES,
    waits: Waits = "answered",
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """A run's figures per group: agent group, skill queue, topic, language, tone, type, ...

    Parameters
    ----------
    records
        Simulation records, or a :class:`SimulationResult` (its records, and
        its staffing as ``agents`` unless given).
    group
        ``"agent_group"`` for what each agent group did; any other column of
        the records (``skills`` — the skill queue, the required skills as
        ``"es,billing"``, ``""`` for none —, ``topic``, ``language``,
        ``tone``, ``type``, ``channel``, ``follower_band``, ...) for who waited
        how long. A row with no label is an error naming the rows, not left
        out.
    agents
        The staffing of the run (an int, shifts, or a :class:`~prioritize.Team`):
        needed for occupancy.
    within_minutes
        The answer-time limit of ``within_target``.
    waits
        Which waits the wait figures are over (``"answered"`` or ``"all"``,
        see :data:`prioritize.fairness.Waits`); agent groups always read
        the waits of the queries they answered.
    seed
        Seed of the bootstrap intervals (the same seed, the same intervals).

    Returns
    -------
    pandas.DataFrame
        By a query attribute, one row per label (in category order, else
        sorted): :func:`prioritize.fairness.band_figures`' columns —
        ``queries``, ``answered``, ``median/mean/p90_wait_<waits>``,
        ``within_target``, ``abandon_rate`` and ``four_fifths`` (each with its
        95% interval ``_low``/``_high``) and ``four_fifths_state`` — plus
        ``share`` (of all rows) and, when the records have ``attempt``,
        ``retries`` (rows that are a second or later attempt). ``queries``
        sums to the rows of the records.

        By ``agent_group``, one row per group of the team (in team order;
        without ``agents``, the groups the records name, sorted; a run
        without a team — its ``agent_group`` is ``<NA>`` or absent — is one
        row, :data:`SINGLE_POOL`):
        :data:`AGENT_GROUP_COLUMNS` — ``served`` (sums to the answered
        queries), ``share`` (of answered queries), the median and mean wait of
        the queries it answered with their intervals, ``busy_minutes`` (the
        sum of handle minutes × capacity weight: a chat held by an agent of
        ``capacity={"chat": 3}`` is a third of that agent), ``on_duty_minutes``
        (agents on duty integrated from the first arrival to the last query
        leaving; an agent who finishes a query after the shift ended counts
        as on duty until then) and ``occupancy`` = busy / on duty, in [0, 1].
        Without ``agents`` the occupancy columns are NaN.

    Examples
    --------
    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(300, seed=0, days=1)
    >>> result = pz.simulate(frame, pz.policies.fifo(), agents=2, seed=0)
    >>> table = pz.simulation.breakdown(result, group="agent_group")
    >>> 0.0 <= float(table.loc["all agents", "occupancy"]) <= 1.0
    True
    """
    if isinstance(records, SimulationResult):
        agents = records.agents if agents is None else agents
        records = records.records
    if not isinstance(group, str):
        raise InputError(f"group must be a column name; got {group!r}")
    within_minutes = check_number("within_minutes", within_minutes)
    if group == AGENT_GROUP:
        return _agent_groups(records, agents, within_minutes, seed)
    table = band_figures(
        records, group=group, within_minutes=within_minutes, waits=waits, seed=seed
    )
    table.insert(2, "share", table["queries"] / max(1, len(records)))
    if "attempt" in records.columns:
        later = records["attempt"].to_numpy(dtype=np.int64) > 1
        labels = group_labels(records, group=group).astype(object).to_numpy()
        by_label = pd.Series(later).groupby(labels, sort=False).sum()
        table["retries"] = by_label.reindex(table.index.astype(object)).to_numpy(dtype=np.int64)
    table.index.name = group
    return table
