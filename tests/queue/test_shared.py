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


def query(
    i: int, *, minutes: float = 0, channel: str = "chat", urgency: float = 0.5, skills: Any = ()
) -> pz.Query:
    return pz.Query(
        query_id=f"q{i:03d}",
        customer_id=f"c{i}",
        received_at=T0 + timedelta(minutes=minutes),
        channel=channel,
        urgency=urgency,
        skills=skills,
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
        first = q.claim(now, holder="ann")
        assert first is not None and first.query_id == "q001" and first.holder == "ann"
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


SKILLS = ("es", "en", "billing")
_sets = st.frozensets(st.sampled_from(SKILLS), max_size=2)


@FEW
@given(pst.query_frames(min_rows=1, max_rows=20), st.data())
def test_claims_for_agents_serve_as_the_triage_queue(
    db_url: str, frame: pd.DataFrame, data: st.DataObject
) -> None:
    """For any agents, in any order, with or without routes (preferred skills, before and
    after their timeout), a restart included: the same entries as
    TriageQueue(routes=...).pop(now, agent=...)."""
    frame = frame.copy()
    frame["skills"] = [data.draw(_sets, label="skills") for _ in range(len(frame))]
    frame["language"] = [data.draw(st.sampled_from(["es", "en", None])) for _ in range(len(frame))]
    routes = None
    if data.draw(st.sampled_from([False, True, True]), label="routed"):
        routes = pz.Routes(
            [
                pz.Route(
                    when={"language": "es", "channel": "twitter"},
                    require={"es"},
                    prefer={"billing"},
                ),
                pz.Route(when={"language": "en"}, prefer={"en", "billing"}),
            ],
            skills_timeout_minutes=data.draw(st.none() | st.integers(1, 600), label="timeout"),
        )
    rules: list[Any] = []
    if data.draw(st.booleans(), label="max_wait"):
        limit, email = data.draw(st.integers(1, 600)), data.draw(st.integers(1, 600))
        rules.append(pz.rules.MaxWait(minutes=limit, per_channel={"email": email}))
    if data.draw(st.booleans(), label="group_share"):
        share = data.draw(st.floats(0.1, 0.6), label="share")
        rules.append(pz.rules.GroupShare(group="channel", shares={"twitter": share, "email": 0.3}))
    aging = data.draw(st.sampled_from([0.0, 2.0]), label="aging")
    if aging:
        rules.append(pz.rules.Aging(points_per_hour=aging))
    policy = pz.Policy(weights={"follower_reach": 1.0, "urgency": 0.5}, rules=rules)
    kinds = st.none() | _sets | st.builds(lambda s: pz.AgentGroup("g", agents=1, skills=s), _sets)
    agents = data.draw(st.lists(kinds, min_size=1, max_size=6), label="agents")
    steps = data.draw(st.lists(st.integers(0, 300), min_size=1, max_size=6), label="steps")
    model = pz.TriageQueue(policy, routes=routes)
    model.push_frame(frame)
    name = uuid.uuid4().hex
    with shared(policy, db_url, routes=routes, name=name) as q:
        if data.draw(st.booleans(), label="by_frame"):
            q.push_frame(frame)
        else:
            q.push_many(frame_to_objects(frame, attributes={"language": "query"}))
        clock = frame["received_at"].min().to_pydatetime()
        for i in range(len(frame) + 2):
            clock += timedelta(minutes=steps[i % len(steps)])
            if i == 2:  # a restart: the routes are the queue's, its skill sets in the database
                q.close()
                q = pz.SharedQueue(policy, db_url, routes=routes, name=name)
            agent = agents[i % len(agents)]
            want = model.try_pop(clock, agent=agent)
            peeked = q.peek(clock, agent=agent)
            got = q.claim(clock, agent=agent) if i % 2 else q.try_pop(clock, agent=agent)
            if want is None:
                assert got is None and peeked is None
                continue
            assert got is not None and peeked is not None
            assert (got.query_id, got.reason, got.group, got.skills, got.prefer) == (
                want.query_id,
                want.reason,
                want.group,
                want.skills,
                want.prefer,
            )
            assert peeked.query_id == got.query_id
            if isinstance(got, pz.queue.LeasedEntry):
                q.complete(got.query_id, got.token)
        assert len(q) == len(model)
        q.close()


def test_an_agent_takes_only_what_its_skills_allow(db_url: str) -> None:
    policy = pz.Policy(weights={"urgency": 1.0})
    now = T0 + timedelta(minutes=30)
    needs = {0: {"es"}, 1: {"es", "billing"}, 2: set(), 3: {"EN "}}
    pairs = [(query(i, minutes=i, urgency=i / 10, skills=s), customer(i)) for i, s in needs.items()]
    with shared(policy, db_url) as q:
        q.push_many(pairs)
        spanish = pz.AgentGroup("spanish", agents=2, skills={"es"})
        got = q.claim(now, agent=spanish)
        assert got is not None and got.query_id == "q002" and got.holder == "spanish"
        assert got.skills == frozenset()
        got2 = q.claim(now, agent="es", holder="ann")
        assert got2 is not None and got2.query_id == "q000" and got2.holder == "ann"
        assert got2.skills == {"es"}
        assert q.peek(now, agent=spanish) is None
        with pytest.raises(pz.queue.QueueEmpty, match=r"skills \['es'\] may take"):
            q.pop(now, agent=spanish)
        assert q.try_pop(now, agent=["ES"]) is None
        assert q.pop(now, agent="billing, es").query_id == "q001"
        assert q.pop(now).skills == {"en"}  # any agent
        with pytest.raises(pz.InputError, match="agent="):
            q.claim(now, agent=5)  # type: ignore[arg-type]
        with pytest.raises(pz.InputError, match="holder"):
            q.claim(now, holder=5)  # type: ignore[arg-type]
        snap = q.snapshot()
        assert list(snap["query_id"]) == []


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_older_database_is_migrated_in_place(tmp_path: Any, version: int) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    make, check = _older(version)
    make(url)
    check(url)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_older_database_is_migrated_in_place_on_postgres(
    postgres_url: str, version: int
) -> None:
    make, check = _older(version)
    with fresh_database(postgres_url) as url:
        make(url)
        check(url)


def _older(version: int) -> tuple[Any, Any]:
    """How to make a database of that version with entries, and check it once migrated."""
    return {
        1: (_version_1_with_entries, _migrated_serves),
        2: (_version_2_with_entries, _migrated_v2_serves),
        3: (_version_3_with_entries, _migrated_v3_serves),
    }[version]


@contextmanager
def fresh_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the session's PostgreSQL server; dropped after."""
    import psycopg

    name = "pz_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


POLICY_V1 = pz.Policy(
    weights={"urgency": 1.0},
    rules=[
        pz.rules.MaxWait(minutes=60),
        pz.rules.GroupShare(group="channel", shares={"email": 0.5}),
    ],
)


def _version_1_with_entries(url: str) -> None:
    """A database as version 1 made it: its tables, indexes and three entries, one leased."""
    from prioritize.queue import _shared_db

    db = _shared_db.connect(url, timeout=5)
    try:
        _shared_db._set_up(db, upto=1)
        document = json_policy(POLICY_V1)
        with db.tx():
            db.run(
                "INSERT INTO pz_queue (name, policy, credit, created_ns) VALUES (?, ?, '{}', 0)",
                ("old", document),
            )
            queue_id = db.run("SELECT id FROM pz_queue WHERE name = 'old'").fetchone()[0]
            for i, channel in enumerate(["chat", "email", "chat"]):
                q, c, base, arrival, key = _scored(i, channel)
                db.run(
                    "INSERT INTO pz_entry (queue_id, query_id, state, sort_key, arrival_ns,"
                    " limit_minutes, share_group, base_score, customer_id, channel, query,"
                    " customer) VALUES (?, ?, ?, ?, ?, 60.0, ?, ?, ?, ?, ?, ?)",
                    (
                        queue_id, q.query_id, 1 if i == 2 else 0,
                        key, arrival, channel,
                        base, q.customer_id, channel, q.model_dump_json(), c.model_dump_json(),
                    ),
                )  # fmt: skip
            version = db.run("SELECT version FROM pz_schema").fetchone()[0]
            assert version == 1
    finally:
        db.close()


def _scored(i: int, channel: str) -> tuple[pz.Query, pz.Customer, float, int, float]:
    """Query i of an old database: the query, customer, base score, arrival, key."""
    q, c = query(i, minutes=i, channel=channel, urgency=i / 10), customer(i)
    base = POLICY_V1.score_value(q, c)
    arrival = int(pd.Timestamp(q.received_at).value)
    return q, c, base, arrival, float(pz.policy.heap_key(base, arrival, 0.0))


def json_policy(policy: pz.Policy) -> str:
    import json

    return json.dumps(policy.model_dump(mode="json"), sort_keys=True)


def _migrated_serves(url: str) -> None:
    with shared(POLICY_V1, url, name="old") as q:
        assert len(q) == 2  # the leased one is still leased (its lease never ran out: NULL)
        db = q._db
        with db.tx(write=False):
            assert db.run("SELECT version FROM pz_schema").fetchone()[0] == pz.queue.SCHEMA_VERSION
        spanish = q.claim(T0 + timedelta(minutes=5), agent={"es"})
        assert spanish is not None and spanish.query_id == "q001"  # email owed by GroupShare
        assert spanish.skills == frozenset() and spanish.reason == "score"
        q.push(query(9, skills={"es"}), customer(9))
        assert q.pop(T0 + timedelta(minutes=5), agent="en").query_id == "q000"
        assert q.pop(T0 + timedelta(minutes=5), agent="es").query_id == "q009"
    with shared(POLICY_V1, url, name="old") as q:  # opened again: nothing to migrate
        assert len(q) == 0


@pytest.mark.parametrize(
    "rules",
    [
        [pz.rules.MaxWait(minutes=60)],
        [],
        [pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.5})],
    ],
)
def test_skill_sets_pushed_by_another_process_are_seen(db_url: str, rules: list[Any]) -> None:
    """Under MaxWait a claim is a transaction; with the score alone, one statement; under
    GroupShare on PostgreSQL, one statement after the ledger's lock."""
    policy = pz.Policy(weights={"urgency": 1.0}, rules=rules)
    name = uuid.uuid4().hex
    now = T0 + timedelta(minutes=10)
    with shared(policy, db_url, name=name) as a, shared(policy, db_url, name=name) as b:
        a.push(query(0), customer(0))
        assert a.peek(now) is not None  # a has read the queue's skill sets: just ''
        b.push(query(1, urgency=0.9, skills={"es"}), customer(1))
        got = a.claim(now, agent={"es"})
        assert got is not None and got.query_id == "q001" and got.skills == {"es"}
        assert a.claim(now, agent={"en"}) is not None  # q000: anyone may take it
        assert a.claim(now) is None


@pytest.mark.parametrize(
    "rules", [[], [pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.3})]]
)
def test_many_skill_sets_are_asked_in_several_statements(db_url: str, rules: list[Any]) -> None:
    """More candidate heads than one statement holds: the same order as rank."""
    policy = pz.Policy(weights={"urgency": 1.0, "follower_reach": 0.5}, rules=rules)
    sets = [{f"s{i:03d}"} for i in range(450)]
    pairs = [
        (query(i, minutes=i % 17, urgency=(i * 7 % 10) / 10, skills=s), customer(i, i * 37))
        for i, s in enumerate(sets)
    ]
    model = pz.TriageQueue(policy)
    model.push_many(pairs)
    now = T0 + timedelta(hours=1)
    with shared(policy, db_url) as q:
        q.push_many(pairs)
        agent = {"s007", "s300", "s449"}
        assert q.pop(now, agent=agent).query_id == model.pop(now, agent=agent).query_id
        got = [q.pop(now).query_id for _ in range(40)]
        assert got == [model.pop(now).query_id for _ in range(40)]


def _version_2_with_entries(url: str) -> None:
    """A database as version 2 made it: waiting, leased and completed entries (one completed
    without a completed_ns, which version 2 never wrote but a hand-made row may lack)."""
    from prioritize.queue import _shared_db

    db = _shared_db.connect(url, timeout=5)
    try:
        _shared_db._set_up(db, upto=2)
        with db.tx():
            db.run(
                "INSERT INTO pz_queue (name, policy, credit, created_ns) VALUES (?, ?, '{}', 0)",
                ("v2", json_policy(POLICY_V1)),
            )
            queue_id = db.run("SELECT id FROM pz_queue WHERE name = 'v2'").fetchone()[0]
            far = int(pd.Timestamp(T0 + timedelta(days=1)).value)
            # (state, lease_ns, completed_ns) of q000..q004
            states = [
                (0, None, None),
                (1, far, None),
                (2, None, 5),
                (2, None, None),
                (0, None, None),
            ]
            for i, (state, lease, done) in enumerate(states):
                channel = "email" if i % 2 else "chat"
                q, c, base, arrival, key = _scored(i, channel)
                db.run(
                    "INSERT INTO pz_entry (queue_id, query_id, state, sort_key, arrival_ns,"
                    " limit_minutes, share_group, base_score, customer_id, channel, query,"
                    " customer, skills, listed_group, lease_ns, completed_ns)"
                    " VALUES (?, ?, ?, ?, ?, 60.0, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
                    (
                        queue_id, q.query_id, state,
                        key, arrival, channel, base,
                        q.customer_id, channel, q.model_dump_json(), c.model_dump_json(),
                        channel if channel == "email" else None, lease, done,
                    ),
                )  # fmt: skip
            db.run("INSERT INTO pz_skills (queue_id, skills) VALUES (?, '')", (queue_id,))
    finally:
        db.close()


def _migrated_v2_serves(url: str) -> None:
    now = T0 + timedelta(minutes=5)
    with shared(POLICY_V1, url, name="v2") as q:
        db = q._db
        with db.tx(write=False):
            assert db.run("SELECT version FROM pz_schema").fetchone()[0] == pz.queue.SCHEMA_VERSION
            left = db.run("SELECT count(*) FROM pz_entry WHERE state = 2 AND completed_ns IS NULL")
            assert left.fetchone()[0] == 0
        assert len(q) == 2 and "q001" not in q  # q001 still leased, q002/q003 completed
        for done in (2, 3):
            with pytest.raises(pz.InputError, match="completed"):
                q.push(query(done), customer(done))
        model = pz.TriageQueue(POLICY_V1)
        model.push_many(
            [(query(i, minutes=i, channel="chat", urgency=i / 10), customer(i)) for i in (0, 4)]
        )
        assert [q.pop(now).query_id for _ in range(2)] == [
            model.pop(now).query_id for _ in range(2)
        ]
        assert q.claim(now) is None  # q001's lease runs until tomorrow
        assert q.claim(T0 + timedelta(days=2)).query_id == "q001"  # type: ignore[union-attr]


@given(
    limit=st.one_of(
        st.floats(min_value=0, max_value=1e7), st.sampled_from([0.0, 1e-9, 60.0, 1440.0])
    ),
    waits=st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=20),
)
@settings(max_examples=200, deadline=None)
def test_a_lane_is_cut_in_sql_exactly_where_the_core_finds_it_overdue(
    limit: float, waits: list[int]
) -> None:
    """The claim's lane cut (arrival <= now - span) is the core's MaxWait test, to the ns."""
    from prioritize._internal.times import minutes_between
    from prioritize.queue._shared import _overdue_after

    span = _overdue_after(limit)
    assert span is not None

    def late(wait: int) -> bool:
        return bool(pz.policy.is_overdue(minutes_between(wait, 0), limit))

    assert late(span) and not late(span - 1)
    for wait in [*waits, span + 1, span - 2]:
        if -(2**63) <= wait < 2**63:
            assert late(wait) == (wait >= span)


def _version_3_with_entries(url: str) -> None:
    """A database as version 3 made it: entries with required skills (waiting, leased,
    completed) and the queue's skill sets, no routes."""
    from prioritize.queue import _shared_db

    db = _shared_db.connect(url, timeout=5)
    try:
        _shared_db._set_up(db, upto=3)
        with db.tx():
            db.run(
                "INSERT INTO pz_queue (name, policy, credit, created_ns) VALUES (?, ?, '{}', 0)",
                ("v3", json_policy(POLICY_V1)),
            )
            queue_id = db.run("SELECT id FROM pz_queue WHERE name = 'v3'").fetchone()[0]
            far = int(pd.Timestamp(T0 + timedelta(days=1)).value)
            # (state, lease_ns, completed_ns, skills) of q000..q003
            states = [
                (0, None, None, "es"),
                (1, far, None, ""),
                (2, None, 5, ""),
                (0, None, None, ""),
            ]
            for i, (state, lease, done, skills) in enumerate(states):
                q, c, base, arrival, key = _scored(i, "chat")
                q = q.model_copy(update={"skills": frozenset(skills.split(",")) - {""}})
                db.run(
                    "INSERT INTO pz_entry (queue_id, query_id, state, sort_key, arrival_ns,"
                    " limit_minutes, share_group, base_score, customer_id, channel, query,"
                    " customer, skills, listed_group, lease_ns, completed_ns)"
                    " VALUES (?, ?, ?, ?, ?, 60.0, 'chat', ?, ?, 'chat', ?, ?, ?, NULL, ?, ?)",
                    (
                        queue_id, q.query_id, state, key, arrival, base, q.customer_id,
                        q.model_dump_json(), c.model_dump_json(), skills, lease, done,
                    ),
                )  # fmt: skip
            for skills in ("", "es"):
                db.run("INSERT INTO pz_skills (queue_id, skills) VALUES (?, ?)", (queue_id, skills))
    finally:
        db.close()


def _migrated_v3_serves(url: str) -> None:
    """Migrated to version 4: no routes, no preference; the queue serves as before, and is
    re-keyed under routes only when asked."""
    now = T0 + timedelta(minutes=5)
    routes = pz.Routes(
        [pz.Route(when={"channel": "chat"}, prefer={"vip"})], skills_timeout_minutes=1
    )
    with shared(POLICY_V1, url, name="v3") as q:
        db = q._db
        with db.tx(write=False):
            assert db.run("SELECT version FROM pz_schema").fetchone()[0] == pz.queue.SCHEMA_VERSION
            assert sorted(db.run("SELECT skills, prefer FROM pz_skills").fetchall()) == [
                ("", ""),
                ("es", ""),
            ]
            assert db.run("SELECT DISTINCT prefer FROM pz_entry").fetchall() == [("",)]
            assert db.run("SELECT routes FROM pz_queue").fetchall() == [("",)]
        assert len(q) == 2 and "q001" not in q
        with pytest.raises(pz.InputError, match="completed"):
            q.push(query(2), customer(2))
        assert q.peek(now, agent="en").query_id == "q003"  # type: ignore[union-attr]
    with pytest.raises(pz.SharedQueueError, match="made with no routes.*rekey=True"):
        pz.SharedQueue(POLICY_V1, url, name="v3", routes=routes)
    with shared(POLICY_V1, url, name="v3", routes=routes, rekey=True) as q:
        # every chat query now prefers vip for a minute (q000 and q003 arrived at T0, T0+3min)
        assert q.peek(T0, agent="es") is None
        got = q.pop(T0 + timedelta(minutes=3.5), agent="es")  # q003's preference holds
        assert (got.query_id, got.skills, got.prefer) == ("q000", {"es"}, {"vip"})
        assert q.pop(now, agent="en").query_id == "q003"


@FEW
@given(
    st.lists(st.sampled_from(sorted(BANDS)), min_size=1, max_size=24),
    st.lists(st.sampled_from(sorted(BANDS)), max_size=8),
    st.lists(st.booleans(), min_size=1, max_size=6),
    st.integers(0, 30),
)
def test_the_ledger_written_only_when_it_changes_is_shared_exactly(
    db_url: str, bands: list[str], later: list[str], who: list[bool], at: int
) -> None:
    """Two connections claim in turn (the second pushes more queries midway): the sequence of
    a TriageQueue, whether a claim rewrote the ledger or left it as it was (unchanged: a
    listed group without a backlog keeps 0 credit, no write)."""
    policy = pz.Policy(
        weights={"follower_reach": 1.0, "urgency": 0.3},
        rules=[pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.4, "100k+": 0.2})],
    )
    pairs = [
        (query(i, minutes=i, urgency=(i % 5) / 5), customer(i, BANDS[b]))
        for i, b in enumerate(bands + later)
    ]
    first, rest = pairs[: len(bands)], pairs[len(bands) :]
    model = pz.TriageQueue(policy)
    model.push_many(first)
    now = T0 + timedelta(hours=1)
    name = uuid.uuid4().hex
    with shared(policy, db_url, name=name) as a, shared(policy, db_url, name=name) as b:
        a.push_many(first)
        step = 0
        while len(model) or rest:
            if step == at or not len(model):
                b.push_many(rest)
                model.push_many(rest)
                rest = []
            q = b if who[step % len(who)] else a
            want = model.pop(now)
            got = q.claim(now)
            assert got is not None
            assert (got.query_id, got.reason) == (want.query_id, want.reason)
            q.complete(got.query_id, got.token)
            step += 1
        assert a.claim(now) is None and len(b) == 0


def test_an_unchanged_ledger_is_not_written(db_url: str) -> None:
    """No listed group has a backlog: its credit stays 0, the queue's row is not rewritten."""
    policy = pz.Policy(
        weights={"urgency": 1.0},
        rules=[pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.5})],
    )
    with shared(policy, db_url) as q:
        q.push_many([(query(i), customer(i, 50_000)) for i in range(4)])
        db = q._db
        q.pop(T0)
        if db.for_update:  # PostgreSQL: an update makes a new row version (a new xmin)
            read = "SELECT xmin::text FROM pz_queue WHERE id = ?"
            with db.tx(write=False):
                before = db.run(read, (q._queue_id,)).fetchone()[0]
            for _ in range(3):
                q.pop(T0)
            with db.tx(write=False):
                assert db.run(read, (q._queue_id,)).fetchone()[0] == before
        else:  # SQLite: the rows this connection changed, one per pop (the served one)
            before = db.conn.total_changes
            for _ in range(3):
                q.pop(T0)
            assert db.conn.total_changes - before == 3


@given(
    st.dictionaries(st.text(max_size=6), st.floats(min_value=0, allow_infinity=False), max_size=4)
)
def test_the_ledger_is_stored_as_json_dumps_writes_it(credit: dict[str, float]) -> None:
    import json

    from prioritize.queue._shared import _credit_text

    keys = [(json.dumps(group), group) for group in credit]
    assert _credit_text(keys, credit) == json.dumps(credit)
