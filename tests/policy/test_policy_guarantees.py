"""The serving-order guarantees stated on the core itself (Picker, ShareLedger).

Rank, both queues and the simulator are built on :class:`Picker`; these property
tests state each rule's guarantee against it directly, with a brute-force model of
the rule, so a bug in the core fails here and not only downstream.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import (
    GroupShare,
    MaxWait,
    Picker,
    Policy,
    Rule,
    ShareLedger,
    heap_key,
    heap_key_at,
)

GROUPS = ["a", "b", "c"]

# One event: (push or pick, minutes later, key, MaxWait limit, group).
events = st.lists(
    st.tuples(
        st.sampled_from(["push", "push", "pick"]),
        st.integers(0, 5),
        st.sampled_from([0.0, 0.25, 0.5, 1.0]),
        st.sampled_from([2.0, 4.0, math.inf]),
        st.sampled_from(GROUPS),
    ),
    max_size=60,
)


def _replay(
    policy: Policy, steps: list[tuple[str, int, float, float, str]]
) -> list[tuple[float, dict[int, tuple[float, float, float, str]], int, str]]:
    """Run ``steps``; per pick: t, who was waiting (id -> key, arrival, limit, group), pick, why."""
    picker: Picker[int] = Picker(policy, per_minute=1.0)
    waiting: dict[int, tuple[float, float, float, str]] = {}
    out = []
    t = 0.0
    for i, (what, later, key, limit, group) in enumerate(steps):
        t += later
        if what == "push":
            picker.push(i, key, t, i, limit, group)
            waiting[i] = (key, t, limit, group)
        else:
            before = dict(waiting)
            found = picker.pick(t)
            if found is None:
                assert not waiting
                continue
            handle, reason = found
            del waiting[handle]
            out.append((t, before, handle, reason))
    return out


@given(events)
def test_without_rules_the_highest_key_is_served_then_the_oldest_then_the_smallest_id(
    steps: list[tuple[str, int, float, float, str]],
) -> None:
    for _, before, picked, reason in _replay(Policy(), steps):
        best = min(before, key=lambda i: (-before[i][0], before[i][1], i))
        assert (picked, reason) == (best, "score")


@given(events)
def test_max_wait_serves_the_oldest_overdue_query_first(
    steps: list[tuple[str, int, float, float, str]],
) -> None:
    """Overdue (waited strictly longer than its limit) beats everything, oldest first."""
    policy = Policy(rules=[MaxWait(minutes=1000.0)])  # the per-query limits come with push
    for t, before, picked, reason in _replay(policy, steps):
        overdue = [i for i, (_, at, limit, _) in before.items() if t - at > limit]
        if overdue:
            assert reason == "overdue"
            assert picked == min(overdue, key=lambda i: (before[i][1], i))
        else:
            assert reason == "score"
            assert picked == min(before, key=lambda i: (-before[i][0], before[i][1], i))


def test_max_wait_limit_is_strict() -> None:
    """A query that has waited exactly its limit is not overdue yet."""
    policy = Policy(rules=[MaxWait(minutes=1000.0)])
    picker: Picker[str] = Picker(policy, per_minute=1.0)
    picker.push("low", 0.0, 0.0, "low", 3.0, None)
    picker.push("high", 1.0, 1.0, "high", math.inf, None)
    assert picker.peek(3.0) == ("high", "score")
    assert picker.peek(3.5) == ("low", "overdue")


shares_st = st.dictionaries(
    st.sampled_from(GROUPS), st.sampled_from([0.1, 0.2, 0.3, 0.45]), min_size=1, max_size=2
)


@given(shares_st, events)
def test_group_share_gives_each_backlogged_group_its_share(
    shares: dict[str, float], steps: list[tuple[str, int, float, float, str]]
) -> None:
    """Over k consecutive picks with group g always waiting, g gets >= share·k − (G + 1)."""
    policy = Policy(rules=[GroupShare(group="channel", shares=shares)])
    picks = _replay(policy, steps)
    served = [before[picked][3] for _, before, picked, _ in picks]
    backlog = [{v[3] for v in before.values()} for _, before, _, _ in picks]
    bound = len(shares) + 1
    for group, share in shares.items():
        for start in range(len(picks)):
            for stop in range(start + 1, len(picks) + 1):
                if group not in backlog[stop - 1]:
                    break
                assert served[start:stop].count(group) >= share * (stop - start) - bound
    for _, before, picked, reason in picks:
        best = min(before, key=lambda i: (-before[i][0], before[i][1], i))
        # within its group, the pick is always the group's best query
        group = before[picked][3]
        mine = [i for i in before if before[i][3] == group]
        assert picked == min(mine, key=lambda i: (-before[i][0], before[i][1], i))
        assert reason == ("score" if picked == best else "group_share")


@given(
    shares_st,
    st.lists(st.sets(st.sampled_from(GROUPS), min_size=1), min_size=1, max_size=80),
)
def test_share_ledger_guarantee(shares: dict[str, float], backlogs: list[set[str]]) -> None:
    """The ledger alone: any backlog history, every listed group gets its share."""
    ledger = ShareLedger(shares)
    served = []
    for backlog in backlogs:
        # the best query of each waiting group: an unlisted group "c" would win on order
        best = {g: (0 if g == "c" else 1, g) for g in backlog}
        served.append(ledger.pick(best))
        assert served[-1] in backlog
    for group, share in shares.items():
        for start in range(len(backlogs)):
            for stop in range(start + 1, len(backlogs) + 1):
                if group not in backlogs[stop - 1]:
                    break
                got = served[start:stop].count(group)
                assert got >= share * (stop - start) - (len(shares) + 1)


def test_share_ledger_by_hand() -> None:
    ledger = ShareLedger({"a": 0.5})
    best = {"a": (2,), "b": (1,)}  # b's best query comes first by order
    # credit a: 0.5 (< 1: order wins, b), then 1.0 (a is owed: a pays 1 -> 0), ...
    assert [ledger.pick(best) for _ in range(6)] == ["b", "a", "b", "a", "b", "a"]
    assert ledger.credit == {"a": 0.0}
    ledger = ShareLedger({"a": 0.5, "b": 0.5})
    assert ledger.choose({"a": (2,), "b": (1,)}) == "b"  # no credit yet: order decides
    ledger.credit.update(a=0.75, b=0.75)
    assert ledger.choose({"a": (2,), "b": (1,)}) == "b"  # equal credit: order decides
    ledger.credit.update(a=1.0, b=0.5)
    assert ledger.choose({"a": (2,), "b": (1,)}) == "a"  # the most credit
    ledger.record({"b"}, "b")  # a has no backlog: its credit is reset
    assert ledger.credit == {"a": 0.0, "b": 0.0}
    ledger.credit.update(a=0.25)
    ledger.record({"a"}, "a")
    assert ledger.credit["a"] == 0.0  # never below zero


def _rules(max_wait: bool, share: bool) -> list[Rule]:
    rules: list[Rule] = []
    if max_wait:
        rules.append(MaxWait(minutes=3.0))
    if share:
        rules.append(GroupShare(group="channel", shares={"a": 0.5}))
    return rules


@given(st.booleans(), st.booleans(), events)
def test_peek_is_the_next_pick_and_len_counts_the_waiting(
    max_wait: bool, share: bool, steps: list[tuple[str, int, float, float, str]]
) -> None:
    picker: Picker[int] = Picker(Policy(rules=_rules(max_wait, share)), per_minute=1.0)
    t = 0.0
    count = 0
    for i, (what, later, key, limit, group) in enumerate(steps):
        t += later
        if what == "push":
            picker.push(i, key, t, i, limit, group)
            count += 1
        else:
            ahead = picker.peek(t)
            assert picker.peek(t) == ahead  # peeking changes nothing
            assert picker.pick(t) == ahead
            count -= ahead is not None
        assert len(picker) == count == len(picker.waiting)


@given(st.integers(-(10**15), 10**15), st.integers(1, 999), st.floats(0.0, 10.0))
def test_heap_key_of_a_nanosecond_timestamp(ns: int, extra: int, rate: float) -> None:
    """A pandas Timestamp may carry nanoseconds: its key is the key of its nanoseconds."""
    at = pd.Timestamp(1_577_836_800_000_000_000 + ns * 1000 + extra, tz="UTC")
    assert heap_key_at(0.5, at, rate) == heap_key(0.5, at.value, rate)


def test_scoring_with_another_customer_names_both() -> None:
    query = pz.Query(
        query_id="q1",
        customer_id="alice",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        channel="chat",
    )
    bob = pz.Customer(customer_id="bob")
    message = r"query 'q1' is from customer 'alice' but was scored with customer 'bob'"
    with pytest.raises(pz.InputError, match=message):
        pz.policies.balanced().score_value(query, bob)
