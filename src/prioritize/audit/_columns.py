"""Which frame columns feed which signal, and changing columns without touching the input."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import require_columns
from prioritize.signals import BUILTIN

__all__ = [
    "COLUMN_SIGNALS",
    "NUMERIC_COLUMNS",
    "SIGNAL_COLUMNS",
    "Change",
    "apply_changes",
    "text_driven",
]

#: Built-in signal -> the canonical columns it reads, from the signal registry
#: (``urgency`` reads ``text`` only where the ``urgency`` column is missing or NaN).
SIGNAL_COLUMNS: dict[str, tuple[str, ...]] = {s.name: s.columns for s in BUILTIN}
#: Canonical frame column -> the first built-in signal it feeds (``text`` feeds
#: ``urgency`` and ``negativity``: ``urgency``).
COLUMN_SIGNALS: dict[str, str] = {}
for _name, _cols in SIGNAL_COLUMNS.items():
    for _col in _cols:
        COLUMN_SIGNALS.setdefault(_col, _name)
#: The numeric columns a counterfactual may change (``text`` is changed by ``gaming``).
NUMERIC_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMN_SIGNALS if c != "text")

#: A new value for a column: a scalar for every row, or a function of the column.
Change = float | int | Callable[[pd.Series], Any]

_NAN_ALLOWED = frozenset({"days_since_last_purchase", "urgency"})


def _check_column(column: Any) -> str:
    if not isinstance(column, str) or column not in NUMERIC_COLUMNS:
        hint = " (text is changed by prioritize.audit.gaming)" if column == "text" else ""
        raise InputError(
            f"column must be one of the numeric canonical columns {list(NUMERIC_COLUMNS)}; "
            f"got {column!r}{hint}"
        )
    return column


def _new_values(frame: pd.DataFrame, column: str, change: Any) -> Any:
    n = len(frame)
    if callable(change):
        if column not in frame.columns:
            raise SchemaError(
                f"a function of column {column!r} needs that column; the frame has "
                f"{list(frame.columns)}"
            )
        result = change(frame[column].copy())
        values = np.asarray(result.to_numpy() if isinstance(result, pd.Series) else result)
        if values.ndim == 0:
            values = np.full(n, values.item())
        if values.shape != (n,):
            raise InputError(
                f"the function given for column {column!r} must return one value per row "
                f"({n}); got shape {values.shape}"
            )
        return values
    if isinstance(change, bool) or not isinstance(change, numbers.Real):
        raise InputError(
            f"value for column {column!r} must be a number or a function of the column; "
            f"got {type(change).__name__}"
        )
    if math.isnan(change) and column not in _NAN_ALLOWED:
        raise InputError(
            f"value for column {column!r} must be a number; NaN is only allowed for "
            f"{sorted(_NAN_ALLOWED)}"
        )
    return np.full(n, change, dtype=np.float64 if isinstance(change, float) else np.int64)


def apply_changes(frame: pd.DataFrame, changes: Mapping[str, Any]) -> pd.DataFrame:
    """A copy of ``frame`` with ``changes`` (column -> :data:`Change`) applied.

    Only :data:`NUMERIC_COLUMNS` may change; ``urgency`` may be added when the
    frame has none. The new values are checked when the copy is scored (a
    negative follower count is a :class:`SchemaError` naming the column).
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if not changes:
        raise InputError("no column to change: give at least one column and its new value")
    columns = [_check_column(c) for c in changes]
    require_columns(frame, [c for c in columns if c != "urgency"])
    return frame.assign(**{c: _new_values(frame, c, v) for c, v in changes.items()})


def text_driven(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows whose urgency is derived from ``text`` (no ``urgency`` column, or NaN there)."""
    if "text" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    if "urgency" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    missing: npt.NDArray[np.bool_] = frame["urgency"].isna().to_numpy(dtype=bool)
    return missing
