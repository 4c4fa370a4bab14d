"""Per-customer summaries of a transaction log, vectorised over integer codes."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.checks import check_number
from prioritize.value._transactions import NS_PER_DAY, Transactions, read_transactions

__all__ = ["repeat_purchase_summary", "summarize_purchases"]

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min


def _first_last(
    codes: npt.NDArray[np.intp], times: npt.NDArray[np.int64], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    first = np.full(n, _INT64_MAX, dtype=np.int64)
    last = np.full(n, _INT64_MIN, dtype=np.int64)
    np.minimum.at(first, codes, times)
    np.maximum.at(last, codes, times)
    return first, last


def _days_before(
    now_ns: int, times: npt.NDArray[np.int64], has: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    # Subtract in int64 first: exact, then one rounding to float.
    delta = np.where(has, now_ns - np.where(has, times, now_ns), 0)
    return np.where(has, delta / NS_PER_DAY, np.nan)


def summarize_purchases(
    transactions: pd.DataFrame,
    *,
    now: datetime,
    customer: str = "customer_id",
    at: str = "purchased_at",
    amount: str = "amount",
    customers: Iterable[Hashable] | None = None,
    drop_after_now: bool = False,
) -> pd.DataFrame:
    """Purchase history per customer, as the canonical frame's columns.

    Parameters
    ----------
    transactions
        One row per transaction with a customer id, a timezone-aware timestamp
        (naive timestamps are a :class:`~prioritize.SchemaError`: localise them,
        e.g. ``.dt.tz_localize("UTC")``) and an amount. A negative amount is a
        return or refund; zero is a free item or voucher.
    now
        Timezone-aware moment the summary describes (e.g. when a query arrived).
    customer, at, amount
        Column names in ``transactions``.
    customers
        Optional ids of every customer to report, in the output's order;
        customers without transactions get one row each (no purchases).
        A transaction of a customer not listed is an :class:`~prioritize.InputError`.
    drop_after_now
        Transactions after ``now`` are an :class:`~prioritize.InputError`
        naming the rows, unless this is True: then they are left out of the
        figures (their customers still get a row). Use it to summarise a log
        as it stood at ``now``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (index name ``customer_id``; sorted unless
        ``customers`` is given), one row per customer in ``transactions``
        and ``customers``, with

        * ``purchase_count`` (int): transactions with amount > 0. A return is
          not an un-purchase (it neither adds nor removes one); zero amounts
          are not purchases.
        * ``total_spend`` (float): the sum of all amounts, i.e. purchases net
          of returns, floored at 0 (a return may refer to a purchase from
          before the log began, and spend is never negative in the canonical
          frame).
        * ``days_since_last_purchase`` (float): days from the latest
          transaction with amount > 0 to ``now``; NaN if there is none
          ("never bought", which the ``purchase_history`` signal scores R = 0).
        * ``days_since_first_purchase`` (float): days from the earliest
          transaction with amount > 0 to ``now``; NaN if there is none.

        The first three columns carry the canonical query frame's names;
        for a query frame, join on ``customer_id`` (summarising at each
        query's ``received_at`` if recency must be exact per query).

    Raises
    ------
    SchemaError
        A column is missing, the timestamps are naive or missing, an id is
        missing, an amount is NaN or infinite.
    InputError
        ``now`` is naive; a transaction is after ``now``; ``customers`` is not
        unique or lacks a customer that has transactions.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import pandas as pd
    >>> from prioritize.value import summarize_purchases
    >>> log = pd.DataFrame({
    ...     "customer_id": ["c1", "c1", "c1", "c2"],
    ...     "purchased_at": pd.to_datetime(
    ...         ["2026-01-05", "2026-02-01", "2026-02-10", "2026-02-20"], utc=True),
    ...     "amount": [40.0, 60.0, -20.0, 15.0],   # -20: a return
    ... })
    >>> now = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> summarize_purchases(log, now=now)[["purchase_count", "total_spend",
    ...                                    "days_since_last_purchase"]]
                 purchase_count  total_spend  days_since_last_purchase
    customer_id
    c1                        2         80.0                      29.0
    c2                        1         15.0                      10.0
    """
    tx = read_transactions(
        transactions,
        now=now,
        customer=customer,
        at=at,
        amount=amount,
        customers=customers,
        drop_after_now=drop_after_now,
    )
    n = len(tx.customers)
    kept = tx.kept
    bought = kept & (tx.amount > 0)
    count = np.bincount(tx.codes[bought], minlength=n).astype(np.int64)
    net = np.bincount(tx.codes[kept], weights=tx.amount[kept], minlength=n)
    first, last = _first_last(tx.codes[bought], tx.at_ns[bought], n)
    has = count > 0
    return pd.DataFrame(
        {
            "purchase_count": count,
            # + 0.0 turns the -0.0 of a fully refunded customer into 0.0.
            "total_spend": np.maximum(net, 0.0) + 0.0,
            "days_since_last_purchase": _days_before(tx.now_ns, last, has),
            "days_since_first_purchase": _days_before(tx.now_ns, first, has),
        },
        index=tx.customers,
    )


def _wall_days(tx: Transactions, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Calendar day (in the timestamps' own time zone) of the selected rows."""
    wall = tx.frame[tx.at].dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")[rows]
    days: npt.NDArray[np.int64] = wall.view(np.int64) // NS_PER_DAY
    return days


def repeat_purchase_summary(
    transactions: pd.DataFrame,
    *,
    now: datetime,
    customer: str = "customer_id",
    at: str = "purchased_at",
    amount: str = "amount",
    unit_days: float = 1.0,
    customers: Iterable[Hashable] | None = None,
    drop_after_now: bool = False,
) -> pd.DataFrame:
    """Repeat-purchase summary per customer: the inputs of BG/NBD and Gamma–Gamma.

    Transactions with amount > 0 on the same calendar day (in the time zone
    of the ``at`` column) form one purchase *occasion*, dated by its first
    transaction and worth the sum of its amounts. Returns, refunds and zero
    amounts are ignored here: these models describe buying, not returning.
    The arguments are those of :func:`summarize_purchases`.

    Parameters
    ----------
    unit_days
        Length of the time unit of ``recency`` and ``T`` in days (7 for
        weeks, as in Fader, Hardie & Lee 2005). Fitted rates are per unit.

    Returns
    -------
    pandas.DataFrame
        Indexed like :func:`summarize_purchases`, with

        * ``frequency`` (int): repeat occasions, i.e. occasions minus one,
        * ``recency``: time from the first occasion to the last,
        * ``T``: time from the first occasion to ``now``,
        * ``monetary_value``: mean value of the repeat occasions (0 when
          ``frequency`` is 0, as in the published CDNOW summaries).

        A customer with no occasion has ``frequency`` 0, ``monetary_value`` 0
        and NaN ``recency`` and ``T``: they are not in a BG/NBD cohort, so
        select ``summary[summary["T"].notna()]`` before fitting.
    """
    unit_days = check_number("unit_days", unit_days, positive=True)
    tx = read_transactions(
        transactions,
        now=now,
        customer=customer,
        at=at,
        amount=amount,
        customers=customers,
        drop_after_now=drop_after_now,
    )
    n = len(tx.customers)
    rows = tx.kept & (tx.amount > 0)
    codes = tx.codes[rows]
    times = tx.at_ns[rows]
    values = tx.amount[rows]
    days = _wall_days(tx, rows)
    order = np.lexsort((times, days, codes))
    codes, times, values, days = codes[order], times[order], values[order], days[order]
    new = np.ones(len(codes), dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (days[1:] != days[:-1])
    starts = np.flatnonzero(new)
    occ_code = codes[starts]
    occ_time = times[starts]
    occ_value = np.add.reduceat(values, starts) if len(starts) else values[:0]
    occasions = np.bincount(occ_code, minlength=n)
    first, last = _first_last(occ_code, occ_time, n)
    has = occasions > 0
    is_first = occ_time == first[occ_code]
    repeat_value = np.bincount(occ_code[~is_first], weights=occ_value[~is_first], minlength=n)
    frequency = np.maximum(occasions - 1, 0).astype(np.int64)
    # recency and T share one formula, so recency <= T holds exactly after rounding.
    unit_ns = unit_days * NS_PER_DAY
    start = np.where(has, first, 0)
    span = np.where(has, last, 0) - start
    age = np.where(has, tx.now_ns, 0) - start
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": np.where(has, span / unit_ns, np.nan),
            "T": np.where(has, age / unit_ns, np.nan),
            "monetary_value": np.divide(
                repeat_value, frequency, out=np.zeros(n), where=frequency > 0
            ),
        },
        index=tx.customers,
    )
