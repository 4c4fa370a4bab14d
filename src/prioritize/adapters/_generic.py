"""Any table of queries (CSV, Parquet, or a DataFrame) -> a canonical query frame.

:func:`read_queries` renames columns by a mapping, fills absent columns only
from explicit ``defaults`` or a ``customers`` lookup, parses times to UTC
(local times need a ``tz``), casts channels, and validates. It never
guesses silently; the one documented convenience is that an empty ``text``
cell is the empty string (CSV cannot tell "no text" from "missing").
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.files import check_unique_columns, column_names, read_table
from prioritize._internal.ids import canonical_ids
from prioritize._internal.rows import describe_rows
from prioritize._internal.times import Ambiguous, Nonexistent
from prioritize.adapters._common import (
    CHANNEL_DTYPE,
    CRM_COLUMNS,
    CustomersArg,
    Skips,
    join_customers,
    parse_utc,
)
from prioritize.adapters._registry import register
from prioritize.models import (
    CHANNELS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Channel,
    channel_of,
    validate_frame,
)

__all__ = ["read_queries"]

_KEY_COLUMNS = ("query_id", "customer_id", "received_at", "channel")
#: The schema's numeric columns (the rest are keys, text, flags and skills).
_NUMERIC_COLUMNS = tuple(
    c
    for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    if c not in {*_KEY_COLUMNS, "text", "is_public", "skills"}
)
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def _has_parquet_engine() -> bool:
    return any(importlib.util.find_spec(m) is not None for m in ("pyarrow", "fastparquet"))


def _read(
    source: Any, file_format: Literal["csv", "parquet"] | None, str_columns: list[str]
) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"read_queries: expected a path or a DataFrame; got {type(source).__name__}"
        )
    path = Path(source)
    suffixes = [s.lower() for s in path.suffixes]
    if file_format is None:
        if ".parquet" in suffixes or ".pq" in suffixes:
            file_format = "parquet"
        elif {".csv", ".tsv", ".txt"} & set(suffixes):
            file_format = "csv"
        else:
            raise InputError(
                f"read_queries: cannot tell the format of {path.name!r}; name it .csv or "
                f".parquet, or pass file_format='csv' / 'parquet'"
            )
    if file_format in ("csv", "parquet"):
        if file_format == "parquet" and not _has_parquet_engine():
            raise ImportError(
                "reading Parquet needs pyarrow, which is not installed: pip install pyarrow"
            )
        sep = "\t" if ".tsv" in suffixes else ","
        return read_table(
            path,
            "read_queries",
            parquet=file_format == "parquet",
            sep=sep,
            dtype=dict.fromkeys(str_columns, str),
        )
    raise InputError(f"read_queries: file_format must be 'csv' or 'parquet'; got {file_format!r}")


def _bad_rows(frame: pd.DataFrame, mask: np.ndarray[Any, Any], column: str) -> str:
    return describe_rows(frame, mask, column, id_column=None)


def _code(value: Any) -> Any:
    # One spelling per channel code: 1, 1.0 (a CSV column with blanks), np.int64(1)
    # and "1" are the same key; other strings are matched as written (stripped).
    if isinstance(value, bool | np.bool_):
        return value
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    return value


def _channels(
    frame: pd.DataFrame, channel_map: Mapping[str | int, str | Channel] | None
) -> pd.Categorical:
    table = {_code(k): v for k, v in (channel_map or {}).items()}
    raw = frame["channel"]
    mapped = raw.map(lambda v: table.get(_code(v), v))
    known = mapped.map(lambda v: _channel_value(v) if isinstance(v, str) else None)
    bad = known.isna().to_numpy(dtype=bool)
    if bad.any():
        first = raw[bad].iloc[0]
        code = _code(first)
        key = int(code) if isinstance(code, str) and code.isdigit() and code != first else code
        example = f"channel_map={{{key!r}: 'email'}}" if isinstance(key, int | str) else ""
        raise SchemaError(
            f"column 'channel': {int(bad.sum())} row(s) hold no known channel; expected one of "
            f"{sorted(CHANNELS)} or an alias such as 'x' or 'e-mail' (map other values and "
            f"numeric codes with channel_map{', e.g. ' + example if example else ''}): "
            f"{_bad_rows(frame, bad, 'channel')}"
        )
    return pd.Categorical(known.to_numpy(dtype=object), dtype=CHANNEL_DTYPE)


def _channel_value(name: str) -> str | None:
    channel = channel_of(name)
    return None if channel is None else channel.value


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame[column]
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v)
    blank = text.map(lambda v: v is None or v == "" or (isinstance(v, float) and v != v))
    numbers = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = (numbers.isna() & ~blank).to_numpy(dtype=bool)
    if bad.any():
        raise SchemaError(f"column {column!r}: expected a number: {_bad_rows(frame, bad, column)}")
    # Blank cells become NaN: allowed only where NaN means something (never bought,
    # urgency to derive); validate_frame names the rows anywhere else.
    return numbers.astype(np.float64)


def _booleans(frame: pd.DataFrame, column: str) -> Any:
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        return series
    words = series.map(lambda v: str(v).strip().lower() if isinstance(v, str | bool | int) else v)
    known = words.map(lambda v: v in _TRUE or v in _FALSE if isinstance(v, str) else False)
    bad = ~known.to_numpy(dtype=bool)
    if bad.any():
        raise SchemaError(
            f"column {column!r}: expected true/false (or yes/no, 1/0): "
            f"{_bad_rows(frame, bad, column)}"
        )
    return words.map(lambda v: v in _TRUE).astype(bool)


def read_queries(
    source: str | os.PathLike[str] | pd.DataFrame,
    mapping: Mapping[str, str] | None = None,
    *,
    tz: str | None = None,
    channel_map: Mapping[str | int, str | Channel] | None = None,
    defaults: Mapping[str, Any] | None = None,
    customers: CustomersArg | None = None,
    date_format: str | None = None,
    file_format: Literal["csv", "parquet"] | None = None,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read a table of queries and return a canonical query frame.

    Parameters
    ----------
    source
        A ``.csv`` / ``.tsv`` / ``.parquet`` path (Parquet needs ``pyarrow``),
        or a DataFrame.
    mapping
        Source column -> canonical column (e.g. ``{"ticket": "query_id",
        "created": "received_at"}``); unmapped columns keep their names.
    tz
        The IANA time zone of ``received_at`` values that carry no offset;
        without it such values are an error.
    ambiguous
        How to read a local time that occurs twice, on the night the clocks
        go back (in Europe/Berlin 2026-10-25, 02:00-02:59 happens twice):
        ``"raise"`` (default) names each such row and value; ``"earliest"``
        takes the first occurrence (summer time), ``"latest"`` the second;
        ``"infer"`` tells them apart from the order of the rows (an export
        sorted by creation time).
    nonexistent
        How to read a local time that never occurs, on the night the clocks
        go forward (in America/New_York 2026-03-08, 02:00-02:59): ``"raise"``
        (default) names each such row and value; ``"shift_forward"`` moves it
        to the first instant after the gap (03:00), ``"shift_backward"`` to
        the last instant before it.
    channel_map
        Source channel value -> channel (e.g. ``{"Web": "web_form"}``, or
        numeric codes ``{1: "email"}``: ``1``, ``1.0`` and ``"1"`` are one
        code, whether the column holds numbers or text); other values are
        matched case-insensitively against the channel names and their usual
        aliases (``"Twitter"``, ``"x"``, ``"e-mail"``; see
        :func:`~prioritize.models.channel_of`).
    defaults
        Constant values for canonical columns the source does not have (e.g.
        ``{"followers": 0}``); naming a column the source has is an error.
    customers
        A CRM lookup (see :func:`~prioritize.adapters.join_customers`): CRM
        columns the source lacks start at their documented defaults, matched
        rows take the CRM values, and a ``crm_matched`` column is added.
    date_format
        A :func:`pandas.to_datetime` format for ``received_at`` strings; it
        wins when given (with ``%z``/``%Z`` the values carry their zone, else
        they are local times in ``tz``). By default every documented vendor
        form is read: ISO 8601 with an offset or ``Z``, a trailing ``UTC``/``GMT``
        (``2020-03-03 13:05:57 UTC``), Twitter v1.1's ``Wed Oct 11 06:55:44
        +0000 2017``, RFC 2822, epoch seconds or milliseconds (numbers or
        digit strings); ISO 8601 without an offset is local time in ``tz``.
    file_format
        ``"csv"`` or ``"parquet"`` when the file name does not say.
    keep
        Skip kinds to keep (see :data:`~prioritize.adapters.SKIP_KINDS`): a
        table of queries skips nothing, so only an empty ``keep`` is accepted;
        ``attrs["skipped"]`` is ``{}``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``source`` in order (rows in = rows out), passing
        :func:`~prioritize.models.validate_frame`.

    Raises
    ------
    SchemaError
        If a mapped or required column is missing, a value is bad, or a local
        time is ambiguous or nonexistent under ``"raise"``; the
        message names the column and rows.
    ImportError
        If the file is Parquet and pyarrow is not installed.
    """
    skips = Skips("read_queries", kinds=(), keep=keep)
    if mapping is not None and not isinstance(mapping, Mapping):
        # dict() would read a list of pairs, or fail on anything else with a bare ValueError
        raise InputError(
            "mapping must be a dict source column -> canonical column; "
            f"got {type(mapping).__name__}"
        )
    mapping = dict(mapping or {})
    not_names = [f"{k!r}: {v!r}" for k, v in mapping.items() if not isinstance(v, str)]
    if not_names:
        raise InputError(f"mapping: a canonical column is a name (str); got {', '.join(not_names)}")
    targets = list(mapping.values())
    if len(set(targets)) != len(targets):
        dup = sorted({t for t in targets if targets.count(t) > 1})
        raise InputError(f"mapping: several source columns map to {dup}")
    reverse = {target: src for src, target in mapping.items()}
    str_columns = [reverse.get(c, c) for c in ("query_id", "customer_id", "text", "channel")]
    frame = _read(source, file_format, str_columns)
    where = "" if isinstance(source, pd.DataFrame) else f"{source}: "  # name a file
    missing = [src for src in mapping if src not in frame.columns]
    if missing:
        raise SchemaError(
            f"{where}mapping names column(s) {missing} that the source lacks; "
            f"it has {column_names(frame.columns)}"
        )
    frame = frame.rename(columns=mapping)
    check_unique_columns(frame.columns, f"{where}read_queries (after mapping)")
    for column, value in (defaults or {}).items():
        if column in _KEY_COLUMNS:
            raise InputError(f"defaults: {column!r} cannot have a default; map a source column")
        if column in frame.columns:
            raise InputError(f"defaults: the source already has column {column!r}")
        frame[column] = value
    if customers is not None:
        for column, value in CRM_COLUMNS.items():
            if column not in frame.columns:
                frame[column] = value
    absent = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if absent:
        raise SchemaError(
            f"{where}source lacks required column(s) {absent} (after mapping); map them with "
            f"mapping=, give constants with defaults=, or join CRM data with customers=; "
            f"it has {column_names(frame.columns)}"
        )
    labels = [f"row {label!r}" for label in frame.index]
    frame["received_at"] = pd.Series(
        parse_utc(
            frame["received_at"],
            labels=labels,
            field="column 'received_at'",
            tz=tz,
            date_format=date_format,
            ambiguous=ambiguous,
            nonexistent=nonexistent,
        ),
        index=frame.index,
    )
    for column in ("query_id", "customer_id"):
        # The one identity rule; a value it rejects stays for validate_frame to name.
        canon, bad = canonical_ids(frame[column])
        frame[column] = canon.where(~bad, frame[column])
    frame["channel"] = pd.Series(_channels(frame, channel_map), index=frame.index)
    if "text" in frame.columns:
        text = frame["text"].where(frame["text"].notna(), "")
        frame["text"] = text.astype(str) if text.empty else text  # typed even with no rows
    if "is_public" in frame.columns:
        frame["is_public"] = _booleans(frame, "is_public")
    for column in _NUMERIC_COLUMNS:
        if column in frame.columns:
            frame[column] = _numbers(frame, column)
    if customers is not None:
        frame = join_customers(frame, customers)  # validates
    else:
        validate_frame(frame)
    ordered = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in frame.columns]
    return skips.finish(frame[ordered + [c for c in frame.columns if c not in ordered]])


def detect(table: pd.DataFrame) -> bool:
    """Whether a table has the canonical required columns (read as is by :func:`read_queries`)."""
    return set(REQUIRED_COLUMNS) <= {str(c) for c in table.columns}


register(
    "csv",
    "table",
    detect=detect,
    read=read_queries,
    expects=f"a table with the canonical columns {', '.join(REQUIRED_COLUMNS)}",
)
