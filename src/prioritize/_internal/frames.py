"""Column readers: read what a computation needs from a frame, checking only that.

Each reader checks the dtype and values of the one column it reads, so a hot
vectorised path pays for nothing it does not use. A failure is a
:class:`~prioritize.SchemaError` naming the column, up to
:data:`~prioritize._internal.rows.MAX_SHOWN` offending rows (index label and
``query_id``) and what was expected. Nothing is dropped or filled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import SchemaError
from prioritize._internal.rows import describe_rows

__all__ = [
    "MAX_TIME",
    "BoolArray",
    "FloatArray",
    "FrameColumns",
    "IntArray",
    "check_hashable",
    "fail_rows",
    "past_time_axis",
    "read_float",
    "read_received_ns",
    "require_columns",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def fail_rows(frame: pd.DataFrame, column: str, mask: BoolArray, expected: str) -> None:
    """Raise :class:`SchemaError` for the rows of ``column`` where ``mask`` is true."""
    count = int(mask.sum())
    rows = "row has" if count == 1 else "rows have"
    raise SchemaError(
        f"column {column!r}: {count} {rows} a bad value; expected {expected}: "
        f"{describe_rows(frame, mask, column)}"
    )


def check_hashable(frame: pd.DataFrame, column: str, expected: str) -> None:
    """Raise :class:`SchemaError` for the rows of ``column`` holding a list, a dict or a set.

    Such a value cannot be a label or an id (it is not hashable): pandas would fail on
    it with a bare ``TypeError`` when grouping or factorizing the column.
    """
    values = frame[column].to_numpy(dtype=object)
    bad = np.fromiter((not _hashable(v) for v in values), dtype=bool, count=len(values))
    if bad.any():
        fail_rows(frame, column, bad, expected)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def require_columns(frame: Any, columns: Iterable[str]) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` missing from ``frame``."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(frame.columns, pd.MultiIndex):
        # `"query_id" in columns` matches a first level, and `frame["query_id"]` is then a
        # frame, not a column: every reader below would fail deep inside, unnamed.
        first = f", the first {frame.columns[0]!r}" if len(frame.columns) else ""
        raise SchemaError(
            f"frame has MultiIndex columns ({frame.columns.nlevels} levels{first}); expected "
            "one level of column names (flatten them, e.g. "
            "frame.columns = frame.columns.get_level_values(0))"
        )
    wanted = list(columns)
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"frame is missing required column(s) {missing}; it has {list(frame.columns)}"
        )
    if not frame.columns.is_unique:
        twice = sorted({str(c) for c in wanted if not isinstance(frame.columns.get_loc(c), int)})
        if twice:
            raise SchemaError(f"frame has several columns named {twice}; each must appear once")


def read_float(
    frame: pd.DataFrame,
    column: str,
    *,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    strict_minimum: bool = False,
    allow_nan: bool = False,
    integer: bool = False,
) -> FloatArray:
    """Read a numeric column as float64, checking its dtype and range.

    ``allow_nan`` lets NaN through (it is checked by the caller's meaning, e.g.
    "never bought"); infinities are always rejected.
    """
    series = frame[column]
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise SchemaError(f"column {column!r} must be numeric; got dtype {dtype}")
    values: FloatArray = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if values.size == 0:
        return values
    # Fast path: two reductions; rows are only located when something fails.
    if allow_nan:
        lo, hi = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))
        if math.isnan(lo):  # every value missing, which is allowed here
            return values
    else:
        lo, hi = float(values.min()), float(values.max())
        if math.isnan(lo) or math.isnan(hi):
            fail_rows(frame, column, np.isnan(values), "a number (NaN/missing is not allowed here)")
    kind = "an integer" if integer else "a number"
    if math.isinf(lo) or math.isinf(hi):
        fail_rows(frame, column, np.isinf(values), "a finite number")
    if minimum is not None and (lo < minimum or (strict_minimum and lo <= minimum)):
        op = ">" if strict_minimum else ">="
        bad = values <= minimum if strict_minimum else values < minimum
        fail_rows(frame, column, bad, f"{kind} {op} {minimum:g}")
    if maximum is not None and hi > maximum:
        fail_rows(frame, column, values > maximum, f"{kind} <= {maximum:g}")
    if integer and not pd.api.types.is_integer_dtype(dtype):
        frac = np.fmod(values, 1.0)
        bad = (frac != 0.0) & ~np.isnan(frac)
        if bad.any():
            fail_rows(frame, column, bad, "a whole number")
    return values


#: The last representable time (pandas' ``datetime64[ns]`` axis, 2262-04-11): every
#: time the library writes (a simulated start, finish or abandonment) is before it.
MAX_TIME = pd.Timestamp.max.tz_localize("UTC")
# Below 2**63 ns by one float step, so a float sum cannot round past the axis.
_AXIS_END_NS = float(np.iinfo(np.int64).max) - 2.0**11


def past_time_axis(end_ns: FloatArray) -> BoolArray:
    """Which of these times (float ns since the epoch) are not before :data:`MAX_TIME`."""
    over: BoolArray = ~(end_ns < _AXIS_END_NS)  # NaN and inf count as past it
    return over


def read_received_ns(frame: pd.DataFrame, column: str = "received_at") -> IntArray:
    """Arrival times as int64 nanoseconds since the epoch (UTC)."""
    series = frame[column]
    dtype = series.dtype
    if not isinstance(dtype, pd.DatetimeTZDtype):
        if pd.api.types.is_datetime64_dtype(dtype):
            raise SchemaError(
                f"column {column!r} holds naive datetimes; expected timezone-aware "
                f"(e.g. pd.to_datetime(..., utc=True) or .dt.tz_localize('UTC'))"
            )
        raise SchemaError(
            f"column {column!r} must be timezone-aware datetime64; got dtype {dtype} "
            f"(convert with pd.to_datetime(frame[{column!r}], utc=True))"
        )
    array = series.array.as_unit("ns")  # tz-aware values are stored as UTC epoch ns
    ints: IntArray = np.asarray(array.asi8, dtype=np.int64)
    nat = ints == np.iinfo(np.int64).min  # NaT
    if nat.any():
        fail_rows(frame, column, nat, "a timestamp (NaT/missing is not allowed)")
    return ints


@dataclass(frozen=True, slots=True)
class FrameColumns:
    """The numeric columns of a validated frame, as float64 arrays (NaN = missing)."""

    followers: FloatArray
    lifetime_value: FloatArray
    purchase_count: FloatArray
    total_spend: FloatArray
    days_since_last_purchase: FloatArray
    urgency: FloatArray | None
    received_ns: IntArray

    def rows(self, start: int, stop: int) -> FrameColumns:
        """Views of rows ``start:stop`` (no copy)."""
        return FrameColumns(
            followers=self.followers[start:stop],
            lifetime_value=self.lifetime_value[start:stop],
            purchase_count=self.purchase_count[start:stop],
            total_spend=self.total_spend[start:stop],
            days_since_last_purchase=self.days_since_last_purchase[start:stop],
            urgency=None if self.urgency is None else self.urgency[start:stop],
            received_ns=self.received_ns[start:stop],
        )
