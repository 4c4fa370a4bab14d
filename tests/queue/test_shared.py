"""SharedQueue on SQLite and PostgreSQL: order = rank = TriageQueue, leases, schema, errors."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import frame_to_objects
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Each example opens a queue on a real database: fewer examples keep each test a few seconds.
FEW = settings(max_examples=15)
BANDS = {"<1k": 10, "1k-10k": 5_000, "10k-100k": 50_000, "100k+": 2_000_000}


@contextmanager
def shared(policy: pz.Policy, url: str, **kw: Any) -> Iterator[pz.SharedQueue]:
    """A new queue (a fresh name) in the test database."""
    kw.setdefault("name", uuid.uuid4().hex)
    q = pz.SharedQueue(policy, url, **kw)
    try:
        yield q
    finally:
        q.close()


def drain(q: pz.SharedQueue | pz.TriageQueue, now: datetime) -> list[str]:
    out = []
    while len(q):
        out.append(q.pop(now).query_id)
    return out


def query(i: int, *, minutes: float = 0, channel: str = "chat", urgency: float = 0.5) -> pz.Query:
    return pz.Query(
        query_id=f"q{i:03d}",
        customer_id=f"c{i}",
        received_at=T0 + timedelta(minutes=minutes),
        channel=channel,
        urgency=urgency,
    )


def customer(i: int, followers: int = 0) -> pz.Customer:
    return pz.Customer(customer_id=f"c{i}", followers=followers)


@FEW
@given(
    pst.policies(),
    pst.query_frames(max_rows=20),
    st.integers(0, 3000),
    st.booleans(),
    st.dictionaries(st.sampled_from(["twitter", "email", "chat"]), st.integers(1, 1440)),
)
def test_pop_order_equals_rank(
    db_url: str,
    policy: pz.Policy,
    frame: pd.DataFrame,
    later: int,
    by_frame: bool,
    per_channel: dict[str, int],
) -> None:
    if policy.max_wait is not None and per_channel:  # per-channel limits too
        rules = [r for r in policy.rules if r.kind != "max_wait"]
        limit = pz.rules.MaxWait(minutes=policy.max_wait.minutes, per_channel=per_channel)
        policy = policy.with_changes(rules=[*rules, limit])
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    with shared(policy, db_url) as q:
        if by_frame:
            assert q.push_frame(frame) == len(frame)
        else:
            q.push_many(frame_to_objects(frame))
        assert len(q) == len(frame)
        expected = list(policy.rank(frame, now=now)["query_id"])
        assert list(q.snapshot(now=now)["query_id"]) == expected
        assert drain(q, now) == expected
        assert q.peek(now) is None and q.claim(now) is None


def _same_sequence(
    q: pz.SharedQueue, model: pz.TriageQueue, clock: datetime, steps: list[int], url: str
) -> None:
    """Serve everything from both queues at the same clock: same ids, reasons, groups."""
    i = 0
    while len(model):
        clock += timedelta(minutes=steps[i % len(steps)])
        if i == 3:  # a restart in the middle: the ledger and the line are in the database
            policy, name = q.policy, q.name
            q.close()
            q = pz.SharedQueue(policy, url, name=name)
        peeked = q.peek(clock)
        want = model.pop(clock)
        got = q.claim(clock) if i % 2 else q.pop(clock)
        assert got is not None and peeked is not None
        assert (got.query_id, got.reason, got.group) == (want.query_id, want.reason, want.group)
        assert peeked.query_id == got.query_id
        if isinstance(got, pz.queue.LeasedEntry):
            q.complete(got.query_id, got.token)
        i += 1
    assert len(q) == 0
    q.close()


@FEW
@given(pst.query_frames(min_rows=2, max_rows=20), st.data())
def test_max_wait_serves_as_the_triage_queue(
    db_url: str, frame: pd.DataFrame, data: st.DataObject
) -> None:
    limit = data.draw(st.integers(1, 600), label="limit")
    email = data.draw(st.integers(1, 600), label="email limit")
    policy = pz.Policy(
        weights={"follower_reach": 1.0, "urgency": 0.5},
        rules=[pz.rules.MaxWait(minutes=limit, per_channel={"email": email})],
    )
    steps = data.draw(st.lists(st.integers(0, 300), min_size=1, max_size=10), label="steps")
    model = pz.TriageQueue(policy)
    model.push_frame(frame)
    q = pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex)
    q.push_frame(frame)
    _same_sequence(q, model, frame["received_at"].max().to_pydatetime(), steps, db_url)


@FEW
@given(
    st.lists(st.sampled_from(sorted(BANDS)), min_size=1, max_size=40),
    st.floats(0.05, 0.6),
    st.floats(0.05, 0.35),
    st.booleans(),
    st.lists(st.integers(0, 40), min_size=1, max_size=5),
)
def test_group_share_ledger_serves_as_the_triage_queue(
    db_url: str, bands: list[str], small: float, big: float, max_wait: bool, steps: list[int]
) -> None:
    """Same sequence as TriageQueue (whose GroupShare guarantee is tested), restart included."""
    rules: list[Any] = [
        pz.rules.GroupShare(group="follower_band", shares={"<1k": small, "100k+": big})
    ]
    if max_wait:
        rules.append(pz.rules.MaxWait(minutes=30, per_channel={"email": 90}))
    policy = pz.Policy(weights={"follower_reach": 1.0, "urgency": 0.3}, rules=rules)
    pairs = [
        (
            query(i, minutes=i, channel=("email", "chat")[i % 2], urgency=(i % 5) / 5),
            customer(i, BANDS[b]),
        )
        for i, b in enumerate(bands)
    ]
    model = pz.TriageQueue(policy)
    model.push_many(pairs)
    q = pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex)
    q.push_many(pairs)
    _same_sequence(q, model, T0 + timedelta(minutes=len(bands)), steps, db_url)


def test_claim_complete_release_and_leases(db_url: str) -> None:
    policy = pz.Policy(weights={"urgency": 1.0})
    with shared(policy, db_url, lease_minutes=5) as q:
        q.push_many(
            [(query(i, minutes=i, urgency=u), customer(i)) for i, u in enumerate([0.2, 0.9, 0.5])]
        )
        now = T0 + timedelta(minutes=10)
        first = q.claim(now, agent="ann")
        assert first is not None and first.query_id == "q001" and first.agent == "ann"
        assert first.leased_until == now + timedelta(minutes=5)
        assert len(q) == 2 and "q001" not in q
        second = q.claim(now)  # the next one: two claims never hold the same query
        assert second is not None and second.query_id == "q002"
        q.release(second.query_id, second.token)  # back at its original place
        again = q.claim(now)
        assert again is not None and again.query_id == "q002" and again.token != second.token
        with pytest.raises(pz.LeaseError, match="q002"):
            q.complete("q002", second.token)  # the old token holds nothing
        q.complete(again.query_id, again.token)
        with pytest.raises(pz.LeaseError, match="completed"):
            q.complete(again.query_id, again.token)
        # first's lease runs out: at a later claim it is back at its place, ahead of q000
        back = q.claim(now + timedelta(minutes=6))
        assert back is not None and back.query_id == "q001"
        with pytest.raises(pz.LeaseError, match="does not hold"):
            q.release("q001", first.token)
        q.complete(back.query_id, back.token)
        # completed ids are refused on re-push, waiting ones too; nothing of the batch is added
        with pytest.raises(pz.InputError, match=r"'q001' \(completed\)"):
            q.push_many([(query(7), customer(7)), (query(1), customer(1))])
        with pytest.raises(pz.InputError, match=r"'q000' \(waiting\)"):
            q.push(query(0), customer(0))
        with pytest.raises(pz.InputError, match="twice"):
            q.push_many([(query(8), customer(8)), (query(8), customer(8))])
        assert list(q.snapshot()["query_id"]) == ["q000"]
        assert q.remove("q000").query_id == "q000"
        with pytest.raises(pz.InputError, match="not waiting"):
            q.remove("q000")
        q.push(query(0), customer(0))  # removed, not served: may come again
        assert q.pop(now).query_id == "q000"
        assert q.try_pop(now) is None
        with pytest.raises(pz.queue.QueueEmpty):
            q.pop(now)


def test_several_named_queues_and_restart(db_url: str) -> None:
    urgent = pz.Policy(weights={"urgency": 1.0})
    fifo = pz.policies.fifo()
    names = (uuid.uuid4().hex, uuid.uuid4().hex)
    pairs = [(query(i, minutes=i, urgency=i / 10), customer(i)) for i in range(5)]
    with shared(urgent, db_url, name=names[0]) as a, shared(fifo, db_url, name=names[1]) as b:
        a.push_many(pairs)
        b.push_many(pairs)
        held = a.claim(T0 + timedelta(hours=1), lease_minutes=60)
        assert held is not None
    # reopened: the same line, the lease still held
    with shared(urgent, db_url, name=names[0]) as a, shared(fifo, db_url, name=names[1]) as b:
        now = T0 + timedelta(hours=1)
        assert drain(a, now) == ["q003", "q002", "q001", "q000"]
        assert drain(b, now) == [f"q{i:03d}" for i in range(5)]
        a.complete(held.query_id, held.token)


def test_policy_change_is_refused_unless_rekeyed(db_url: str) -> None:
    name = uuid.uuid4().hex
    frame = pz.synthetic.queries(n=30, seed=3)
    now = frame["received_at"].max().to_pydatetime()
    with shared(pz.policies.fifo(), db_url, name=name) as q:
        q.push_frame(frame)
    other = pz.policies.influencer_weighted()
    with pytest.raises(pz.SharedQueueError, match="another policy.*rekey=True"):
        pz.SharedQueue(other, db_url, name=name)
    with shared(other, db_url, name=name, rekey=True) as q:
        assert drain(q, now) == list(other.rank(frame, now=now)["query_id"])
    with shared(other, db_url, name=name) as q:  # the new policy is the queue's now
        assert len(q) == 0


def test_newer_schema_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "q.db"
    pz.SharedQueue(pz.policies.fifo(), f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE pz_schema SET version = ?", (pz.queue.SCHEMA_VERSION + 1,))
    conn.close()
    with pytest.raises(pz.SharedQueueError, match="newer"):
        pz.SharedQueue(pz.policies.fifo(), f"sqlite:///{path}")


def test_newer_schema_is_refused_on_postgres(postgres_url: str) -> None:
    import psycopg

    pz.SharedQueue(pz.policies.fifo(), postgres_url, name=uuid.uuid4().hex).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE pz_schema SET version = version + 1")
        try:
            with pytest.raises(pz.SharedQueueError, match="newer"):
                pz.SharedQueue(pz.policies.fifo(), postgres_url)
        finally:
            conn.execute("UPDATE pz_schema SET version = version - 1")


def test_errors_name_the_url_without_password(tmp_path: Any) -> None:
    with socket_closed() as port:
        url = f"postgresql://ann:s3cret@127.0.0.1:{port}/db"
        with pytest.raises(pz.SharedQueueError, match=r"ann:\*\*\*@127\.0\.0\.1") as err:
            pz.SharedQueue(pz.policies.fifo(), url, timeout=2)
        assert "s3cret" not in str(err.value)
    missing = f"sqlite:///{tmp_path}/no/such/dir/q.db"
    with pytest.raises(pz.SharedQueueError, match="no/such/dir"):
        pz.SharedQueue(pz.policies.fifo(), missing)
    with pytest.raises(pz.InputError, match="unknown database url"):
        pz.SharedQueue(pz.policies.fifo(), "mysql://a:b@h/d")
    with pytest.raises(pz.InputError, match="lease_minutes"):
        pz.SharedQueue(pz.policies.fifo(), f"sqlite:///{tmp_path}/q.db", lease_minutes=0)
    with shared(pz.policies.fifo(), f"sqlite:///{tmp_path}/q.db") as q:
        with pytest.raises(pz.InputError, match="timezone-aware"):
            q.claim(datetime(2026, 1, 1))
        with pytest.raises(pz.InputError, match="unknown customer"):
            q.push(query(1))


@contextmanager
def socket_closed() -> Iterator[int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield port


def test_missing_psycopg_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ImportError, match=r"prioritize\[postgres\]"):
        pz.SharedQueue(pz.policies.fifo(), "postgresql://localhost/x")


def test_queries_with_skills_are_refused_until_the_shared_queue_applies_them(tmp_path: Any) -> None:
    policy = pz.policies.fifo()
    with pz.SharedQueue(policy, f"sqlite:///{tmp_path / 'q.db'}") as q:
        now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        plain = pz.Query(query_id="a", customer_id="c", channel="email", received_at=now)
        skilled = pz.Query(
            query_id="b", customer_id="c", channel="email", received_at=now, skills={"es"}
        )
        customer = pz.Customer(customer_id="c")
        with pytest.raises(pz.InputError, match="'b' needs skills"):
            q.push_many([(plain, customer), (skilled, customer)])
        assert len(q) == 0
        q.push(plain, customer)
        entry = q.pop(now)
        assert entry.query_id == "a" and entry.skills == frozenset()
