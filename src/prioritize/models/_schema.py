"""The canonical query frame: one row per query, checked column by column.

Every frame entering the library passes through :func:`validate_frame` (or the
private column readers it is built on, which check only what they read, so the
hot vectorised path pays for nothing it does not use). A failure is a
:class:`~prioritize.SchemaError` naming the column, up to five offending rows
(index label and ``query_id``) and what was expected. Nothing is dropped or
filled: rows in = rows out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import SchemaError
from prioritize._internal.frames import (
    FrameColumns,
    fail_rows,
    read_float,
    read_received_ns,
    require_columns,
)
from prioritize.models._entities import PUBLIC_BY_DEFAULT, Channel

__all__ = [
    "CHANNELS",
    "FOLLOWER_BANDS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "VALUE_BANDS",
    "band_of",
    "follower_band",
    "public_flags",
    "validate_frame",
    "value_band",
]

REQUIRED_COLUMNS: tuple[str, ...] = (
    "query_id",
    "customer_id",
    "received_at",
    "channel",
    "followers",
    "lifetime_value",
    "purchase_count",
    "total_spend",
    "days_since_last_purchase",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "urgency",
    "text",
    "is_public",
    "handle_minutes",
    "patience_minutes",
)
CHANNELS: frozenset[str] = frozenset(c.value for c in Channel)

#: Follower bands: (label, lower bound inclusive). Upper bound is the next lower bound.
FOLLOWER_BANDS: tuple[tuple[str, float], ...] = (
    ("<1k", 0.0),
    ("1k-10k", 1_000.0),
    ("10k-100k", 10_000.0),
    ("100k+", 100_000.0),
)
#: Lifetime-value bands in account currency: (label, lower bound inclusive).
VALUE_BANDS: tuple[tuple[str, float], ...] = (
    ("<100", 0.0),
    ("100-1k", 100.0),
    ("1k-10k", 1_000.0),
    ("10k+", 10_000.0),
)


def _check_ids(frame: pd.DataFrame, column: str, *, unique: bool) -> None:
    series = frame[column]
    missing = series.isna().to_numpy()
    if missing.any():
        fail_rows(frame, column, missing, "a non-empty id")
    if unique and not series.is_unique:
        dup = series.duplicated(keep=False).to_numpy()
        fail_rows(frame, column, dup, "unique ids (duplicates found)")


def _check_channels(frame: pd.DataFrame) -> None:
    series = frame["channel"]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.unique()
        present = {str(c) for c in series.cat.categories[codes[codes >= 0]]}
        unknown_values = present - CHANNELS
        has_nan = bool(series.isna().any())
    else:
        uniques = pd.unique(series.to_numpy(dtype=object))
        has_nan = any(u is None or (isinstance(u, float) and u != u) for u in uniques)
        unknown_values = {str(u) for u in uniques if isinstance(u, str)} - CHANNELS
        if not has_nan and any(not isinstance(u, str) for u in uniques):
            bad = ~series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            fail_rows(frame, "channel", bad, f"one of {sorted(CHANNELS)}")
    if has_nan:
        fail_rows(frame, "channel", series.isna().to_numpy(), f"one of {sorted(CHANNELS)}")
    if unknown_values:
        bad = series.astype(object).isin(sorted(unknown_values)).to_numpy(dtype=bool)
        fail_rows(frame, "channel", bad, f"one of {sorted(CHANNELS)}")


def _check_text(frame: pd.DataFrame) -> None:
    text = frame["text"]
    if not len(text):
        return
    missing = text.isna().to_numpy(dtype=bool)
    if missing.any():
        fail_rows(frame, "text", missing, "a string (use '' for no text)")
    if pd.api.types.is_string_dtype(text.dtype) and not pd.api.types.is_object_dtype(text.dtype):
        return
    if pd.api.types.infer_dtype(text, skipna=False) not in ("string", "empty"):
        bad = ~text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        fail_rows(frame, "text", bad, "a string (use '' for no text)")


def validate_frame(frame: Any, *, full: bool = True) -> FrameColumns:
    """Check ``frame`` against the canonical schema and return its numeric columns.

    Checks: every required column is present; ids are present (and
    ``query_id`` unique); ``received_at`` is timezone-aware with no NaT;
    ``channel`` is a known :class:`Channel`; counts are whole numbers >= 0;
    money is >= 0; ``days_since_last_purchase`` is >= 0 or NaN (never bought);
    ``urgency`` (if present) is in [0, 1] or NaN (derive from ``text``, which
    must then be present and hold strings); ``handle_minutes``/``patience_minutes``
    are > 0.

    ``full=False`` checks only what scoring reads (every required column
    present; the numeric and time columns' values) and skips ids and
    channels, whose checks cost more than scoring itself on large frames:
    use it for partitions of a frame already checked as a whole (a partition
    cannot see a duplicate in another partition anyway).

    Raises
    ------
    SchemaError
        Naming the column, the offending rows and what was expected.
    """
    require_columns(frame, REQUIRED_COLUMNS)
    if full:
        _check_ids(frame, "query_id", unique=True)
        _check_ids(frame, "customer_id", unique=False)
        _check_channels(frame)
    received = read_received_ns(frame)
    urgency = None
    if "urgency" in frame.columns:
        urgency = read_float(frame, "urgency", minimum=0.0, maximum=1.0, allow_nan=True)
    if urgency is None or np.isnan(urgency).any():
        # Text is only read (and so only checked) where urgency must come from it.
        if "text" not in frame.columns:
            raise SchemaError(
                "frame needs an 'urgency' column without missing values, or a 'text' column "
                "to derive urgency from; it has neither for some rows"
            )
        _check_text(frame)
    if "is_public" in frame.columns:
        _check_is_public(frame)
    for column in ("handle_minutes", "patience_minutes"):
        if column in frame.columns:
            read_float(frame, column, minimum=0.0, strict_minimum=True)
    return FrameColumns(
        followers=read_float(frame, "followers", integer=True),
        lifetime_value=read_float(frame, "lifetime_value"),
        purchase_count=read_float(frame, "purchase_count", integer=True),
        total_spend=read_float(frame, "total_spend"),
        days_since_last_purchase=read_float(frame, "days_since_last_purchase", allow_nan=True),
        urgency=urgency,
        received_ns=received,
    )


def _check_is_public(frame: pd.DataFrame) -> None:
    if not pd.api.types.is_bool_dtype(frame["is_public"].dtype):
        raise SchemaError(
            f"column 'is_public' must be boolean; got dtype {frame['is_public'].dtype}"
        )


def public_flags(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Each row's ``is_public``: the column when the frame has one, else the channel's default.

    The frame form of :func:`public_by_default`, the one rule for a query
    that does not say whether it was public.
    """
    if "is_public" in frame.columns:
        _check_is_public(frame)
        flags: npt.NDArray[np.bool_] = frame["is_public"].to_numpy(dtype=bool)
    else:
        public = sorted(str(channel) for channel in PUBLIC_BY_DEFAULT)
        flags = frame["channel"].astype(object).isin(public).to_numpy(dtype=bool)
    return flags


def _band(values: npt.ArrayLike, bands: Sequence[tuple[str, float]]) -> pd.Categorical:
    arr = np.asarray(values, dtype=np.float64)
    edges = np.array([lo for _, lo in bands[1:]])
    codes = np.searchsorted(edges, arr, side="right")
    labels = [label for label, _ in bands]
    return pd.Categorical.from_codes(codes, categories=labels, ordered=True)


def band_of(value: float, bands: Sequence[tuple[str, float]]) -> str:
    """The label of the band ``value`` falls in (scalar twin of :func:`follower_band`)."""
    return bands[bisect_right([lo for _, lo in bands[1:]], value)][0]


def follower_band(followers: npt.ArrayLike) -> pd.Categorical:
    """Band follower counts: ``<1k``, ``1k-10k``, ``10k-100k``, ``100k+``.

    Lower bounds are inclusive: 1,000 followers is ``1k-10k``.
    """
    return _band(followers, FOLLOWER_BANDS)


def value_band(lifetime_value: npt.ArrayLike) -> pd.Categorical:
    """Band lifetime values: ``<100``, ``100-1k``, ``1k-10k``, ``10k+`` (lower bounds inclusive)."""
    return _band(lifetime_value, VALUE_BANDS)
