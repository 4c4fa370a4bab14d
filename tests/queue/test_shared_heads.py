"""SharedQueue on SQLite keeps each index's first rows between claims: never a stale answer.

A queue keeps them while no other connection commits (``PRAGMA data_version``)
and applies its own changes to them. The oracle is a third connection's
``peek`` (which never keeps heads) at the same ``now``, just before each claim.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = pz.Policy(
    weights={"urgency": 1.0, "follower_reach": 0.5},
    rules=[
        pz.rules.Aging(points_per_hour=30.0),
        pz.rules.MaxWait(minutes=30, per_channel={"twitter": 10, "email": 90}),
        pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.3, "100k+": 0.2}),
    ],
)
CHANNELS = ("twitter", "email", "chat")
FOLLOWERS = (10, 5_000, 2_000_000)
AGENTS: tuple[Any, ...] = (None, set(), {"es"}, {"es", "billing"}, {"vip"})
# Preferred skills that lapse after 10 minutes: a claim then asks some sets for their oldest.
ROUTES = pz.Routes(
    [
        pz.Route(when={"channel": "chat"}, prefer={"vip"}),
        pz.Route(when={"channel": "email"}, require={"es"}, prefer={"billing"}),
    ],
    skills_timeout_minutes=10,
)


def pair(i: int, draw: Any) -> tuple[pz.Query, pz.Customer]:
    q = pz.Query(
        query_id=f"q{i:03d}",
        customer_id=f"c{i}",
        received_at=T0 + timedelta(minutes=draw(st.integers(0, 60))),
        channel=draw(st.sampled_from(CHANNELS)),
        urgency=draw(st.sampled_from([0.0, 0.3, 0.9])),
        skills=draw(st.sampled_from([(), ("es",)])),
    )
    return q, pz.Customer(customer_id=f"c{i}", followers=draw(st.sampled_from(FOLLOWERS)))


# Operations: (who, what); who 0 = the queue under test, 1 = another connection.
OPS = st.lists(
    st.tuples(
        st.sampled_from([0, 0, 1]),
        st.sampled_from(["claim", "claim", "claim", "complete", "release", "push", "wait"]),
    ),
    min_size=5,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 30), OPS, st.booleans(), st.data())
def test_kept_heads_never_serve_a_stale_answer(
    tmp_path_factory: Any,
    backlog: int,
    ops: list[tuple[int, str]],
    routed: bool,
    data: st.DataObject,
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('heads') / 'q.db'}"
    name = uuid.uuid4().hex
    routes = ROUTES if routed else None
    queues = [
        pz.SharedQueue(POLICY, url, name=name, lease_minutes=5, routes=routes) for _ in range(3)
    ]
    mine, _, oracle = queues  # queues[1]: the other connection
    try:
        mine.push_many(pair(i, data.draw) for i in range(backlog))
        pushed = backlog
        now = T0 + timedelta(minutes=20)
        leases: list[list[Any]] = [[], []]
        for who, what in ops:
            q = queues[who]
            if what == "claim":
                agent = data.draw(st.sampled_from(AGENTS))
                expected = oracle.peek(now, agent=agent)
                got = q.claim(now, agent=agent)
                assert (got is None) == (expected is None)
                if got is not None and expected is not None:
                    assert (got.query_id, got.reason) == (expected.query_id, expected.reason)
                    leases[who].append(got)
            elif what in ("complete", "release") and leases[who]:
                entry = leases[who].pop(data.draw(st.integers(0, len(leases[who]) - 1)))
                with contextlib.suppress(pz.LeaseError):  # its lease ran out, taken again
                    getattr(q, what)(entry.query_id, entry.token)
            elif what == "push":
                q.push(*pair(pushed, data.draw))
                pushed += 1
            elif what == "wait":
                now += timedelta(minutes=data.draw(st.sampled_from([1, 4, 7, 40])))
        # and what is left is served in the same order as a queue that never kept heads
        while (expected := oracle.peek(now)) is not None:
            got = mine.claim(now)
            assert got is not None
            assert (got.query_id, got.reason) == (expected.query_id, expected.reason)
    finally:
        for q in queues:
            q.close()


def test_heads_are_kept_by_a_lone_queue_and_dropped_when_another_commits(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    with (
        pz.SharedQueue(POLICY, url, name="x") as mine,
        pz.SharedQueue(POLICY, url, name="x") as other,
        pz.SharedQueue(POLICY, url, name="x") as oracle,
    ):
        for i in range(40):
            mine.push(
                pz.Query(
                    query_id=f"q{i:03d}",
                    customer_id=f"c{i}",
                    received_at=T0 + timedelta(seconds=i),
                    channel=CHANNELS[i % 3],
                    urgency=0.5,
                ),
                pz.Customer(customer_id=f"c{i}", followers=FOLLOWERS[i % 3]),
            )
        now = T0 + timedelta(minutes=5)
        first = mine.claim(now)
        assert first is not None and mine._heads is None  # first claim: nothing known yet
        second = mine.claim(now)
        assert second is not None and mine._heads is not None  # no other commit: kept
        # another connection pushes a query that comes first: seen at once
        other.push(
            pz.Query(
                query_id="urgent",
                customer_id="u",
                received_at=T0 - timedelta(hours=3),
                channel="twitter",
                urgency=1.0,
            ),
            pz.Customer(customer_id="u", followers=10),
        )
        third = mine.claim(now)
        assert third is not None and third.query_id == "urgent"
        assert mine._heads is None
        # another connection releases: its query is back at its place for this one
        taken = other.claim(now)
        assert taken is not None
        mine.claim(now)  # heads read again (after other's claim)...
        mine.claim(now)
        assert mine._heads is not None  # ...and kept
        other.release(taken.query_id, taken.token)
        expected = oracle.peek(now)
        again = mine.claim(now)
        assert expected is not None and again is not None
        assert again.query_id == expected.query_id
        # its own release and complete are applied to the kept heads
        mine.claim(now)
        assert mine._heads is not None
        mine.release(again.query_id, again.token)
        for _ in range(3):
            expected = oracle.peek(now)
            back = mine.claim(now)
            assert expected is not None and back is not None
            assert back.query_id == expected.query_id
            assert mine._heads is not None
            mine.complete(back.query_id, back.token)


def test_kept_heads_of_a_set_whose_preference_lapses_serve_only_its_lapsed_queries(
    tmp_path: Any,
) -> None:
    # Ordered by urgency (MaxWait far away): of the email set, preferring billing, an agent
    # without billing may take only the query that has waited the routes' 10 minutes.
    policy = pz.Policy(weights={"urgency": 1.0}, rules=[pz.rules.MaxWait(minutes=120)])
    routes = pz.Routes(
        [pz.Route(when={"channel": "email"}, require={"es"}, prefer={"billing"})],
        skills_timeout_minutes=10,
    )

    def q(qid: str, minutes: int, channel: str, urgency: float) -> tuple[Any, Any]:
        query = pz.Query(
            query_id=qid,
            customer_id=qid,
            received_at=T0 + timedelta(minutes=minutes),
            channel=channel,
            urgency=urgency,
        )
        return query, pz.Customer(customer_id=qid)

    url = f"sqlite:///{tmp_path / 'q.db'}"
    with pz.SharedQueue(policy, url, name="x", routes=routes) as queue:
        queue.push_many(
            [q("old", 0, "email", 0.0), q("new", 25, "email", 0.9)]
            + [q(f"chat{i}", 29, "chat", 1.0) for i in range(3)]
        )
        now = T0 + timedelta(minutes=30)
        served = [queue.claim(now, agent={"es"}) for _ in range(5)]
        assert queue._heads is not None  # the last claims read the kept heads
        assert [e.query_id if e else None for e in served] == [
            "chat0",
            "chat1",
            "chat2",
            "old",
            None,
        ]
