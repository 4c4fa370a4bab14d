"""Tests written against the mutants ``make mutate`` found alive in the queue group.

benchmarks/MUTATION.md lists them: the prefix :meth:`Entry.explain` gives each
reason, ``push_many`` with the customer given (no directory), its entries' base
scores, the message of a push refused for an id served already (one id, a few,
more than five) and the pruning of the served-ids memory.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

import prioritize as pz
from prioritize.policy import Aging, GroupShare, MaxWait

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ANYONE = pz.Customer(customer_id="c")
NOBODY = pz.Customer(customer_id="d")
RICH = pz.Customer(customer_id="c", lifetime_value=20_000.0, followers=200_000)


def _query(qid: str, at: datetime, channel: str = "chat") -> pz.Query:
    return pz.Query(query_id=qid, customer_id="c", received_at=at, channel=channel)


def test_explain_is_prefixed_with_the_reason() -> None:
    # Group "email" is owed its share: its first query is served for it, ahead of a
    # better-scored chat query; then the score; then an overdue one.
    share = GroupShare(group="channel", shares={"email": 0.5})
    policy = pz.Policy(weights={"urgency": 1.0}, rules=[share, MaxWait(minutes=30.0)])
    q = pz.TriageQueue(policy, customers={"c": ANYONE})
    for i in range(4):
        q.push(
            pz.Query(query_id=f"c{i}", customer_id="c", received_at=T0, channel="chat", urgency=1.0)
        )
    q.push(_query("e0", T0, channel="email"))
    first, second = q.pop(T0), q.pop(T0)
    assert {first.reason, second.reason} == {"score", "group_share"}
    for entry in (first, second):
        if entry.reason == "group_share":
            assert entry.query_id == "e0"
            assert entry.explain() == "group share; " + entry.score.explain()
        else:
            assert entry.explain() == entry.score.explain()
    late = q.pop(T0 + timedelta(minutes=31))
    assert late.reason == "overdue"
    assert late.explain() == "overdue (max wait passed); " + late.score.explain()


def test_push_many_takes_the_customer_given_without_a_directory() -> None:
    policy = pz.policies.value_weighted()
    q = pz.TriageQueue(policy)  # no directory: every push names its customer
    q.push_many([(_query("a", T0), RICH), (_query("b", T0 + timedelta(minutes=1)), ANYONE)])
    a = q.pop(T0 + timedelta(minutes=1))
    assert a.query_id == "a"
    assert a.customer == RICH
    assert a.score.value == policy.score(_query("a", T0), RICH, now=T0 + timedelta(minutes=1)).value


def test_push_many_gives_the_snapshot_of_pushes_one_by_one() -> None:
    policy = pz.Policy(
        weights={"crm_value": 1.0, "follower_reach": 1.0}, rules=[Aging(points_per_hour=6.0)]
    )
    customers = {"c": RICH, "d": NOBODY}
    queries = [
        pz.Query(
            query_id=f"q{i}",
            customer_id="cd"[i % 2],
            received_at=T0 + timedelta(minutes=i),
            channel="chat",
        )
        for i in range(5)
    ]
    one, many = pz.TriageQueue(policy, customers), pz.TriageQueue(policy, customers)
    for query in queries:
        one.push(query)
    many.push_many([(query, None) for query in queries])
    now = T0 + timedelta(hours=2)
    left, right = one.snapshot(now=now), many.snapshot(now=now)
    assert right["base_score"].notna().all()
    pd.testing.assert_frame_equal(left, right)
    assert right["base_score"].tolist() == [
        policy.score(q, customers[q.customer_id], now=q.received_at).value
        for q in sorted(queries, key=lambda q: right["query_id"].tolist().index(q.query_id))
    ]


def _served_queue(ids: str, remember: int = 100) -> pz.TriageQueue:
    q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE}, remember=remember)
    for qid in ids:
        q.push(_query(qid, T0))
    for _ in ids:
        q.pop(T0)
    return q


def test_the_served_message_names_one_id_or_the_first_five() -> None:
    q = _served_queue("abcdefg")
    tail = (
        "was already served by this queue (it remembers the last 100 served ids); "
        "push a new query_id, or use remove() for a query taken out unanswered"
    )
    with pytest.raises(pz.InputError) as one:
        q.push(_query("a", T0))
    assert str(one.value) == f"query 'a' {tail}"
    with pytest.raises(pz.InputError) as one_of_many:
        q.push_many([(_query("z", T0), None), (_query("b", T0), None)])
    assert str(one_of_many.value) == f"query 'b' {tail}"
    with pytest.raises(pz.InputError) as two:
        q.push_many([(_query("a", T0), None), (_query("b", T0), None)])
    assert str(two.value) == f"query ['a', 'b'] {tail}"
    with pytest.raises(pz.InputError) as seven:
        q.push_many([(_query(qid, T0), None) for qid in "abcdefg"])
    assert str(seven.value) == f"query ['a', 'b', 'c', 'd', 'e'] {tail}"
    assert len(q) == 0


def test_the_served_memory_is_pruned_to_the_last_remember_pops() -> None:
    # remember=2: six ids served, then one push files them and prunes the memory
    # (it holds 4 or more): the last two served stay refused, the older ones come back.
    for rounds in (1, 3):
        q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE}, remember=2)
        served: list[str] = []
        for round_ in range(rounds):
            for i in range(6):
                q.push(_query(f"r{round_}q{i}", T0))
            served += [q.pop(T0).query_id for _ in range(6)]
            q.push(_query(f"probe{round_}", T0))
            served.append(q.pop(T0).query_id)
        q.push(_query("last", T0))
        for qid in served[-2:]:
            with pytest.raises(pz.InputError, match=re.escape(repr(qid))):
                q.push(_query(qid, T0))
        for qid in served[:-2]:
            q.push(_query(qid, T0))
        assert len(q) == len(served) - 1


def test_peek_hands_out_a_copy_with_the_skills_and_preferences() -> None:
    routes = pz.Routes([pz.Route(require={"es"}, prefer={"billing"})], skills_timeout_minutes=10)
    q = pz.TriageQueue(pz.policies.fifo(), routes=routes)
    q.push(_query("a", T0), ANYONE)
    seen = q.peek(T0, agent={"es", "billing"})
    assert seen is not None
    assert (seen.skills, seen.prefer) == ({"es"}, {"billing"})
    plain = pz.TriageQueue(pz.policies.fifo())
    plain.push(
        pz.Query(query_id="b", customer_id="c", received_at=T0, channel="chat", skills="es"),
        ANYONE,
    )
    seen = plain.peek(T0)
    assert seen is not None
    assert (seen.skills, seen.prefer) == ({"es"}, frozenset())


def test_a_push_without_customer_or_directory_names_both_ids() -> None:
    q = pz.TriageQueue(pz.policies.fifo())
    expected = (
        "query 'a': unknown customer 'c' "
        "(pass the Customer to push, or a customers directory to the queue)"
    )
    with pytest.raises(pz.InputError) as push:
        q.push(_query("a", T0))
    assert str(push.value) == expected
    with pytest.raises(pz.InputError) as many:
        q.push_many([(_query("a", T0), None)])
    assert str(many.value) == expected
    assert len(q) == 0


def test_a_bad_agent_is_named_as_agent() -> None:
    q = pz.TriageQueue(pz.policies.fifo())
    q.push(_query("a", T0), ANYONE)
    for bad in ([3], 5, [""]):
        with pytest.raises(pz.InputError, match=r"^agent: "):
            q.peek(T0, agent=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("policy", [pz.policies.fifo(), pz.policies.balanced()])
def test_a_naive_arrival_is_refused_at_push(policy: pz.Policy) -> None:
    # Only model_construct skips the model's check; the push still refuses it
    # (fifo: a heap key without aging, where the arrival is not read otherwise).
    naive = pz.Query.model_construct(
        query_id="a", customer_id="c", received_at=datetime(2026, 3, 2, 9), channel="chat"
    )
    q = pz.TriageQueue(policy, customers={"c": ANYONE})
    with pytest.raises(pz.InputError, match=r"query 'a': received_at must be a timezone-aware"):
        q.push(naive)
    assert len(q) == 0


def test_routes_read_the_customer_of_a_push() -> None:
    # A route on the customer's segment: the push resolves it with the customer given
    # (or found in the directory), as push_many and push_frame do.
    routes = pz.Routes([pz.Route(when={"segment": "vip"}, require={"vip"})])
    vip = pz.Customer(customer_id="v", segment="vip")
    q = pz.TriageQueue(pz.policies.fifo(), customers={"v": vip}, routes=routes)
    q.push(pz.Query(query_id="a", customer_id="v", received_at=T0, channel="chat"))
    q.push(pz.Query(query_id="b", customer_id="v", received_at=T0, channel="chat"), vip)
    q.push_many([(pz.Query(query_id="c", customer_id="v", received_at=T0, channel="chat"), None)])
    assert q.peek(T0, agent=set()) is None
    assert [q.pop(T0, agent={"vip"}).skills for _ in range(3)] == [{"vip"}] * 3


def test_snapshot_times_are_in_utc_whatever_the_arrival_zone() -> None:
    # An arrival stamped at +02:00 and policies with and without MaxWait / a promise:
    # every time column of the snapshot is a UTC datetime column (NaT where none).
    paris = timezone(timedelta(hours=2))
    for policy in (pz.policies.fifo(), pz.Policy(rules=[MaxWait(minutes=30.0)])):
        q = pz.TriageQueue(policy, customers={"c": ANYONE})
        q.push(_query("a", datetime(2026, 3, 2, 11, tzinfo=paris)))
        snap = q.snapshot(now=T0 + timedelta(minutes=5))
        for column in ("received_at", "overdue_at", "due_at"):
            assert str(snap[column].dt.tz) == "UTC", (column, snap[column].dtype)
        assert snap["received_at"].iloc[0] == pd.Timestamp(T0)
