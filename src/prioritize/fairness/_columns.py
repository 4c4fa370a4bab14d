"""Reading a records frame: measured values, groups, abandonment and event times.

Every fairness measure reads its columns through these helpers, so a missing
column, a NaN or a NaT is reported the same way everywhere: a
:class:`~prioritize.SchemaError` naming the column, the rows and what was
expected. Nothing is dropped or filled here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import (
    BoolArray,
    FloatArray,
    IntArray,
    check_hashable,
    read_float,
    require_columns,
)
from prioritize._internal.rows import describe_rows
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.models import group_labels

__all__ = [
    "BoolArray",
    "Events",
    "FloatArray",
    "GroupSpec",
    "Groups",
    "IntArray",
    "encode_groups",
    "read_abandoned",
    "read_events",
    "read_values",
]

#: One group column, or several (groups are then their combinations).
GroupSpec = str | Sequence[str]


def _fail(frame: pd.DataFrame, mask: BoolArray, problem: str) -> None:
    if mask.any():
        raise SchemaError(f"{problem}: {describe_rows(frame, mask)}")


def _group_names(group: GroupSpec) -> tuple[str, ...]:
    # A Series or array of labels is not a Sequence: its values would be read as column names.
    if not isinstance(group, (str, Sequence)):
        raise InputError(
            f"group must be a column name or a list of them; got {type(group).__name__}"
        )
    names = (group,) if isinstance(group, str) else tuple(group)
    if not names or not all(isinstance(name, str) for name in names):
        raise InputError(f"group must be a column name or a list of them; got {group!r}")
    if len(set(names)) != len(names):
        raise InputError(f"group lists a column twice: {list(names)}")
    return names


def _column_codes(frame: pd.DataFrame, name: str) -> tuple[IntArray, pd.Index]:
    series = group_labels(frame, group=name)  # the column, or the computed band; no missing label
    levels: pd.Index
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy(dtype=np.int64)
        levels = pd.Index(series.cat.categories)
    else:
        try:
            raw, uniques = pd.factorize(series, sort=True)
        except TypeError:  # values of mixed types cannot be sorted: keep first-seen order
            if name in frame.columns:  # a computed band is always hashable
                check_hashable(frame, name, "a group label (a string or a number, not a list)")
            raw, uniques = pd.factorize(series, sort=False)
        codes = np.asarray(raw, dtype=np.int64)
        levels = pd.Index(uniques)
    return codes, levels.rename(name)


@dataclass(frozen=True, slots=True)
class Groups:
    """Rows coded by group.

    A group is one combination of the group columns' levels (a category, or
    a value seen in the column). ``combined`` numbers every combination in
    mixed radix; ``observed`` lists, sorted, the combinations that have rows;
    ``codes[i]`` is the position of row ``i``'s group in ``observed`` (and in
    :attr:`labels`).
    """

    names: tuple[str, ...]
    levels: tuple[pd.Index, ...]
    combined: IntArray
    observed: IntArray
    codes: IntArray

    @classmethod
    def from_combined(
        cls, names: tuple[str, ...], levels: tuple[pd.Index, ...], combined: IntArray
    ) -> Groups:
        observed, codes = np.unique(combined, return_inverse=True)
        return cls(names, levels, combined, observed, codes.reshape(-1).astype(np.int64))

    def subset(self, mask: BoolArray) -> Groups:
        """The same grouping over the rows where ``mask`` is true."""
        return Groups.from_combined(self.names, self.levels, self.combined[mask])

    @property
    def sizes(self) -> IntArray:
        """Rows per observed group, in the order of :attr:`labels`."""
        return np.bincount(self.codes, minlength=len(self.observed)).astype(np.int64)

    @property
    def labels(self) -> pd.Index:
        """The groups that have rows: an ``Index``, or a ``MultiIndex`` for several columns."""
        return self.decode(self.observed)

    @property
    def empty(self) -> pd.Index:
        """The groups with no rows (unused categories, combinations never seen)."""
        total = int(np.prod([len(level) for level in self.levels]))
        return self.decode(np.setdiff1d(np.arange(total, dtype=np.int64), self.observed))

    def decode(self, combined: IntArray) -> pd.Index:
        """Labels of the combinations numbered ``combined``."""
        if len(self.levels) == 1:
            return self.levels[0].take(combined).rename(self.names[0])
        digits = []
        rest = combined.copy()
        for level in reversed(self.levels):
            digits.append(rest % len(level))
            rest //= len(level)
        arrays = [level.take(d) for level, d in zip(self.levels, reversed(digits), strict=True)]
        return pd.MultiIndex.from_arrays(arrays, names=list(self.names))


def encode_groups(frame: Any, group: GroupSpec) -> Groups:
    """Code the rows of ``frame`` by the group(s) ``group``; a missing label is an error.

    Each group's labels are :func:`~prioritize.models.group_labels`': a
    column of that name, or the computed ``follower_band`` / ``value_band``.
    Levels come in category order for a categorical column (and the bands)
    and in sorted order otherwise, so results list ``<1k`` before ``100k+``.
    """
    names = _group_names(group)
    require_columns(frame, ())
    combined = np.zeros(len(frame), dtype=np.int64)
    levels = []
    for name in names:
        codes, level = _column_codes(frame, name)
        combined = combined * max(len(level), 1) + codes
        levels.append(level)
    return Groups.from_combined(names, tuple(levels), combined)


def read_values(frame: Any, column: str) -> FloatArray:
    """A numeric (or boolean) column as float64; NaN and infinities are errors."""
    require_columns(frame, [column])
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        _fail(frame, series.isna().to_numpy(dtype=bool), f"column {column!r} has missing values")
        values: FloatArray = series.to_numpy(dtype=np.float64)
        return values
    return read_float(frame, column, minimum=None)


def read_abandoned(frame: Any) -> BoolArray:
    """The boolean ``abandoned`` column (missing values are errors)."""
    require_columns(frame, ["abandoned"])
    series = frame["abandoned"]
    if not pd.api.types.is_bool_dtype(series.dtype):
        raise SchemaError(f"column 'abandoned' must be boolean; got dtype {series.dtype}")
    _fail(frame, series.isna().to_numpy(dtype=bool), "column 'abandoned' has missing values")
    flags: BoolArray = series.to_numpy(dtype=bool)
    return flags


def _read_times(frame: pd.DataFrame, column: str, *, allow_nat: bool) -> tuple[IntArray, BoolArray]:
    """A timezone-aware datetime column as int64 ns since the epoch, with its NaT mask."""
    require_columns(frame, [column])
    series = frame[column]
    nat = series.isna().to_numpy(dtype=bool)
    if allow_nat and nat.all():  # nothing to read: the dtype of an all-NaT column is moot
        return np.zeros(len(frame), dtype=np.int64), nat
    dtype = series.dtype
    if not isinstance(dtype, pd.DatetimeTZDtype):
        naive = pd.api.types.is_datetime64_dtype(dtype)
        raise SchemaError(
            f"column {column!r} holds naive datetimes; expected timezone-aware"
            if naive
            else f"column {column!r} must be timezone-aware datetime64; got dtype {dtype}"
        )
    if not allow_nat:
        _fail(frame, nat, f"column {column!r} has missing timestamps (NaT)")
    # A tz-aware array stores UTC instants: its integers need no conversion.
    ns = np.asarray(series.array.as_unit("ns").asi8, dtype=np.int64)
    return ns, nat


@dataclass(frozen=True, slots=True)
class Events:
    """When each query arrived, started and left, in minutes since the first arrival.

    ``start`` is NaN for a query never served. ``leave`` is when the query
    stopped waiting (its ``start``, or when it abandoned or the records end);
    ``departure`` is when it left the system (``finished_at``, or ``leave``
    for a query never served). ``finished_at`` is only read when asked for;
    otherwise ``departure`` is NaN for served queries.
    """

    arrival: FloatArray
    start: FloatArray
    leave: FloatArray
    departure: FloatArray
    served: BoolArray
    origin_ns: int


def read_events(frame: Any, *, departures: bool) -> Events:
    """Read and check the event times of ``frame``.

    Checks: ``received_at`` has no NaT; ``started_at`` (NaT for a query never
    served) is not before ``received_at``; a query marked ``abandoned`` has no
    ``started_at``; a query never served has a ``wait_minutes`` >= 0 (how long
    it was present); with ``departures``, a served query has a ``finished_at``
    not before its ``started_at``.
    """
    require_columns(frame, ["received_at", "started_at"])
    received, _ = _read_times(frame, "received_at", allow_nat=False)
    origin = int(received.min()) if len(received) else 0
    arrival = (received - origin) / NS_PER_MINUTE
    start_ns, unserved = _read_times(frame, "started_at", allow_nat=True)
    served = ~unserved
    start = np.where(served, (start_ns - origin) / NS_PER_MINUTE, np.nan)
    _fail(frame, served & (start_ns < received), "started_at is before received_at")
    if "abandoned" in frame.columns:
        _fail(frame, served & read_abandoned(frame), "abandoned queries must have no started_at")
    leave = start.copy()
    if unserved.any():
        require_columns(frame, ["wait_minutes"])
        wait = read_float(frame, "wait_minutes", allow_nan=True)
        _fail(
            frame,
            unserved & np.isnan(wait),
            "queries never served need wait_minutes (how long they were present)",
        )
        leave[unserved] = arrival[unserved] + wait[unserved]
    departure = np.where(served, np.nan, leave)
    if departures:
        finish_ns, no_finish = _read_times(frame, "finished_at", allow_nat=True)
        _fail(frame, served & no_finish, "served queries (with started_at) need finished_at")
        _fail(frame, served & (finish_ns < start_ns), "finished_at is before started_at")
        departure = np.where(served, (finish_ns - origin) / NS_PER_MINUTE, leave)
    return Events(arrival, start, leave, departure, served, origin)
