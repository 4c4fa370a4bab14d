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
``remove``, ``in``) and the ids of the last ``remember`` queries it served,
so a query answered once is not pushed and served again. Ids follow the one
identity rule (:mod:`prioritize._internal.ids`): a frame's ``5`` and ``"5"``
are one query. Clocks of producers and consumers disagree by milliseconds, so
a waiting query stamped after the ``now`` of a pop has simply waited 0
minutes (its score is taken at its arrival); only a naive ``now`` is an
error. Arrivals keep their nanoseconds (a frame's sub-microsecond
``received_at`` stays a :class:`pandas.Timestamp`). Each push makes one
:class:`Entry`, which is also the picker's handle for that query, so a
``query_id`` removed and pushed again is a new handle and the old heap
entries are stale. Push and pop are O(log n). One
lock guards every public method: any number of producer and consumer threads
may share a queue.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from prioritize._errors import InputError, PrioritizeError
from prioritize._internal.checks import check_instance
from prioritize._internal.skills import NO_SKILLS, Skills, skill_set
from prioritize._internal.times import aware_ns, timestamp_ns
from prioritize.models import Customer, Query, group_of
from prioritize.policy import Picker, Policy, channel_limits, heap_key, heap_key_at
from prioritize.queue._entry import Entry
from prioritize.queue._prepare import lookup_customer, prepare_frame
from prioritize.queue._snapshot import snapshot_frame
from prioritize.routing import AgentGroup, Routes

__all__ = ["SERVED_MEMORY", "QueueEmpty", "TriageQueue"]

#: How many served ``query_id`` a :class:`TriageQueue` remembers by default to
#: refuse pushing them again (the oldest is forgotten first).
SERVED_MEMORY = 100_000


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
    remember
        How many served (popped) ``query_id`` to remember, newest first
        (default :data:`SERVED_MEMORY`, 100,000): pushing one of them again is
        an :class:`~prioritize.InputError`, so a query is not answered twice.
        ``0`` remembers none. A query taken out with :meth:`remove` or
        :meth:`discard` was not served and may be pushed again.
    routes
        Optional :class:`~prioritize.Routes`: each pushed query's required
        and preferred skills are resolved at push (:meth:`Routes.resolve
        <prioritize.Routes.resolve>`; :meth:`Routes.resolve_frame
        <prioritize.Routes.resolve_frame>` for :meth:`push_frame`). Without
        routes a query needs its own skills (``Query.skills``, the frame's
        ``skills`` column) and prefers none.

    Notes
    -----
    ``pop`` raises :class:`QueueEmpty` (an ``IndexError``) on an empty queue;
    ``try_pop`` and ``peek`` return None instead. A ``now`` earlier than a
    waiting query's arrival (clocks of processes disagree) is not an error:
    that query has waited 0 minutes. Time never runs backwards
    for ``MaxWait``: a pop whose ``now`` is earlier than a previous pop's
    decides overdue-ness at the previous ``now`` (consumer threads may race).

    ``GroupShare`` guarantee: over any ``k`` consecutive pops during which a
    listed group has waiting queries it receives at least
    ``share·k − (G + 1)`` of them (``G`` listed groups); overdue queries
    (``MaxWait``) go first regardless of group and count towards it.

    Agents with skills: ``pop(now, agent=...)`` (and ``peek``, ``try_pop``)
    returns the best waiting query this agent may take: one whose required
    skills the agent has, and its preferred skills too until it has waited
    the routes' ``skills_timeout_minutes`` (from then on they are dropped).
    Among those, the same rule as a plain pop: overdue first (``MaxWait``),
    the ``GroupShare`` ledger between the groups that have a query this agent
    may take, then the score. ``agent`` is an
    :class:`~prioritize.AgentGroup` (its skills) or skill names (an iterable,
    or one comma-separated string); a plain ``pop(now)`` is any agent. A pop
    costs O(log n) amortised: the plain pop, and an agent who may take every
    skill set waiting, read a line of every query kept from the first push
    with skills; another agent's first pop builds its own line (O(n log n),
    once per distinct agent skill set, up to 32 of them; past that a pop reads
    the S skill sets waiting one by one, O(S · log n)).
    """

    def __init__(
        self,
        policy: Policy,
        customers: Mapping[str, Customer] | None = None,
        *,
        remember: int = SERVED_MEMORY,
        routes: Routes | None = None,
    ) -> None:
        if isinstance(remember, bool) or not isinstance(remember, int) or remember < 0:
            raise InputError(f"remember must be an int >= 0; got {remember!r}")
        self.policy = check_instance("policy", policy, Policy)
        self._remember = remember
        # Served id -> its pop number (None: remember none). An id is remembered while
        # fewer than ``remember`` pops followed; the dict is pruned to those when it
        # reaches twice that. A pop only appends its id to ``_log`` (one list append);
        # the next check (a push) files the log into ``_served`` at once (_sync_served).
        self._served: dict[str, int] | None = {} if remember else None
        self._log: list[str] | None = [] if remember else None
        self._pops = 0  # pops filed into _served
        self._customers = customers
        self._score = policy.score_value
        self._rate = policy.aging_rate_per_minute
        self._limits = None if policy.max_wait is None else channel_limits(policy)
        share = policy.group_share
        self._group_of = group_of(share.group) if share is not None else None
        if routes is not None and not isinstance(routes, Routes):
            raise InputError(f"routes must be a prioritize.Routes; got {type(routes).__name__}")
        self.routes = routes
        timeout = None if routes is None else routes.skills_timeout_minutes
        self._lock = threading.Lock()
        picker: Picker[Entry] = Picker(
            policy,
            per_minute=_MINUTE,
            skills_timeout=None if timeout is None else timedelta(minutes=timeout),
        )
        self._picker = picker
        self._push, self._pick = picker.push, picker.pick
        self._items: Mapping[str, Entry] = picker.waiting  # query_id -> Entry, read only
        self._now_checked: datetime | None = None  # the last ``now`` found aware
        # The last AgentGroup a pop was given, and its skills (frozen: read once; one
        # tuple, so that a thread reads the pair it wrote or another thread's whole).
        self._agent: tuple[AgentGroup | None, Skills | None] = (None, None)

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
            Duplicate ``query_id`` (waiting, or among the last ``remember``
            served), naive ``received_at``, unknown customer, or a customer
            that is not the query's author. The queue is unchanged.
        """
        if customer is None:
            customer = self._lookup(query)
        base = self._score(query, customer)
        at = query.received_at
        rate = self._rate
        if not rate:
            key = base  # heap_key at rate 0: the arrival cannot move it
            if at.tzinfo is None:
                _arrival_ns(query)  # raises the error
        else:
            try:
                key = heap_key_at(base, at, rate)
            except TypeError:  # naive (only model_construct skips the check)
                _arrival_ns(query)  # raises the error
                raise
        # Entry(query, customer, base, group, policy, skills, prefer), its slots set
        # here: the call to __init__ costs as much as the rest of the entry.
        entry = _new(Entry)
        entry.query, entry.customer, entry._base, entry._policy = query, customer, base, self.policy
        group_of = self._group_of
        entry.group = group = None if group_of is None else group_of(query, customer)
        routes = self.routes
        if routes is None:
            skills, prefer = query.skills, NO_SKILLS
        else:
            skills, prefer = routes.resolve(query, customer)
        entry.skills, entry.prefer = skills, prefer
        entry._qid = qid = query.query_id
        limits = self._limits
        limit = _INF if limits is None else limits[query.channel._value_]
        lock = self._lock
        lock.acquire()  # not ``with``: its enter/exit calls cost more than the push itself
        try:
            if qid in self._items:
                raise InputError(f"query {qid!r} is already in the queue")
            served = self._served
            if served is not None:
                if self._log:
                    self._sync_served()
                if qid in served and self._served_now(qid):
                    raise InputError(_served_message([qid], self._remember))
            self._push(entry, key, at, qid, limit, group, skills, prefer)
        finally:
            lock.release()

    def _served_now(self, qid: str) -> bool:
        # Whether ``qid`` is among the last ``remember`` served (the caller holds the
        # lock and has synced the log).
        pop = self._served.get(qid)  # type: ignore[union-attr]
        return pop is not None and pop > self._pops - self._remember

    def _sync_served(self) -> None:
        # File the ids popped since the last check, numbered in pop order (the caller
        # holds the lock), then forget those older than the last ``remember`` pops.
        # A loop, not ``update(zip(log, range(...), strict=True))``: in a live queue's
        # rhythm each push files the one id popped before it, and that update took
        # ~1.8 µs for one id (zip's keyword argument alone ~0.6); the loop ~0.2.
        log, served = self._log, self._served
        pops = self._pops
        for qid in log:  # type: ignore[union-attr]
            pops += 1
            served[qid] = pops  # type: ignore[index]
        self._pops = pops
        log.clear()  # type: ignore[union-attr]
        if len(served) >= 2 * self._remember:  # type: ignore[arg-type]
            self._forget()

    def push_many(self, pairs: Iterable[tuple[Query, Customer | None]]) -> None:
        """Push several queries atomically: all or none.

        Raises
        ------
        InputError
            As :meth:`push`, or an id twice in the batch; nothing is added.
        """
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

        Scores are computed vectorised, and so are the skills (from the
        routes, else the ``skills`` column). The inputs of the signals the policy
        declares (``signals.custom``) are carried into the ``attributes`` of
        each entry's customer or query, so :attr:`Entry.score` explains them
        too. The frame is checked by
        :func:`~prioritize.models.canonical_frame`, the check of
        :meth:`Policy.score_frame`, :meth:`Policy.rank` and
        :func:`~prioritize.simulate`: ids are canonical strings, unique within
        the frame. All rows are added or none (a
        :class:`~prioritize.SchemaError`, or an :class:`~prioritize.InputError`
        for an id already waiting or served, leaves the queue unchanged).
        Returns the number of queries added.
        """
        ready = prepare_frame(self.policy, frame, routes=self.routes)  # as SharedQueue's
        prepared = [
            (self._entry(query, customer, base), heap_key(base, arrival, self._rate))
            for (query, customer), base, arrival in zip(
                ready.pairs, ready.base, ready.arrival, strict=True
            )
        ]
        if ready.skills is not None:
            for (entry, _), need in zip(prepared, ready.skills, strict=True):
                entry.skills = need
        if ready.prefer is not None:
            for (entry, _), wish in zip(prepared, ready.prefer, strict=True):
                entry.prefer = wish
        self._insert(prepared)
        return len(prepared)

    def _entry(self, query: Query, customer: Customer, base: float) -> Entry:
        group = None if self._group_of is None else self._group_of(query, customer)
        if self.routes is None:
            return Entry(query, customer, base, group, self.policy, query.skills)
        skills, prefer = self.routes.resolve(query, customer)
        return Entry(query, customer, base, group, self.policy, skills, prefer)

    def _insert(self, prepared: list[tuple[Entry, float]]) -> None:
        # ``prepared``: (entry, heap key) pairs, all validated.
        with self._lock:
            dup = [e.query_id for e, _ in prepared if e.query_id in self._items]
            if dup:
                raise InputError(f"query(ies) already in the queue: {dup[:5]}")
            if self._log:
                self._sync_served()
            done = self._served or ()
            served = [
                e.query_id
                for e, _ in prepared
                if e.query_id in done and self._served_now(e.query_id)
            ]
            if served:
                raise InputError(_served_message(served, self._remember))
            limits = self._limits
            for entry, key in prepared:
                query = entry.query
                limit = _INF if limits is None else limits[query.channel._value_]
                self._push(
                    entry,
                    key,
                    query.received_at,
                    query.query_id,
                    limit,
                    entry.group,
                    entry.skills,
                    entry.prefer,
                )

    def _lookup(self, query: Query) -> Customer:
        return lookup_customer(self._customers, query)

    # ------------------------------------------------------------------ pop
    def pop(self, now: datetime, *, agent: AgentGroup | Iterable[str] | None = None) -> Entry:
        """Remove and return the next query for a free agent at ``now``.

        ``agent``: the agent asking, an :class:`~prioritize.AgentGroup` or
        skill names; the best query *it may take* is returned (see the class
        notes). None (default): any agent.

        A query that arrived after ``now`` (another clock) has waited 0
        minutes: its :attr:`Entry.score` is taken at its arrival.

        Raises
        ------
        QueueEmpty
            If no query is waiting (that this agent may take).
        InputError
            If ``now`` is not a timezone-aware datetime, or ``agent`` is
            neither an agent group nor skill names.
        """
        if agent is None:
            skills = None
        else:  # an AgentGroup's skills, kept: reading them costs a twentieth of the pop
            last = self._agent
            if last[0] is agent:
                skills = last[1]
            elif type(agent) is AgentGroup:
                skills = agent.skills
                self._agent = (agent, skills)
            else:
                skills = _agent_skills(agent)
        lock = self._lock
        lock.acquire()  # as in push
        try:
            if now is not self._now_checked:
                self._check_now(now)
            found = self._pick(now, skills)
            if found is None:
                if skills is not None and self._items:
                    raise QueueEmpty(
                        f"no waiting query that an agent with skills {sorted(skills)} may take"
                    )
                raise QueueEmpty("pop from an empty TriageQueue")
            entry = found[0]
            entry.reason = found[1]
            entry._now = now  # Entry.score takes the arrival if it is later
            log = self._log
            if log is not None:
                log.append(entry._qid)
            return entry
        finally:
            lock.release()

    def _forget(self) -> None:
        # Keep only the ids served in the last ``remember`` pops.
        last = self._pops - self._remember
        self._served = {q: n for q, n in self._served.items() if n > last}  # type: ignore[union-attr]

    def try_pop(
        self, now: datetime, *, agent: AgentGroup | Iterable[str] | None = None
    ) -> Entry | None:
        """Like :meth:`pop`, but None when no query is waiting (that this agent may take)."""
        try:
            return self.pop(now, agent=agent)
        except QueueEmpty:
            return None

    def peek(
        self, now: datetime, *, agent: AgentGroup | Iterable[str] | None = None
    ) -> Entry | None:
        """The entry ``pop(now, agent=agent)`` would return, without removing it (None if none)."""
        skills = None if agent is None else _agent_skills(agent)
        with self._lock:
            self._check_now(now)
            found = self._picker.peek(now, skills)
            if found is None:
                return None
            at = found[0].query.received_at
            return found[0]._at(now if now >= at else at, found[1])

    def _check_now(self, now: datetime) -> None:
        timestamp_ns(now)  # aware, or an InputError
        self._now_checked = now

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
        due_at, group, skills`` (``skills``: the required skill set, a
        frozenset; empty: anyone may take it). ``now=None`` means at the
        newest arrival among the waiting queries; a query that arrived after
        ``now`` has waited 0 minutes.
        """
        with self._lock:
            entries = list(self._items.values())
        arrivals = [aware_ns(e.query.received_at) for e in entries]
        return snapshot_frame(self.policy, entries, arrivals, now)


_MINUTE = timedelta(minutes=1)
_INF = float("inf")
_new = object.__new__


def _served_message(ids: list[str], remember: int) -> str:
    shown = ids[0] if len(ids) == 1 else ids[:5]
    return (
        f"query {shown!r} was already served by this queue (it remembers the last "
        f"{remember:,} served ids); push a new query_id, or use remove() for a query "
        "taken out unanswered"
    )


def _agent_skills(agent: Any) -> Skills:
    """The skills of the ``agent=`` of a pop: an agent group's, or skill names."""
    if isinstance(agent, AgentGroup):
        return agent.skills
    try:
        return skill_set(agent, what="agent")
    except ValueError as exc:
        raise InputError(f"{exc} (agent= takes a prioritize.AgentGroup or skill names)") from None


def _arrival_ns(query: Query) -> int:
    # A validated Query's received_at is aware; only model_construct can bypass that.
    at = query.received_at
    try:
        return aware_ns(at)
    except TypeError:
        raise InputError(
            f"query {query.query_id!r}: received_at must be a timezone-aware datetime; got {at!r}"
        ) from None
