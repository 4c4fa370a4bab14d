"""Bounded work: every staffing entry point answers or refuses quickly, whatever the rate.

Huge, infinite and NaN rates raise :class:`InputError` at once (they used to run for minutes,
or overflow); the Erlang B shortcut for counts far above the load agrees with the recursion
at the switch-over; the Erlang A search that gallops and bisects returns the least count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, staffing
from prioritize.staffing import MAX_AGENTS, MAX_OFFERED_LOAD
from prioritize.staffing._erlang import _negligible, blocking_from

_RATES = [
    MAX_OFFERED_LOAD * 60 / 5 * 1.01,  # just above the bound, with 5-minute handling
    1e10,
    1e308,
    math.inf,
    math.nan,
]

_ENTRY_POINTS: dict[str, Callable[[float], Any]] = {
    "offered_load": lambda r: staffing.offered_load(r, 5),
    "erlang_c": lambda r: staffing.erlang_c(r, 5, 10),
    "service_level": lambda r: staffing.service_level(r, 5, 10, within_minutes=1),
    "mean_wait_minutes": lambda r: staffing.mean_wait_minutes(r, 5, 10),
    "wait_quantile_minutes": lambda r: staffing.wait_quantile_minutes(r, 5, 10, quantile=0.5),
    "occupancy": lambda r: staffing.occupancy(r, 5, 10),
    "erlang_a": lambda r: staffing.erlang_a(r, 5, 10, 3),
    "agents_needed": lambda r: staffing.agents_needed(r, 5, target=0.8, within_minutes=1),
    "agents_needed_a": lambda r: staffing.agents_needed(
        r, 5, target=0.8, within_minutes=1, patience_minutes=3
    ),
    "cobham_mean_waits": lambda r: staffing.cobham_mean_waits([r, 1.0], 5, 10),
    "erlang_b": lambda r: staffing.erlang_b(r * 5 / 60, 10),
    "plan_intervals": lambda r: staffing.plan_intervals(
        pd.DataFrame({"arrivals": [r / 2]}), handle_minutes=5, target=0.8, within_minutes=1
    ),
}


@pytest.mark.parametrize("rate", _RATES, ids=lambda r: f"{r:g}")
@pytest.mark.parametrize("entry", sorted(_ENTRY_POINTS))
def test_huge_rates_raise_quickly(entry: str, rate: float) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match="arrivals|offered|load|finite"):
        _ENTRY_POINTS[entry](rate)
    assert time.perf_counter() - start < 2.0


def test_the_bound_is_inclusive_and_named() -> None:
    rate = MAX_OFFERED_LOAD * 60 / 5
    assert staffing.offered_load(rate, 5) == MAX_OFFERED_LOAD
    with pytest.raises(InputError, match=r"above the 1e\+06"):
        staffing.offered_load(math.nextafter(rate, math.inf), 5)


def test_a_load_near_the_bound_is_staffed_in_bounded_time() -> None:
    start = time.perf_counter()
    rate = 0.9 * MAX_OFFERED_LOAD * 60 / 5
    agents = staffing.agents_needed(rate, 5, target=0.8, within_minutes=1)
    assert agents > 0.9 * MAX_OFFERED_LOAD
    assert staffing.service_level(rate, 5, agents, within_minutes=1) >= 0.8
    assert staffing.service_level(rate, 5, agents - 1, within_minutes=1) < 0.8
    assert time.perf_counter() - start < 10.0


@pytest.mark.parametrize(
    "call",
    [
        lambda n: staffing.erlang_c(12, 5, n),
        lambda n: staffing.erlang_b(1.0, n),
        lambda n: staffing.erlang_a(12, 5, n, 3),
        lambda n: staffing.service_level(12, 5, n, within_minutes=1),
    ],
)
def test_agent_counts_are_bounded(call: Callable[[int], Any]) -> None:
    with pytest.raises(InputError, match="agents must be at most"):
        call(MAX_AGENTS + 1)
    start = time.perf_counter()
    call(MAX_AGENTS)  # far more agents than work: answered at once
    call(10**9)
    assert time.perf_counter() - start < 2.0


def test_patient_overloaded_search_is_bounded() -> None:
    # Counts below the load hold queues of a million: the search solves few of them.
    start = time.perf_counter()
    agents = staffing.agents_needed(3e5, 5, target=0.5, within_minutes=1, patience_minutes=600)
    assert time.perf_counter() - start < 15.0
    level = staffing.erlang_a(3e5, 5, agents, 600, within_minutes=1).service_level
    fewer = staffing.erlang_a(3e5, 5, agents - 1, 600, within_minutes=1).service_level
    assert fewer < 0.5 <= level


def test_far_more_agents_than_work() -> None:
    assert staffing.erlang_c(12, 5, 10**9) == 0.0
    assert staffing.service_level(12, 5, 10**9, within_minutes=0) == 1.0
    assert staffing.erlang_b(0.0, 3) == 0.0
    assert staffing.erlang_b(0.0, 0) == 1.0


def test_occupancy_ceiling_far_below_load_is_reached_at_once() -> None:
    start = time.perf_counter()
    agents = staffing.agents_needed(60, 5, target=0.8, within_minutes=1, max_occupancy=1e-9)
    assert agents == math.ceil(5 / 1e-9)
    assert time.perf_counter() - start < 1.0
    with pytest.raises(InputError, match="needs more than"):
        staffing.agents_needed(6e5, 5, target=0.8, within_minutes=1, max_occupancy=1e-9)


def _recursion(load: float, agents: int) -> float:
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


@given(
    load=st.floats(0.0, 400.0),
    offset=st.floats(-3.0, 3.0),
)
def test_shortcut_agrees_with_the_recursion_at_the_switch_over(load: float, offset: float) -> None:
    # the first count whose Erlang B is taken as 0.0 without the recursion
    agents = math.floor(load) + 1
    while not _negligible(load, agents):
        agents += 1
    # counts around the switch-over: both sides agree exactly
    for count in range(max(0, agents + math.floor(offset * 10) - 5), agents + 30):
        assert next(blocking_from(load, count))[1] == _recursion(load, count)
    assert _recursion(load, agents) == 0.0


@given(start=st.integers(0, 300), load=st.floats(0.1, 200.0))
def test_blocking_from_continues_the_recursion(start: int, load: float) -> None:
    sequence = blocking_from(load, start)
    for k in range(start, start + 20):
        assert next(sequence) == (k, _recursion(load, k))


@given(
    rate=st.floats(100.0, 4000.0),
    target=st.floats(0.05, 0.95),
    patience=st.floats(0.5, 600.0),
    within=st.floats(0.0, 5.0),
)
def test_erlang_a_search_returns_the_least_count(
    rate: float, target: float, patience: float, within: float
) -> None:
    # Loads up to 333 Erlangs, targets low and high, patience short and long: the answer lies
    # below the load (bisected) or above it (bracketed upwards, then bisected).
    agents = staffing.agents_needed(
        rate, 5, target=target, within_minutes=within, patience_minutes=patience
    )

    def level(n: int) -> float:
        return staffing.erlang_a(rate, 5, n, patience, within_minutes=within).service_level

    assert level(agents) >= target
    if agents > 1:
        assert level(agents - 1) < target
