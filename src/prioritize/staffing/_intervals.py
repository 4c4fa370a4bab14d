"""Interval planning: arrivals per interval in, agents per interval out.

A day is planned in short intervals (15, 30 or 60 minutes) on the local
clock of the team, each treated as a steady state of its own: the usual
workforce-management approximation, good when an interval is long compared
with a handling time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import check_fraction, check_number
from prioritize._internal.frames import FloatArray, read_float, read_received_ns, require_columns
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.staffing._agents import agents_needed
from prioritize.staffing._erlang import occupancy, service_level
from prioritize.staffing._erlang_a import erlang_a

__all__ = ["PLAN_COLUMNS", "arrivals_per_interval", "plan_intervals"]


#: Columns :func:`plan_intervals` adds (``abandon_probability`` only with patience).
PLAN_COLUMNS: tuple[str, ...] = (
    "arrivals_per_hour",
    "agents",
    "service_level",
    "occupancy",
    "abandon_probability",
)

_MINUTES_PER_DAY = 1440


def _interval_step(interval_minutes: Any) -> int:
    if isinstance(interval_minutes, bool) or not isinstance(interval_minutes, int | np.integer):
        raise InputError(
            f"interval_minutes must be a whole number of minutes; got {interval_minutes!r}"
        )
    minutes = int(interval_minutes)
    if minutes <= 0 or _MINUTES_PER_DAY % minutes:
        raise InputError(
            f"interval_minutes must divide a day (1, 5, 10, 15, 30, 60, …); got {minutes}"
        )
    return minutes * NS_PER_MINUTE


def arrivals_per_interval(
    frame: pd.DataFrame,
    *,
    interval_minutes: int = 30,
    tz: str = "UTC",
    column: str = "received_at",
) -> pd.DataFrame:
    """Count arrivals per interval of the local clock in ``tz``.

    Intervals start on the local clock (09:00, 09:30, … for 30 minutes), so
    a plan reads in the team's own hours; across a daylight-saving change
    the intervals stay contiguous in real time. Every interval from the
    first arrival's to the last one's is listed, empty ones with 0.

    Parameters
    ----------
    frame : pandas.DataFrame
        A query frame (one row per query) with a timezone-aware ``column``.
    interval_minutes : int, default 30
        Interval length; must divide a day.
    tz : str, default "UTC"
        Time zone of the local clock, e.g. ``"Europe/London"``.
    column : str, default "received_at"
        The arrival-time column.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``interval_start`` (tz-aware, in ``tz``), with an int64
        column ``arrivals``; the counts add up to the number of rows.
    """
    step = _interval_step(interval_minutes)
    require_columns(frame, [column])
    utc_ns = read_received_ns(frame, column)
    try:
        zone_index = pd.DatetimeIndex([], tz="UTC").tz_convert(tz)
    except Exception as exc:  # pandas raises several types for an unknown zone
        raise InputError(f"tz: unknown time zone {tz!r} ({exc})") from None
    if utc_ns.size == 0:
        empty = pd.DataFrame({"arrivals": np.zeros(0, dtype=np.int64)}, index=zone_index)
        return empty.rename_axis("interval_start")
    instants = pd.DatetimeIndex(utc_ns.view("datetime64[ns]")).tz_localize("UTC")
    wall: npt.NDArray[np.int64] = instants.tz_convert(tz).tz_localize(None).asi8
    offset = wall - utc_ns
    starts = wall - wall % step - offset
    labels, counts = np.unique(starts, return_counts=True)
    # offsets that are not whole intervals (30-minute DST shifts) add their own starts
    grid = np.union1d(np.arange(labels[0], labels[-1] + 1, step, dtype=np.int64), labels)
    arrivals = np.zeros(grid.size, dtype=np.int64)
    arrivals[np.searchsorted(grid, labels)] = counts
    index = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    return pd.DataFrame({"arrivals": arrivals}, index=index.rename("interval_start"))


def _handle_times(frame: pd.DataFrame, handle_minutes: Any) -> FloatArray:
    if isinstance(handle_minutes, str):
        require_columns(frame, [handle_minutes])
        return read_float(frame, handle_minutes, minimum=0.0, strict_minimum=True)
    value = check_number("handle_minutes", handle_minutes, positive=True)
    return np.full(len(frame), value)


def plan_intervals(
    frame: pd.DataFrame,
    *,
    handle_minutes: float | str,
    target: float,
    within_minutes: float,
    interval_minutes: float = 30,
    arrivals_column: str = "arrivals",
    max_occupancy: float | None = None,
    patience_minutes: float | None = None,
) -> pd.DataFrame:
    """Agents needed in each interval to keep a service promise.

    Each row is one interval with its expected (or counted) arrivals, as
    :func:`arrivals_per_interval` makes them. The rate is
    ``arrivals × 60 / interval_minutes`` per hour and each row is staffed
    with :func:`agents_needed`; an interval with no arrivals gets 0 agents,
    service level 1.0 and occupancy 0.0.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per interval; any index (times in any zone, labels).
    handle_minutes : float or str
        Mean handling time, or the name of a column holding it per interval.
    target, within_minutes, max_occupancy, patience_minutes
        As for :func:`agents_needed`.
    interval_minutes : float, default 30
        Length of each interval.
    arrivals_column : str, default "arrivals"
        Column with the arrivals in each interval (``>= 0``; fractional
        forecasts are fine).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same index and rows) with the columns
        ``arrivals_per_hour``, ``agents`` (int64), ``service_level`` and
        ``occupancy`` at that staffing, and ``abandon_probability`` when
        ``patience_minutes`` is given (Erlang A; the service level is then
        that of offered queries).

    Raises
    ------
    SchemaError
        A missing column, a negative, NaN or non-numeric arrival count or
        handling time (naming the column and rows), or an output column
        that the frame already has.
    InputError
        An invalid scalar argument.
    """
    share = check_fraction("target", target, closed_above=False)
    within = check_number("within_minutes", within_minutes)
    interval = check_number("interval_minutes", interval_minutes, positive=True)
    ceiling = (
        None
        if max_occupancy is None
        else check_fraction("max_occupancy", max_occupancy, closed_above=True)
    )
    patience = (
        None
        if patience_minutes is None
        else check_number("patience_minutes", patience_minutes, positive=True)
    )
    require_columns(frame, [arrivals_column])
    added = [c for c in PLAN_COLUMNS if patience is not None or c != "abandon_probability"]
    clash = [c for c in added if c in frame.columns]
    if clash:
        raise SchemaError(f"frame already has column(s) {clash} that plan_intervals adds")
    arrivals = read_float(frame, arrivals_column, minimum=0.0)
    handles = _handle_times(frame, handle_minutes)
    rates = arrivals * (60.0 / interval)

    results: dict[tuple[float, float], tuple[int, float, float, float]] = {}
    rows = []
    for rate, handle in zip(rates.tolist(), handles.tolist(), strict=True):
        key = (rate, handle)
        if key not in results:
            results[key] = _plan_one(rate, handle, share, within, ceiling, patience)
        rows.append(results[key])
    out = frame.copy()
    out["arrivals_per_hour"] = rates
    out["agents"] = np.array([r[0] for r in rows], dtype=np.int64)
    out["service_level"] = np.array([r[1] for r in rows], dtype=np.float64)
    out["occupancy"] = np.array([r[2] for r in rows], dtype=np.float64)
    if patience is not None:
        out["abandon_probability"] = np.array([r[3] for r in rows], dtype=np.float64)
    return out


def _plan_one(
    rate: float,
    handle: float,
    target: float,
    within: float,
    ceiling: float | None,
    patience: float | None,
) -> tuple[int, float, float, float]:
    agents = agents_needed(
        rate,
        handle,
        target=target,
        within_minutes=within,
        max_occupancy=ceiling,
        patience_minutes=patience,
    )
    if agents == 0:  # no work (the load may also underflow to zero from a tiny rate)
        return 0, 1.0, 0.0, 0.0
    if patience is None:
        return (
            agents,
            service_level(rate, handle, agents, within_minutes=within),
            occupancy(rate, handle, agents),
            0.0,
        )
    result = erlang_a(rate, handle, agents, patience, within_minutes=within)
    return agents, result.service_level, result.occupancy, result.abandon_probability
