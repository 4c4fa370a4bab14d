"""Staffing: each function checks its own arguments; Erlang A staffing is the least count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.staffing import (
    agents_needed,
    cobham_mean_waits,
    erlang_a,
    mean_wait_minutes,
    occupancy,
    wait_quantile_minutes,
)

BY_AGENTS: list[Callable[[Any], Any]] = [
    lambda agents: mean_wait_minutes(10.0, 3.0, agents),
    lambda agents: wait_quantile_minutes(10.0, 3.0, agents, quantile=0.9),
    lambda agents: occupancy(10.0, 3.0, agents),
]


@pytest.mark.parametrize("call", BY_AGENTS)
@pytest.mark.parametrize("agents", [0, -1, 2.0, True, "3"])
def test_agents_must_be_a_whole_number_of_at_least_one(
    call: Callable[[Any], Any], agents: Any
) -> None:
    with pytest.raises(InputError, match=r"^agents must be a whole number >= 1; got"):
        call(agents)


@pytest.mark.parametrize("call", BY_AGENTS)
def test_one_agent_is_enough_to_ask(call: Callable[[Any], Any]) -> None:
    assert call(1) >= 0.0


@pytest.mark.parametrize("handle", [0.0, -1.0])
def test_cobham_needs_a_positive_handling_time(handle: float) -> None:
    with pytest.raises(InputError, match=r"^handle_minutes must be > 0; got"):
        cobham_mean_waits([5.0, 5.0], handle, 2)


@given(
    st.floats(1.0, 120.0),
    st.floats(1.0, 10.0),
    st.sampled_from([0.5, 0.8, 0.9]),
    st.sampled_from([0.0, 1.0, 5.0]),
    st.floats(0.5, 30.0),
    st.sampled_from([None, 0.85]),
)
def test_erlang_a_staffing_is_the_least_count_that_meets_the_promise(
    arrivals: float,
    handle: float,
    target: float,
    within: float,
    patience: float,
    ceiling: float | None,
) -> None:
    n = agents_needed(
        arrivals,
        handle,
        target=target,
        within_minutes=within,
        patience_minutes=patience,
        max_occupancy=ceiling,
    )

    def meets(agents: int) -> bool:
        result = erlang_a(arrivals, handle, agents, patience, within_minutes=within)
        return result.service_level >= target and (ceiling is None or result.occupancy <= ceiling)

    assert n >= 1 and meets(n)
    assert not any(meets(fewer) for fewer in range(1, n))
