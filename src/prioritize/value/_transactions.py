"""Reading a transaction log: one checked pass shared by every summary.

A transaction log is a frame with one row per transaction and three columns
(names chosen by the caller): a customer id, a timezone-aware timestamp and an
amount (negative for a return or refund). The reader checks them, places every
row before or after ``now`` and maps customers to integer codes, so the
summaries are plain ``numpy`` reductions over those codes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import (
    check_hashable,
    read_float,
    read_received_ns,
    require_columns,
)
from prioritize._internal.rows import describe_rows, repeated
from prioritize._internal.times import timestamp_ns

__all__ = ["NS_PER_DAY", "Transactions", "read_transactions"]

NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class Transactions:
    """A checked transaction log.

    ``codes[i]`` is the position in ``customers`` of row ``i``'s customer;
    ``kept`` is False for rows after ``now`` that the caller chose to drop.
    """

    customers: pd.Index
    codes: npt.NDArray[np.intp]
    at_ns: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]
    kept: npt.NDArray[np.bool_]
    now_ns: int
    frame: pd.DataFrame
    at: str


def _rows(frame: pd.DataFrame, positions: npt.NDArray[np.intp], customer: str, column: str) -> str:
    mask = np.zeros(len(frame), dtype=bool)
    mask[positions] = True
    return describe_rows(frame, mask, None if column == customer else column, id_column=customer)


def _factorize(frame: pd.DataFrame, customer: str) -> tuple[npt.NDArray[np.intp], pd.Index]:
    ids = frame[customer]
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:
        # Ids of mixed types (e.g. 7 and "7") cannot be sorted: keep first appearance.
        check_hashable(frame, customer, "a customer id (a string or a number, not a list)")
        codes, uniques = pd.factorize(ids, sort=False)
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)


def _customer_index(customers: Iterable[Hashable]) -> pd.Index:
    if isinstance(customers, str | bytes):  # its characters are no customer ids
        raise InputError(
            f"customers must be a list of customer ids; got {type(customers).__name__}"
        )
    index = customers if isinstance(customers, pd.Index) else pd.Index(list(customers))
    if index.hasnans:
        raise InputError("customers contains a missing id (None/NaN); every customer needs an id")
    if not index.is_unique:
        raise InputError(f"customers must be unique; repeated: {repeated(index)}")
    return index


def read_transactions(
    transactions: Any,
    *,
    now: datetime,
    customer: str,
    at: str,
    amount: str,
    customers: Iterable[Hashable] | None,
    drop_after_now: bool,
) -> Transactions:
    """Check a transaction log and code its customers (see :func:`summarize_purchases`)."""
    require_columns(transactions, (customer, at, amount))
    frame: pd.DataFrame = transactions
    now_ns = timestamp_ns(now, "now")
    ids = frame[customer]
    missing = ids.isna().to_numpy(dtype=bool)
    if missing.any():
        raise SchemaError(
            f"column {customer!r}: {int(missing.sum())} row(s) have no customer id; "
            f"expected an id: {describe_rows(frame, missing, id_column=None)}"
        )
    at_ns = read_received_ns(frame, at)
    values = read_float(frame, amount, minimum=None)
    late = at_ns > now_ns
    if late.any() and not drop_after_now:
        raise InputError(
            f"column {at!r}: {int(late.sum())} transaction(s) after now="
            f"{pd.Timestamp(now_ns, tz='UTC').isoformat()}: "
            f"{_rows(frame, np.flatnonzero(late), customer, at)}; pass drop_after_now=True "
            "to summarise only what was known at now"
        )
    codes, uniques = _factorize(frame, customer)
    if customers is not None:
        index = _customer_index(customers)
        where = index.get_indexer(uniques)
        unknown = where < 0
        if unknown.any():
            bad_rows = np.flatnonzero(unknown[codes])
            raise InputError(
                f"column {customer!r}: {int(unknown.sum())} customer id(s) are not in "
                f"customers: {_rows(frame, bad_rows, customer, customer)}; add them to "
                "customers or remove their transactions"
            )
        codes = where[codes].astype(np.intp, copy=False)
        uniques = index
    return Transactions(
        customers=pd.Index(uniques, name="customer_id"),
        codes=codes,
        at_ns=at_ns,
        amount=values,
        kept=~late,
        now_ns=now_ns,
        frame=frame,
        at=at,
    )
