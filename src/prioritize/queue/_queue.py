"""TriageQueue: the live queue helpdesk code pushes to and agents pop from.

Data flow. ``push`` scores the query once at its arrival
(:meth:`Policy.score`, ``now=None``) and files it under the static key
:func:`~prioritize.policy.heap_key` (``base − rate·arrival``): with linear
aging that key orders waiting queries exactly as their scores at any later
``now`` do, so nothing is re-scored while waiting. Entries live in

* one heap of ``(−key, arrival, query_id, seq)`` — or one per group when the
  policy has ``GroupShare`` (the choice between groups is
  :class:`~prioritize.policy.ShareLedger`'s);
* with ``MaxWait``, a heap by deadline. With one limit for every channel,
  deadline order is arrival order and overdue queries are served straight
  from it; with per-channel limits, queries that have waited longer than
  their limit move to an "overdue" heap ordered by arrival;
* the newest arrival ever pushed: a ``now`` earlier than it is checked
  against the waiting queries and rejected if one arrived after ``now``.

Removed and popped entries are deleted lazily (a ``seq`` per push tells a live
heap entry from a stale one) and the heaps are compacted when stale entries
outnumber live ones. Push and pop are O(log n). One lock guards every public
method: any number of producer and consumer threads may share a queue.

The ordering is the one of :meth:`Policy.rank` (and of the simulator): popping
everything at one ``now`` without ``GroupShare`` gives exactly ``rank`` order.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioritize._errors import InputError, PrioritizeError
from prioritize._internal.times import NS_PER_MINUTE, aware_ns, timestamp_ns
from prioritize.models import (
    Channel,
    Customer,
    Query,
    group_of,
    public_flags,
    validate_frame,
)
from prioritize.policy import Policy, Score, ShareLedger, heap_key

__all__ = ["Entry", "QueueEmpty", "TriageQueue"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Reason = Literal["overdue", "group_share", "score"]


class QueueEmpty(PrioritizeError, IndexError):
    """``pop`` on a queue with no waiting query."""


class Entry:
    """A query handed to an agent (or looked at with ``peek``).

    Attributes
    ----------
    query, customer
        What was pushed.
    score
        The policy's score at the ``now`` of the pop, with its explanation.
    reason
        Why this query now: ``"overdue"`` (past its ``MaxWait`` limit),
        ``"group_share"`` (its group was owed service under ``GroupShare``)
        or ``"score"`` (the highest score; ties by arrival then id).
    group
        Its ``GroupShare`` group, if the policy has one.
    overdue_at
        When it passes its ``MaxWait`` limit (None without ``MaxWait``).
    due_at
        When the policy's published service level for its channel falls due.
    """

    __slots__ = ("_item", "_now", "_policy", "_score", "reason")

    def __init__(self, item: _Item, now: datetime, policy: Policy, reason: Reason) -> None:
        # Built on every pop: the score and deadlines are computed on first access.
        self._item = item
        self._now = now
        self._policy = policy
        self._score: Score | None = None
        self.reason = reason

    @property
    def query(self) -> Query:
        return self._item.query

    @property
    def customer(self) -> Customer:
        return self._item.customer

    @property
    def query_id(self) -> str:
        return self._item.query.query_id

    @property
    def group(self) -> str | None:
        return self._item.group

    @property
    def score(self) -> Score:
        if self._score is None:
            item = self._item
            self._score = self._policy.score(item.query, item.customer, self._now)
        return self._score

    @property
    def overdue_at(self) -> datetime | None:
        limit = self._item.limit
        if limit == math.inf:
            return None
        return self._item.query.received_at + timedelta(minutes=limit)

    @property
    def due_at(self) -> datetime | None:
        due = self._item.due
        return None if due is None else self._item.query.received_at + timedelta(minutes=due)

    def due_in(self, now: datetime) -> timedelta | None:
        """Time left until ``due_at`` (negative when late; None without a promise)."""
        due = self.due_at
        return None if due is None else due - now

    def explain(self) -> str:
        """The score's explanation, prefixed with why the query was chosen."""
        prefix = {"overdue": "overdue (max wait passed); ", "group_share": "group share; "}
        return prefix.get(self.reason, "") + self.score.explain()

    def __repr__(self) -> str:
        value = self.score.value
        return f"Entry(query_id={self.query_id!r}, reason={self.reason!r}, score={value:.4g})"


class _Item:
    __slots__ = ("arrival_ns", "base", "customer", "due", "group", "key", "limit", "query", "seq")

    def __init__(
        self,
        query: Query,
        customer: Customer,
        base: float,
        key: float,
        arrival_ns: int,
        seq: int,
        group: str | None,
        limit: float,
        due: float | None,
    ) -> None:
        self.query = query
        self.customer = customer
        self.base = base
        self.key = key
        self.arrival_ns = arrival_ns
        self.seq = seq
        self.group = group
        self.limit = limit
        self.due = due


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
        self._rate = policy.aging_rate_per_minute
        self._max_wait = max_wait = policy.max_wait
        # Per channel: (MaxWait limit in minutes, service-level minutes); one lookup per push.
        self._per_channel = {
            c: (
                max_wait.minutes_for(c) if max_wait is not None else math.inf,
                policy.service_level_minutes(c),
            )
            for c in Channel
        }
        share = policy.group_share
        self._group_of = group_of(share.group) if share is not None else None
        self._ledger: ShareLedger[str] | None = (
            ShareLedger(share.shares) if share is not None else None
        )
        # One limit for every channel: deadline order is arrival order, so the
        # overdue queries are a prefix of the deadline heap and are served from it.
        self._uniform_limit = (
            max_wait is not None and len({limit for limit, _ in self._per_channel.values()}) == 1
        )
        self._lock = threading.Lock()
        self._items: dict[str, _Item] = {}
        self._main: list[tuple[float, int, str, int]] = []
        self._groups: dict[str, list[tuple[float, int, str, int]]] = {}
        self._group_count: Counter[str] = Counter()
        self._deadlines: list[tuple[float, int, str, int]] = []
        self._overdue: list[tuple[int, str, int]] = []
        self._newest_ns = -(2**63)  # newest arrival ever pushed
        self._now_cache: tuple[datetime, int] | None = None
        self._seq = 0
        self._stale = 0
        self._clock_ns: int | None = None

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
        base = self.policy.score_value(query, customer)  # validates the customer
        arrival = _arrival_ns(query)
        with self._lock:
            if query.query_id in self._items:
                raise InputError(f"query {query.query_id!r} is already in the queue")
            self._insert(query, customer, base, arrival)

    def push_many(self, pairs: Iterable[tuple[Query, Customer | None]]) -> None:
        """Push several queries atomically: all or none."""
        prepared = []
        seen: set[str] = set()
        for query, customer in pairs:
            cust = self._lookup(query) if customer is None else customer
            base = self.policy.score_value(query, cust)
            arrival = _arrival_ns(query)
            if query.query_id in seen:
                raise InputError(f"query {query.query_id!r} appears twice in the batch")
            seen.add(query.query_id)
            prepared.append((query, cust, base, arrival))
        with self._lock:
            dup = [q.query_id for q, *_ in prepared if q.query_id in self._items]
            if dup:
                raise InputError(f"query(ies) already in the queue: {dup[:5]}")
            for item in prepared:
                self._insert(*item)

    def push_frame(self, frame: pd.DataFrame) -> int:
        """Load a canonical query frame (e.g. all open tickets after a restart).

        Scores are computed vectorised. All rows are added or none (a
        :class:`~prioritize.SchemaError` or :class:`~prioritize.InputError`
        leaves the queue unchanged). Returns the number of queries added.
        """
        cols = validate_frame(frame)
        values = self.policy.score_frame(frame)["score"].to_numpy().tolist()
        arrivals = cols.received_ns.tolist()
        pairs = list(_rows_to_objects(frame))
        with self._lock:
            dup = [q.query_id for q, _ in pairs if q.query_id in self._items]
            if dup:
                raise InputError(f"query(ies) already in the queue: {dup[:5]}")
            for (query, customer), base, arrival in zip(pairs, values, arrivals, strict=True):
                self._insert(query, customer, base, arrival)
        return len(pairs)

    def _lookup(self, query: Query) -> Customer:
        directory = self._customers
        customer = None if directory is None else directory.get(query.customer_id)
        if customer is None:
            raise InputError(
                f"query {query.query_id!r}: unknown customer {query.customer_id!r} "
                "(pass the Customer to push, or a customers directory to the queue)"
            )
        return customer

    def _insert(self, query: Query, customer: Customer, base: float, arrival: int) -> None:
        self._seq += 1
        seq = self._seq
        qid = query.query_id
        key = heap_key(base, arrival, self._rate)
        limit, due = self._per_channel[query.channel]
        group = None if self._group_of is None else self._group_of(query, customer)
        item = _Item(query, customer, base, key, arrival, seq, group, limit, due)
        self._items[qid] = item
        token = (-key, arrival, qid, seq)
        if group is not None:
            heapq.heappush(self._groups.setdefault(group, []), token)
            self._group_count[group] += 1
        else:
            heapq.heappush(self._main, token)
        if self._max_wait is not None:
            heapq.heappush(self._deadlines, (arrival + limit * NS_PER_MINUTE, arrival, qid, seq))
        if arrival > self._newest_ns:
            self._newest_ns = arrival

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
            entry = self._next(now, remove=True)
        if entry is None:
            raise QueueEmpty("pop from an empty TriageQueue")
        return entry

    def try_pop(self, now: datetime) -> Entry | None:
        """Like :meth:`pop`, but None when the queue is empty."""
        with self._lock:
            return self._next(now, remove=True)

    def peek(self, now: datetime) -> Entry | None:
        """The entry ``pop(now)`` would return, without removing it (None if empty)."""
        with self._lock:
            return self._next(now, remove=False)

    def _live(self, qid: str, seq: int) -> bool:
        item = self._items.get(qid)
        return item is not None and item.seq == seq

    def _clean(self, heap: list[Any]) -> None:
        while heap and not self._live(heap[0][-2], heap[0][-1]):
            heapq.heappop(heap)

    def _now_ns(self, now: datetime) -> int:
        cached = self._now_cache
        if cached is not None and cached[0] is now:
            return cached[1]
        now_ns = timestamp_ns(now)
        self._now_cache = (now, now_ns)
        return now_ns

    def _next(self, now: datetime, *, remove: bool) -> Entry | None:
        now_ns = self._now_ns(now)
        if not self._items:
            return None
        if now_ns < self._newest_ns:
            # Rare (time earlier than the newest arrival ever): check the waiting ones.
            late = max(self._items.values(), key=lambda i: i.arrival_ns)
            if late.arrival_ns > now_ns:
                raise InputError(
                    f"now={now.isoformat()} is earlier than the arrival of waiting query "
                    f"{late.query.query_id!r} ({late.query.received_at.isoformat()})"
                )
        if self._clock_ns is None or now_ns > self._clock_ns:
            self._clock_ns = now_ns
        clock = self._clock_ns
        reason: Reason = "score"
        token: tuple[Any, ...] | None = None
        if self._uniform_limit:
            deadlines = self._deadlines
            self._clean(deadlines)
            if deadlines and self._is_overdue(deadlines[0], clock):
                token = deadlines[0]
                reason = "overdue"
                if remove:
                    heapq.heappop(deadlines)
        elif self._max_wait is not None:
            self._move_overdue(clock)
            self._clean(self._overdue)
            if self._overdue:
                token = self._overdue[0]
                reason = "overdue"
                if remove:
                    heapq.heappop(self._overdue)
        item: _Item
        if token is None and self._ledger is None:
            # The common case, kept lean: one heap, lazy deletion.
            main, items = self._main, self._items
            while True:
                top = main[0]
                live = items.get(top[2])
                if live is not None and live.seq == top[3]:
                    break
                heapq.heappop(main)
            if remove:
                heapq.heappop(main)
                self._discard(live, 0 if self._max_wait is None else 1)
            return Entry(live, now, self.policy, reason)
        if token is not None:
            item = self._items[token[-2]]
            if self._ledger is not None and remove and item.group is not None:
                self._ledger.record(self._backlogged(), item.group)
        else:
            assert self._ledger is not None  # the fast path above took the other case
            best = {}
            for group in self._backlogged():
                heap = self._groups[group]
                self._clean(heap)
                best[group] = heap[0]
            if remove:
                chosen = self._ledger.pick(best)
            else:
                saved = dict(self._ledger.credit)
                chosen = self._ledger.pick(best)
                self._ledger.credit = saved
            token = best[chosen]
            if chosen != min(best, key=best.__getitem__):
                reason = "group_share"
            if remove:
                heapq.heappop(self._groups[chosen])
            item = self._items[token[-2]]
        if remove:
            # An overdue pop leaves its score-heap entry behind; a score pop its deadline.
            left = 1 if reason == "overdue" or self._max_wait is not None else 0
            self._discard(item, left)
        return self._entry(item, now, reason)

    def _backlogged(self) -> list[str]:
        return [g for g, n in self._group_count.items() if n > 0]

    def _is_overdue(self, token: tuple[float, int, str, int], clock: int) -> bool:
        # The same test as Policy.rank: waited strictly longer than the limit.
        _, arrival, qid, _ = token
        return (clock - arrival) / NS_PER_MINUTE > self._items[qid].limit

    def _move_overdue(self, clock: int) -> None:
        deadlines = self._deadlines
        while deadlines:
            top = deadlines[0]
            _, arrival, qid, seq = top
            if not self._live(qid, seq):
                heapq.heappop(deadlines)
                continue
            if self._is_overdue(top, clock):
                heapq.heappop(deadlines)
                heapq.heappush(self._overdue, (arrival, qid, seq))
            else:
                break

    def _entry(self, item: _Item, now: datetime, reason: Reason) -> Entry:
        return Entry(item, now, self.policy, reason)

    # --------------------------------------------------------------- remove
    def remove(self, query_id: str) -> Query:
        """Remove a waiting query (answered elsewhere, e.g. by phone); returns it.

        Raises
        ------
        InputError
            If no such query is waiting (the queue is unchanged).
        """
        with self._lock:
            item = self._items.get(query_id)
            if item is None:
                raise InputError(f"query {query_id!r} is not waiting in the queue")
            self._discard(item, 1 if self._max_wait is None else 2)
            return item.query

    def discard(self, query_id: str) -> bool:
        """Remove a query if it is waiting; returns whether it was."""
        with self._lock:
            item = self._items.get(query_id)
            if item is None:
                return False
            self._discard(item, 1 if self._max_wait is None else 2)
            return True

    def _discard(self, item: _Item, stale: int) -> None:
        # ``stale``: heap entries of this item left behind (deleted lazily).
        del self._items[item.query.query_id]
        if item.group is not None:
            self._group_count[item.group] -= 1
        self._stale += stale
        if self._stale > 64 and self._stale > len(self._items):
            self._compact()

    def _compact(self) -> None:
        def keep(heap: list[Any]) -> list[Any]:
            live = [t for t in heap if self._live(t[-2], t[-1])]
            heapq.heapify(live)
            return live

        self._main = keep(self._main)
        self._groups = {g: keep(h) for g, h in self._groups.items()}
        self._deadlines = keep(self._deadlines)
        self._overdue = keep(self._overdue)
        self._stale = 0

    # ------------------------------------------------------------- snapshot
    def snapshot(self, now: datetime | None = None) -> pd.DataFrame:
        """The waiting queries with their current scores and deadlines.

        One row per waiting query, in serving order at ``now`` (ignoring the
        interleaving of ``GroupShare``): ``query_id, customer_id, channel,
        received_at, waited_minutes, score, base_score, overdue, overdue_at,
        due_at, group``. ``now=None`` means at the newest arrival.
        """
        with self._lock:
            items = list(self._items.values())
            if now is None:
                now_ns = max((i.arrival_ns for i in items), default=0)
                now = _EPOCH + timedelta(microseconds=now_ns // 1_000)
            now_ns = timestamp_ns(now)
            rows = []
            for item in items:
                waited = (now_ns - item.arrival_ns) / NS_PER_MINUTE
                if waited < 0:
                    raise InputError(
                        f"now={now.isoformat()} is earlier than the arrival of waiting query "
                        f"{item.query.query_id!r}"
                    )
                entry = self._entry(item, now, "score")
                rows.append(
                    {
                        "query_id": item.query.query_id,
                        "customer_id": item.query.customer_id,
                        "channel": item.query.channel.value,
                        "received_at": item.query.received_at,
                        "waited_minutes": waited,
                        "score": entry.score.value,
                        "base_score": item.base,
                        "overdue": waited > item.limit,
                        "overdue_at": entry.overdue_at,
                        "due_at": entry.due_at,
                        "group": item.group,
                        "_key": item.key,
                        "_arrival": item.arrival_ns,
                    }
                )
        columns = [
            "query_id", "customer_id", "channel", "received_at", "waited_minutes", "score",
            "base_score", "overdue", "overdue_at", "due_at", "group", "_key", "_arrival",
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        if len(frame):
            frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
            frame["overdue_at"] = pd.to_datetime(frame["overdue_at"], utc=True)
            frame["due_at"] = pd.to_datetime(frame["due_at"], utc=True)
            over = frame["overdue"].to_numpy(dtype=bool)
            order = np.lexsort(
                (
                    frame["query_id"].to_numpy(dtype=object),
                    frame["_arrival"].to_numpy(),
                    np.where(over, 0.0, -frame["_key"].to_numpy()),
                    ~over,
                )
            )
            frame = frame.iloc[order].reset_index(drop=True)
        return frame.drop(columns=["_key", "_arrival"])


def _arrival_ns(query: Query) -> int:
    # A validated Query's received_at is aware; the checks of timestamp_ns would
    # cost as much again on every push. Only model_construct can bypass them.
    try:
        return aware_ns(query.received_at)
    except TypeError:
        raise InputError(
            f"query {query.query_id!r}: received_at must be a timezone-aware datetime; "
            f"got {query.received_at!r}"
        ) from None


def _rows_to_objects(frame: pd.DataFrame) -> Iterator[tuple[Query, Customer]]:
    has = frame.columns.__contains__
    columns = {
        name: frame[name].tolist()
        for name in (
            "query_id", "customer_id", "received_at", "channel", "followers", "lifetime_value",
            "purchase_count", "total_spend", "days_since_last_purchase", "text", "urgency",
            "is_public", "handle_minutes", "patience_minutes",
        )
        if has(name)
    }  # fmt: skip
    n = len(frame)
    public = public_flags(frame)  # the column, else the channel's default
    for i in range(n):
        row = {k: v[i] for k, v in columns.items()}
        days = row["days_since_last_purchase"]
        urgency = row.get("urgency")
        query = Query(
            query_id=str(row["query_id"]),
            customer_id=str(row["customer_id"]),
            received_at=row["received_at"].to_pydatetime(),
            channel=Channel(str(row["channel"])),
            text=row.get("text", "") or "",
            urgency=None if urgency is None or urgency != urgency else urgency,
            is_public=bool(public[i]),
            handle_minutes=row.get("handle_minutes"),
            patience_minutes=row.get("patience_minutes"),
        )
        customer = Customer(
            customer_id=str(row["customer_id"]),
            followers=int(row["followers"]),
            lifetime_value=float(row["lifetime_value"]),
            purchase_count=int(row["purchase_count"]),
            total_spend=float(row["total_spend"]),
            days_since_last_purchase=None if days != days else days,
        )
        yield query, customer
