"""The serving-order core: ledger look-ahead, keys, tie-breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from prioritize._internal.times import aware_ns
from prioritize.policy import ShareLedger, heap_key, heap_key_at, serving_order, tiebreak_rank

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
