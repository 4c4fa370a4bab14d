"""A canonical query frame as ``(Query, Customer)`` objects, row by row."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import ValidationError

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import require_columns
from prioritize._internal.ids import ID_RULE, canonical_id
from prioritize.models._entities import Channel, Customer, Query

__all__ = ["frame_to_objects"]

_REQUIRED = (
    "query_id", "customer_id", "received_at", "channel", "followers", "lifetime_value",
    "purchase_count", "total_spend", "days_since_last_purchase",
)  # fmt: skip
_OPTIONAL = ("text", "urgency", "is_public", "handle_minutes", "patience_minutes", "skills")
# Optional customer fields: a frame's CRM segment (a group label: GroupShare(group="segment")
# and the reports read it), carried as a string as group labels are.
_CUSTOMER_OPTIONAL = ("segment",)


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas.NA: an optional cell left empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def frame_to_objects(
    frame: pd.DataFrame,
    *,
    attributes: Mapping[str, Literal["customer", "query"]] | None = None,
) -> Iterator[tuple[Query, Customer]]:
    """The queries of a canonical query frame as ``(Query, Customer)`` pairs, in row order.

    Parameters
    ----------
    frame
        A canonical query frame: ``query_id``, ``customer_id``,
        ``received_at`` (timezone-aware), ``channel``, ``followers``,
        ``lifetime_value``, ``purchase_count``, ``total_spend`` and
        ``days_since_last_purchase`` (NaN: never bought); optionally
        ``text``, ``urgency``, ``is_public``, ``handle_minutes``,
        ``patience_minutes``, ``skills`` and the customer's ``segment`` (as a
        string), where an empty cell (NaN, None) means "not given" (the
        model's default).
    attributes
        Further columns to carry, each into the ``attributes`` of the
        ``"customer"`` or the ``"query"``: the inputs of the signals a policy
        declares (``{d.input: d.on for d in policy.signals.custom.values()}``;
        :meth:`TriageQueue.push_frame <prioritize.TriageQueue.push_frame>`
        passes them). An empty cell is left out of the mapping.

    Yields
    ------
    tuple of (Query, Customer)
        One pair per row; the customer carries the row's customer columns.

    Raises
    ------
    InputError
        ``attributes`` maps a column to something else than ``"customer"`` or ``"query"``.
    SchemaError
        A required column is missing, or a row does not make a valid query or
        customer (the message names the row position, its ``query_id`` and the
        field).

    Examples
    --------
    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(3, seed=0)
    >>> [q.query_id == i for (q, c), i in zip(pz.models.frame_to_objects(frame), frame["query_id"])]
    [True, True, True]
    """
    extra = dict(attributes or {})
    bad = {c: on for c, on in extra.items() if on not in ("customer", "query")}
    if bad:
        raise InputError(f"attributes map a column to 'customer' or 'query'; got {bad}")
    require_columns(frame, (*_REQUIRED, *extra))
    names = _REQUIRED + _OPTIONAL + _CUSTOMER_OPTIONAL
    columns = {name: frame[name].tolist() for name in names if name in frame}
    carried = [(name, on == "customer", frame[name].tolist()) for name, on in extra.items()]
    for i in range(len(frame)):
        row = {name: values[i] for name, values in columns.items()}
        try:
            yield _pair(row, carried, i)
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            raise SchemaError(
                f"row {i} (query_id {row['query_id']!r}) is not a valid query: {_reason(exc)}"
            ) from exc


def _pair(
    row: dict[str, Any], carried: list[tuple[str, bool, list[Any]]], i: int
) -> tuple[Query, Customer]:
    received = row["received_at"]
    if isinstance(received, pd.Timestamp) and not received.nanosecond:
        # A plain datetime compares faster; a Timestamp keeps its nanoseconds.
        received = received.to_pydatetime()
    query_id, customer_id = _id(row, "query_id"), _id(row, "customer_id")
    fields: dict[str, Any] = {
        "query_id": query_id,
        "customer_id": customer_id,
        "received_at": received,
        "channel": Channel(str(row["channel"])),
    }
    for name in _OPTIONAL:
        if name in row and not _missing(row[name]):
            fields[name] = bool(row[name]) if name == "is_public" else row[name]
    extra: dict[bool, dict[str, Any]] = {True: {}, False: {}}  # on the customer?
    for name, on_customer, values in carried:
        if not _missing(values[i]):
            extra[on_customer][name] = values[i]
    if extra[False]:
        fields["attributes"] = extra[False]
    days = row["days_since_last_purchase"]
    optional = {n: str(row[n]) for n in _CUSTOMER_OPTIONAL if n in row and not _missing(row[n])}
    customer = Customer(
        customer_id=customer_id,
        followers=row["followers"],
        lifetime_value=row["lifetime_value"],
        purchase_count=row["purchase_count"],
        total_spend=row["total_spend"],
        days_since_last_purchase=None if _missing(days) else days,
        attributes=extra[True],
        **optional,
    )
    return Query(**fields), customer


def _id(row: dict[str, Any], column: str) -> str:
    canon = canonical_id(row[column])
    if canon is None:
        raise ValueError(f"{column}: expected {ID_RULE}; got {row[column]!r}")
    return canon


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
    return str(exc)
