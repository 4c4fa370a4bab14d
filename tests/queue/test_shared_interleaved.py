"""SharedQueue with other connections pushing, claiming, completing and releasing between
one connection's claims: each claim serves what a third connection's ``peek`` at the same
``now`` shows, just before it (MaxWait lanes, GroupShare ledger, skills, routes whose
preference lapses, leases that run out). A guard for any state a queue might keep between
its claims (none today: an experiment that kept index heads was measured and dropped).
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
def test_claims_between_other_connections_changes_serve_what_the_database_holds(
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
