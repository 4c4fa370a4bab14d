"""Group labels: the one rule that says which group a query belongs to.

``GroupShare``, the simulator's records, the fairness reports and the
audits all group queries by name (``"follower_band"``, ``"segment"``, ...).
The label of a query under a group name follows one rule, on a frame
(:func:`group_labels`, vectorised) and on a ``(Query, Customer)`` pair
(:func:`group_of`, for the live queue):

1. a column (on a frame) of that name wins; on a pair, a field of the query,
   then of the customer, then an entry of the query's ``attributes``, then of
   the customer's (where a frame's other columns are carried);
2. otherwise ``follower_band`` and ``value_band`` are computed from
   ``followers`` and ``lifetime_value`` with :data:`FOLLOWER_BANDS` and
   :data:`VALUE_BANDS`;
3. otherwise it is a :class:`~prioritize.SchemaError` naming the group and
   what is available.

A query without a label (a missing value in the column, an attribute that
is ``None``) is a :class:`~prioritize.SchemaError` naming the rows (or the
query): nothing is dropped and nothing is filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import SchemaError
from prioritize._internal.frames import fail_rows, read_float, require_columns
from prioritize.models._entities import Customer, Query
from prioritize.models._schema import (
    FOLLOWER_BANDS,
    VALUE_BANDS,
    band_of,
    follower_band,
    value_band,
)

__all__ = ["GROUP_BANDS", "answered_within", "group_labels", "group_of", "parity_ratio"]

#: The computed groups: name -> (the column or customer attribute it bands, its bands).
GROUP_BANDS: dict[str, tuple[str, Sequence[tuple[str, float]]]] = {
    "follower_band": ("followers", FOLLOWER_BANDS),
    "value_band": ("lifetime_value", VALUE_BANDS),
}
_BAND_FUNCTIONS = {"follower_band": follower_band, "value_band": value_band}


def _check_name(group: object) -> str:
    if not isinstance(group, str) or not group:
        raise SchemaError(f"group must be a column name (a non-empty str); got {group!r}")
    return group


def group_labels(frame: pd.DataFrame, *, group: str) -> pd.Series:
    """The group of every row of ``frame`` under ``group``, as a Series with its index.

    A column named ``group`` is returned as it is (renamed ``group``); the
    bands are an ordered ``category``.

    Raises
    ------
    SchemaError
        The frame has no column ``group`` and ``group`` is not a band; a
        band's source column is missing, not numeric, negative or NaN; or a
        label is missing (the message names up to five rows).

    Examples
    --------
    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(3, seed=0)
    >>> list(pz.models.group_labels(frame, group="follower_band").cat.categories)
    ['<1k', '1k-10k', '10k-100k', '100k+']
    """
    name = _check_name(group)
    require_columns(frame, ())
    if name in frame.columns:
        labels = frame[name]
        _fail_missing(frame, name, labels.isna().to_numpy(dtype=bool))
        return labels.rename(name)
    if name in GROUP_BANDS and GROUP_BANDS[name][0] in frame.columns:
        source, _ = GROUP_BANDS[name]
        values = read_float(frame, source)
        return pd.Series(_BAND_FUNCTIONS[name](values), index=frame.index, name=name)
    source = f" and no {GROUP_BANDS[name][0]!r} column to band" if name in GROUP_BANDS else ""
    where = f"the frame has no such column{source}; it has {list(frame.columns)}"
    raise SchemaError(_unknown(name, where))


def _fail_missing(frame: pd.DataFrame, name: str, missing: npt.NDArray[np.bool_]) -> None:
    if missing.any():
        fail_rows(frame, name, missing, "a group label (missing labels are not allowed)")


def _unknown(name: str, where: str) -> str:
    return f"cannot group by {name!r}: {where}; the computed bands are {sorted(GROUP_BANDS)}"


def group_of(group: str) -> Callable[[Query, Customer], str]:
    """A function ``(query, customer) -> label`` for ``group``: the rule of :func:`group_labels`.

    Where the label comes from is decided once, here, as far as the models
    allow, so the returned function is cheap enough for a queue's ``push``:
    a field of :class:`Query`, then of :class:`Customer` (the frame's model
    columns); otherwise, per pair, an entry of the query's ``attributes``,
    then of the customer's (the frame twin of a column that is no model
    field, e.g. ``region``; :meth:`TriageQueue.push_frame
    <prioritize.TriageQueue.push_frame>` carries it there), and failing
    those the bands (``follower_band``, ``value_band``). Labels are strings
    (``str`` of the value), as ``GroupShare.shares`` keys are.

    Raises
    ------
    SchemaError
        From the returned function: the field or attribute is ``None`` for
        that query, or neither the query nor its customer carries the
        attribute and ``group`` is not a band (the message names the group
        and the query).
    """
    name = _check_name(group)
    if name in Query.model_fields:
        return _attribute(name, lambda q, c: getattr(q, name))
    if name in Customer.model_fields:
        return _attribute(name, lambda q, c: getattr(c, name))
    band = GROUP_BANDS.get(name)

    def label(query: Query, customer: Customer) -> str:
        value = query.attributes.get(name)
        if value is None:
            value = customer.attributes.get(name)
            if value is None:
                if band is not None:
                    return band_of(getattr(customer, band[0]), band[1])
                raise SchemaError(_unknown_for(name, query))
        return str(value)

    return label


def _unknown_for(name: str, query: Query) -> str:
    fields = sorted({*Query.model_fields, *Customer.model_fields})
    return _unknown(
        name,
        f"query {query.query_id!r} and its customer {query.customer_id!r} carry no such "
        f"attribute (in their attributes), and it is no field of Query or Customer: {fields}",
    )


def _attribute(
    name: str, read: Callable[[Query, Customer], object]
) -> Callable[[Query, Customer], str]:
    def label(query: Query, customer: Customer) -> str:
        value = read(query, customer)
        if value is None:
            raise SchemaError(
                f"query {query.query_id!r} has no group label: {name!r} is None "
                f"(missing labels are not allowed)"
            )
        return str(value)

    return label


def parity_ratio(low: npt.ArrayLike, high: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``low / high`` elementwise, with ``0 / 0 = 1``: equal values are in parity, even at zero.

    The one ratio behind every "smallest group over largest group" figure:
    :meth:`prioritize.fairness.DisparityFrame.ratio` and ``four_fifths``, and
    the ``wait_ratio_*`` and ``four_fifths_*`` figures of a simulation's
    summary. Values must be >= 0.
    """
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    safe = np.where(hi > 0, hi, 1.0)
    return np.asarray(np.where(hi > 0, lo / safe, 1.0), dtype=np.float64)


def answered_within(
    wait_minutes: npt.NDArray[np.float64],
    within_minutes: float | npt.NDArray[np.float64],
    abandoned: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Queries answered within ``within_minutes`` (a service-level hit), row by row.

    A query that ``abandoned`` was never answered, however soon it left: it
    is a miss. ``wait <= within_minutes`` is a hit (the limit is inclusive).
    """
    hit: npt.NDArray[np.bool_] = wait_minutes <= within_minutes
    if abandoned is not None:
        hit &= ~abandoned
    return hit
