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
    MAX_TIME,
    BoolArray,
    FloatArray,
    FrameColumns,
    fail_rows,
    past_time_axis,
    read_float,
    read_received_ns,
    require_columns,
)
from prioritize._internal.ids import ID_RULE, canonical_ids
from prioritize._internal.skills import read_skills
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.models._entities import PUBLIC_BY_DEFAULT, Channel

__all__ = [
    "CHANNELS",
    "FOLLOWER_BANDS",
    "MAX_TIME",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "VALUE_BANDS",
    "band_of",
    "canonical_frame",
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
    "skills",
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


def _check_ids(frame: pd.DataFrame, column: str, *, unique: bool) -> pd.Series | None:
    """Check an id column under the one identity rule; its canonical ids if they differ."""
    series = frame[column]
    canon, bad = canonical_ids(series)
    if bad.any():
        fail_rows(frame, column, bad, ID_RULE)
    if unique and not canon.is_unique:
        dup = canon.duplicated(keep=False).to_numpy()
        fail_rows(
            frame,
            column,
            dup,
            "unique ids (duplicates found; an integer and its decimal string, e.g. 5 and "
            "'5', are the same id)",
        )
    return None if canon is series else canon


def _check_channels(frame: pd.DataFrame) -> None:
    series = frame["channel"]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.unique()
        present = {str(c) for c in series.cat.categories[codes[codes >= 0]]}
        unknown_values = present - CHANNELS
        has_nan = bool(series.isna().any())
    else:
        uniques = pd.unique(series.to_numpy(dtype=object))
        has_nan = any(u is None or u is pd.NA or (isinstance(u, float) and u != u) for u in uniques)
        unknown_values = {str(u) for u in uniques if isinstance(u, str)} - CHANNELS
        if not has_nan and any(not isinstance(u, str) for u in uniques):
            bad = ~series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            fail_rows(frame, "channel", bad, f"one of {sorted(CHANNELS)}")
    if has_nan:
        fail_rows(frame, "channel", series.isna().to_numpy(), f"one of {sorted(CHANNELS)}")
    if unknown_values:
        bad = series.astype(object).isin(sorted(unknown_values)).to_numpy(dtype=bool)
        fail_rows(frame, "channel", bad, f"one of {sorted(CHANNELS)}")


def _check_text(frame: pd.DataFrame, needed: BoolArray | None) -> None:
    """``text`` holds strings; missing only where urgency is given (``needed`` false)."""
    text = frame["text"]
    if not len(text):
        return
    missing = text.isna().to_numpy(dtype=bool)
    if missing.any():
        must = missing if needed is None else missing & needed
        if must.any():
            fail_rows(frame, "text", must, "a string where urgency is missing (use '' for no text)")
    if pd.api.types.is_string_dtype(text.dtype) and not pd.api.types.is_object_dtype(text.dtype):
        return
    if pd.api.types.infer_dtype(text, skipna=True) not in ("string", "empty"):
        bad = ~text.map(lambda v: isinstance(v, str) or _is_missing(v)).to_numpy(dtype=bool)
        fail_rows(frame, "text", bad, "a string (use '' for no text)")


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _check_within_time_axis(frame: pd.DataFrame, column: str, minutes: FloatArray) -> None:
    """The time ``minutes`` after each arrival must be representable (before :data:`MAX_TIME`)."""
    end = read_received_ns(frame).astype(np.float64) + minutes * NS_PER_MINUTE
    over = past_time_axis(end)
    if over.any():
        fail_rows(
            frame,
            column,
            over,
            f"a duration that ends within the time axis (before {MAX_TIME.isoformat()}); "
            "the arrival plus these minutes overflows it",
        )


def _validate(frame: Any, full: bool) -> tuple[FrameColumns, dict[str, Any]]:
    """The checks of :func:`validate_frame`, and the canonical replacement of each column
    that is not already in its canonical dtype."""
    require_columns(frame, REQUIRED_COLUMNS)
    replace: dict[str, Any] = {}
    if full:
        for column, unique in (("query_id", True), ("customer_id", False)):
            canon = _check_ids(frame, column, unique=unique)
            if canon is not None:
                replace[column] = canon
        _check_channels(frame)
    received = read_received_ns(frame)
    urgency = None
    if "urgency" in frame.columns:
        urgency = read_float(frame, "urgency", minimum=0.0, maximum=1.0, allow_nan=True)
        _canonical_float(frame, "urgency", urgency, replace)
    needs_text = urgency is None or bool(np.isnan(urgency).any())
    if needs_text and "text" not in frame.columns:
        # Text is only read where urgency must come from it.
        raise SchemaError(
            "frame needs an 'urgency' column without missing values, or a 'text' column "
            "to derive urgency from; it has neither for some rows"
        )
    if "text" in frame.columns and (needs_text or full):
        _check_text(frame, None if urgency is None else np.isnan(urgency))
    if "is_public" in frame.columns:
        public = _read_is_public(frame)
        if frame["is_public"].dtype != np.bool_:
            replace["is_public"] = public
    for column in ("handle_minutes", "patience_minutes"):
        if column in frame.columns:
            minutes = read_float(frame, column, minimum=0.0, strict_minimum=True)
            _check_within_time_axis(frame, column, minutes)
            _canonical_float(frame, column, minutes, replace)
    if full and "skills" in frame.columns:
        skills = read_skills(frame)
        original = frame["skills"].to_numpy(dtype=object)
        if frame["skills"].dtype != object or any(
            type(b) is not frozenset or a != b
            for a, b in zip(skills.tolist(), original.tolist(), strict=True)
        ):
            replace["skills"] = pd.Series(skills, index=frame.index, dtype=object)
    numeric = {
        "followers": read_float(frame, "followers", integer=True),
        "lifetime_value": read_float(frame, "lifetime_value"),
        "purchase_count": read_float(frame, "purchase_count", integer=True),
        "total_spend": read_float(frame, "total_spend"),
        "days_since_last_purchase": read_float(frame, "days_since_last_purchase", allow_nan=True),
    }
    for column, values in numeric.items():
        _canonical_float(frame, column, values, replace)
    return FrameColumns(**numeric, urgency=urgency, received_ns=received), replace


def _canonical_float(
    frame: pd.DataFrame, column: str, values: FloatArray, replace: dict[str, Any]
) -> None:
    # A nullable (Float64, Int64, ...) column becomes numpy: float64 with NaN, or
    # int64 for an integer column (which has no missing value once read).
    dtype = frame[column].dtype
    if isinstance(dtype, np.dtype):
        return
    exact = not np.isnan(values).any() and not (values >= 2.0**63).any()
    if pd.api.types.is_integer_dtype(dtype) and exact:
        replace[column] = pd.Series(values.astype(np.int64), index=frame.index)
    else:
        replace[column] = pd.Series(values, index=frame.index)


def validate_frame(frame: Any, *, full: bool = True) -> FrameColumns:
    """Check ``frame`` against the canonical schema and return its numeric columns.

    Checks: every required column is present (once); ids follow the one
    identity rule (a non-empty string, or an integer standing for its decimal
    string: ``5`` and ``"5"`` are the same id) and ``query_id`` is unique
    after that; ``received_at`` is timezone-aware with no NaT; ``channel`` is
    a known :class:`Channel`; counts are whole numbers >= 0; money is >= 0;
    ``days_since_last_purchase`` is >= 0 or NaN (never bought); ``urgency``
    (if present) is in [0, 1] or NaN (derive from ``text``, which must then
    hold a string in that row); ``text`` holds strings; ``is_public`` is
    boolean with no missing value; ``handle_minutes``/``patience_minutes``
    are > 0 and end within the time axis (:data:`MAX_TIME`); ``skills`` (if
    present) holds skill names in each row: an iterable of strings or one
    comma-separated string, empty or missing for "anyone may answer".
    Nullable dtypes
    (``Float64``, ``Int64``, ``boolean``, ``string``) and categoricals are
    accepted under the same rules (see :func:`canonical_frame`).

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
    return _validate(frame, full)[0]


def canonical_frame(frame: Any, *, full: bool = True) -> tuple[pd.DataFrame, FrameColumns]:
    """:func:`validate_frame`, and the frame in canonical dtypes: the one entry check.

    :meth:`Policy.score_frame <prioritize.Policy.score_frame>`,
    :meth:`Policy.rank <prioritize.Policy.rank>`,
    :func:`~prioritize.simulate` and
    :meth:`TriageQueue.push_frame <prioritize.TriageQueue.push_frame>` all
    read a frame through this function, so they accept exactly the same
    frames. Ids become their canonical strings (object dtype); nullable
    numeric columns become float64 (NaN for a missing value where one is
    allowed) or int64; a ``boolean`` ``is_public`` becomes ``bool``; ``string``
    columns become object; ``skills`` becomes an object column of frozensets
    of skill names (stripped, lower-case). A frame already canonical is returned as is (no
    copy); otherwise a new frame with the same index and columns.

    Raises
    ------
    SchemaError
        As :func:`validate_frame`.
    """
    cols, replace = _validate(frame, full)
    if replace:
        frame = frame.copy(deep=False)
        for column, values in replace.items():
            frame[column] = values
    return frame, cols


def _read_is_public(frame: pd.DataFrame) -> BoolArray:
    """``is_public`` as a bool array: a boolean column (nullable or object of bools), no NA."""
    series = frame["is_public"]
    dtype = series.dtype
    if dtype == np.bool_:
        flags: BoolArray = series.to_numpy()
        return flags
    expected = "True or False (a missing value is not allowed: say whether it was public)"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values = series.to_numpy(dtype=object)
        bad = np.fromiter(
            (not isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values)
        )
        if bad.any():
            fail_rows(frame, "is_public", bad, expected)
        flags = values.astype(bool)
        return flags
    raise SchemaError(f"column 'is_public' must be boolean; got dtype {dtype}")


def public_flags(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Each row's ``is_public``: the column when the frame has one, else the channel's default.

    The frame form of :func:`public_by_default`, the one rule for a query
    that does not say whether it was public.
    """
    if "is_public" in frame.columns:
        flags: npt.NDArray[np.bool_] = _read_is_public(frame)
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
