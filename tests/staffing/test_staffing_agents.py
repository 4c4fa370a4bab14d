"""agents_needed: the least count meeting the promise, by brute-force search over every count."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.staffing import (
    agents_needed,
    erlang_a,
    occupancy,
    offered_load,
    service_level,
)

targets = st.floats(min_value=0.05, max_value=0.995)
withins = st.floats(min_value=0.0, max_value=30.0)
ceilings = st.one_of(st.none(), st.floats(min_value=0.3, max_value=1.0))


def _meets_c(
    arrivals: float, handle: float, agents: int, target: float, within: float, ceiling: float | None
) -> bool:
    ok = service_level(arrivals, handle, agents, within_minutes=within) >= target
    return ok and (ceiling is None or occupancy(arrivals, handle, agents) <= ceiling)


@given(
    load=st.floats(min_value=0.01, max_value=60.0),
    handle=st.floats(min_value=0.25, max_value=30.0),
    target=targets,
    within=withins,
    ceiling=ceilings,
)
def test_least_count_by_brute_force(
    load: float, handle: float, target: float, within: float, ceiling: float | None
) -> None:
    arrivals = load * 60.0 / handle
    n = agents_needed(arrivals, handle, target=target, within_minutes=within, max_occupancy=ceiling)
    assert _meets_c(arrivals, handle, n, target, within, ceiling)
    # every smaller count fails (an unstable one has service level 0, so it fails too)
    first = next(
        k for k in range(1, n + 1) if _meets_c(arrivals, handle, k, target, within, ceiling)
    )
    assert first == n
    assert n > offered_load(arrivals, handle)  # never an unstable count


def test_search_does_not_start_at_round_a_plus_one() -> None:
    # a = 2.6 Erlangs: round(a + 1) = 4 would skip 3 agents, which already meet a lax target
    arrivals, handle = 52.0, 3.0
    assert offered_load(arrivals, handle) == pytest.approx(2.6)
    assert service_level(arrivals, handle, 3, within_minutes=15.0) >= 0.8
    assert (
        agents_needed(arrivals, handle, target=0.8, within_minutes=15.0) == 3 == math.floor(2.6) + 1
    )


def test_occupancy_ceiling_can_bind() -> None:
    # a = 10 Erlangs; 80% in 1 minute needs 12 agents, but 75% occupancy needs 14
    arrivals, handle = 200.0, 3.0
    loose = agents_needed(arrivals, handle, target=0.8, within_minutes=1.0)
    tight = agents_needed(arrivals, handle, target=0.8, within_minutes=1.0, max_occupancy=0.75)
    assert tight == math.ceil(10 / 0.75) > loose
    assert occupancy(arrivals, handle, tight) <= 0.75 < occupancy(arrivals, handle, tight - 1)


def test_a_stricter_promise_never_needs_fewer_agents() -> None:
    arrivals, handle = 1200.0, 4.5
    counts = [
        agents_needed(arrivals, handle, target=target, within_minutes=0.5)
        for target in (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
    ]
    assert counts == sorted(counts)
    counts = [
        agents_needed(arrivals, handle, target=0.8, within_minutes=within)
        for within in (5.0, 1.0, 0.5, 1 / 3, 0.0)
    ]
    assert counts == sorted(counts)


def test_large_load() -> None:
    # 100k queries an hour at 3 minutes: 5000 Erlangs; the answer is a little above the load
    n = agents_needed(100_000.0, 3.0, target=0.8, within_minutes=1 / 3)
    assert 5000 < n < 5100
    assert (
        service_level(100_000.0, 3.0, n, within_minutes=1 / 3)
        >= 0.8
        > service_level(100_000.0, 3.0, n - 1, within_minutes=1 / 3)
    )


def test_zero_arrivals_need_no_agents() -> None:
    assert agents_needed(0.0, 3.0, target=0.8, within_minutes=0.5) == 0
    assert agents_needed(0, 3.0, target=0.8, within_minutes=0.5, patience_minutes=2.0) == 0


def _meets_a(
    arrivals: float,
    handle: float,
    agents: int,
    target: float,
    within: float,
    ceiling: float | None,
    patience: float,
) -> bool:
    r = erlang_a(arrivals, handle, agents, patience, within_minutes=within)
    return r.service_level >= target and (ceiling is None or r.occupancy <= ceiling)


@settings(max_examples=25)
@given(
    load=st.floats(min_value=0.05, max_value=25.0),
    handle=st.floats(min_value=0.5, max_value=15.0),
    target=st.floats(min_value=0.05, max_value=0.95),
    within=st.floats(min_value=0.0, max_value=10.0),
    ceiling=ceilings,
    patience=st.floats(min_value=0.5, max_value=30.0),
)
def test_least_count_with_abandonment_by_brute_force(
    load: float, handle: float, target: float, within: float, ceiling: float | None, patience: float
) -> None:
    arrivals = load * 60.0 / handle
    n = agents_needed(
        arrivals,
        handle,
        target=target,
        within_minutes=within,
        max_occupancy=ceiling,
        patience_minutes=patience,
    )
    assert _meets_a(arrivals, handle, n, target, within, ceiling, patience)
    first = next(
        k
        for k in range(1, n + 1)
        if _meets_a(arrivals, handle, k, target, within, ceiling, patience)
    )
    assert first == n


def test_endless_patience_staffs_like_erlang_c() -> None:
    # 40.7 Erlangs: the Erlang A search passes overloaded counts (a queue of ~1e9 patient
    # customers) without solving them, and lands where Erlang C does
    arrivals, handle = 610.0, 4.0
    expected = agents_needed(arrivals, handle, target=0.8, within_minutes=1 / 3)
    assert (
        agents_needed(arrivals, handle, target=0.8, within_minutes=1 / 3, patience_minutes=1e9)
        == expected
    )


def test_abandonment_can_staff_below_the_load() -> None:
    # 40 Erlangs of customers who give up after a minute on average: a lax promise (half
    # answered within 10 minutes) is kept by fewer agents than the load, which Erlang C
    # would call unstable
    arrivals, handle = 600.0, 4.0
    n = agents_needed(arrivals, handle, target=0.5, within_minutes=10.0, patience_minutes=1.0)
    assert n < 40
    r = erlang_a(arrivals, handle, n, 1.0, within_minutes=10.0)
    assert (
        r.service_level
        >= 0.5
        > erlang_a(arrivals, handle, n - 1, 1.0, within_minutes=10.0).service_level
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 1.0}, r"target must be in \(0, 1\); got 1.0"),
        ({"target": 0.0}, r"target must be in \(0, 1\); got 0.0"),
        ({"target": math.nan}, r"target must be a finite number"),
        ({"within_minutes": -1.0}, r"within_minutes must be >= 0; got -1.0"),
        ({"max_occupancy": 0.0}, r"max_occupancy must be in \(0, 1\]; got 0.0"),
        ({"max_occupancy": 1.2}, r"max_occupancy must be in \(0, 1\]; got 1.2"),
        ({"handle_minutes": 0.0}, r"handle_minutes must be > 0; got 0.0"),
        ({"arrivals_per_hour": -5}, r"arrivals_per_hour must be >= 0; got -5"),
        ({"patience_minutes": 0.0}, r"patience_minutes must be > 0; got 0.0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "arrivals_per_hour": 100.0,
        "handle_minutes": 3.0,
        "target": 0.8,
        "within_minutes": 0.5,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        agents_needed(**args)
