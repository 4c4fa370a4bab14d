"""Erlang B and C: closed forms, published examples, brute force, large systems, bad input."""

from __future__ import annotations

import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.staffing import (
    erlang_b,
    erlang_c,
    mean_wait_minutes,
    occupancy,
    offered_load,
    service_level,
    wait_quantile_minutes,
)

rates = st.floats(min_value=0.5, max_value=3000.0)
handles = st.floats(min_value=0.25, max_value=30.0)


@st.composite
def stable_systems(draw: st.DrawFn, max_load: float = 150.0) -> tuple[float, float, int]:
    """(arrivals_per_hour, handle_minutes, agents) with offered load below the agents."""
    handle = draw(handles)
    load = draw(st.floats(min_value=0.01, max_value=max_load))
    arrivals = load * 60.0 / handle
    a = offered_load(arrivals, handle)
    agents = math.floor(a) + 1 + draw(st.integers(min_value=0, max_value=15))
    return arrivals, handle, agents


# --- closed forms ---------------------------------------------------------------------------


@given(system=stable_systems(max_load=35.0))
def test_erlang_c_matches_factorial_formula_exactly(
    system: tuple[float, float, int], oracle
) -> None:  # type: ignore[no-untyped-def]
    arrivals, handle, agents = system
    load = Fraction(offered_load(arrivals, handle))  # the same float load, as an exact rational
    expected = oracle.exact_erlang_c(load, agents)
    assert erlang_c(arrivals, handle, agents) == pytest.approx(float(expected), rel=1e-12)


@given(
    load=st.fractions(min_value=0, max_value=40, max_denominator=1000),
    agents=st.integers(min_value=0, max_value=40),
)
def test_erlang_b_matches_factorial_formula_exactly(load: Fraction, agents: int) -> None:
    terms = [load**k / math.factorial(k) for k in range(agents + 1)]
    expected = terms[-1] / sum(terms, Fraction(0))
    assert erlang_b(float(load), agents) == pytest.approx(float(expected), rel=1e-12, abs=1e-300)


def test_erlang_b_small_cases_by_hand() -> None:
    assert erlang_b(2.0, 0) == 1.0
    assert erlang_b(2.0, 1) == pytest.approx(2 / 3, rel=1e-15)  # a / (1 + a)
    assert erlang_b(2.0, 2) == pytest.approx(2 / 5, rel=1e-15)  # 2 / (1 + 2 + 2)
    assert erlang_b(0.0, 3) == 0.0


def test_single_agent_is_mm1() -> None:
    # M/M/1: P(wait) = rho, E[W] = rho h / (1 - rho), P(W <= t) = 1 - rho e^{-(1-rho) t / h}
    arrivals, handle = 45.0, 1.0  # rho = 0.75
    assert erlang_c(arrivals, handle, 1) == pytest.approx(0.75, rel=1e-15)
    assert mean_wait_minutes(arrivals, handle, 1) == pytest.approx(3.0, rel=1e-15)
    assert service_level(arrivals, handle, 1, within_minutes=2.0) == pytest.approx(
        1 - 0.75 * math.exp(-0.5), rel=1e-15
    )


def test_textbook_call_centre_a3_c5() -> None:
    # One call a minute, 3-minute calls, 5 agents: P(wait) = 0.2362 (standard textbook value).
    assert erlang_c(60.0, 3.0, 5) == pytest.approx(0.2362, abs=5e-5)
    assert 1 - erlang_c(60.0, 3.0, 5) == pytest.approx(0.7638, abs=5e-5)


def test_published_call_calc_example() -> None:
    # Footbridge "Call Calc" application note (al911.org): 2 call takers, 60-second calls at
    # 30 per hour: fewer than 8% wait more than 10 seconds; with 80-second calls, 14%.
    assert 1 - service_level(30.0, 1.0, 2, within_minutes=10 / 60) == pytest.approx(
        0.0779, abs=5e-4
    )
    assert 1 - service_level(30.0, 80 / 60, 2, within_minutes=10 / 60) == pytest.approx(
        0.141, abs=5e-4
    )


# --- brute force: the M/M/c chain solved numerically ---------------------------------------


@pytest.mark.parametrize(
    ("arrivals", "handle", "agents"), [(100.0, 3.0, 6), (400.0, 5.0, 40), (57.0, 2.5, 3)]
)
def test_agrees_with_solved_ctmc(arrivals: float, handle: float, agents: int, oracle) -> None:  # type: ignore[no-untyped-def]
    lam, mu = arrivals / 60.0, 1.0 / handle
    pi = oracle.ctmc(lam, mu, agents, 0.0, states=agents + 250)  # rho <= 0.84: tail < 1e-18
    waiting = np.maximum(np.arange(pi.size) - agents, 0)
    assert erlang_c(arrivals, handle, agents) == pytest.approx(pi[agents:].sum(), rel=1e-9)
    assert mean_wait_minutes(arrivals, handle, agents) == pytest.approx(
        pi @ waiting / lam, rel=1e-9
    )
    for within in (0.0, 0.2, 1.5):
        expected, _ = oracle.answered_within(pi, mu, agents, 0.0, within)
        assert service_level(arrivals, handle, agents, within_minutes=within) == pytest.approx(
            expected, rel=1e-9
        )


# --- large systems ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("load", "agents"), [(180.0, 200), (900.0, 1000), (4990.0, 5000), (20.0, 400)]
)
def test_large_systems_match_log_space_formula(load: float, agents: int, oracle) -> None:  # type: ignore[no-untyped-def]
    expected = oracle.log_erlang_b(load, agents)
    assert erlang_b(load, agents) == pytest.approx(expected, rel=1e-10)
    handle = 5.0
    c = erlang_c(load * 60 / handle, handle, agents)
    assert 0.0 <= c < 1.0
    assert c == pytest.approx(agents * expected / (agents - load * (1 - expected)), rel=1e-10)


def test_large_systems_match_scipy_poisson() -> None:
    special = importlib.import_module("scipy.special")
    for load, agents in [(250.0, 300), (1500.5, 1600), (40_000.0, 40_100)]:
        pmf = math.exp(special.xlogy(agents, load) - load - special.gammaln(agents + 1))
        expected = pmf / special.pdtr(agents, load)  # Poisson pmf / cdf at c
        assert erlang_b(load, agents) == pytest.approx(expected, rel=1e-9)


def test_hundred_thousand_agents_no_overflow() -> None:
    # a^c / c! overflows for c > 170; the recursion does not.
    c = erlang_c(100_000 * 60 / 3.0, 3.0, 100_400)  # 400 agents is 1.3 sd of the load
    assert 0.1 < c < 0.2
    assert math.isfinite(mean_wait_minutes(100_000 * 60 / 3.0, 3.0, 100_400))


# --- properties -------------------------------------------------------------------------------


@given(stable_systems())
def test_more_agents_never_hurt(system: tuple[float, float, int]) -> None:
    arrivals, handle, agents = system
    assert erlang_c(arrivals, handle, agents + 1) <= erlang_c(arrivals, handle, agents)
    assert service_level(arrivals, handle, agents + 1, within_minutes=0.5) >= service_level(
        arrivals, handle, agents, within_minutes=0.5
    )
    assert mean_wait_minutes(arrivals, handle, agents + 1) <= mean_wait_minutes(
        arrivals, handle, agents
    )


@given(stable_systems())
def test_waiting_is_more_likely_than_blocking(system: tuple[float, float, int]) -> None:
    arrivals, handle, agents = system
    b = erlang_b(offered_load(arrivals, handle), agents)
    c = erlang_c(arrivals, handle, agents)
    assert 0.0 <= b <= c <= 1.0


@given(
    stable_systems(),
    st.floats(min_value=0.0, max_value=60.0),
    st.floats(min_value=0.0, max_value=60.0),
)
def test_service_level_is_a_distribution_function(
    system: tuple[float, float, int], t1: float, t2: float
) -> None:
    arrivals, handle, agents = system
    lo, hi = sorted((t1, t2))
    sl_lo, sl_hi = (service_level(arrivals, handle, agents, within_minutes=t) for t in (lo, hi))
    assert 0.0 <= sl_lo <= sl_hi <= 1.0
    assert service_level(arrivals, handle, agents, within_minutes=0.0) == pytest.approx(
        1 - erlang_c(arrivals, handle, agents), rel=1e-15, abs=1e-15
    )


@given(stable_systems(), st.floats(min_value=0.0, max_value=0.999))
def test_quantile_inverts_service_level(system: tuple[float, float, int], q: float) -> None:
    arrivals, handle, agents = system
    t = wait_quantile_minutes(arrivals, handle, agents, quantile=q)
    assert t >= 0.0
    assert service_level(arrivals, handle, agents, within_minutes=t) >= q - 1e-12
    if t > 0.0:
        assert service_level(arrivals, handle, agents, within_minutes=t) == pytest.approx(
            q, abs=1e-9
        )
    else:
        assert 1 - erlang_c(arrivals, handle, agents) >= q


@settings(max_examples=25)
@given(stable_systems())
def test_mean_wait_is_integral_of_tail(system: tuple[float, float, int]) -> None:
    arrivals, handle, agents = system
    load = offered_load(arrivals, handle)
    # E[W] = ∫ P(W > t) dt, by Simpson's rule on a grid covering the tail
    scale = handle / (agents - load)
    grid = np.linspace(0.0, 40 * scale, 401)
    tail = np.array([1 - service_level(arrivals, handle, agents, within_minutes=t) for t in grid])
    weights = np.ones(grid.size)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    integral = float(tail @ weights) * (grid[1] - grid[0]) / 3
    assert mean_wait_minutes(arrivals, handle, agents) == pytest.approx(
        integral, rel=1e-5, abs=1e-12
    )


@given(stable_systems())
def test_occupancy_is_load_per_agent(system: tuple[float, float, int]) -> None:
    arrivals, handle, agents = system
    assert occupancy(arrivals, handle, agents) == pytest.approx(
        arrivals * handle / 60 / agents, rel=1e-15
    )


def test_units_hours_and_minutes() -> None:
    # 120 per hour with 30-second handling is one Erlang; same as 60 per hour at 1 minute
    assert offered_load(120, 0.5) == 1.0
    assert erlang_c(120, 0.5, 2) == erlang_c(60, 1.0, 2)
    # the wait scales with the handling time at a fixed load
    assert mean_wait_minutes(120, 0.5, 2) == pytest.approx(
        mean_wait_minutes(60, 1.0, 2) / 2, rel=1e-15
    )


def test_zero_arrivals() -> None:
    assert erlang_c(0, 4.0, 1) == 0.0
    assert service_level(0, 4.0, 1, within_minutes=0.0) == 1.0
    assert mean_wait_minutes(0, 4.0, 1) == 0.0
    assert occupancy(0, 4.0, 3) == 0.0
    assert wait_quantile_minutes(0, 4.0, 1, quantile=0.99) == 0.0


# --- unstable systems and bad input ------------------------------------------------------------


def test_unstable_limits_and_errors() -> None:
    arrivals, handle, agents = 90.0, 4.0, 6  # load 6 Erlangs on 6 agents
    assert erlang_c(arrivals, handle, agents) == 1.0
    assert service_level(arrivals, handle, agents, within_minutes=10.0) == 0.0
    assert occupancy(arrivals, handle, agents) == 1.0
    assert occupancy(arrivals, handle, 3) == 1.0
    with pytest.raises(
        InputError,
        match=r"unstable: offered load 6 Erlangs .*arrivals_per_hour=90.0.*handle_minutes=4.0.*agents=6",
    ):
        mean_wait_minutes(arrivals, handle, agents)
    with pytest.raises(InputError, match="unstable"):
        wait_quantile_minutes(arrivals, handle, agents, quantile=0.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1.0, 3.0, 2), r"arrivals_per_hour must be >= 0; got -1.0"),
        ((10.0, 0.0, 2), r"handle_minutes must be > 0; got 0.0"),
        ((10.0, -2, 2), r"handle_minutes must be > 0; got -2"),
        ((math.nan, 3.0, 2), r"arrivals_per_hour must be a finite number; got nan"),
        ((10.0, math.inf, 2), r"handle_minutes must be a finite number; got inf"),
        (("10", 3.0, 2), r"arrivals_per_hour must be a number; got '10'"),
        ((True, 3.0, 2), r"arrivals_per_hour must be a number; got True"),
        ((10.0, 3.0, 0), r"agents must be a whole number >= 1; got 0"),
        ((10.0, 3.0, -3), r"agents must be a whole number >= 1; got -3"),
        ((10.0, 3.0, 2.0), r"agents must be a whole number >= 1; got 2.0"),
        ((10.0, 3.0, None), r"agents must be a whole number >= 1; got None"),
    ],
)
def test_bad_arguments(args: tuple[object, object, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        erlang_c(*args)
    with pytest.raises(InputError, match=message):
        service_level(*args, within_minutes=1.0)


def test_bad_scalars_elsewhere() -> None:
    with pytest.raises(InputError, match=r"within_minutes must be >= 0; got -1"):
        service_level(10.0, 3.0, 2, within_minutes=-1)
    with pytest.raises(InputError, match=r"quantile must be in \[0, 1\); got 1.0"):
        wait_quantile_minutes(10.0, 3.0, 2, quantile=1.0)
    with pytest.raises(InputError, match=r"quantile must be >= 0"):
        wait_quantile_minutes(10.0, 3.0, 2, quantile=-0.1)
    with pytest.raises(InputError, match=r"offered_load must be >= 0"):
        erlang_b(-1.0, 2)
    with pytest.raises(InputError, match=r"agents must be a whole number >= 0; got -1"):
        erlang_b(1.0, -1)
    assert erlang_c(10.0, 3.0, np.int64(2)) == erlang_c(10.0, 3.0, 2)
    assert erlang_c(np.float32(10.0), 3.0, 2) == erlang_c(10.0, 3.0, 2)
