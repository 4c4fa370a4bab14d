"""A removed query_id pushed again is a new query: nothing of the old push survives.

The queue keeps old heap entries lazily (stale entries are dropped when met), so
each rule's heaps are exercised: the plain score heap, the score heap beside the
``MaxWait`` deadline heaps, and the per-group heaps of ``GroupShare``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
C = pz.Customer(customer_id="c")

RULES = {
    "none": [],
    "max_wait": [pz.rules.MaxWait(minutes=600)],
    "group_share": [pz.rules.GroupShare(group="channel", shares={"chat": 0.5})],
    "both": [
        pz.rules.MaxWait(minutes=600),
        pz.rules.GroupShare(group="channel", shares={"chat": 0.5}),
    ],
}


def query(qid: str, minute: float, urgency: float, channel: str = "chat") -> pz.Query:
    return pz.Query(
        query_id=qid,
        customer_id="c",
        received_at=T0 + timedelta(minutes=minute),
        channel=channel,
        urgency=urgency,
    )


@pytest.mark.parametrize("rules", RULES)
def test_a_reused_id_is_served_by_its_new_score(rules: str) -> None:
    policy = pz.Policy(weights={"urgency": 1.0}, rules=RULES[rules])
    q = pz.TriageQueue(policy)
    q.push(query("a", 0, 1.0), C)  # would be served first
    q.push(query("b", 1, 0.5), C)
    q.remove("a")
    q.push(query("a", 2, 0.1), C)  # now the lowest
    now = T0 + timedelta(minutes=5)
    assert q.peek(now).query_id == "b"  # type: ignore[union-attr]
    first, second = q.pop(now), q.pop(now)
    assert [first.query_id, second.query_id] == ["b", "a"]
    assert second.query.received_at == T0 + timedelta(minutes=2)
    assert second.score.value == pytest.approx(0.1)
    assert len(q) == 0 and q.try_pop(now) is None


@pytest.mark.parametrize("rules", RULES)
def test_a_removed_id_is_never_served(rules: str) -> None:
    policy = pz.Policy(weights={"urgency": 1.0}, rules=RULES[rules])
    q = pz.TriageQueue(policy)
    q.push(query("a", 0, 1.0), C)
    q.push(query("b", 1, 0.5, "email"), C)
    assert q.discard("a")
    now = T0 + timedelta(hours=20)  # everyone overdue under MaxWait
    assert q.pop(now).query_id == "b"
    assert q.try_pop(now) is None


@given(
    st.sampled_from(sorted(RULES)),
    st.lists(
        st.tuples(st.integers(0, 7), st.floats(0, 1), st.sampled_from(["chat", "email"])),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 2000),
)
def test_pushes_and_removes_leave_the_order_of_a_fresh_queue(
    rules: str, steps: list[tuple[int, float, str]], later: int
) -> None:
    """Any history of pushes and removals serves like a queue that only saw the survivors.

    Each step pushes query ``q<k>`` (removing it first if it waits), so ids are
    reused with new arrivals and scores; MaxWait deadlines and GroupShare heaps see
    the reuse too.
    """
    policy = pz.Policy(weights={"urgency": 1.0}, rules=RULES[rules])
    q = pz.TriageQueue(policy)
    alive: dict[str, pz.Query] = {}
    for minute, (k, urgency, channel) in enumerate(steps):
        qid = f"q{k}"
        if qid in q:
            assert q.remove(qid) is alive.pop(qid)
        alive[qid] = query(qid, minute, urgency, channel)
        q.push(alive[qid], C)
    fresh = pz.TriageQueue(policy)
    for item in sorted(alive.values(), key=lambda x: x.received_at):
        fresh.push(item, C)
    now = T0 + timedelta(minutes=len(steps) + later)
    got = [(e.query_id, e.query.received_at, e.reason) for e in iter(lambda: q.try_pop(now), None)]
    want = [
        (e.query_id, e.query.received_at, e.reason) for e in iter(lambda: fresh.try_pop(now), None)
    ]
    assert got == want
