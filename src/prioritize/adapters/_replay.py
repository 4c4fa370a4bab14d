"""What happened against what a policy would have done: observed first-response waits replayed.

A frame read from history with an ``observed_wait_minutes`` column (e.g.
:func:`prioritize.adapters.twcs.from_csv`: the brand's first reply) is
summarised per group twice, with the same figures: once as it happened, once
as :func:`~prioritize.simulate` serves the same arrivals under ``policy`` with
``agents``. Both sides go through :func:`prioritize.fairness.band_figures`, so
each figure carries its n and a 95% bootstrap interval.

What the history does not hold is said, not guessed: the staffing behind the
observed waits is unknown (``agents`` is the caller's assumption), and so are
handle times (the simulator's ``handle`` model; default: log-normal for the
channel). A query the history never answered counts as not answered in
time on the observed side, its wait being unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.frames import fail_rows, require_columns
from prioritize.models import group_labels

if TYPE_CHECKING:  # the simulator and fairness load on first use, not with the adapters
    from prioritize.policy import Policy
    from prioritize.simulation import Agents, DurationModel

__all__ = ["NO_GROUP", "OBSERVED_COLUMN", "replay"]

#: The column of observed first-response waits (minutes; NaN: never answered).
OBSERVED_COLUMN = "observed_wait_minutes"
#: The label of rows whose group column is empty (e.g. a tweet that names no brand).
NO_GROUP = "(none)"
#: band_figures' columns each side of the table shows, in order.
_FIGURES = (
    "answered",
    "median_wait_answered",
    "median_wait_answered_low",
    "median_wait_answered_high",
    "p90_wait_answered",
    "within_target",
    "within_target_low",
    "within_target_high",
)


def _labels(frame: pd.DataFrame, group: str) -> pd.Series:
    if group in frame.columns and not isinstance(frame[group].dtype, pd.CategoricalDtype):
        values = frame[group].astype(object)
        return values.where(values.notna(), NO_GROUP).rename(group)
    return group_labels(frame, group=group)


def _simulate(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    agents: Agents | Mapping[str, Agents],
    seed: Any,
    handle: DurationModel | float | None,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.bool_]]]:
    """Simulated waits and abandonment, row by row: one pool, or one per brand."""
    from prioritize.simulation import simulate

    if not isinstance(agents, Mapping):
        records = simulate(frame, policy, agents=agents, seed=seed, handle=handle).records
        return (
            records["wait_minutes"].to_numpy(dtype=float),
            records["abandoned"].to_numpy(dtype=bool),
        )
    require_columns(frame, ("brand",))
    brands = _labels(frame, "brand").to_numpy(dtype=object)
    missing = sorted({str(b) for b in brands} - {str(k) for k in agents})
    if missing:
        raise InputError(f"agents has no staffing for brand(s) {missing}")
    waits = np.full(len(frame), np.nan)
    abandoned = np.zeros(len(frame), dtype=bool)
    for brand, staff in agents.items():
        mine = brands == brand
        if mine.any():
            part = simulate(frame[mine], policy, agents=staff, seed=seed, handle=handle).records
            waits[mine] = part["wait_minutes"].to_numpy(dtype=float)
            abandoned[mine] = part["abandoned"].to_numpy(dtype=bool)
    return waits, abandoned


def replay(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    agents: Agents | Mapping[str, Agents],
    seed: Any = 0,
    group: str = "follower_band",
    within_minutes: float = SLA_MINUTES,
    handle: DurationModel | float | None = None,
) -> pd.DataFrame:
    """Observed waits per group next to the waits ``policy`` gives the same arrivals.

    Parameters
    ----------
    frame
        A canonical query frame with an ``observed_wait_minutes`` column
        (minutes >= 0; NaN for a query that was never answered).
    policy
        The :class:`~prioritize.Policy` to replay the arrivals through.
    agents
        The staffing to assume (as :func:`~prioritize.simulate`); the history
        does not record it. A mapping ``brand`` -> staffing replays each
        brand's queries with its own team (the frame needs a ``brand`` column;
        queries naming no brand go under :data:`NO_GROUP`).
    seed
        Seed of the simulation's draws and of the bootstrap intervals.
    group
        A column (e.g. ``"brand"``; empty values are :data:`NO_GROUP`) or a
        computed band (``"follower_band"``, the default; ``"value_band"``).
    within_minutes
        The answer-time limit of ``within_target``.
    handle
        The simulator's handle-time model (minutes); see :func:`~prioritize.simulate`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``queries``, then ``observed_<figure>`` and
        ``policy_<figure>`` for ``answered``, ``median_wait_answered`` (with
        ``_low``/``_high``), ``p90_wait_answered`` and ``within_target`` (with
        ``_low``/``_high``), and ``median_wait_change`` (policy minus observed).
        ``attrs["agents"]`` and ``attrs["unanswered"]`` (queries the history
        never answered) say what the table assumed.

    Raises
    ------
    SchemaError
        If ``observed_wait_minutes`` is missing, not numeric or negative.
    """
    from prioritize.fairness import band_figures

    require_columns(frame, (OBSERVED_COLUMN,))
    observed = pd.to_numeric(frame[OBSERVED_COLUMN], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isnan(observed) & (observed < 0) | (
        np.isnan(observed) & frame[OBSERVED_COLUMN].notna().to_numpy()
    )
    if bad.any():
        fail_rows(frame, OBSERVED_COLUMN, bad, "minutes >= 0 (NaN: never answered)")
    labels = _labels(frame, group)
    waits, abandoned = _simulate(frame, policy, agents=agents, seed=seed, handle=handle)
    never = np.isnan(observed)
    history = pd.DataFrame(
        {
            group: labels.to_numpy(),
            "wait_minutes": np.where(never, 0.0, observed),
            "abandoned": never,
        },
        index=frame.index,
    )
    simulated = pd.DataFrame(
        {
            group: labels.to_numpy(),
            "wait_minutes": waits,
            "abandoned": abandoned,
        },
        index=frame.index,
    )
    if isinstance(labels.dtype, pd.CategoricalDtype):
        for side in (history, simulated):
            side[group] = pd.Categorical(side[group], dtype=labels.dtype)
    sides = {
        name: band_figures(records, group=group, within_minutes=within_minutes, seed=seed)
        for name, records in (("observed", history), ("policy", simulated))
    }
    table = pd.DataFrame({"queries": sides["observed"]["queries"]})
    for name, figures in sides.items():
        for column in _FIGURES:
            table[f"{name}_{column}"] = figures[column]
    table["median_wait_change"] = (
        table["policy_median_wait_answered"] - table["observed_median_wait_answered"]
    )
    table.index.name = group
    table.attrs["agents"] = dict(agents) if isinstance(agents, Mapping) else agents
    table.attrs["unanswered"] = int(never.sum())
    return table
