"""The serving-order core: ledger look-ahead, keys, tie-breaks."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize._internal.times import aware_ns
from prioritize.policy import (
    GroupShare,
    MaxWait,
    Picker,
    Policy,
    Rows,
    Rule,
    ShareLedger,
    heap_key,
    heap_key_at,
    serving_order,
    tiebreak_rank,
)

GROUPS = ["a", "b", "c", "d"]


@given(
    st.dictionaries(st.sampled_from(GROUPS), st.sampled_from([0.1, 0.25, 0.5]), min_size=1),
    st.lists(st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 5), min_size=1), max_size=30),
)
def test_choose_is_what_pick_picks_and_changes_nothing(
    shares: dict[str, float], steps: list[dict[str, int]]
) -> None:
    ledger = ShareLedger(shares)
    for best in steps:
        before = dict(ledger.credit)
        chosen = ledger.choose(best)
        assert ledger.credit == before
        assert ledger.pick(best) == chosen
        assert chosen in best


@given(
    st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=50),
    st.floats(0.0, 10.0),
    st.floats(-5.0, 5.0),
)
def test_key_of_one_query_equals_the_vectorised_key(
    microseconds: list[int], rate: float, base: float
) -> None:
    ats = [datetime(2020, 1, 1, tzinfo=UTC) + timedelta(microseconds=m) for m in microseconds]
    ns = np.array([aware_ns(at) for at in ats], dtype=np.int64)
    vector = heap_key(np.full(len(ats), base), ns, rate)
    for i, at in enumerate(ats):
        assert heap_key_at(base, at, rate) == heap_key(base, int(ns[i]), rate) == vector[i]


@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 5), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_serving_order_is_the_sorted_tokens(rows: list[tuple[float, int, bool]]) -> None:
    key = np.array([r[0] for r in rows])
    received = np.array([r[1] for r in rows], dtype=np.int64)
    overdue = np.array([r[2] for r in rows])
    ids = np.array([f"q{len(rows) - i:03d}" for i in range(len(rows))], dtype=object)
    order = serving_order(key, overdue, tiebreak_rank(received, ids))

    def token(i: int) -> tuple[object, ...]:
        if overdue[i]:
            return (0, received[i], ids[i])
        return (1, -key[i], received[i], ids[i])

    assert order.tolist() == sorted(range(len(rows)), key=token)


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0.0, 0.5, 1.0]),  # key
            st.integers(0, 4),  # arrival gap
            st.sampled_from([1.0, 3.0, math.inf]),  # MaxWait limit
            st.sampled_from(GROUPS),  # group
            st.sampled_from([2.0, 6.0, math.inf]),  # patience
        ),
        max_size=40,
    ),
    steps=st.lists(st.tuples(st.sampled_from(["pick", "peek", "remove"]), st.integers(0, 3))),
    rules=st.sampled_from(["none", "max_wait", "group_share", "both"]),
)
def test_rank_mode_serves_as_the_tuple_mode(
    rows: list[tuple[float, int, float, str, float]],
    steps: list[tuple[str, int]],
    rules: str,
) -> None:
    # The simulator's int heaps (rank mode) and the queue's tuple heaps: one rule, one order,
    # with MaxWait lanes, the GroupShare ledger, expiry and removal, row by row.
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares={"a": 0.5, "b": 0.25}))
    policy = Policy(rules=chosen)
    n = len(rows)
    arrival = np.cumsum([r[1] for r in rows]).astype(float).tolist()
    key = [r[0] for r in rows]
    limits = [r[2] for r in rows]
    groups = [r[3] for r in rows]
    expires = [a + r[4] for a, r in zip(arrival, rows, strict=True)]
    rank_of = sorted(range(n), key=lambda j: (-key[j], arrival[j], j))  # rank -> row
    rank = [0] * n
    for r, j in enumerate(rank_of):
        rank[j] = r
    tuples: Picker[int] = Picker(policy, per_minute=1.0, expires=expires)
    ranked: Picker[int] = Picker(
        policy, per_minute=1.0, expires=expires, rows=Rows(rank, rank_of, arrival, limits, groups)
    )
    plan = iter(steps)
    t = 0.0
    for j in range(n + len(steps)):
        if j < n:
            t = arrival[j]
            tuples.push(j, key[j], arrival[j], j, limits[j], groups[j])
            ranked.admit(j)
        step = next(plan, None)
        if step is None:
            continue
        what, later = step
        t += later
        if what == "remove":
            row = j % max(n, 1)
            assert tuples.remove(row) == ranked.remove(row)
        elif what == "peek":
            assert tuples.peek(t) == ranked.peek(t)
        else:
            assert tuples.pick(t) == ranked.pick(t)
        assert len(tuples) == len(ranked)
    while (found := tuples.pick(t)) is not None:
        assert ranked.pick(t) == found
    assert ranked.pick(t) is None


def test_rank_mode_needs_the_rows_its_rules_read() -> None:
    share = Policy(rules=[GroupShare(group="channel", shares={"a": 0.5})])
    with pytest.raises(ValueError, match="GroupShare"):
        Picker(share, per_minute=1.0, rows=Rows([0], [0], [0.0]))
    limited = Policy(rules=[MaxWait(minutes=1.0)])
    with pytest.raises(ValueError, match="MaxWait"):
        Picker(limited, per_minute=1.0, rows=Rows([0], [0], [0.0], groups=["a"]))
