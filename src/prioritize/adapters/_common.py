"""What every adapter shares: reading payloads, timestamps, the CRM join, the output frame.

Every adapter returns a canonical query frame (it passes
:func:`prioritize.models.validate_frame`). The Twitter and Zendesk adapters
give these columns, in this order: the required columns, ``urgency`` (NaN
where the source has none: derived from ``text`` when scored), ``text``,
``is_public``, ``crm_matched``, then the adapter's own extra columns;
:func:`~prioritize.adapters.read_queries` keeps the source's columns and adds
``crm_matched`` only with a ``customers`` lookup. Rows come in the order of
the source; nothing is dropped: records in = rows out.

Without CRM data a customer has ``lifetime_value`` 0, ``purchase_count`` 0,
``total_spend`` 0 and ``days_since_last_purchase`` NaN (never bought), the
defaults of :class:`~prioritize.Customer`, and ``crm_matched`` is False, so a
report can always tell "no CRM record" from "a CRM record worth 0".

What a reader skips
-------------------
A reader keeps every customer message. It skips only records that are not
one, each of a documented kind (:data:`SKIP_KINDS`): ``retweet``,
``brand_reply``, ``deleted``, ``expansion_error``, ``duplicate``,
``not_a_message``. Every reader

* returns a frame whose ``frame.attrs["skipped"]`` is ``{kind: count}`` (always
  present; ``{}`` when nothing was skipped),
* warns once with :class:`~prioritize.SkippedRecordsWarning` naming the counts
  (and a few records of each kind) when it skipped anything, and
* takes ``keep=`` (an iterable of kinds, e.g. ``keep={"retweet"}``) to read
  records of those kinds as queries instead; naming a kind the reader never
  skips is an error listing the kinds it does.

The counts are exact: records in = rows out + sum of the skipped counts
(``expansion_error`` counts API error entries, which are not records).
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError, SkippedRecordsWarning
from prioritize._internal.files import column_names, read_text
from prioritize._internal.rows import MAX_SHOWN, listing, repeated
from prioritize._internal.times import parse_utc
from prioritize.models import Channel, Customer, validate_frame

__all__ = [
    "CHANNEL_DTYPE",
    "CRM_COLUMNS",
    "MAX_COUNT",
    "MAX_JSON_BYTES",
    "SKIP_KINDS",
    "CustomersArg",
    "Skips",
    "build_frame",
    "etl_record",
    "join_customers",
    "load_json",
    "parse_utc",
]

#: The categorical dtype of the ``channel`` column adapters produce (every Channel).
CHANNEL_DTYPE = pd.CategoricalDtype([c.value for c in Channel])

#: The largest JSON file an adapter reads (bytes); a bigger export is read in parts.
MAX_JSON_BYTES = 2**30
#: The largest count (followers, purchases) a frame can hold: int64's maximum.
MAX_COUNT = int(np.iinfo(np.int64).max)

#: Columns a CRM lookup may fill, with the value used when a customer has no record.
CRM_COLUMNS: Mapping[str, float] = {
    "lifetime_value": 0.0,
    "purchase_count": 0,
    "total_spend": 0.0,
    "days_since_last_purchase": math.nan,
}

CustomersArg: TypeAlias = pd.DataFrame | Mapping[str, Customer]

#: The kinds of record a reader may skip because they are not customer messages.
SKIP_KINDS: Mapping[str, str] = {
    "retweet": "a retweet: a repost of someone else's tweet, not a message to the brand",
    "brand_reply": "the brand's own message (an agent's reply, an outbound message)",
    "deleted": "a deleted ticket, conversation or message",
    "expansion_error": (
        "an API error about an expansion only (a mentioned user suspended, a referenced "
        "tweet deleted): the tweets in the page are read; counts error entries, not records"
    ),
    "duplicate": (
        "a record whose id was already read (overlapping pages, a re-sent webhook): the "
        "first is kept; keeping them makes the duplicate ids an error"
    ),
    "not_a_message": "an event that is not an inbound message (a status change, a receipt)",
    "spam": "a record the helpdesk itself marked as spam",
    "follow_up": (
        "a customer's reply inside a conversation already read (not a new query; e.g. a "
        "tweet answering the brand's reply)"
    ),
}


class Skips:
    """Counts what a reader skips, by kind, and reports it on the frame and as one warning.

    A reader makes one per call, asks :meth:`skip` for each record that is
    not a customer message (it answers whether to drop it: False when the
    caller asked to ``keep`` that kind), and passes its frame through
    :meth:`finish`::

        skips = Skips("twitter payload", kinds={"retweet", "duplicate"}, keep=keep)
        for tweet in tweets:
            if is_retweet(tweet) and skips.skip("retweet", f"tweet {tweet_id}"):
                continue
            ...
        return skips.finish(frame)

    Parameters
    ----------
    what
        The reader's input, for messages (``"twitter payload"``).
    kinds
        The kinds this reader can skip (keys of :data:`SKIP_KINDS`).
    keep
        Kinds to read as queries instead of skipping (``None``: skip them all).
    counted_only
        Kinds this reader counts but cannot keep (API error entries, records of
        another stream: there is no message to read).

    Raises
    ------
    InputError
        If ``keep`` is a string or names a kind this reader does not skip or
        cannot keep.
    """

    def __init__(
        self,
        what: str,
        *,
        kinds: Iterable[str],
        keep: Iterable[str] | None,
        counted_only: Iterable[str] = (),
    ) -> None:
        self.what = what
        self.kinds = frozenset(kinds)
        unknown = sorted(self.kinds - set(SKIP_KINDS))
        if unknown:
            raise InputError(f"{what}: unknown skip kind(s) {unknown}; known: {list(SKIP_KINDS)}")
        if isinstance(keep, str):
            raise InputError(f"keep: expected a set of kinds such as {{{keep!r}}}; got {keep!r}")
        self.keep = frozenset(keep or ())
        bad = sorted(self.keep - self.kinds)
        if bad:
            raise InputError(
                f"keep: {what} never skips {bad}; it skips {sorted(self.kinds)} "
                f"(see prioritize.adapters.SKIP_KINDS)"
            )
        fixed = sorted(self.keep & set(counted_only))
        if fixed:
            raise InputError(
                f"keep: {what} counts {fixed} but cannot keep them: they are not records "
                f"holding a message (see prioritize.adapters.SKIP_KINDS)"
            )
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}

    def keeps(self, kind: str) -> bool:
        """Whether records of ``kind`` are read as queries (the caller passed it in ``keep``)."""
        self._check(kind)
        return kind in self.keep

    def skip(self, kind: str, label: str, count: int = 1) -> bool:
        """Count ``count`` record(s) of ``kind`` (``label`` names one) unless kept.

        Returns True if the record is skipped, False if the caller keeps it.
        """
        if self.keeps(kind):
            return False
        self.counts[kind] = self.counts.get(kind, 0) + count
        shown = self.examples.setdefault(kind, [])
        if len(shown) < MAX_SHOWN:
            shown.append(label)
        return True

    def _check(self, kind: str) -> None:
        if kind not in self.kinds:
            raise AssertionError(f"{self.what}: skip kind {kind!r} not declared")  # a reader bug

    @property
    def report(self) -> dict[str, int]:
        """``{kind: count}`` of what was skipped, in the order of :data:`SKIP_KINDS`."""
        return {k: self.counts[k] for k in SKIP_KINDS if self.counts.get(k)}

    def finish(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with ``attrs["skipped"]`` set; warns once if anything was skipped."""
        report = self.report
        frame.attrs["skipped"] = report
        if report:
            parts = [
                f"{count} {kind} ({', '.join(self.examples[kind])}"
                f"{', ...' if count > len(self.examples[kind]) else ''})"
                for kind, count in report.items()
            ]
            warnings.warn(
                f"{self.what}: skipped {sum(report.values())} record(s) that are not customer "
                f"messages: {'; '.join(parts)}. The counts are in frame.attrs['skipped']; pass "
                f"keep={set(report)!r} to read them as queries",
                SkippedRecordsWarning,
                stacklevel=_caller_level(),
            )
        return frame


_PACKAGE = str(Path(__file__).resolve().parents[1])


def _caller_level() -> int:
    # The stacklevel of the first frame outside the package, so a warning
    # points at the user's call whatever reader (or registry) it went through.
    level = 1
    frame = sys._getframe(1)
    while frame.f_back is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
        _PACKAGE
    ):
        frame = frame.f_back
        level += 1
    return level


def load_json(source: Any, what: str) -> Any:
    """A parsed JSON document: ``source`` itself if already parsed, else read from a path.

    A file whose text is not one JSON document is read as JSON Lines (one
    document per line), which is how bulk exports are often written; the
    result is then a list.

    Raises
    ------
    InputError
        If the file cannot be read (missing, a folder, larger than
        :data:`MAX_JSON_BYTES`, not UTF-8), parsed, or is nested too deeply;
        the message names the file and line.
    """
    if isinstance(source, Mapping | list):
        return source
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"{what}: expected a parsed JSON object or a path to a JSON file; "
            f"got {type(source).__name__}"
        )
    path = Path(source)
    text = read_text(path, max_bytes=MAX_JSON_BYTES, error=InputError, what=what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise InputError(f"{what}: {path} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"{what}: {path}: JSON nested too deeply") from exc
    except ValueError as exc:  # an integer too long to convert
        raise InputError(f"{what}: {path} is not valid JSON: {exc}") from exc
    docs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                docs.append(json.loads(line))
            except RecursionError as exc:
                raise InputError(f"{what}: {path} line {number}: JSON nested too deeply") from exc
            except ValueError as exc:
                raise InputError(f"{what}: {path} line {number} is not valid JSON: {exc}") from exc
    return docs


def etl_record(obj: Any) -> tuple[str, Any] | None:
    """``(stream, data)`` of a record as ETL tools write them, else None.

    Two shapes: ``{"stream": "tickets", "data": {...}}`` (Singer-style
    connectors; other keys such as ``emitted_at`` are ignored) and Airbyte's
    message ``{"type": "RECORD", "record": {"stream": ..., "data": ...}}``.
    """
    if isinstance(obj, Mapping) and obj.get("type") == "RECORD":
        obj = obj.get("record")
    if isinstance(obj, Mapping) and isinstance(obj.get("stream"), str) and "data" in obj:
        return obj["stream"], obj["data"]
    return None


def fail(problems: Sequence[str], what: str) -> None:
    """Raise one :class:`InputError` listing the first few ``problems`` (if any)."""
    if problems:
        raise InputError(f"{what}: {listing(problems, len(problems), sep='; ', noun='problems')}")


def build_frame(columns: Mapping[str, Any], n: int) -> pd.DataFrame:
    """The canonical frame of an adapter's columns, typed and validated.

    ``columns`` holds ``query_id``, ``customer_id``, ``received_at`` (UTC),
    ``channel`` (Channel values), ``followers``, ``text``, ``is_public`` and
    optionally ``urgency``, CRM columns and extras; absent CRM columns take
    the defaults of :data:`CRM_COLUMNS`.
    """
    data: dict[str, Any] = {
        "query_id": pd.Series(list(columns["query_id"]), dtype=object).astype(str),
        "customer_id": pd.Series(list(columns["customer_id"]), dtype=object).astype(str),
        "received_at": pd.DatetimeIndex(columns["received_at"]).tz_convert("UTC"),
        "channel": pd.Categorical(list(columns["channel"]), dtype=CHANNEL_DTYPE),
        "followers": np.asarray(columns["followers"], dtype=np.int64),
    }
    for name, default in CRM_COLUMNS.items():
        dtype = np.int64 if isinstance(default, int) else np.float64
        data[name] = np.asarray(columns.get(name, np.full(n, default)), dtype=dtype)
    urgency = columns.get("urgency")
    data["urgency"] = np.full(n, np.nan) if urgency is None else np.asarray(urgency, float)
    data["text"] = pd.Series(list(columns["text"]), dtype=object).astype(str)
    data["is_public"] = np.asarray(columns["is_public"], dtype=bool)
    data["crm_matched"] = np.zeros(n, dtype=bool)
    for name, values in columns.items():
        if name not in data:
            data[name] = values
    frame = pd.DataFrame({k: _plain(v) for k, v in data.items()}, index=pd.RangeIndex(n))
    validate_frame(frame)
    return frame


def _plain(values: Any) -> Any:
    # Drop any index a Series or DatetimeIndex carries so every column aligns by position.
    if isinstance(values, pd.Series):
        return (
            values.to_numpy() if not isinstance(values.dtype, pd.DatetimeTZDtype) else values.array
        )
    return values


def _customers_frame(customers: CustomersArg) -> pd.DataFrame:
    if isinstance(customers, pd.DataFrame):
        if "customer_id" in customers.columns:
            return customers.set_index("customer_id")
        if customers.index.name == "customer_id":
            return customers
        raise SchemaError(
            "customers: expected a 'customer_id' column (or index); it has "
            f"{list(customers.columns)}"
        )
    if isinstance(customers, Mapping):
        rows = {}
        for key, customer in customers.items():
            if not isinstance(customer, Customer):
                raise InputError(
                    f"customers[{key!r}]: expected a prioritize.Customer, "
                    f"got {type(customer).__name__}"
                )
            dump = customer.model_dump(include=set(CRM_COLUMNS) | {"segment"})
            if dump["days_since_last_purchase"] is None:
                dump["days_since_last_purchase"] = math.nan
            rows[key] = dump
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*CRM_COLUMNS, "segment"])
        frame.index.name = "customer_id"
        return frame
    raise InputError(
        "customers: expected a DataFrame or a mapping id -> Customer, "
        f"got {type(customers).__name__}"
    )


def join_customers(
    frame: pd.DataFrame,
    customers: CustomersArg,
    *,
    on: str = "customer_id",
    columns: Sequence[str] | None = None,
    skip: Sequence[str] = (),
) -> pd.DataFrame:
    """Fill CRM columns of ``frame`` from a customer lookup, marking who matched.

    Parameters
    ----------
    frame
        A canonical query frame (e.g. an adapter's output).
    customers
        A frame with a ``customer_id`` column or index (unique), or a mapping
        customer id -> :class:`~prioritize.Customer`.
    on
        The column of ``frame`` to look customers up by.
    columns
        The columns to fill (default: those of :data:`CRM_COLUMNS`, plus
        ``segment`` and ``followers``, that ``customers`` has).
    skip
        Columns never to fill (e.g. ``followers`` when the source measured them).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame``: rows whose ``on`` value is in ``customers`` take
        its values and ``crm_matched`` True; other rows keep theirs (the
        documented defaults) and ``crm_matched`` False. Rows in = rows out.
        It is checked with :func:`~prioritize.models.validate_frame`.

    Raises
    ------
    SchemaError
        If ``customers`` has no id column, duplicate ids, none of the columns,
        or a requested column is missing; or a CRM value is bad (e.g. a
        negative ``lifetime_value``), named by the query rows it reached.
    """
    table = _customers_frame(customers)
    if not table.index.is_unique:
        raise SchemaError(
            f"customers: customer_id must be unique; duplicates: {repeated(table.index)}"
        )
    if columns is None:
        candidates = [c for c in (*CRM_COLUMNS, "segment", "followers") if c not in skip]
        columns = [c for c in candidates if c in table.columns]
        if not columns:
            raise SchemaError(
                f"customers: has none of the CRM columns {candidates}; "
                f"it has {column_names(table.columns)}"
            )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            f"customers: missing column(s) {missing}; it has {column_names(table.columns)}"
        )
    if on not in frame.columns:
        raise SchemaError(f"frame has no column {on!r} to look customers up by")
    out = frame.copy()
    keys = out[on].to_numpy(dtype=object)
    matched = table.index.get_indexer(keys) >= 0
    for column in columns:
        looked = pd.Series(table[column].reindex(keys).to_numpy(), index=out.index)
        if column in out.columns:
            filled = looked.where(matched, out[column])
            if pd.api.types.is_integer_dtype(out[column].dtype) and _whole(filled):
                filled = filled.astype(out[column].dtype)
            out[column] = filled
        else:
            out[column] = looked
    out["crm_matched"] = matched
    validate_frame(out)
    return out


def _whole(values: pd.Series) -> bool:
    # Keep integer columns integer when the CRM values allow it; otherwise leave
    # the floats (NaN, fractions) for validate_frame to report by row.
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return False
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.isfinite(arr).all() and (arr % 1.0 == 0.0).all())
