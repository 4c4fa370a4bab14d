"""TriageQueue: the live queue helpdesk code pushes to and agents pop from.

Data flow. ``push`` scores the query once at its arrival
(:meth:`Policy.score_value`) and hands it to the policy's serving-order core,
:class:`prioritize.policy.Picker`, under the static key
:func:`~prioritize.policy.heap_key` (``base − rate·arrival``): with linear
aging that key orders waiting queries exactly as their scores at any later
``now`` do, so nothing is re-scored while waiting. ``pop(now)`` asks the
picker who is served at ``now`` (overdue first under ``MaxWait``, the
``GroupShare`` ledger between groups, then the score order) and ``peek``
asks the same question without changing anything. The order is therefore the
one of :meth:`Policy.rank` and of the simulator: popping everything at one
``now`` without ``GroupShare`` gives exactly ``rank`` order.

The queue itself keeps the waiting entries by ``query_id`` (duplicates,
``remove``, ``in``) and the newest arrival ever pushed: a ``now`` earlier than
it is checked against the waiting queries and rejected if one arrived after
``now``. Each push makes one :class:`Entry`, which is also the picker's
handle for that query, so a ``query_id`` removed and pushed again is a new
handle and the old heap entries are stale. Push and pop are O(log n). One
lock guards every public method: any number of producer and consumer threads
may share a queue.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

import pandas as pd

from prioritize._errors import InputError, PrioritizeError
from prioritize._internal.times import aware_ns, timestamp_ns
from prioritize.models import Customer, Query, frame_to_objects, group_of, validate_frame
from prioritize.policy import Picker, Policy, channel_limits, heap_key, heap_key_at
from prioritize.queue._entry import Entry
from prioritize.queue._snapshot import snapshot_frame

__all__ = ["QueueEmpty", "TriageQueue"]


class QueueEmpty(PrioritizeError, IndexError):
    """``pop`` on a queue with no waiting query."""


class TriageQueue:
    """A live, thread-safe priority queue of customer queries under a policy.

    Parameters
    ----------
    policy
        The :class:`~prioritize.Policy` that orders the queue.
    customers
        Optional directory ``customer_id -> Customer`` used when ``push`` is
        called without a customer.

    Notes
    -----
    ``pop`` raises :class:`QueueEmpty` (an ``IndexError``) on an empty queue;
    ``try_pop`` and ``peek`` return None instead. Time never runs backwards
    for ``MaxWait``: a pop whose ``now`` is earlier than a previous pop's
    decides overdue-ness at the previous ``now`` (consumer threads may race).

    ``GroupShare`` guarantee: over any ``k`` consecutive pops during which a
    listed group has waiting queries it receives at least
    ``share·k − (G + 1)`` of them (``G`` listed groups); overdue queries
    (``MaxWait``) go first regardless of group and count towards it.
    """

    def __init__(self, policy: Policy, customers: Mapping[str, Customer] | None = None) -> None:
        self.policy = policy
        self._customers = customers
        self._score = policy.score_value
        self._rate = policy.aging_rate_per_minute
        self._limits = None if policy.max_wait is None else channel_limits(policy)
        share = policy.group_share
        self._group_of = group_of(share.group) if share is not None else None
        self._lock = threading.Lock()
        picker: Picker[Entry] = Picker(policy, per_minute=_MINUTE)
        self._picker = picker
        self._push, self._pick = picker.push, picker.pick
        self._items: Mapping[str, Entry] = picker.waiting  # query_id -> Entry, read only
        self._newest: datetime | None = None  # newest arrival ever pushed
        self._now_checked: datetime | None = None  # the last ``now`` found aware

    # ------------------------------------------------------------ inspection
    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._items

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._items))

    # ----------------------------------------------------------------- push
    def push(self, query: Query, customer: Customer | None = None) -> None:
        """Add a query (scored once, at its arrival).

        Raises
        ------
        InputError
            Duplicate ``query_id``, naive ``received_at``, unknown customer, or
            a customer that is not the query's author. The queue is unchanged.
        """
        if customer is None:
            customer = self._lookup(query)
        base = self._score(query, customer)
        at = query.received_at
        if at.tzinfo is None:
            _arrival_ns(query)  # raises the error
        # heap_key at rate 0 is the base itself (the arrival cannot move it).
        key = heap_key_at(base, at, self._rate) if self._rate else base
        group = None if self._group_of is None else self._group_of(query, customer)
        entry = Entry(query, customer, base, group, self.policy)
        qid = query.query_id
        limit = _INF if self._limits is None else self._limits[query.channel._value_]
        with self._lock:
            if qid in self._items:
                raise InputError(f"query {qid!r} is already in the queue")
            self._push(entry, key, at, qid, limit, group)
            if self._newest is None or at > self._newest:
                self._newest = at
                self._now_checked = None

    def push_many(self, pairs: Iterable[tuple[Query, Customer | None]]) -> None:
        """Push several queries atomically: all or none."""
        prepared = []
        seen: set[str] = set()
        for query, customer in pairs:
            cust = self._lookup(query) if customer is None else customer
            base = self._score(query, cust)
            arrival = _arrival_ns(query)
            if query.query_id in seen:
                raise InputError(f"query {query.query_id!r} appears twice in the batch")
            seen.add(query.query_id)
            prepared.append((self._entry(query, cust, base), heap_key(base, arrival, self._rate)))
        self._insert(prepared)

    def push_frame(self, frame: pd.DataFrame) -> int:
        """Load a canonical query frame (e.g. all open tickets after a restart).

        Scores are computed vectorised. The inputs of the signals the policy
        declares (``signals.custom``) are carried into the ``attributes`` of
        each entry's customer or query, so :attr:`Entry.score` explains them
        too. All rows are added or none (a
        :class:`~prioritize.SchemaError` or :class:`~prioritize.InputError`
        leaves the queue unchanged). Returns the number of queries added.
        """
        cols = validate_frame(frame)
        values = self.policy.score_frame(frame)["score"].to_numpy().tolist()
        arrivals = cols.received_ns.tolist()
        # A declared input the frame lacks is one scoring does not read (weight 0, blind).
        custom = self.policy.signals.custom.values()
        declared = {d.input: d.on for d in custom if d.input in frame.columns}
        pairs = frame_to_objects(frame, attributes=declared)
        prepared = [
            (self._entry(query, customer, base), heap_key(base, arrival, self._rate))
            for (query, customer), base, arrival in zip(pairs, values, arrivals, strict=True)
        ]
        self._insert(prepared)
        return len(prepared)

    def _entry(self, query: Query, customer: Customer, base: float) -> Entry:
        group = None if self._group_of is None else self._group_of(query, customer)
        return Entry(query, customer, base, group, self.policy)

    def _insert(self, prepared: list[tuple[Entry, float]]) -> None:
        # ``prepared``: (entry, heap key) pairs, all validated.
        with self._lock:
            dup = [e.query_id for e, _ in prepared if e.query_id in self._items]
            if dup:
                raise InputError(f"query(ies) already in the queue: {dup[:5]}")
            limits = self._limits
            for entry, key in prepared:
                query = entry.query
                at = query.received_at
                limit = _INF if limits is None else limits[query.channel._value_]
                self._push(entry, key, at, query.query_id, limit, entry.group)
                if self._newest is None or at > self._newest:
                    self._newest = at
                    self._now_checked = None

    def _lookup(self, query: Query) -> Customer:
        directory = self._customers
        customer = None if directory is None else directory.get(query.customer_id)
        if customer is None:
            raise InputError(
                f"query {query.query_id!r}: unknown customer {query.customer_id!r} "
                "(pass the Customer to push, or a customers directory to the queue)"
            )
        return customer

    # ------------------------------------------------------------------ pop
    def pop(self, now: datetime) -> Entry:
        """Remove and return the next query for a free agent at ``now``.

        Raises
        ------
        QueueEmpty
            If no query is waiting.
        InputError
            If ``now`` is naive or earlier than a waiting query's arrival.
        """
        with self._lock:
            if now is not self._now_checked:
                self._check_now(now)
            found = self._pick(now)
            if found is None:
                raise QueueEmpty("pop from an empty TriageQueue")
            entry = found[0]
            entry.reason = found[1]
            entry._now = now
            return entry

    def try_pop(self, now: datetime) -> Entry | None:
        """Like :meth:`pop`, but None when the queue is empty."""
        try:
            return self.pop(now)
        except QueueEmpty:
            return None

    def peek(self, now: datetime) -> Entry | None:
        """The entry ``pop(now)`` would return, without removing it (None if empty)."""
        with self._lock:
            self._check_now(now)
            found = self._picker.peek(now)
            return None if found is None else found[0]._at(now, found[1])

    def _check_now(self, now: datetime) -> None:
        timestamp_ns(now)  # aware, or an InputError
        newest = self._newest
        if newest is not None and now < newest and self._items:
            # Rare (time earlier than the newest arrival ever): check the waiting ones.
            late = max(self._items.values(), key=lambda e: e.query.received_at)
            if late.query.received_at > now:
                raise InputError(
                    f"now={now.isoformat()} is earlier than the arrival of waiting query "
                    f"{late.query_id!r} ({late.query.received_at.isoformat()})"
                )
        # Only a ``now`` not before the newest arrival may skip the checks next time.
        self._now_checked = now if newest is None or now >= newest else None

    # --------------------------------------------------------------- remove
    def remove(self, query_id: str) -> Query:
        """Remove a waiting query (answered elsewhere, e.g. by phone); returns it.

        Raises
        ------
        InputError
            If no such query is waiting (the queue is unchanged).
        """
        with self._lock:
            entry = self._picker.remove(query_id)
            if entry is None:
                raise InputError(f"query {query_id!r} is not waiting in the queue")
            return entry.query

    def discard(self, query_id: str) -> bool:
        """Remove a query if it is waiting; returns whether it was."""
        with self._lock:
            return self._picker.remove(query_id) is not None

    # ------------------------------------------------------------- snapshot
    def snapshot(self, *, now: datetime | None = None) -> pd.DataFrame:
        """The waiting queries with their current scores and deadlines.

        One row per waiting query, in serving order at ``now`` (ignoring the
        interleaving of ``GroupShare``): ``query_id, customer_id, channel,
        received_at, waited_minutes, score, base_score, overdue, overdue_at,
        due_at, group``. ``now=None`` means at the newest arrival among the
        waiting queries.
        """
        with self._lock:
            entries = list(self._items.values())
        arrivals = [aware_ns(e.query.received_at) for e in entries]
        return snapshot_frame(self.policy, entries, arrivals, now)


_MINUTE = timedelta(minutes=1)
_INF = float("inf")


def _arrival_ns(query: Query) -> int:
    # A validated Query's received_at is aware; only model_construct can bypass that.
    at = query.received_at
    try:
        return aware_ns(at)
    except TypeError:
        raise InputError(
            f"query {query.query_id!r}: received_at must be a timezone-aware datetime; got {at!r}"
        ) from None
