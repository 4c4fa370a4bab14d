"""Tests written against the mutants ``make mutate`` found alive in the policy group.

benchmarks/MUTATION.md lists the mutants: ``MaxWait`` on the core when arrivals
come out of order and ``now`` goes back (another clock), and the exact text and
equality of :class:`~prioritize.Score`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import MaxWait, Picker, Policy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# One event: (push or pick, arrival or pick time in minutes, key, MaxWait limit).
# Arrivals and pick times are drawn independently: out of order, as with another clock.
events = st.lists(
    st.tuples(
        st.sampled_from(["push", "push", "pick"]),
        st.integers(0, 20),
        st.sampled_from([0.0, 0.5, 1.0]),
        st.sampled_from([2.0, 5.0, math.inf]),
    ),
    max_size=40,
)


def _check_max_wait(steps: list[tuple[str, int, float, float]], per_minute: float = 1.0) -> None:
    """Replay ``steps`` on a Picker and check every pick against a brute-force model.

    Overdue (waited strictly longer than its limit) first, oldest first; else by key.
    The MaxWait clock never runs back: a pick at an earlier time than the latest
    pick judges overdue at the latest. Times are in minutes times ``per_minute``.
    """
    picker: Picker[int] = Picker(Policy(rules=[MaxWait(minutes=1000.0)]), per_minute=per_minute)
    waiting: dict[int, tuple[float, float, float]] = {}
    clock = -math.inf
    for i, (what, minutes, key, limit) in enumerate(steps):
        at = minutes * per_minute
        if what == "push":
            picker.push(i, key, at, i, limit, None)
            waiting[i] = (key, float(minutes), limit)
            continue
        clock = max(clock, float(minutes))
        found = picker.pick(at)
        if not waiting:
            assert found is None
            continue
        overdue = [j for j, (_, arrived, lim) in waiting.items() if clock - arrived > lim]
        if overdue:
            expected = (min(overdue, key=lambda j: (waiting[j][1], j)), "overdue")
        else:
            expected = (min(waiting, key=lambda j: (-waiting[j][0], waiting[j][1], j)), "score")
        assert found == expected
        del waiting[expected[0]]


@given(events)
def test_max_wait_serves_the_oldest_overdue_first_with_arrivals_out_of_order(
    steps: list[tuple[str, int, float, float]],
) -> None:
    _check_max_wait(steps)


@given(events)
def test_max_wait_on_a_clock_in_seconds(steps: list[tuple[str, int, float, float]]) -> None:
    _check_max_wait(steps, per_minute=60.0)


def test_max_wait_over_a_long_run_with_stale_entries_compacted() -> None:
    # hundreds of picks leave stale entries in the other line, compacted past 64
    rng = np.random.default_rng(19)
    steps = [
        (
            "pick" if rng.random() < 0.45 else "push",
            int(rng.integers(0, 400)),
            float(rng.choice([0.0, 0.5, 1.0])),
            float(rng.choice([2.0, 30.0, math.inf])),
        )
        for _ in range(1500)
    ]
    _check_max_wait(steps)


def test_overdue_lane_heads_out_of_order() -> None:
    # Lane entries pushed out of arrival order: the oldest is served first
    # whichever of the lane's two stores (appended run or heap) holds it.
    picker: Picker[str] = Picker(Policy(rules=[MaxWait(minutes=1000.0)]), per_minute=1.0)
    for name, arrival in (("a", 1.0), ("b", 5.0), ("c", 3.0), ("d", 0.5)):
        picker.push(name, 0.0, arrival, name, 2.0, None)
    assert [picker.pick(10.0) for _ in range(4)] == [
        ("d", "overdue"),
        ("a", "overdue"),
        ("c", "overdue"),
        ("b", "overdue"),
    ]


def test_the_max_wait_clock_does_not_run_back() -> None:
    picker: Picker[str] = Picker(Policy(rules=[MaxWait(minutes=1000.0)]), per_minute=1.0)
    picker.push("a", 0.0, 0.0, "a", 3.0, None)
    picker.push("b", 0.0, 0.5, "b", 3.0, None)
    picker.push("c", 1.0, 1.0, "c", math.inf, None)
    assert picker.pick(10.0) == ("a", "overdue")
    # at 2.0, b would have waited 1.5 minutes; the clock is still at 10
    assert picker.pick(2.0) == ("b", "overdue")
    assert picker.pick(2.0) == ("c", "score")


def _query(query_id: str, urgency: float, followers: int = 0) -> tuple[pz.Query, pz.Customer]:
    query = pz.Query(
        query_id=query_id, customer_id="c1", received_at=T0, channel="twitter", urgency=urgency
    )
    return query, pz.Customer(customer_id="c1", followers=followers, lifetime_value=100.0)


def test_explain_lists_contributions_largest_first_then_the_rules() -> None:
    policy = pz.Policy(
        weights={"urgency": 1.0, "crm_value": 0.2},
        rules=[pz.rules.Aging(points_per_hour=0.6), pz.rules.Cap(signal="urgency", max_points=0.3)],
    )
    score = policy.score(*_query("q1", 0.5), now=T0 + timedelta(minutes=30))
    # crm_value: 0.2 * log1p(100) / log1p(10_000) = 0.100; urgency 0.5 capped at 0.3;
    # aging 0.6 per hour for 30 minutes = 0.3 (a tie with urgency keeps the signal order)
    assert score.explain() == (
        "q1: score 0.700 = urgency 0.300 + aging 0.300 + crm_value 0.100; "
        "cap(urgency, 0.3): 0.5 -> 0.3; aging: +0.3 for 30.0 min"
    )


def test_explain_without_signals_is_exact() -> None:
    score = pz.policies.fifo().score(*_query("q9", 0.5))
    assert score.explain() == "q9: score 0.000 (no signal counts: arrival order)"


def test_scores_are_equal_field_by_field() -> None:
    policy = pz.Policy(weights={"urgency": 0.5, "follower_reach": 0.5})
    score = policy.score(*_query("q1", 1.0))
    assert score == policy.score(*_query("q1", 1.0))  # a distinct, equal object
    assert score != policy.score(*_query("q2", 1.0))  # another query id
    assert score != policy.score(*_query("q1", 0.5))  # another value
    # the same value from other contributions: urgency 1 vs saturated reach
    other = policy.score(*_query("q1", 0.0, followers=50_000_000))
    assert other.value == score.value
    assert score != other
    # the same scores at another moment (no aging): only waited_minutes differs
    later = policy.score(*_query("q1", 1.0), now=T0 + timedelta(minutes=5))
    assert later.value == score.value and later.contributions == score.contributions
    assert score != later
    assert score != "q1"
    assert (score == "q1") is False


@pytest.mark.parametrize("other", [None, 0.5, "q1"])
def test_a_score_is_not_equal_to_other_types(other: object) -> None:
    score = pz.Policy(weights={"urgency": 1.0}).score(*_query("q1", 0.5))
    assert score.__eq__(other) is NotImplemented


def test_a_query_past_its_patience_is_dropped_not_served() -> None:
    # expires (the simulator's patience): a query with expires[id] < t is dropped
    policy = Policy(rules=[MaxWait(minutes=1000.0)])
    expires = {"a": 5.0, "b": 100.0}
    picker: Picker[str] = Picker(policy, per_minute=1.0, expires=expires)
    picker.push("a", 0.0, 0.0, "a", 2.0, None)  # overdue at 10, but gone at 5
    picker.push("b", 0.0, 1.0, "b", math.inf, None)
    assert picker.pick(10.0) == ("b", "score")
    assert picker.pick(10.0) is None
    # the best score, gone already; its lane's head is another query
    picker = Picker(policy, per_minute=1.0, expires={"c": 5.0, "e": 100.0})
    picker.push("e", 0.0, 0.0, "e", 50.0, None)
    picker.push("c", 1.0, 1.0, "c", 50.0, None)
    assert picker.pick(11.0) == ("e", "score")
    assert picker.pick(11.0) is None
