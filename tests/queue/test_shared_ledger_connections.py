"""SharedQueue's GroupShare ledger across connections and processes.

The ledger lives in the queue's row: what one connection books, the next claim of
any other connection reads, whichever path booked it (PostgreSQL's one statement,
``SharedQueue._ledger_sql``, or the Python rule of the fallback and of SQLite).
Checked here against a :class:`~prioritize.policy.ShareLedger` replayed in Python:
a skill set another connection adds between two claims, a queue closed and opened
again, a re-key (the ledger starts afresh), and a process killed by SIGKILL while it
holds the ledger's lock (the next claims neither wait for it nor lose a booking).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from test_shared_processes import _collect

import prioritize as pz
from prioritize.policy import ShareLedger

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CTX = mp.get_context("fork" if sys.version_info < (3, 12) else "forkserver")
SHARES = {'a "quoted" \\ group': 0.25, "b}": 0.5}
POLICY = pz.Policy(
    weights={"urgency": 1.0},
    rules=[
        pz.rules.MaxWait(minutes=600),
        pz.rules.GroupShare(group="region", shares=SHARES),
    ],
)
LABELS = [*SHARES, "other"]


def pair(i: int, skills: frozenset[str] = frozenset()) -> tuple[pz.Query, pz.Customer]:
    query = pz.Query(
        query_id=f"q{i:04d}",
        customer_id="c",
        received_at=T0 + timedelta(seconds=i),
        channel="chat",
        urgency=(i * 7 % 10) / 10,
        skills=skills,
        attributes={"region": LABELS[i % 3]},
    )
    return query, pz.Customer(customer_id="c")


def stored_credit(q: pz.SharedQueue) -> dict[str, float]:
    db = q._db
    with db.tx(write=False):
        text = db.run("SELECT credit FROM pz_queue WHERE id = ?", (q._queue_id,)).fetchone()[0]
    stored = json.loads(text or "{}")
    return {group: float(stored.get(group, 0.0)) for group in SHARES}


class Replay:
    """The reference: a TriageQueue (ids, reasons) and ShareLedger (credits) fed alike."""

    def __init__(self) -> None:
        self.model = pz.TriageQueue(POLICY, remember=0)
        self.ledger = ShareLedger(SHARES)
        self.groups: dict[str, str] = {}

    def push(self, pairs: list[tuple[pz.Query, pz.Customer]]) -> None:
        self.model.push_many(pairs)
        self.groups.update((q.query_id, q.attributes["region"]) for q, _ in pairs)

    def claim(self, q: pz.SharedQueue, now: datetime) -> None:
        want = self.model.pop(now)
        got = q.pop(now)
        assert (got.query_id, got.reason) == (want.query_id, want.reason)
        self.ledger.record(set(self.groups.values()), self.groups.pop(got.query_id))
        assert stored_credit(q) == self.ledger.credit


def test_a_skill_set_added_by_another_connection_between_claims(db_url: str) -> None:
    name = uuid.uuid4().hex
    ref = Replay()
    now = T0 + timedelta(minutes=5)
    with (
        pz.SharedQueue(POLICY, db_url, name=name) as q,
        pz.SharedQueue(POLICY, db_url, name=name) as other,
    ):
        first = [pair(i) for i in range(6)]
        q.push_many(first)
        ref.push(first)
        for step in range(30):
            ref.claim(q, now)
            # another connection adds queries of a new skill set (one q has not read)
            batch = [pair(100 + 3 * step + k, frozenset({f"s{step}"})) for k in range(3)]
            other.push_many(batch)
            ref.push(batch)
        while len(ref.model):
            ref.claim(q, now)


def test_the_ledger_survives_reopening_and_a_rekey_starts_it_afresh(db_url: str) -> None:
    name = uuid.uuid4().hex
    ref = Replay()
    now = T0 + timedelta(minutes=5)
    pairs = [pair(i) for i in range(40)]
    ref.push(pairs)
    with pz.SharedQueue(POLICY, db_url, name=name) as q:
        q.push_many(pairs)
        for _ in range(7):
            ref.claim(q, now)
    for _ in range(5):  # closed and opened again: the credits as they were
        with pz.SharedQueue(POLICY, db_url, name=name) as q:
            assert stored_credit(q) == ref.ledger.credit
            for _ in range(3):
                ref.claim(q, now)
    other = pz.Policy(weights={"urgency": 2.0}, rules=POLICY.rules)
    with pz.SharedQueue(other, db_url, name=name, rekey=True) as q:
        assert stored_credit(q) == dict.fromkeys(SHARES, 0.0)
        ref.ledger = ShareLedger(SHARES)
        ref.model = pz.TriageQueue(other, remember=0)
        ref.model.push_many([p for p in pairs if p[0].query_id in ref.groups])
        while len(ref.model):
            ref.claim(q, now)


def hold_the_ledger(url: str, name: str, ready: Any) -> None:
    """Lock the ledger's row as a claim does, then hang (killed meanwhile)."""
    q = pz.SharedQueue(POLICY, url, name=name)
    db = q._db
    with db.tx():
        db.run("SELECT credit FROM pz_queue WHERE id = ?" + db.for_update, (q._queue_id,))
        db.run("SELECT 1").fetchone()  # (sent and answered: the lock is held)
        ready.set()
        os.kill(os.getpid(), signal.SIGSTOP)  # stopped, not exited: the connection stays


def test_a_process_killed_holding_the_ledger_s_lock_blocks_no_claim(db_url: str) -> None:
    name = uuid.uuid4().hex
    ref = Replay()
    now = T0 + timedelta(minutes=5)
    pairs = [pair(i) for i in range(20)]
    ref.push(pairs)
    with pz.SharedQueue(POLICY, db_url, name=name, timeout=20) as q:
        q.push_many(pairs)
        for _ in range(4):
            ref.claim(q, now)
        for _ in range(3):
            ready = CTX.Event()
            p = CTX.Process(target=hold_the_ledger, args=(db_url, name, ready))
            p.start()
            assert ready.wait(30)
            os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
            p.join(10)
            assert p.exitcode == -signal.SIGKILL
            for _ in range(2):
                ref.claim(q, now)
        while len(ref.model):
            ref.claim(q, now)


HOSTILE_SHARES = {'"': 0.2, "\\": 0.2, "}, ": 0.2, "😀": 0.2, "": 0.1}
HOSTILE_POLICY = pz.Policy(
    weights={"urgency": 1.0},
    rules=[
        pz.rules.MaxWait(minutes=30),
        pz.rules.GroupShare(group="region", shares=HOSTILE_SHARES),
    ],
)


def claim_all(url: str, name: str, out: Any) -> None:
    done: list[str] = []
    try:
        with pz.SharedQueue(HOSTILE_POLICY, url, name=name) as q:
            # (one now: a claim at a later now would take a lease that ran out at it)
            while (entry := q.claim(T0 + timedelta(minutes=40))) is not None:
                q.complete(entry.query_id, entry.token)
                done.append(entry.query_id)
    finally:
        out.put(done)  # (a worker that failed: its exit code says so)


def test_processes_claiming_under_hostile_labels_serve_each_query_once(db_url: str) -> None:
    name, total = uuid.uuid4().hex, 240
    labels = [*HOSTILE_SHARES, "unlisted"]
    pairs = [
        (
            pz.Query(
                query_id=f"q{i:04d}",
                customer_id="c",
                received_at=T0 + timedelta(seconds=5 * i),
                channel="chat",
                urgency=(i * 7 % 10) / 10,
                attributes={"region": labels[i % len(labels)]},
            ),
            pz.Customer(customer_id="c"),
        )
        for i in range(total)
    ]
    with pz.SharedQueue(HOSTILE_POLICY, db_url, name=name) as q:
        q.push_many(pairs)
    out = CTX.Queue()
    workers = [CTX.Process(target=claim_all, args=(db_url, name, out)) for _ in range(4)]
    for p in workers:
        p.start()
    served = _collect(out, workers)
    assert sorted(served) == [query.query_id for query, _ in pairs]  # each exactly once
    with pz.SharedQueue(HOSTILE_POLICY, db_url, name=name) as q:
        db = q._db
        with db.tx(write=False):
            text = db.run("SELECT credit FROM pz_queue WHERE id = ?", (q._queue_id,)).fetchone()[0]
        # the last claim left no backlog: every listed group's credit reset to 0
        assert json.loads(text) in ({}, dict.fromkeys(HOSTILE_SHARES, 0.0))
