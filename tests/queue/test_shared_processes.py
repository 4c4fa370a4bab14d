"""SharedQueue across processes (not threads): exactly once, SIGKILL, all-or-nothing."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# fork is fastest; Python 3.12+ warns about fork in a process with threads, so use forkserver
# there (checked to pass on 3.11 too).
CTX = mp.get_context("fork" if sys.version_info < (3, 12) else "forkserver")
POLICY = pz.Policy(
    weights={"urgency": 1.0, "follower_reach": 0.5},
    rules=[
        pz.rules.Aging(points_per_hour=1.0),
        pz.rules.MaxWait(minutes=30),
        pz.rules.GroupShare(group="channel", shares={"email": 0.3}),
    ],
)
# The score alone: a claim is one statement (SQLite UPDATE ... RETURNING, PostgreSQL one
# round trip) instead of a transaction behind the ledger's lock.
PLAIN = pz.Policy(weights={"urgency": 1.0, "follower_reach": 0.5})
POLICIES = {"rules": POLICY, "plain": PLAIN}


def pair(i: int) -> tuple[pz.Query, pz.Customer]:
    channel = ("chat", "email", "twitter")[i % 3]
    q = pz.Query(
        query_id=f"q{i:05d}",
        customer_id=f"c{i}",
        received_at=T0 + timedelta(seconds=i),
        channel=channel,
        urgency=(i * 7 % 10) / 10,
    )
    return q, pz.Customer(customer_id=f"c{i}", followers=i * 37 % 5000)


def produce(url: str, name: str, ids: list[int], policy: str = "rules") -> None:
    with pz.SharedQueue(POLICIES[policy], url, name=name) as q:
        for start in range(0, len(ids), 10):
            q.push_many([pair(i) for i in ids[start : start + 10]])


def consume(
    url: str, name: str, now: datetime, total: int, out: Any, policy: str = "rules"
) -> None:
    done = []
    with pz.SharedQueue(POLICIES[policy], url, name=name) as q:
        idle = time.monotonic()
        while time.monotonic() - idle < 5:
            entry = q.claim(now)
            if entry is None:
                if _completed(q) >= total:
                    break
                time.sleep(0.005)
                continue
            q.complete(entry.query_id, entry.token)
            done.append(entry.query_id)
            idle = time.monotonic()
    out.put(done)


def _completed(q: pz.SharedQueue) -> int:
    db = q._db
    with db.tx(write=False):
        row = db.run(
            "SELECT count(*) FROM pz_entry WHERE queue_id = ? AND state = 2", (q._queue_id,)
        ).fetchone()
    return int(row[0])


def _collect(out: Any, consumers: list[Any]) -> list[str]:
    served: list[str] = []
    for _ in consumers:
        served += out.get(timeout=60)
    for p in consumers:
        p.join(10)
        assert p.exitcode == 0
    return served


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_four_producers_four_consumers_complete_each_query_once(db_url: str, policy: str) -> None:
    name, total = uuid.uuid4().hex, 400
    # schema and queue made once, up front
    pz.SharedQueue(POLICIES[policy], db_url, name=name).close()
    out = CTX.Queue()
    now = T0 + timedelta(hours=1)
    producers = [
        CTX.Process(target=produce, args=(db_url, name, list(range(k, total, 4)), policy))
        for k in range(4)
    ]
    consumers = [
        CTX.Process(target=consume, args=(db_url, name, now, total, out, policy)) for _ in range(4)
    ]
    for p in producers + consumers:
        p.start()
    served = _collect(out, consumers)
    for p in producers:
        p.join(30)
        assert p.exitcode == 0
    assert len(served) == total
    assert sorted(served) == [f"q{i:05d}" for i in range(total)]  # each exactly once
    with pz.SharedQueue(POLICIES[policy], db_url, name=name) as q:
        assert len(q) == 0 and _completed(q) == total


def hold(url: str, name: str, count: int, ready: Any, held: Any) -> None:
    q = pz.SharedQueue(POLICY, url, name=name)
    ids = []
    for _ in range(count):
        entry = q.claim(T0 + timedelta(minutes=1), lease_minutes=5)
        assert entry is not None
        ids.append(entry.query_id)
    held.put(ids)
    ready.set()
    time.sleep(120)  # killed long before


def test_consumers_killed_holding_leases_lose_nothing(db_url: str) -> None:
    name, total = uuid.uuid4().hex, 60
    with pz.SharedQueue(POLICY, db_url, name=name) as q:
        q.push_many([pair(i) for i in range(total)])
    held_q = CTX.Queue()
    holders = []
    for _ in range(2):
        ready = CTX.Event()
        p = CTX.Process(target=hold, args=(db_url, name, 5, ready, held_q))
        p.start()
        assert ready.wait(30)
        holders.append(p)
    held = held_q.get(timeout=10) + held_q.get(timeout=10)
    for p in holders:
        os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
        p.join(10)
        assert p.exitcode == -signal.SIGKILL
    # Before the leases run out the held queries are not served; after, others complete them.
    with pz.SharedQueue(POLICY, db_url, name=name) as q:
        early = []
        while (e := q.claim(T0 + timedelta(minutes=2))) is not None:
            q.complete(e.query_id, e.token)
            early.append(e.query_id)
        assert set(early).isdisjoint(held) and len(early) == total - len(held)
    out = CTX.Queue()
    consumers = [
        CTX.Process(target=consume, args=(db_url, name, T0 + timedelta(minutes=7), total, out))
        for _ in range(2)
    ]
    for p in consumers:
        p.start()
    late = _collect(out, consumers)
    assert sorted(late) == sorted(held)
    assert sorted(early + late) == [f"q{i:05d}" for i in range(total)]


def push_and_die(url: str, name: str, inside: Any) -> None:
    q = pz.SharedQueue(POLICY, url, name=name)
    q.push_many([pair(i) for i in range(10)])  # a whole batch, committed
    db = q._db
    insert = db.run_many

    def stall(sql: str, rows: Any) -> None:
        insert(sql, rows)  # the rows are written, the transaction not committed
        inside.set()
        time.sleep(120)

    db.run_many = stall  # type: ignore[method-assign]
    q.push_many([pair(i) for i in range(10, 50)])


@pytest.mark.parametrize("after", ["inside", "just_started"])
def test_producer_killed_inside_push_many_adds_all_or_nothing(db_url: str, after: str) -> None:
    name = uuid.uuid4().hex
    pz.SharedQueue(POLICY, db_url, name=name).close()
    inside = CTX.Event()
    p = CTX.Process(target=push_and_die, args=(db_url, name, inside))
    p.start()
    if after == "inside":
        assert inside.wait(30)
    else:  # at whatever instant the process happens to be
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
    p.join(10)
    with pz.SharedQueue(POLICY, db_url, name=name) as q:
        ids = set(q.snapshot()["query_id"])
        first = {f"q{i:05d}" for i in range(10)}
        # the second batch stalls before its commit: it is never there, the first all or not at all
        assert ids == first if after == "inside" else ids in (set(), first)
        # the database is usable at once: the dead process's locks are gone
        q.push_many([pair(i) for i in range(100, 105)])
        assert len(q) == len(ids) + 5


NEEDS = [frozenset(), frozenset({"es"}), frozenset({"en"}), frozenset({"billing"}),
         frozenset({"en", "billing"})]  # fmt: skip
GROUPS = {
    "spanish": pz.AgentGroup("spanish", agents=2, skills={"es"}),
    "english": pz.AgentGroup("english", agents=2, skills={"en", "billing"}),
}


def skilled(i: int) -> tuple[pz.Query, pz.Customer]:
    q, c = pair(i)
    return q.model_copy(update={"skills": NEEDS[i % len(NEEDS)]}), c


def consume_as(url: str, name: str, group: str, now: datetime, total: int, out: Any) -> None:
    done = []
    agent = GROUPS[group]
    with pz.SharedQueue(POLICY, url, name=name) as q:
        idle = time.monotonic()
        while time.monotonic() - idle < 5:
            entry = q.claim(now, agent=agent)
            if entry is None:
                if _completed(q) >= total:
                    break
                time.sleep(0.005)
                continue
            assert entry.holder == group
            q.complete(entry.query_id, entry.token)
            done.append((entry.query_id, group))
            idle = time.monotonic()
    out.put(done)


def test_two_agent_groups_serve_each_query_once_and_only_what_they_may_take(db_url: str) -> None:
    name, total = uuid.uuid4().hex, 300
    with pz.SharedQueue(POLICY, db_url, name=name) as q:
        q.push_many([skilled(i) for i in range(total)])
    out = CTX.Queue()
    now = T0 + timedelta(hours=1)
    consumers = [
        CTX.Process(target=consume_as, args=(db_url, name, group, now, total, out))
        for group in ("spanish", "english", "spanish", "english")
    ]
    for p in consumers:
        p.start()
    served: list[tuple[str, str]] = []
    for _ in consumers:
        served += out.get(timeout=60)
    for p in consumers:
        p.join(10)
        assert p.exitcode == 0
    assert sorted(qid for qid, _ in served) == [f"q{i:05d}" for i in range(total)]  # once each
    for qid, group in served:
        assert NEEDS[int(qid[1:]) % len(NEEDS)] <= GROUPS[group].skills
    assert {group for _, group in served} == set(GROUPS)
