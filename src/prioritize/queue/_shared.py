"""SharedQueue: the triage queue kept in a database, shared by processes and servers.

Data flow. ``push`` scores a query once at its arrival and stores it with its
static key :func:`~prioritize.policy.heap_key` (``base − rate·arrival``), its
``MaxWait`` limit (:func:`~prioritize.policy.channel_limits`) and its
``GroupShare`` label, so the waiting queries' order is an ordinary index and
nothing is re-scored while they wait. With ``routes`` its required and
preferred skills are resolved at push and stored with it too. A claim asks
the database only for the heads the serving-order core compares
(:mod:`prioritize.policy._order`), for each (required, preferred) skill set
the agent may take from (every set for ``agent=None``: the Picker's buckets,
``pz_skills`` lists them; of a set whose preferred skills the agent lacks,
only its queries that have waited the routes' ``skills_timeout_minutes``,
its oldest: one more bound on the arrival):

* under ``MaxWait``, the oldest claimable query of each distinct limit (a
  *lane*), tested with :func:`~prioritize.policy.is_overdue`; the oldest
  overdue head is served first;
* otherwise the head by (key desc, arrival, ``query_id``), and under
  ``GroupShare`` the head of each listed group, handed to
  :meth:`ShareLedger.choose <prioritize.policy.ShareLedger.choose>`; the
  ledger's credits live in the queue's row and :meth:`~ShareLedger.record` is
  written back in the claim's transaction.

A query is claimable while waiting, or leased with its lease run out at the
claim's ``now``: the claim's indexes hold every row not completed and only
the order's columns (a claim writes no index page, a lease that runs out
needs no update), the state and lease are read from the row. The candidates
are one statement (with the count of the queue's skill sets, to notice a set
another process added, and the ledger); under the score alone the claim
itself is one statement (``SharedQueue._take_head``).

So the rule is the core's, not a second one (a property test checks that
popping everything gives :meth:`Policy.rank` order and the same sequence as a
:class:`TriageQueue`). Every operation is one transaction: SQLite takes its
write lock with ``BEGIN IMMEDIATE`` (or the one statement); PostgreSQL reads
candidate rows with ``FOR UPDATE SKIP LOCKED`` (two claims never wait for or
take the same row) except under ``GroupShare``, where it locks the queue's
row first (the ledger's updates, so the claims, follow one another), reads
the candidates unlocked and takes the chosen row only if it is still
claimable (else the claim is asked again). There a claim is one round trip:
the lock, then one statement that applies the core's rule to the candidates
and books the ledger (``SharedQueue._ledger_sql``: the rule written a second
time, in SQL, so that the lock is not held across a round trip to the client;
a property test keeps it equal to :class:`ShareLedger` and the TriageQueue's
sequence).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd
from pydantic_core import PydanticSerializationError

from prioritize._errors import InputError, LeaseError, SharedQueueError
from prioritize._internal.checks import check_instance, check_number
from prioritize._internal.search import first_true
from prioritize._internal.skills import NO_SKILLS, Skills, skill_set, skills_text
from prioritize._internal.times import (
    NS_PER_MINUTE,
    minutes_between,
    timestamp_ns,
)
from prioritize.models import Customer, Query, group_of
from prioritize.policy import (
    Policy,
    Reason,
    ShareLedger,
    channel_limits,
    heap_key,
    is_overdue,
)
from prioritize.queue._entry import Entry
from prioritize.queue._prepare import lookup_customer, prepare_frame
from prioritize.queue._shared_db import COMPLETED, LEASED, WAITING, Database, open_database
from prioritize.queue._snapshot import snapshot_frame
from prioritize.queue._triage import QueueEmpty, _agent_skills
from prioritize.routing import AgentGroup, Routes

__all__ = ["LEASE_MINUTES", "LeasedEntry", "SharedQueue", "StoredEntry"]

#: Default length of a lease: a claimed query not completed or released by then
#: goes back to the queue (its agent's process is taken to have died).
LEASE_MINUTES = 15.0

# What a claim compares: all in the indexes it reads (covering), the rest read for the one served.
# (A candidate row carries the database's address of its row after them: its update goes
# straight to the row.)
_KEYS = "query_id, sort_key, arrival_ns, share_group, skills"
_PAYLOAD = "base_score, query, customer, prefer"
_COLUMNS = f"{_KEYS}, NULL, {_PAYLOAD}"  # a row read whole (no address)
# The values of a row (SharedQueue._row), in order: their columns of pz_entry, and what each
# is, to name it in an error (state is not among them: a row is inserted waiting).
_ROW = (
    ("query_id", "query_id"),
    ("sort_key", "sort key"),
    ("arrival_ns", "arrival"),
    ("limit_minutes", "MaxWait limit"),
    ("share_group", "group label"),
    ("base_score", "base score"),
    ("customer_id", "customer_id"),
    ("channel", "channel"),
    ("query", "query"),
    ("customer", "customer"),
    ("skills", "skills"),
    ("listed_group", "group label"),
    ("prefer", "preferred skills"),
)
_INSERT = (
    f"INSERT INTO pz_entry (queue_id, state, {', '.join(c for c, _ in _ROW)})"
    f" VALUES (?, 0{', ?' * len(_ROW)})"
)
_INSERT_SKILLS = (
    "INSERT INTO pz_skills (queue_id, skills, prefer) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
# The tags of a claim's candidate rows: >= 0 a MaxWait lane, then the overall score head and
# the head of each listed GroupShare group (_GROUP - its place in the shares); the facts read
# with them: the number of skill sets, the ledger.
_OVERALL, _COUNT, _CREDIT, _GROUP = -1, -2, -4, -100
# A row a claim at ``now`` (the parameter) may take: waiting, or leased with its lease run out.
# The claim's indexes hold every row not completed (and not its state: a claim writes no index
# page); the state and lease are read from the row.
_CLAIMABLE = " AND completed_ns IS NULL AND (state = 0 OR lease_ns < ?)"
# A row whose preferred skills have lapsed at the claim's now: it arrived at least the routes'
# skills_timeout before it (the parameter: now - timeout), the oldest rows of its set.
_LAPSED = " AND arrival_ns <= ?"
# _CLAIMABLE in a statement of named parameters (the claim's candidates).
_CLAIMABLE_NOW = _CLAIMABLE.replace("?", ":now")
# At most this many candidate arms in one statement (SQLite allows 500 in a compound SELECT);
# up to _FOLD_ARMS arms, each reads the payload of its row too (no second read for the one served).
_MAX_ARMS, _FOLD_ARMS = 400, 8
_STATES = {WAITING: "waiting", LEASED: "leased", COMPLETED: "completed"}
_AGAIN = object()  # a claim that lost a race: asked again
# The reasons by the code SharedQueue._ledger_sql gives them.
_REASONS: tuple[Reason, ...] = ("score", "overdue", "group_share")


class _Stale:
    """A claim's candidates missed a skill set another process added: read again."""


_STALE = _Stale()
_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # SQLite's UPDATE ... RETURNING
# complete and release: the lease's row, if this token holds it.
_FINISH = (
    "UPDATE pz_entry SET {}, token = NULL, lease_ns = NULL"
    " WHERE queue_id = ? AND query_id = ? AND state = 1 AND token = ?"
)
_COMPLETE = _FINISH.format("state = 2, completed_ns = ?")
_RELEASE = _FINISH.format("state = 0")


# The slots of Entry, filled on first access by StoredEntry.
_QUERY: Any = Entry.__dict__["query"]
_CUSTOMER: Any = Entry.__dict__["customer"]


class StoredEntry(Entry):
    """An :class:`Entry` read from a :class:`SharedQueue`'s database.

    Its ``query`` and ``customer`` are rebuilt from their stored JSON on
    first access (an agent that only needs ``query_id`` pays nothing for them).
    """

    __slots__ = ("_arrival", "_stored", "_stored_id")

    def __init__(self, head: _Head, policy: Policy) -> None:  # not Entry's: lazy models
        self._arrival = head.arrival
        self._stored = (head.query, head.customer)
        self._stored_id = head.qid
        self._base = head.base
        self.group = head.group
        self._policy = policy
        self.skills = head.skills
        self.prefer = _skills_of(head.prefer)

    @property
    def query(self) -> Query:
        try:
            return _QUERY.__get__(self)  # type: ignore[no-any-return]
        except AttributeError:
            query = Query.model_validate_json(self._stored[0])
            _QUERY.__set__(self, query)
            return query

    @query.setter
    def query(self, value: Query) -> None:
        _QUERY.__set__(self, value)

    @property
    def customer(self) -> Customer:
        try:
            return _CUSTOMER.__get__(self)  # type: ignore[no-any-return]
        except AttributeError:
            customer = Customer.model_validate_json(self._stored[1])
            _CUSTOMER.__set__(self, customer)
            return customer

    @customer.setter
    def customer(self, value: Customer) -> None:
        _CUSTOMER.__set__(self, value)

    @property
    def query_id(self) -> str:
        return self._stored_id


class LeasedEntry(StoredEntry):
    """A :class:`StoredEntry` leased to one caller by :meth:`SharedQueue.claim`.

    ``token`` proves the lease to :meth:`~SharedQueue.complete` and
    :meth:`~SharedQueue.release`; ``leased_until`` is when the query returns
    to the queue by itself; ``holder`` is who the claim said holds it.
    """

    __slots__ = ("holder", "leased_until", "token")

    token: str
    leased_until: datetime
    holder: str | None

    def __repr__(self) -> str:
        return f"LeasedEntry(query_id={self.query_id!r}, reason={self.reason!r}, token=...)"


class _Plan(NamedTuple):
    """A claim's candidates for one agent's skills: the skill sets it may take from, the
    statements (sql, the parameters that do not change with now: see
    ``SharedQueue._statement``), whether the rows carry the payload, whether a set is read
    for its queries whose preference lapsed."""

    sets: list[tuple[str, str, bool]]
    chunks: list[tuple[str, dict[str, Any]]]
    fold: bool
    lapsed: bool


class _Head:
    """One candidate row of a claim."""

    __slots__ = (
        "address",
        "arrival",
        "base",
        "customer",
        "group",
        "key",
        "prefer",
        "qid",
        "query",
        "skills",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        self.qid: str = row[0]
        self.key: float = row[1]
        self.arrival: int = row[2]
        self.group: str | None = row[3]
        self.skills: Skills = _skills_of(row[4])
        if len(row) > 5:
            self.address: Any = row[5]
            if len(row) > 6:
                self.payload(row[6:])

    def payload(self, row: Sequence[Any]) -> None:
        """Its base score, stored query and customer, and preferred skills (read for the
        served one only)."""
        self.base: float = row[0]
        self.query: str = row[1]
        self.customer: str = row[2]
        self.prefer: str = row[3]

    def token(self) -> tuple[float, int, str]:
        """Its place in the score order (smaller first): the core's tie rule."""
        return (-self.key, self.arrival, self.qid)


class SharedQueue:
    """A triage queue in SQLite or PostgreSQL, shared by any number of processes.

    Parameters
    ----------
    policy
        The :class:`~prioritize.Policy` that orders the queue.
    url
        ``"sqlite:///triage.db"`` (relative path; ``sqlite:////abs/path.db``)
        or ``"postgresql://user:password@host/db"`` (needs the ``postgres``
        extra: ``pip install 'prioritize[postgres]'``).
    name
        Several queues (each with its policy) live side by side in one database.
    customers
        Optional directory ``customer_id -> Customer`` for ``push`` without a customer.
    lease_minutes
        The default lease of :meth:`claim`.
    timeout
        Seconds to wait for a lock (SQLite's busy timeout, PostgreSQL's
        ``lock_timeout``) or a connection.
    routes
        Optional :class:`~prioritize.Routes`, as :class:`TriageQueue`'s: each
        pushed query's required and preferred skills are resolved at push
        (:meth:`Routes.resolve <prioritize.Routes.resolve>`;
        :meth:`Routes.resolve_frame <prioritize.Routes.resolve_frame>` for
        :meth:`push_frame`) and stored with it. Part of the queue's identity,
        as the policy.
    rekey
        The queue ``name`` already exists with another policy or other
        routes: re-score its open queries under ``policy``, resolve their
        skills again under ``routes`` (and reset the ``GroupShare`` ledger)
        instead of refusing.

    Raises
    ------
    SharedQueueError
        The database cannot be reached (the message names the URL without its
        password), its tables were made by a newer version of the library, or
        the queue exists with another policy or other routes and ``rekey`` is
        false.
    InputError
        ``policy`` or ``routes`` is not a :class:`~prioritize.Policy` or a
        :class:`~prioritize.Routes`, a bad ``name`` or ``lease_minutes``.

    Notes
    -----
    Each query is *waiting*, *leased* (claimed, until completed, released or
    its lease runs out) or *completed* (:meth:`pop` and :meth:`complete`).
    Completed ids are kept: pushing one again is refused. The order is the
    one of :class:`TriageQueue` and :meth:`Policy.rank` (overdue first under
    ``MaxWait``, ``GroupShare``'s ledger, then the score, ties by arrival then
    id), except that each claim decides overdue-ness (and whether a preferred
    skill has lapsed) at its own ``now`` (the clocks of several machines are
    not one clock; a TriageQueue never goes back to an earlier ``now``). A leased query whose
    ``leased_until`` has passed at a claim's ``now`` is claimable again, at its
    original place (a new claim takes it with a new token); until then ``len``,
    ``in`` and :meth:`remove` count it as leased, ``snapshot(now=...)`` as
    waiting. ``len`` counts the waiting queries. The object holds one
    connection (guarded by a lock, so threads may share it); each process
    opens its own.

    Agents with skills: ``claim``, ``pop``, ``peek`` and ``try_pop`` take
    ``agent=`` (an :class:`~prioritize.AgentGroup` or skill names) with
    :meth:`TriageQueue.pop`'s rule: the best waiting query whose required
    skills (from the routes, else ``Query.skills``, a frame's ``skills``
    column) the agent has, and its preferred skills (routes) too until it has
    waited the routes' ``skills_timeout_minutes`` (from then on they are
    dropped); among those, overdue first, the ``GroupShare`` ledger between
    the groups that have a query this agent may take, then the score. A claim
    asks the database for the heads of each (required, preferred) skill set
    the agent may take from (as the :class:`~prioritize.policy.Picker`'s
    buckets; of a set whose preference it lacks, only the queries that have
    waited the timeout), so it costs one index lookup per set, lane and
    listed group.
    """

    def __init__(
        self,
        policy: Policy,
        url: str,
        *,
        name: str = "default",
        customers: Mapping[str, Customer] | None = None,
        lease_minutes: float = LEASE_MINUTES,
        timeout: float = 30.0,
        routes: Routes | None = None,
        rekey: bool = False,
    ) -> None:
        check_instance("policy", policy, Policy)
        if routes is not None:
            check_instance("routes", routes, Routes)
        if not isinstance(name, str) or not name:
            raise InputError(f"name must be a non-empty str; got {name!r}")
        _check_minutes(lease_minutes)
        self.policy = policy
        self.routes = routes
        # A preference is dropped once a query has waited this long (ns; None: never):
        # Picker's test (arrival + timedelta <= now), on the stored arrival.
        lapse = None if routes is None else routes.skills_timeout_minutes
        self._lapse = None if lapse is None else timedelta(minutes=lapse) // _MICROSECOND * 1000
        self.name = name
        self._customers = customers
        self._lease_minutes = float(lease_minutes)
        self._lease_span = timedelta(minutes=self._lease_minutes)
        self._rate = policy.aging_rate_per_minute
        limits = channel_limits(policy)
        self._limits = limits
        # MaxWait's lanes: one per distinct limit (the oldest of each is the first overdue).
        self._lanes = [] if policy.max_wait is None else sorted(set(limits.values()))
        # Per lane, the shortest overdue wait in ns: a lane's candidate is its oldest query
        # that arrived that long before the claim's now (the core's test, as one comparison).
        self._spans = [_overdue_after(limit) for limit in self._lanes]
        # The names of the candidates' parameters of each lane's cut (see _statement).
        self._cut_names = [f"c{i}" for i in range(len(self._lanes))]
        self._min_names = [f"m{i}" for i in range(len(self._lanes))]
        share = policy.group_share
        self._shares: dict[str, float] | None = None if share is None else dict(share.shares)
        self._group_of = None if share is None else group_of(share.group)
        self._listed = list(self._shares or ())
        self._keys = [(json.dumps(group), group) for group in self._listed]  # (as JSON, name)
        self._lock = threading.Lock()
        self._db: Database = open_database(url, timeout=timeout)
        self.url = self._db.url
        try:
            # A listed group the database cannot hold would fail every claim (its parameter).
            for group in self._listed:
                why = _unstorable(group, bool(self._db.for_update))
                if why is not None:
                    raise InputError(
                        f"GroupShare group {group!r} cannot be stored in {self.url}: {why}"
                    )
            self._queue_id = self._open_queue(rekey)
        except BaseException:
            self._db.close()
            raise
        # The claim's candidate statements (see _candidates_sql), and the queue's skill sets
        # as last read (sets are only added: the claim reads their count to know).
        self._sql: dict[tuple[Any, ...], str] = {}
        # PostgreSQL: under GroupShare the ledger's row lock orders the claims (the candidate
        # rows are read unlocked); with the score alone, a claim is one statement.
        db = self._db
        self._serialised = self._shares is not None and bool(db.for_update)
        self._one_statement = (
            not self._lanes and not self._listed and (bool(db.for_update) or _RETURNING)
        )
        # PostgreSQL under GroupShare, every lane cut exact in SQL: a claim is one round trip,
        # the core's rule applied by the server (_take_by_ledger), so the ledger's lock is held
        # for the server's work only, not across a round trip to this process.
        self._ledger_in_sql = self._serialised and all(span is not None for span in self._spans)
        self._shares_named = {
            f"w{j}": float((self._shares or {})[g]) for j, g in enumerate(self._listed)
        }
        self._credit: tuple[str | None, dict[str, float]] = ("", dict.fromkeys(self._listed, 0.0))
        # One ledger per queue, its credits set from the database's at each claim.
        self._ledger = None if self._shares is None else ShareLedger(self._shares)
        # The (required, preferred) skill sets of the queue (the Picker's buckets), as texts,
        # and per (agent's skills, claim) the plan of the candidates' statements made from
        # them (_plan; both made again when another process adds a set).
        self._sets: list[tuple[str, str]] = []
        self._plans: dict[tuple[Skills | None, bool], _Plan] = {}
        # The served row's update: a lease (completed_ns untouched: no index page written),
        # or taken for good with its completed_ns.
        self._updates = {lease: self._update_sql(lease=lease) for lease in (True, False)}

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection (the queue stays in the database)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SharedQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SharedQueue(url={self.url!r}, name={self.name!r})"

    def _open_queue(self, rekey: bool) -> int:
        document = _document(self.policy)
        routes = "" if self.routes is None else _document(self.routes)
        db = self._db
        with db.tx():
            db.run(
                "INSERT INTO pz_queue (name, policy, credit, created_ns, routes)"
                " VALUES (?, ?, '{}', ?, ?) ON CONFLICT (name) DO NOTHING",
                (self.name, document, time.time_ns(), routes),
            )
            queue_id, stored, stored_routes = db.run(
                "SELECT id, policy, routes FROM pz_queue WHERE name = ?" + db.for_update,
                (self.name,),
            ).fetchone()
            changed = [
                what
                for what, differs in (
                    ("another policy", stored != document),
                    ("other routes" if stored_routes else "no routes", stored_routes != routes),
                )
                if differs
            ]
            if changed:
                if not rekey:
                    raise SharedQueueError(
                        f"queue {self.name!r} in {self.url} was made with "
                        f"{' and '.join(changed)}; pass rekey=True to re-score its open "
                        "queries under this policy and resolve their skills under these "
                        "routes, or use another name"
                    )
                self._rekey(queue_id, document, routes)
        return int(queue_id)

    def _rekey(self, queue_id: int, document: str, routes: str) -> None:
        db = self._db
        rows = db.run(
            "SELECT query, customer FROM pz_entry WHERE queue_id = ? AND state < 2", (queue_id,)
        ).fetchall()
        updates = []
        for query_json, customer_json in rows:
            query = Query.model_validate_json(query_json)
            customer = Customer.model_validate_json(customer_json)
            base = self.policy.score_value(query, customer)
            row = self._row(query, customer, base, timestamp_ns(query.received_at))
            updates.append((*(row[i] for i in (1, 3, 4, 5, 10, 11, 12)), queue_id, query.query_id))
        db.run_many(
            "UPDATE pz_entry SET sort_key = ?, limit_minutes = ?, share_group = ?, base_score = ?,"
            " skills = ?, listed_group = ?, prefer = ? WHERE queue_id = ? AND query_id = ?",
            updates,
        )
        sets = sorted({(u[4], u[6]) for u in updates})
        db.run_many(_INSERT_SKILLS, [(queue_id, *pair) for pair in sets])
        db.run(
            "UPDATE pz_queue SET policy = ?, routes = ?, credit = '{}' WHERE id = ?",
            (document, routes, queue_id),
        )

    # ----------------------------------------------------------------- push
    def push(self, query: Query, customer: Customer | None = None) -> None:
        """Add a query (scored once, at its arrival).

        Raises
        ------
        InputError
            The ``query_id`` is waiting, leased or completed in this queue, a
            naive ``received_at``, an unknown customer. Nothing is added.
        """
        self.push_many([(query, customer)])

    def push_many(self, pairs: Iterable[tuple[Query, Customer | None]]) -> None:
        """Push several queries in one transaction: all or none.

        Raises
        ------
        InputError
            As :meth:`push`, or an id twice in the batch; nothing is added.
        """
        rows = []
        for query, customer in pairs:
            cust = lookup_customer(self._customers, query) if customer is None else customer
            arrival = timestamp_ns(query.received_at, f"query {query.query_id!r}: received_at")
            rows.append(self._row(query, cust, self.policy.score_value(query, cust), arrival))
        self._insert(rows)

    def push_frame(self, frame: pd.DataFrame) -> int:
        """Load a canonical query frame in one transaction (all rows or none); the count added.

        Scored vectorised, as :meth:`TriageQueue.push_frame` does.
        """
        ready = prepare_frame(self.policy, frame, routes=self.routes)  # as TriageQueue's
        none = [None] * len(ready.pairs)
        rows = [
            self._row(query, customer, base, arrival, skills, prefer)
            for (query, customer), base, arrival, skills, prefer in zip(
                ready.pairs,
                ready.base,
                ready.arrival,
                ready.skills or none,
                ready.prefer or none,
                strict=True,
            )
        ]
        self._insert(rows)
        return len(rows)

    def _row(
        self,
        query: Query,
        customer: Customer,
        base: float,
        arrival: int,
        skills: Skills | None = None,
        prefer: Skills | None = None,
    ) -> tuple[Any, ...]:
        """The row of a query (its skills resolved here unless given: from the routes,
        else its own)."""
        group = None if self._group_of is None else self._group_of(query, customer)
        if skills is None:
            routes = self.routes
            skills, prefer = (
                (query.skills, NO_SKILLS) if routes is None else routes.resolve(query, customer)
            )
        return (
            query.query_id,
            float(heap_key(base, arrival, self._rate)),
            arrival,
            None if not self._lanes else self._limits[query.channel.value],
            group,
            float(base),
            query.customer_id,
            query.channel.value,
            _json(query, "query"),
            _json(customer, "customer"),
            skills_text(skills),
            group if self._shares is not None and group in self._shares else None,
            skills_text(prefer - skills) if prefer else "",
        )

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        ids = [r[0] for r in rows]
        seen: set[str] = set()
        for query_id in ids:
            if query_id in seen:
                raise InputError(f"query {query_id!r} appears twice in the batch")
            seen.add(query_id)
        if not rows:
            return
        qid = self._queue_id
        with self._lock:
            db = self._db
            try:
                with db.tx():
                    db.run_many(_INSERT, [(qid, *r) for r in rows])
                    sets = sorted({(r[10], r[12]) for r in rows})
                    db.run_many(_INSERT_SKILLS, [(qid, *pair) for pair in sets])
            except db.integrity:
                raise InputError(self._duplicates(ids)) from None
            except db.bad_text:
                found = self._bad_text(rows)
                if found is None:
                    raise
                raise InputError(found) from None

    def _bad_text(self, rows: list[tuple[Any, ...]]) -> str | None:
        """The first text of the rows the database cannot hold, said (None: none; read only
        after the driver refused the batch: no cost on push's path)."""
        postgres = bool(self._db.for_update)
        for row in rows:
            for (_, column), value in zip(_ROW, row, strict=True):
                why = _unstorable(value, postgres) if isinstance(value, str) else None
                if why is not None:
                    return (
                        f"query {row[0]!r} cannot be stored in queue {self.name!r} of "
                        f"{self.url}: its {column} {value!r}: {why}; nothing was added"
                    )
        return None

    def _duplicates(self, ids: list[str]) -> str:
        found: dict[str, int] = {}
        db = self._db
        with db.tx(write=False):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for query_id, state in db.run(
                    f"SELECT query_id, state FROM pz_entry WHERE queue_id = ?"
                    f" AND query_id IN ({marks})",
                    (self._queue_id, *chunk),
                ):
                    found[query_id] = state
        shown = ", ".join(f"{q!r} ({_STATES[s]})" for q, s in list(found.items())[:5])
        return (
            f"query(ies) already in queue {self.name!r} of {self.url}: {shown}; "
            "nothing was added (a completed query is never served again: push a new query_id)"
        )

    # ---------------------------------------------------------------- serve
    def claim(
        self,
        now: datetime,
        *,
        agent: AgentGroup | Iterable[str] | None = None,
        holder: str | None = None,
        lease_minutes: float | None = None,
    ) -> LeasedEntry | None:
        """Lease the next query at ``now`` that ``agent`` may take (None: none waiting).

        ``agent``: an :class:`~prioritize.AgentGroup` or skill names, as in
        :meth:`TriageQueue.pop`; None: any agent. ``holder``: who holds the
        lease, recorded with it (default: the agent group's name). The entry's
        ``token`` goes to :meth:`complete` (answered) or :meth:`release` (back
        at its place). Not completed or released within ``lease_minutes``
        (default: the queue's), it returns to the queue.

        Raises
        ------
        InputError
            A naive ``now``, an ``agent`` that is neither an agent group nor
            skill names, a ``holder`` that is not a str.
        """
        if lease_minutes is None:
            minutes, span = self._lease_minutes, self._lease_span
        else:
            minutes = _check_minutes(lease_minutes)
            span = timedelta(minutes=minutes)
        now_ns = timestamp_ns(now)
        skills = None if agent is None else _agent_skills(agent)
        label = _holder(agent, holder)
        token = os.urandom(16).hex()  # secrets.token_hex(16), one call
        until = now_ns + round(minutes * NS_PER_MINUTE)
        with self._lock:
            found = self._serve(now_ns, skills, (LEASED, token, label, until, now_ns, None))
        if found is None:
            return None
        head, reason = found
        entry = LeasedEntry(head, self.policy)
        entry.token, entry.holder = token, label
        entry.leased_until = now + span
        return _at(entry, now, now_ns, reason)

    def pop(self, now: datetime, *, agent: AgentGroup | Iterable[str] | None = None) -> Entry:
        """Take the next query at ``now`` that ``agent`` may take, for good (no lease).

        ``agent`` as in :meth:`claim`. The query is completed at once.

        Raises
        ------
        QueueEmpty
            If no query is waiting (that this agent may take).
        InputError
            As :meth:`claim`.
        """
        now_ns = timestamp_ns(now)
        skills = None if agent is None else _agent_skills(agent)
        change = (COMPLETED, None, _holder(agent, None), None, now_ns, now_ns)
        with self._lock:
            found = self._serve(now_ns, skills, change)
        if found is None:
            where = f"SharedQueue ({self.name!r} in {self.url})"
            if skills is not None:
                raise QueueEmpty(
                    f"no waiting query that an agent with skills {sorted(skills)} may take "
                    f"in {where}"
                )
            raise QueueEmpty(f"pop from an empty {where}")
        head, reason = found
        return _at(StoredEntry(head, self.policy), now, now_ns, reason)

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
        """What :meth:`claim` at ``now`` would return to ``agent``; changes nothing (None: none)."""
        now_ns = timestamp_ns(now)
        skills = None if agent is None else _agent_skills(agent)
        with self._lock:
            found = self._serve(now_ns, skills, None)
        if found is None:
            return None
        head, reason = found
        return _at(StoredEntry(head, self.policy), now, now_ns, reason)

    def complete(self, query_id: str, token: str) -> None:
        """The leased query was answered: it is never served again.

        Raises
        ------
        LeaseError
            The token does not hold the query (its lease ran out and the query
            was claimed again, it was released or completed, or it is unknown).
        """
        self._finish(query_id, token, _COMPLETE, (time.time_ns(),))

    def release(self, query_id: str, token: str) -> None:
        """Give the leased query back, at its original place (arrival and key unchanged).

        Raises
        ------
        LeaseError
            As :meth:`complete`.
        """
        self._finish(query_id, token, _RELEASE, ())

    def _finish(self, query_id: str, token: str, sql: str, params: tuple[Any, ...]) -> None:
        with self._lock:
            db = self._db
            # One statement: its own transaction (SQLite takes the write lock first).
            cur = db.run(sql, (*params, self._queue_id, query_id, token))
            if cur.rowcount == 1:
                return
            with db.tx(write=False):
                row = db.run(
                    "SELECT state FROM pz_entry WHERE queue_id = ? AND query_id = ?",
                    (self._queue_id, query_id),
                ).fetchone()
        where = "is not in the queue" if row is None else f"is {_STATES[row[0]]}"
        raise LeaseError(
            f"query {query_id!r} {where} and this token does not hold it in queue "
            f"{self.name!r} of {self.url} (a lease that ran out may have gone to another agent)"
        )

    def _serve(
        self, now_ns: int, skills: Skills | None, change: tuple[Any, ...] | None
    ) -> tuple[_Head, Reason] | None:
        """The query served at ``now_ns`` to an agent with ``skills`` (None: any); with
        ``change`` (state, token, holder, lease, claimed, completed) it is taken and the
        ledger booked, else nothing changes."""
        while True:
            if change is not None and self._one_statement:
                found = self._take_head(now_ns, skills, change)
            elif change is not None and self._ledger_in_sql:
                found = self._take_by_ledger(now_ns, skills, change)
            else:
                found = self._serve_once(now_ns, skills, change)
            if found is not _AGAIN:
                return found  # type: ignore[return-value]

    def _sets_for(self, skills: Skills | None) -> list[tuple[str, str, bool]]:
        """The (required, preferred) skill sets an agent with ``skills`` may take from (the
        Picker's buckets), each with whether only its queries whose preference has lapsed
        (the agent lacks a preferred skill): those last."""
        if skills is None:
            return [(need, wish, False) for need, wish in self._sets]
        full, lapsed = [], []
        for need, wish in self._sets:
            if _skills_of(need) <= skills:
                if not wish or _skills_of(wish) <= skills:
                    full.append((need, wish, False))
                elif self._lapse is not None:
                    lapsed.append((need, wish, True))
        return full + lapsed

    def _refresh_sets(self) -> None:
        """Another process pushed a new skill set: read them all."""
        self._plans.clear()
        self._sets = sorted(
            (r[0], r[1])
            for r in self._db.run(
                "SELECT skills, prefer FROM pz_skills WHERE queue_id = ?", (self._queue_id,)
            ).fetchall()
        )

    def _take_head(
        self, now_ns: int, skills: Skills | None, change: tuple[Any, ...]
    ) -> tuple[_Head, Reason] | object | None:
        """A policy whose order is the score alone: the head taken in one statement (its own
        transaction; PostgreSQL: one round trip), the sets' heads compared in it and the
        count of skill sets checked; else (no head, or a new skill set) a transaction of a
        few statements, or _AGAIN."""
        sets = self._sets_for(skills)
        if not sets or len(sets) > _MAX_ARMS:
            return self._serve_once(now_ns, skills, change)
        qid, known = self._queue_id, len(self._sets)
        lease = change[-1] is None
        values = change[:-1] if lease else change
        heads: list[Any] = []
        lapse = _cut(now_ns, self._lapse)
        for need, wish, lapsed in sets:
            heads += (qid, need, wish, lapse, now_ns) if lapsed else (qid, need, wish, now_ns)
        db = self._db
        sql = self._take_sql(len(sets), sum(s[2] for s in sets), lease=lease)
        if db.for_update:  # PostgreSQL: the count comes back even when nothing is taken
            row = db.run(sql, (qid, *heads, *values, qid, known)).fetchone()
            if row[0] != known:
                with db.tx(write=False):
                    self._refresh_sets()
                return _AGAIN
            return None if row[1] is None else (_Head(row[1:]), "score")
        row = db.run(sql, (*values, *heads, qid, known)).fetchone()
        if row is None:  # nothing claimable, or a skill set this process has not seen
            return self._serve_once(now_ns, skills, change)
        return _Head(row), "score"

    def _take_sql(self, sets: int, lapsed: int, *, lease: bool) -> str:
        """The statement of :meth:`_take_head` for ``sets`` skill sets, the last ``lapsed``
        of them read for their queries whose preference has lapsed."""
        key = ("take", sets, lapsed, lease)
        sql = self._sql.get(key)
        if sql is not None:
            return sql
        db = self._db
        order = " ORDER BY sort_key DESC, arrival_ns, query_id LIMIT 1"
        arms = " UNION ALL ".join(
            f"SELECT * FROM (SELECT {_KEYS}, {db.address} AS address FROM pz_entry"
            " WHERE queue_id = ? AND skills = ? AND prefer = ?"
            + (_LAPSED if i >= sets - lapsed else "")
            + _CLAIMABLE
            + order
            + db.skip_locked
            + f") AS c{i}"
            for i in range(sets)
        )
        done = "" if lease else ", completed_ns = ?"
        change = (
            "UPDATE pz_entry{} SET state = ?, token = ?, agent = ?, lease_ns = ?,"
            f" claimed_ns = ?{done}"
        )
        back = f"{_KEYS}, {db.address}, {_PAYLOAD}"
        count = "SELECT count(*) FROM pz_skills WHERE queue_id = ?"
        if db.for_update:
            back = ", ".join(f"e.{c.strip()}" for c in back.split(","))
            sql = (
                f"WITH n AS ({count.replace('count(*)', 'count(*) AS n')}),"
                f" c AS (SELECT * FROM ({arms}) AS a{order}),"
                " u AS (" + change.format(" AS e") + " FROM c, n WHERE e.queue_id = ?"
                f" AND e.query_id = c.query_id AND n.n = ? RETURNING {back})"
                " SELECT n.n, u.* FROM n LEFT JOIN u ON TRUE"
            )
        else:
            sql = (
                change.format("")
                + f" WHERE rowid = (SELECT address FROM ({arms}){order if sets > 1 else ''})"
                + f" AND ({count}) = ? RETURNING {back}"
            )
        self._sql[key] = sql
        return sql

    def _take_by_ledger(
        self, now_ns: int, skills: Skills | None, change: tuple[Any, ...]
    ) -> tuple[_Head, Reason] | object | None:
        """PostgreSQL under ``GroupShare``: the claim in one round trip (the ledger's row
        locked, then one statement that reads the candidates, applies the core's rule, takes
        the row and books the ledger: :meth:`_ledger_sql`), so that the lock is held while
        the server works only; else (the sets need several statements) :meth:`_serve_once`.
        _AGAIN if another process added a skill set or took the chosen row."""
        plan = self._plan(skills, True)
        if len(plan.chunks) != 1 or not plan.sets:
            return self._serve_once(now_ns, skills, change)
        lease = change[-1] is None
        sql = self._ledger_sql(len(plan.sets), sum(s[2] for s in plan.sets), lease=lease)
        known = len(self._sets)
        params = {**plan.chunks[0][1], **self._now_values(plan, now_ns), **self._shares_named}
        params.update(
            zip(("state", "token", "agent", "lease", "claimed", "done"), change, strict=True)
        )
        params["known"] = known
        db = self._db
        with db.tx():
            db.run("SELECT 1 FROM pz_queue WHERE id = ?" + db.for_update, (self._queue_id,))
            cur = db.run(sql, params)
        row = cur.fetchone()  # (after the commit: one round trip)
        if row[0] != known:
            with db.tx(write=False):
                self._refresh_sets()
            return _AGAIN
        if row[1] is None:
            return None
        if row[3] is None:  # the chosen row was taken meanwhile (removed): ask again
            return _AGAIN
        return _Head(row[3:]), _REASONS[row[2]]

    def _ledger_sql(self, sets: int, lapsed: int, *, lease: bool) -> str:
        """The statement of :meth:`_take_by_ledger` (PostgreSQL) for ``sets`` skill sets, the
        last ``lapsed`` of them read for their queries whose preference lapsed.

        The core's rule on the candidates, as :meth:`_choose` applies it: the oldest overdue
        lane head; else :meth:`ShareLedger.choose <prioritize.policy.ShareLedger.choose>`
        (the listed group owed the most, at least one unit, ties by its head's place in the
        score order; none: the score head); then :meth:`ShareLedger.record
        <prioritize.policy.ShareLedger.record>` on the queue's credits (the listed groups
        with a head earn their share, the others drop to 0, the served row's group pays one
        unit, never below 0; written only if a credit changed). A property test keeps it
        equal to the Python ledger (the same sequence as a TriageQueue)."""
        key = ("ledger", sets, lapsed, lease)
        sql = self._sql.get(key)
        if sql is not None:
            return sql
        db = self._db
        groups = ", ".join(
            f"({j}, CAST(:g{j} AS TEXT), CAST(:w{j} AS DOUBLE PRECISION))"
            for j in range(len(self._listed))
        )
        done = "" if lease else ", completed_ns = :done"
        back = ", ".join(
            f"e.{c.strip()}" for c in f"{_KEYS}, query_id AS address, {_PAYLOAD}".split(",")
        )
        order = "sort_key DESC, arrival_ns, query_id"
        outer = (
            "WITH n AS (SELECT count(*) AS n FROM pz_skills WHERE queue_id = :q),"
            " c AS ({cand}),"
            " late AS (SELECT query_id FROM c WHERE tag >= 0"
            " ORDER BY arrival_ns, query_id LIMIT 1),"
            f" top AS (SELECT query_id FROM c WHERE tag = {_OVERALL} ORDER BY {order} LIMIT 1),"
            " gh AS (SELECT DISTINCT ON (tag) tag, query_id, sort_key, arrival_ns FROM c"
            f" WHERE tag <= {_GROUP} ORDER BY tag, {order}),"
            " cr AS (SELECT v.j, v.g, v.w, COALESCE(CAST(CAST(q.credit AS JSONB) ->> v.g AS"
            f" DOUBLE PRECISION), 0) AS c, EXISTS (SELECT 1 FROM gh WHERE gh.tag = {_GROUP} - v.j)"
            f" AS b FROM (VALUES {groups}) AS v (j, g, w), pz_queue AS q WHERE q.id = :q),"
            f" led AS (SELECT gh.query_id FROM gh JOIN cr ON cr.j = {_GROUP} - gh.tag"
            " WHERE cr.c + cr.w >= 1 ORDER BY cr.c + cr.w DESC, gh.sort_key DESC, gh.arrival_ns,"
            " gh.query_id LIMIT 1),"
            " pick AS (SELECT COALESCE((SELECT query_id FROM late), (SELECT query_id FROM led),"
            " (SELECT query_id FROM top)) AS qid, CASE WHEN EXISTS (SELECT 1 FROM late) THEN 1"
            " WHEN (SELECT query_id FROM led) <> (SELECT query_id FROM top) THEN 2 ELSE 0 END"
            " AS why),"
            " u AS (UPDATE pz_entry AS e SET state = :state, token = :token, agent = :agent,"
            f" lease_ns = :lease, claimed_ns = :claimed{done} WHERE e.queue_id = :q"
            # (scalar subqueries, not a join: the row found by its key, not by a scan)
            " AND e.query_id = (SELECT qid FROM pick) AND (SELECT n FROM n) = :known"
            # (a completed row has no lease: no test of completed_ns, which would match the
            # partial indexes of the order rather than the primary key)
            f" AND (e.state = 0 OR e.lease_ns < :now) RETURNING {back}),"
            " nc AS (SELECT j, g, c, GREATEST(CASE WHEN b THEN c + w ELSE 0 END"
            " - CASE WHEN g = (SELECT share_group FROM u) THEN 1 ELSE 0 END, 0) AS d FROM cr),"
            " l AS (UPDATE pz_queue SET credit = (SELECT '{{' || string_agg(CAST(to_json(g) AS"
            " TEXT) || ': ' || CAST(d AS TEXT), ', ' ORDER BY j) || '}}' FROM nc) WHERE id = :q"
            " AND EXISTS (SELECT 1 FROM u) AND EXISTS (SELECT 1 FROM nc WHERE d <> c))"
            " SELECT n.n, pick.qid, pick.why, u.* FROM n CROSS JOIN pick LEFT JOIN u ON TRUE"
        )
        cand = self._candidates_sql(True, sets, lapsed, False, False, meta=False)
        sql = self._sql[key] = db.named(outer).format(cand=cand)
        return sql

    def _serve_once(
        self, now_ns: int, skills: Skills | None, change: tuple[Any, ...] | None
    ) -> tuple[_Head, Reason] | object | None:
        """:meth:`_serve` in a transaction of a few statements, or _AGAIN."""
        db = self._db
        claim = change is not None
        with db.tx(commit=claim):
            plan = self._plan(skills, claim)
            chosen = self._choose(now_ns, self._candidates(plan, claim, now_ns), book=claim)
            if isinstance(chosen, _Stale):  # read again with every set (stale again: a new tx)
                self._refresh_sets()
                plan = self._plan(skills, claim)
                chosen = self._choose(now_ns, self._candidates(plan, claim, now_ns), book=claim)
            if chosen is None or isinstance(chosen, _Stale):
                return None if chosen is None else _AGAIN
            found, ledger = chosen
            head = found[0]
            if not plan.fold:
                head.payload(
                    db.run(
                        f"SELECT {_PAYLOAD} FROM pz_entry WHERE queue_id = ? AND query_id = ?",
                        (self._queue_id, head.qid),
                    ).fetchone()
                )
            if change is None:
                return found
            where = db.row_params(self._queue_id, head.address)
            lease = change[-1] is None  # a lease: completed_ns untouched (no index page written)
            values = change[:-1] if lease else change
            update = self._updates[lease]
            if ledger is None:
                db.run(update, (*values, *where))
                return found
            # The ledger as read in this transaction (under its lock): written only if it changed
            # (a listed group without a backlog keeps a credit of 0: no page written).
            changed = ledger.credit != self._credit[1]
            text = _credit_text(self._keys, ledger.credit) if changed else self._credit[0]
            if not self._serialised:
                db.run(update, (*values, *where))
                if changed:
                    db.run("UPDATE pz_queue SET credit = ? WHERE id = ?", (text, self._queue_id))
                    self._credit = (text, dict(ledger.credit))
                return found
            # PostgreSQL under GroupShare: the ledger's lock orders the claims, the candidates
            # were read unlocked: the row is taken only if still claimable, the ledger booked
            # only if it was (one statement); else the claim is asked again.
            if changed:
                cur = db.run(
                    "WITH e AS (" + update + _CLAIMABLE + " RETURNING 1)"
                    " UPDATE pz_queue SET credit = ? WHERE id = ? AND EXISTS (SELECT 1 FROM e)",
                    (*values, *where, now_ns, text, self._queue_id),
                )
            else:
                cur = db.run(update + _CLAIMABLE, (*values, *where, now_ns))
        if cur.rowcount != 1:  # read after the commit (the pipeline's one round trip)
            return _AGAIN
        self._credit = (text, dict(ledger.credit))
        return found

    def _read_credit(self, text: str | None) -> dict[str, float]:
        """The ledger's credits stored as ``text`` (the last ones read or written: no parse)."""
        if text != self._credit[0]:
            stored = json.loads(text or "{}")
            self._credit = (text, {g: float(stored.get(g, 0.0)) for g in self._shares or ()})
        return dict(self._credit[1])

    def _update_sql(self, *, lease: bool) -> str:
        """The update of the served row (a lease, or taken for good with its completed_ns)."""
        done = "" if lease else ", completed_ns = ?"
        return (
            "UPDATE pz_entry SET state = ?, token = ?, agent = ?, lease_ns = ?, claimed_ns = ?"
            f"{done} WHERE {self._db.where_row}"
        )

    def _fold(self, sets: int) -> bool:
        """Whether the candidate rows carry the payload (few of them: no second read)."""
        return sets * (len(self._lanes) + 1 + len(self._listed)) <= _FOLD_ARMS

    def _plan(self, skills: Skills | None, claim: bool) -> _Plan:
        """The skill sets an agent with ``skills`` may take from and the candidates'
        statements for them (made once per (skills, claim), until a new set appears)."""
        plan = self._plans.get((skills, claim))
        if plan is None:
            if len(self._plans) > 256:
                self._plans.clear()
            sets = self._sets_for(skills)
            step = max(1, _MAX_ARMS // (len(self._lanes) + 1 + len(self._listed)))
            fold = self._fold(len(sets))
            credit = self._shares is not None
            chunks = [
                self._statement(tuple(sets[start : start + step]), claim, fold, credit, start == 0)
                for start in range(0, max(len(sets), 1), step)
            ]
            lapsed = any(s[2] for s in sets)
            plan = self._plans[skills, claim] = _Plan(sets, chunks, fold, lapsed)
        return plan

    def _candidates(self, plan: _Plan, claim: bool, now_ns: int) -> list[Any]:
        """The candidate rows of the plan's sets at ``now_ns`` (each a head by an index:
        per set, the oldest of each MaxWait limit, the score head and the head of each listed
        group; of a set whose preference the agent lacks, among the queries whose preference
        lapsed; a query whose lease ran out is one of them, at its place), and the facts read
        with them (tagged: the number of skill sets of the queue, its ledger; locked by a
        claim on PostgreSQL, before the candidates are read, so that the ledger's updates
        follow one another; SQLite's write lock already does that)."""
        if claim and self._serialised:
            # The ledger's row locked by a statement of its own (pipelined, not waited for), so
            # that the candidates' statement reads the rows as the previous claim left them.
            self._db.run(
                "SELECT 1 FROM pz_queue WHERE id = ?" + self._db.for_update, (self._queue_id,)
            )
        values = self._now_values(plan, now_ns)
        rows: list[Any] = []
        run = self._db.run
        for sql, fixed in plan.chunks:
            rows += run(sql, {**fixed, **values}).fetchall()
        return rows

    def _now_values(self, plan: _Plan, now_ns: int) -> dict[str, Any]:
        """The candidates' parameters that change with now (see :meth:`_statement`): now, each
        lane's cut, and with a set whose preference lapsed the newest arrival that lapsed and
        the smaller of both."""
        values = {"now": now_ns}
        cuts = [_cut(now_ns, span) for span in self._spans]
        values.update(zip(self._cut_names, cuts, strict=True))
        if plan.lapsed:
            values["lapse"] = lapse = _cut(now_ns, self._lapse)
            values.update(zip(self._min_names, [min(cut, lapse) for cut in cuts], strict=True))
        return values

    def _statement(
        self,
        chunk: tuple[tuple[str, str, bool], ...],
        claim: bool,
        fold: bool,
        credit: bool,
        first: bool,
    ) -> tuple[str, dict[str, Any]]:
        """The candidates' statement for the skill sets ``chunk`` and its parameters that do
        not change with the claim's now (named, each once: ``q`` the queue, ``s<k>`` and
        ``p<k>`` set k's required and preferred skills, ``l<i>`` lane i's limit, ``g<j>``
        listed group j; those :meth:`_candidates` adds: ``now``, ``c<i>`` lane i's cut,
        ``lapse`` the newest arrival whose preference lapsed, ``m<i>`` the smaller of both)."""
        fixed: dict[str, Any] = {"q": self._queue_id}
        for k, (need, wish, _) in enumerate(chunk):
            fixed[f"s{k}"], fixed[f"p{k}"] = need, wish
        fixed.update((f"l{i}", limit) for i, limit in enumerate(self._lanes))
        fixed.update((f"g{j}", group) for j, group in enumerate(self._listed))
        late = sum(s[2] for s in chunk)  # the chunk's lapsed sets, last
        sql = self._candidates_sql(claim, len(chunk), late, fold, first and credit, meta=first)
        return sql, fixed

    def _choose(
        self, now_ns: int, rows: list[Any], *, book: bool
    ) -> tuple[tuple[_Head, Reason], ShareLedger[str] | None] | _Stale | None:
        """The core's rule on the candidate rows (overdue lanes, groups, score): the served
        head and its reason, and the ledger as booked (``book``) or read; None if nothing is
        claimable; _STALE if the queue has more skill sets than this process read (another
        process added one: the rows do not cover it)."""
        late: Any = None  # the oldest overdue lane head
        low: Any = None  # the score head: (token, row)
        heads: dict[str, Any] = {}  # listed group -> (token, row) of its best head over the sets
        count, credit = None, None
        spans = self._spans
        for row in rows:
            tag = row[0]
            if tag >= 0:  # a lane's oldest, overdue unless the SQL cut was not exact
                span = spans[tag]
                if (
                    now_ns - row[3] >= span
                    if span is not None
                    else is_overdue(minutes_between(now_ns, row[3]), self._lanes[tag])
                ) and (late is None or (row[3], row[1]) < (late[3], late[1])):
                    late = row
            elif tag == _OVERALL or tag <= _GROUP:
                token = (-row[2], row[3], row[1])  # the core's tie rule: key desc, arrival, id
                if tag == _OVERALL:
                    if low is None or token < low[0]:
                        low = (token, row)
                else:
                    group = self._listed[_GROUP - tag]
                    known = heads.get(group)
                    if known is None or token < known[0]:
                        heads[group] = (token, row)
            else:  # the facts
                count, credit = row[3], row[4]
        if count != len(self._sets):
            return _STALE
        ledger = self._ledger
        if ledger is not None:
            ledger.credit = self._read_credit(credit)
        if late is not None:
            if ledger is not None and book:
                # The listed groups with a query this agent may take: the served one counts.
                ledger.record(list(heads), str(late[4]))
            return (_Head(late[1:]), "overdue"), ledger
        if low is None:
            return None
        if ledger is None:
            return (_Head(low[1][1:]), "score"), None
        heads.setdefault(str(low[1][4]), low)
        best = {g: h[0] for g, h in heads.items()}
        chosen = ledger.choose(best)
        if book:
            ledger.record(best, chosen)
        row = heads[chosen][1]
        return (_Head(row[1:]), "score" if row[1] == low[1][1] else "group_share"), ledger

    def _candidates_sql(
        self, claim: bool, sets: int, lapsed: int, fold: bool, credit: bool, *, meta: bool
    ) -> str:
        """The statement of :meth:`_candidates` for ``sets`` skill sets, the last ``lapsed``
        of them asked for their queries whose preference lapsed (``claim``: the rows locked;
        ``fold``: the rows carry the payload; ``meta``: the facts too, ``credit``: the ledger
        among them, read first)."""
        key = (claim, sets, lapsed, fold, credit, meta)
        sql = self._sql.get(key)
        if sql is not None:
            return sql
        db = self._db
        lock = db.skip_locked if claim and not self._serialised else ""
        columns = f"{_KEYS}, {db.address} AS address" + (f", {_PAYLOAD}" if fold else "")
        # {tag}, {k} the set, {cut} the lane's newest arrival (c<i>, or m<i> for a lapsed
        # set), {more} a listed group's and a lapsed set's conditions, {n} the arm.
        lane = (
            f"SELECT * FROM (SELECT {{tag}} AS tag, {columns} FROM pz_entry WHERE queue_id = :q"
            " AND skills = :s{k} AND prefer = :p{k} AND limit_minutes = :l{i}"
            " AND arrival_ns <= :{cut}" + _CLAIMABLE_NOW + " ORDER BY arrival_ns, query_id"
            " LIMIT 1" + lock + ") AS c{n}"
        )
        head = (
            f"SELECT * FROM (SELECT {{tag}} AS tag, {columns} FROM pz_entry WHERE queue_id = :q"
            " AND skills = :s{k} AND prefer = :p{k}{more}"
            + _CLAIMABLE_NOW
            + " ORDER BY sort_key DESC, arrival_ns, query_id"
            " LIMIT 1" + lock + ") AS c{n}"
        )
        arms: list[str] = []
        if meta:
            # (tag, -, -, count, credit, -, address[, payload]): typed for PostgreSQL's UNION
            nulls = ", CAST(NULL AS TEXT), CAST(NULL AS TEXT)"
            if fold:
                nulls += ", CAST(NULL AS DOUBLE PRECISION)" + ", CAST(NULL AS TEXT)" * 3
            facts = "SELECT {}, CAST(NULL AS TEXT), CAST(NULL AS DOUBLE PRECISION), {}, {}" + nulls
            of_queue = " FROM pz_skills WHERE queue_id = :q"
            if credit:  # one row: the count and the ledger
                arms.append(
                    "SELECT * FROM ("
                    + facts.format(_CREDIT, f"(SELECT count(*){of_queue})", "credit")
                    + " FROM pz_queue WHERE id = :q) AS l"
                )
            else:
                arms.append(facts.format(_COUNT, "count(*)", "CAST(NULL AS TEXT)") + of_queue)
        for k in range(sets):
            lapsed_set = k >= sets - lapsed
            late = " AND arrival_ns <= :lapse" if lapsed_set else ""
            for i in range(len(self._lanes)):
                cut = f"m{i}" if lapsed_set else f"c{i}"
                arms.append(lane.format(tag=i, k=k, i=i, cut=cut, n=len(arms)))
            arms.append(head.format(tag=_OVERALL, k=k, more=late, n=len(arms)))
            for j in range(len(self._listed)):
                more = f" AND listed_group = :g{j}{late}"
                arms.append(head.format(tag=_GROUP - j, k=k, more=more, n=len(arms)))
        sql = self._sql[key] = db.named(" UNION ALL ".join(arms))
        return sql

    # --------------------------------------------------------------- remove
    def remove(self, query_id: str) -> Query:
        """Remove a waiting query (answered elsewhere); returns it. It may be pushed again.

        Raises
        ------
        InputError
            If no such query is waiting (a leased one is completed or released
            by its holder); the queue is unchanged.
        """
        with self._lock:
            db = self._db
            with db.tx():
                row = db.run(
                    "SELECT state, query FROM pz_entry WHERE queue_id = ? AND query_id = ?",
                    (self._queue_id, query_id),
                ).fetchone()
                if row is None or row[0] != WAITING:
                    where = "not in the queue" if row is None else _STATES[row[0]]
                    raise InputError(
                        f"query {query_id!r} is not waiting in queue {self.name!r} ({where})"
                    )
                db.run(
                    "DELETE FROM pz_entry WHERE queue_id = ? AND query_id = ?",
                    (self._queue_id, query_id),
                )
        return Query.model_validate_json(row[1])

    # ------------------------------------------------------------ inspection
    def __len__(self) -> int:
        with self._lock:
            db = self._db
            with db.tx(write=False):
                row = db.run(
                    "SELECT count(*) FROM pz_entry WHERE queue_id = ? AND completed_ns IS NULL"
                    " AND state = 0",
                    (self._queue_id,),
                ).fetchone()
        return int(row[0])

    def __contains__(self, query_id: object) -> bool:
        """Whether ``query_id`` is waiting."""
        with self._lock:
            db = self._db
            with db.tx(write=False):
                row = db.run(
                    "SELECT 1 FROM pz_entry WHERE queue_id = ? AND query_id = ? AND state = 0",
                    (self._queue_id, query_id),
                ).fetchone()
        return row is not None

    def snapshot(self, *, now: datetime | None = None) -> pd.DataFrame:
        """The waiting queries, as :meth:`TriageQueue.snapshot` shows them.

        With ``now``, leased queries whose lease has run out by ``now`` count
        as waiting (they are, from the next claim on).
        """
        now_ns = None if now is None else timestamp_ns(now)
        sql = (
            f"SELECT {_COLUMNS} FROM pz_entry WHERE queue_id = ? AND completed_ns IS NULL"
            " AND (state = 0"
        )
        params: tuple[Any, ...] = (self._queue_id,)
        if now_ns is not None:
            sql += " OR (state = 1 AND lease_ns < ?)"
            params = (*params, now_ns)
        with self._lock:
            db = self._db
            with db.tx(write=False):
                heads = [_Head(r) for r in db.run(sql + ")", params).fetchall()]
        entries: list[Entry] = [StoredEntry(h, self.policy) for h in heads]
        arrivals = np.array([h.arrival for h in heads], dtype=np.int64)
        return snapshot_frame(self.policy, entries, arrivals.tolist(), now)


E = TypeVar("E", bound=StoredEntry)


def _at(entry: E, now: datetime, now_ns: int, reason: Reason) -> E:
    """The entry as served at ``now``: scored at ``now``, or at its arrival if that is later."""
    entry._now = now if now_ns >= entry._arrival else entry.query.received_at
    entry.reason = reason
    return entry


_SETS: dict[str, Skills] = {"": NO_SKILLS}


def _skills_of(text: str) -> Skills:
    """A stored skill set (names joined by commas, as :func:`skills_text` writes them)."""
    found = _SETS.get(text)
    if found is None:
        if len(_SETS) > 4096:
            _SETS.clear()
        found = _SETS[text] = skill_set(text)
    return found


_INT64 = (-(2**63), 2**63 - 1)
_MICROSECOND = timedelta(microseconds=1)


def _overdue_after(limit: float) -> int | None:
    """The shortest wait (ns, a difference of two int64) that :func:`is_overdue` finds past
    ``limit``: waits are overdue exactly from it on (the core's test is monotone in the wait).
    None if no such difference (then each lane head is tested)."""

    def late(wait: int) -> bool:
        return bool(is_overdue(minutes_between(wait, 0), limit))

    low, high = _INT64
    if not late(high):
        return None
    if late(low):
        return low
    return first_true(late, low, high)


def _cut(now_ns: int, span: int | None) -> int:
    """The newest arrival a lane's candidate may have at ``now_ns`` (clamped to int64)."""
    if span is None:
        return _INT64[1]
    return min(max(now_ns - span, _INT64[0]), _INT64[1])


def _json(model: Query | Customer, what: str) -> str:
    """The model as the JSON stored in its row; a text no JSON can hold (a lone surrogate
    in a message or an id) is an :class:`InputError` naming the query, not pydantic's
    serialization error."""
    try:
        return model.model_dump_json()
    except PydanticSerializationError as exc:
        qid = model.query_id if isinstance(model, Query) else model.customer_id
        raise InputError(
            f"{what} {qid!r} cannot be stored as JSON (a lone surrogate is no UTF-8 text?): "
            f"{exc}; nothing was added"
        ) from None


def _unstorable(text: str, postgres: bool) -> str | None:
    """Why the database cannot hold ``text`` (None: it can)."""
    if postgres and "\x00" in text:
        return "PostgreSQL's text holds no NUL character"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "a lone surrogate is no UTF-8 text"
    return None


def _credit_text(keys: list[tuple[str, str]], credit: Mapping[str, float]) -> str:
    """``json.dumps(credit)`` of the listed groups' credits, ``keys`` their (name as JSON,
    name) in the ledger's order (finite floats: written as json writes them, their repr)."""
    return "{" + ", ".join(f"{key}: {credit[group]!r}" for key, group in keys) + "}"


def _document(model: Policy | Routes) -> str:
    """A policy or routes as the JSON text a queue's row keeps (its identity)."""
    return json.dumps(model.model_dump(mode="json"), sort_keys=True)


def _holder(agent: Any, holder: Any) -> str | None:
    """Who a lease is recorded for: ``holder``, else the agent group's name."""
    if holder is None:
        return agent.name if isinstance(agent, AgentGroup) else None
    if not isinstance(holder, str):
        raise InputError(f"holder must be a str (who holds the lease); got {holder!r}")
    return holder


def _check_minutes(value: Any) -> float:
    return check_number("lease_minutes", value, positive=True)
