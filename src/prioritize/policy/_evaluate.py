"""Evaluating a policy's plan: one query (scalar ops) or a frame (numpy ops).

Both paths run the same bound signals of the registry; the score is
``Σ min(weight × signal, cap)`` over the active signals, summed in registry
order, plus aging points. The functions here are :class:`Policy` methods
(bound in its class body), so the per-query path costs no extra call.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.frames import FrameColumns
from prioritize._internal.rows import describe_rows
from prioritize._internal.times import minutes_between, timestamp_ns
from prioritize.models import Customer, Query, canonical_frame
from prioritize.policy._score import Score, aging_points
from prioritize.signals import Emitter, build, weighted_sum

if TYPE_CHECKING:
    from prioritize.policy._plan import Plan
    from prioritize.policy._policy import Policy

__all__ = ["compile_scorers", "score", "score_frame", "score_value"]

_ROWS_PER_THREAD = 200_000
_THREADS = min(os.cpu_count() or 1, 8)
_MINUTE = timedelta(minutes=1)


def _mismatch(query: Query, customer: Customer) -> InputError:
    return InputError(
        f"query {query.query_id!r} is from customer {query.customer_id!r} "
        f"but was scored with customer {customer.customer_id!r}"
    )


def _received_after(query: Query, now: datetime) -> InputError:
    return InputError(
        f"query {query.query_id!r} was received at {query.received_at.isoformat()}, "
        f"after now={now.isoformat()}"
    )


#: Fields a query and a customer both have: reading one tells neither from the other.
_SHARED = frozenset(Query.model_fields) & frozenset(Customer.model_fields)


def _kinds(query: Any, customer: Any) -> None:
    """Raise the InputError naming ``query`` or ``customer`` if it is not a Query or a Customer.

    A compiled scorer calls this only when something failed (its ``except``
    clause), or first thing where its code reads no field that only a query
    (a customer) has: it returns when both are right, and the scorer re-raises.
    """
    for name, value, kind in (("query", query, Query), ("customer", customer, Customer)):
        if not isinstance(value, kind):
            got = "None" if value is None else type(value).__name__
            swapped = isinstance(query, Customer) and isinstance(customer, Query)
            hint = " (query and customer swapped?)" if swapped else ""
            raise InputError(
                f"{name} must be a prioritize {kind.__name__}; got {got}{hint}"
            ) from None


def _guarded(emitter: Emitter) -> tuple[list[str], list[str]]:
    """The probes and the ``except`` clause that turn a wrong argument into :func:`_kinds`'s error.

    A query read as a customer (or the reverse), a dict, None... fails a field
    read (KeyError, AttributeError) at no cost to right arguments; the except
    clause names the wrong one. Where the code so far reads no field only one
    kind has (e.g. a policy of customer signals reads no query field but the
    shared ``customer_id``), a wrong object could pass unread: the probes read
    one such field (a dict look-up, the cheapest check) before the result.
    """
    probes = []
    for owner, kind in (("q", Query), ("c", Customer)):
        if not any(o == owner and name not in _SHARED for o, name in emitter.reads):
            own = next(name for name in kind.model_fields if name not in _SHARED)
            probes.append(f"{owner}d[{own!r}]")  # both dicts are read: customer_id
    kinds = emitter.constant(_kinds)
    rescue = [
        f"except {emitter.constant(Exception)}:",
        f"    {kinds}(query, customer)",
        "    raise",
    ]
    return probes, rescue


def compile_scorers(plan: Plan) -> dict[str, Any]:
    """The plan's per-query functions, each one compiled function with the weighted sum inline.

    ``score(query, customer, *, now=None)`` is :meth:`Policy.score`;
    ``total(query, customer)`` is :meth:`Policy.score_value`. Each checks that ``customer`` is the
    query's author (a wrong kind of object is an InputError: :func:`_guarded`),
    then runs the signals' code (:func:`prioritize.signals.weighted_sum`). A
    policy binds ``score`` and ``total`` as its own ``score`` and
    ``score_value`` (see :meth:`Policy.model_post_init`), so a call reaches
    them directly: they take the methods' parameters. The text below is the
    library's own; values are passed by name.
    """
    emitter = Emitter()
    mismatch = emitter.constant(_mismatch)
    author = f"{emitter.field('q', 'customer_id')} != {emitter.field('c', 'customer_id')}"
    emitter.lines += [f"if {author}:", f"    raise {mismatch}(q, c)"]
    terms = [(a.bound, a.weight, a.cap) for a in plan.active]
    values = weighted_sum(terms, emitter)
    # The public parameter names (callers may pass them by keyword), read as q and c.
    public, rename = ("query", "customer"), ["q, c = query, customer"]
    probes, rescue = _guarded(emitter)
    total = build(
        "score_value", public, emitter, [*probes, "return total"], prologue=rename, rescue=rescue
    )
    # Score's slots are set here (no __init__ frame); ``_why`` is (plan, waited
    # minutes, aging points, value per active signal...): Score reads it on demand.
    why = ", ".join([emitter.constant(plan), "waited", "aging", *values])
    r, check = emitter.constant(Score), emitter.constant(timestamp_ns)
    received, minute = emitter.field("q", "received_at"), emitter.constant(_MINUTE)
    body = [
        "if now is None:",
        "    waited = aging = 0.0",
        "else:",
        # What is not a timezone-aware datetime (naive, a date, a number, a string...)
        # fails the subtraction with a TypeError: then timestamp_ns raises the InputError
        # that names it. timedelta / timedelta divides whole microseconds (ints): one
        # rounding, exact like the frame path's nanoseconds.
        "    try:",
        f"        waited = (now - {received}) / {minute}",
        f"    except {emitter.constant(TypeError)}:",
        f"        {check}(now)",
        "        raise",
        "    if waited < 0.0:",
        f"        raise {emitter.constant(_received_after)}(q, now)",
        f"    aging = waited * {emitter.constant(plan.rate_per_minute)}",  # aging_points, inline
        f"r = {r}()",
        f"r.query_id = {emitter.field('q', 'query_id')}",
        "r.value = total + aging",
        f"r._why = ({why})",
        "return r",
    ]
    probes, rescue = _guarded(emitter)  # the query's query_id is read
    signature = (*public, "*", "now=None")
    score = build("score", signature, emitter, [*probes, *body], prologue=rename, rescue=rescue)
    # Named like the methods they answer for, e.g. in "Policy.score() missing 1 required...".
    score.__qualname__, total.__qualname__ = "Policy.score", "Policy.score_value"
    return {"score": score, "total": total}


def score(self: Policy, query: Query, customer: Customer, *, now: datetime | None = None) -> Score:
    """Score one query at ``now`` (at its own arrival when ``now`` is None).

    Raises
    ------
    InputError
        If ``customer`` is not the query's author, ``now`` is not a
        timezone-aware datetime, the query was received after ``now``, or a
        signal the policy declares finds no valid value on the query or customer.
    """
    # A policy's compiled function, bound on the instance, answers `policy.score(...)`
    # itself; this method runs where none is bound (e.g. `super().score` in a subclass).
    return self.__pydantic_private__["_plan"].score(query, customer, now=now)  # type: ignore[index,no-any-return]


def score_value(self: Policy, query: Query, customer: Customer) -> float:
    """The score at arrival as a bare float (no explanation): the queue's hot path.

    Equal to ``score(query, customer).value``; raises the same errors. A
    policy's ``score_value`` is its compiled function itself (one call, no
    method frame): ``queue_score = policy.score_value`` is the fastest total.
    """
    return self.__pydantic_private__["_plan"].total(query, customer)  # type: ignore[index,no-any-return]


def _fill_points(plan: Plan, inputs: list[tuple[Any, ...]], buf: npt.NDArray[np.float64]) -> None:
    # buf rows: score, one per signal of the plan (names order), aging; all start at 0.
    for active, args in zip(plan.active, inputs, strict=True):
        s = active.bound.formula(*args)
        row = buf[1 + plan.names.index(active.name)]
        np.multiply(s, active.weight, out=row)
        if active.cap != np.inf:
            np.minimum(row, active.cap, out=row)
    total = buf[0]
    for i in range(1, len(buf)):
        np.add(total, buf[i], out=total)


def score_frame(
    self: Policy,
    frame: pd.DataFrame,
    *,
    now: datetime | None = None,
    validate: Literal["full", "read"] = "full",
) -> pd.DataFrame:
    """Score every row of a canonical query frame at ``now``.

    Returns a frame with the same index, a ``score`` column and one column
    of points per contribution: each signal of the policy (the built-in
    ``crm_value``, ``purchase_history``, ``follower_reach``, ``urgency``,
    then the policy's own, see :attr:`Policy.signal_names`) and ``aging``.
    Vectorised with numpy; the one per-row step is deriving urgency from
    ``text`` for rows whose ``urgency`` is missing.

    ``validate="full"`` checks the whole canonical schema (ids present
    and unique, channels known). ``validate="read"`` checks only what
    scoring reads (the numeric and time columns, and the columns of the
    policy's own signals), for partitions of a frame already checked as a
    whole (e.g. Dask ``map_partitions``); it is about 3x faster on a
    million rows.

    Raises
    ------
    SchemaError
        If the frame does not follow the canonical schema, or lacks a valid
        column a signal of the policy reads.
    InputError
        If a query was received after ``now``.
    """
    if validate not in ("full", "read"):
        raise InputError(f"validate must be 'full' or 'read'; got {validate!r}")
    plan: Plan = self.__pydantic_private__["_plan"]  # type: ignore[index]
    frame, cols = canonical_frame(frame, full=validate == "full")
    inputs = [a.bound.read(frame, cols) for a in plan.active]
    n = len(frame)
    columns = ["score", *plan.names, "aging"]
    # One (k, n) buffer, handed to pandas transposed: a single block, no copy.
    buf = np.zeros((len(columns), n))
    buf[-1] = aging_points(plan.rate_per_minute, _frame_waited(frame, cols, now))
    chunks = min(_THREADS, n // _ROWS_PER_THREAD)
    if chunks <= 1:
        _fill_points(plan, inputs, buf)
    else:
        # numpy releases the GIL in ufuncs: score row blocks on several cores.
        edges = np.linspace(0, n, chunks + 1).astype(int)
        with ThreadPoolExecutor(chunks) as pool:
            jobs = [
                pool.submit(
                    _fill_points,
                    plan,
                    [tuple(a[lo:hi] for a in args) for args in inputs],
                    buf[:, lo:hi],
                )
                for lo, hi in itertools.pairwise(edges)
            ]
            for job in jobs:
                job.result()
    return pd.DataFrame(buf.T, index=frame.index, columns=columns, copy=False)


def _frame_waited(
    frame: pd.DataFrame, cols: FrameColumns, now: datetime | None
) -> npt.NDArray[np.float64]:
    if now is None:
        return np.zeros(len(frame))
    now_ns = timestamp_ns(now)
    late = cols.received_ns > now_ns
    if late.any():
        raise InputError(
            f"{int(late.sum())} query(ies) were received after now={now.isoformat()}: "
            f"{describe_rows(frame, late)}"
        )
    waited: npt.NDArray[np.float64] = minutes_between(now_ns, cols.received_ns)
    return waited
