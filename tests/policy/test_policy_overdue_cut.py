"""The ``MaxWait`` lanes of :class:`Picker` test overdue-ness against a cut.

With datetimes, ``waited = (t - arrival) / minute`` is a correctly rounded
division of whole microseconds, so ``is_overdue(waited, limit)`` is monotone
in the wait and :func:`overdue_span` is its first overdue microsecond: the
lanes compare each head's arrival with ``t - span`` once per ``t`` instead of
dividing. These tests check the span against the test itself at and around
the boundary, and a picker fed datetimes (the cut) against one fed the same
instants as ``pandas.Timestamp`` (the division, pick by pick).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from prioritize.policy import MaxWait, Picker, Policy, is_overdue
from prioritize.policy._order import overdue_span

MINUTE = timedelta(minutes=1)
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

limits = st.one_of(
    st.floats(0, 1e6, allow_nan=False),
    st.integers(0, 10_000).map(float),
    st.sampled_from([0.1, 1 / 3, 2.0000001, 240.0, 1440.0]),
)


@given(limits, st.integers(-3, 3), st.integers(0, 10**6))
def test_the_span_is_the_first_overdue_microsecond(limit: float, near: int, later: int) -> None:
    span = overdue_span(limit, MINUTE)
    assert span is not None
    for d in (span + near * timedelta(microseconds=1), span + timedelta(microseconds=later)):
        t = T0 + d
        assert is_overdue((t - T0) / MINUTE, limit) == (t - span >= T0)
    if span > timedelta(0):
        assert not is_overdue((span - timedelta(microseconds=1)) / MINUTE, limit)
    assert is_overdue(span / MINUTE, limit)


def test_no_span_without_datetimes_or_a_finite_limit() -> None:
    assert overdue_span(5.0, 1.0) is None
    assert overdue_span(math.inf, MINUTE) is None
    assert overdue_span(1e12, MINUTE) is None
    assert overdue_span(5.0, timedelta(minutes=1, microseconds=1)) is not None


# One event: (pick?, microseconds the clock moves, limit, arrival offset in µs from the
# limit's boundary (None: anywhere in the last three minutes), key, id)
events = st.lists(
    st.tuples(
        st.booleans(),
        st.sampled_from([0, 0, 0, 1, 7, 59_999_999, 60_000_000, 60_000_001]),
        st.sampled_from([1.0, 2.0, 1 / 3, math.inf]),
        st.one_of(st.integers(-2, 1), st.none()),
        st.sampled_from([0.0, 0.5, 1.0]),
        st.integers(0, 15),
    ),
    max_size=60,
)


@given(events)
def test_datetimes_and_timestamps_are_picked_in_one_order(
    steps: list[tuple[bool, int, float, int | None, float, int]],
) -> None:
    policy = Policy(rules=[MaxWait(minutes=1000.0)])
    cut: Picker[int] = Picker(policy, per_minute=MINUTE)  # datetimes: the cut
    divide: Picker[int] = Picker(policy, per_minute=MINUTE)  # Timestamps: the division
    t = T0
    waiting: set[int] = set()
    for pick, later, limit, near, key, qid in steps:
        t += timedelta(microseconds=later)
        if pick:
            got = cut.pick(t)
            assert got == divide.pick(pd.Timestamp(t))
            if got is not None:
                waiting.discard(got[0])
        elif qid not in waiting:
            if near is None or limit == math.inf:
                at = t - timedelta(microseconds=(qid * 11_311_153) % 180_000_001)
            else:
                at = t - timedelta(minutes=limit) + timedelta(microseconds=near)
            cut.push(qid, key, at, qid, limit, None)
            divide.push(qid, key, pd.Timestamp(at), qid, limit, None)
            waiting.add(qid)
