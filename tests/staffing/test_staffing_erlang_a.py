"""Erlang A (M/M/c+M) against a solved CTMC, the Poisson case, Erlang C, and its own identities."""

from __future__ import annotations

import importlib
import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.staffing import (
    ErlangAResult,
    erlang_a,
    erlang_c,
    mean_wait_minutes,
    offered_load,
    service_level,
)


@st.composite
def systems(draw: st.DrawFn, max_agents: int = 12) -> tuple[float, float, int, float]:
    """(arrivals_per_hour, handle_minutes, agents, patience_minutes), loads up to 1.6x agents."""
    agents = draw(st.integers(min_value=1, max_value=max_agents))
    handle = draw(st.floats(min_value=0.5, max_value=20.0))
    load = draw(st.floats(min_value=0.05, max_value=1.6 * agents))
    patience = draw(st.floats(min_value=0.2, max_value=40.0))
    return load * 60.0 / handle, handle, agents, patience


def _brute(oracle, arrivals: float, handle: float, agents: int, patience: float, within: float):  # type: ignore[no-untyped-def]
    lam, mu, theta = arrivals / 60.0, 1.0 / handle, 1.0 / patience
    # keep the states whose weight is above e^-45 of the largest (log weights, by hand)
    n = np.arange(1, 20_000)
    death = np.minimum(n, agents) * mu + np.maximum(n - agents, 0) * theta
    logs = np.concatenate([[0.0], np.cumsum(np.log(lam / death))])
    states = int(np.flatnonzero(logs >= logs.max() - 45.0)[-1]) + 5
    assert states > agents
    pi = oracle.ctmc(lam, mu, agents, theta, states)
    queue = np.maximum(np.arange(states) - agents, 0)
    within_t, answered = oracle.answered_within(pi, mu, agents, theta, within)
    return pi, lam, theta, float(pi @ queue), within_t, answered


def _check_against_brute(result: ErlangAResult, brute: tuple, agents: int) -> None:  # type: ignore[type-arg]
    pi, lam, theta, queue_length, within_t, answered = brute
    rel = 1e-8
    assert result.wait_probability == pytest.approx(pi[agents:].sum(), rel=rel, abs=1e-14)
    assert result.mean_queue_length == pytest.approx(queue_length, rel=rel, abs=1e-13)
    assert result.abandon_probability == pytest.approx(
        theta * queue_length / lam, rel=rel, abs=1e-14
    )
    assert result.answered_probability == pytest.approx(answered, rel=rel)
    assert result.mean_wait_minutes == pytest.approx(queue_length / lam, rel=rel, abs=1e-12)
    assert result.service_level == pytest.approx(within_t, rel=rel, abs=1e-12)
    assert result.service_level_answered == pytest.approx(within_t / answered, rel=rel, abs=1e-12)
    busy = pi @ np.minimum(np.arange(pi.size), agents)
    assert result.occupancy == pytest.approx(busy / agents, rel=rel)


@settings(max_examples=30)
@given(system=systems(), within=st.floats(min_value=0.0, max_value=5.0))
def test_agrees_with_solved_ctmc(
    system: tuple[float, float, int, float], within: float, oracle
) -> None:  # type: ignore[no-untyped-def]
    arrivals, handle, agents, patience = system
    result = erlang_a(arrivals, handle, agents, patience, within_minutes=within)
    _check_against_brute(result, _brute(oracle, arrivals, handle, agents, patience, within), agents)


@settings(max_examples=25)
@given(system=systems(max_agents=20))
def test_exact_to_floating_point_against_high_precision(
    system: tuple[float, float, int, float],
) -> None:
    # the same chain in 60-digit decimal arithmetic, truncated where weights fall below
    # 1e-40 of both the largest and the first queueing state's weight
    arrivals, handle, agents, patience = system
    with localcontext() as ctx:
        ctx.prec = 60
        lam = Decimal(offered_load(arrivals, handle)) / Decimal(handle)
        mu, theta = 1 / Decimal(handle), 1 / Decimal(patience)
        weights = [Decimal(1)]
        peak, n = weights[0], 0
        while n <= agents or weights[-1] * 10**40 > min(peak, weights[agents]):
            n += 1
            weights.append(weights[-1] * lam / (min(n, agents) * mu + max(n - agents, 0) * theta))
            peak = max(peak, weights[-1])
        total = sum(weights)
        queue = [w / total for w in weights[agents:]]
        queue_length = sum(j * q for j, q in enumerate(queue))
        answered = sum(weights[:agents]) / total + sum(
            q * agents * mu / (agents * mu + (j + 1) * theta) for j, q in enumerate(queue)
        )
        busy = sum(min(k, agents) * w for k, w in enumerate(weights)) / total
        expected = [sum(queue), queue_length, theta * queue_length / lam, answered, busy / agents]
    r = erlang_a(arrivals, handle, agents, patience)
    got = [
        r.wait_probability,
        r.mean_queue_length,
        r.abandon_probability,
        r.answered_probability,
        r.occupancy,
    ]
    assert got == pytest.approx([float(e) for e in expected], rel=1e-13)


@pytest.mark.parametrize(
    ("arrivals", "handle", "agents", "patience", "within"),
    [
        (720.0, 4.0, 55, 2.0, 0.25),  # 48 Erlangs on 55 agents, impatient
        (720.0, 4.0, 40, 6.0, 1.0),  # overloaded: 48 Erlangs on 40 agents
        (2400.0, 5.0, 190, 3.0, 0.5),  # 200 Erlangs on 190 agents
    ],
)
def test_larger_systems_agree_with_solved_ctmc(
    arrivals: float,
    handle: float,
    agents: int,
    patience: float,
    within: float,
    oracle,  # type: ignore[no-untyped-def]
) -> None:
    result = erlang_a(arrivals, handle, agents, patience, within_minutes=within)
    _check_against_brute(result, _brute(oracle, arrivals, handle, agents, patience, within), agents)


def _poisson_pmf(load: float, n: int) -> float:
    return math.exp(n * math.log(load) - load - math.lgamma(n + 1))


@pytest.mark.parametrize(("load", "agents"), [(0.7, 1), (4.2, 3), (12.0, 15), (30.0, 25)])
def test_patience_equal_to_handle_time_gives_poisson(load: float, agents: int) -> None:
    # theta = mu: every one of n customers leaves at rate mu, so n ~ Poisson(a) (M/M/inf)
    handle = 3.0
    arrivals = load * 60 / handle
    within = 1.3
    result = erlang_a(arrivals, handle, agents, handle, within_minutes=within)
    pmf = np.array([_poisson_pmf(load, n) for n in range(400)])
    at_least_c = 1.0 - pmf[:agents].sum()
    excess = load * at_least_c - agents * (at_least_c - pmf[agents])  # E[(N - c)^+]
    assert result.wait_probability == pytest.approx(at_least_c, rel=1e-11)
    assert result.abandon_probability == pytest.approx(excess / load, rel=1e-10)
    assert result.mean_wait_minutes == pytest.approx(excess / (arrivals / 60), rel=1e-10)
    busy = load - excess  # E[min(N, c)] = E[N] - E[(N - c)^+]
    assert result.occupancy == pytest.approx(busy / agents, rel=1e-11)
    # Answered within t with x = c·mu/theta = c a whole number: the incomplete beta of the
    # general case becomes a binomial tail, P = c/(c+j+1) · P(Bin(c + j + 1, 1 - e^{-mu t}) >= j + 1).
    z = -math.expm1(-within / handle)
    expected = pmf[:agents].sum()
    for j in range(0, 300):
        trials = agents + j + 1
        tail = sum(
            math.comb(trials, k) * z**k * (1 - z) ** (trials - k) for k in range(j + 1, trials + 1)
        )
        expected += pmf[agents + j] * agents / (agents + j + 1) * tail
    assert result.service_level == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    ("arrivals", "handle", "agents"), [(100.0, 3.0, 6), (720.0, 4.0, 55), (5.0, 10.0, 1)]
)
def test_endless_patience_approaches_erlang_c(arrivals: float, handle: float, agents: int) -> None:
    result = erlang_a(arrivals, handle, agents, 1e9, within_minutes=0.5)  # theta = 1e-9 per minute
    assert result.wait_probability == pytest.approx(erlang_c(arrivals, handle, agents), rel=1e-5)
    assert result.mean_wait_minutes == pytest.approx(
        mean_wait_minutes(arrivals, handle, agents), rel=1e-5
    )
    assert result.mean_wait_answered_minutes == pytest.approx(
        mean_wait_minutes(arrivals, handle, agents), rel=1e-5
    )
    assert result.service_level == pytest.approx(
        service_level(arrivals, handle, agents, within_minutes=0.5), rel=1e-5
    )
    assert result.abandon_probability < 1e-5


def test_service_level_matches_incomplete_beta_form() -> None:
    # P(answered within t | j waiting) = x/(x+j+1) · I_z(j+1, x+1), x = c·mu/theta, z = 1 - e^{-theta t},
    # evaluated with scipy's regularised incomplete beta on our own stationary queue.
    special = importlib.import_module("scipy.special")
    arrivals, handle, agents, patience, within = 900.0, 4.0, 58, 2.5, 0.4
    lam, mu, theta = arrivals / 60, 1 / handle, 1 / patience
    x, y = agents * mu / theta, lam / theta
    # stationary weights relative to state c: w_{c+j} = y^j / prod_{i=1..j} (x + i)
    j = np.arange(0, 400)
    log_rel = np.concatenate([[0.0], np.cumsum(np.log(y / (x + j[1:])))])
    load = lam / mu
    # and below c: pi_n / pi_c = c! / (n! a^(c - n))
    below = np.array(
        [
            math.exp((n - agents) * math.log(load) + math.lgamma(agents + 1) - math.lgamma(n + 1))
            for n in range(agents)
        ]
    )
    total = below.sum() + np.exp(log_rel).sum()
    queue = np.exp(log_rel) / total
    z = -math.expm1(-theta * within)
    expected = below.sum() / total + float(
        np.sum(queue * x / (x + j + 1) * special.betainc(j + 1, x + 1, z))
    )
    result = erlang_a(arrivals, handle, agents, patience, within_minutes=within)
    assert result.service_level == pytest.approx(expected, rel=1e-11)
    assert result.wait_probability == pytest.approx(queue.sum(), rel=1e-11)


@settings(max_examples=40)
@given(system=systems(max_agents=60))
def test_identities(system: tuple[float, float, int, float]) -> None:
    arrivals, handle, agents, patience = system
    at_once = erlang_a(arrivals, handle, agents, patience)
    later = erlang_a(arrivals, handle, agents, patience, within_minutes=handle)
    forever = erlang_a(arrivals, handle, agents, patience, within_minutes=1e4 * patience)
    load = offered_load(arrivals, handle)
    # work conservation: busy agents = load that is not abandoned (two different sums)
    assert at_once.occupancy * agents == pytest.approx(
        load * at_once.answered_probability, rel=1e-9
    )
    # nobody answered at once had to wait; everyone answered is answered eventually
    assert at_once.service_level == pytest.approx(
        1 - at_once.wait_probability, rel=1e-12, abs=1e-15
    )
    assert forever.service_level == pytest.approx(forever.answered_probability, rel=1e-9)
    assert at_once.service_level <= later.service_level <= forever.service_level + 1e-12
    for r in (at_once, later, forever):
        assert 0.0 <= r.abandon_probability <= r.wait_probability <= 1.0
        assert 0.0 <= r.service_level <= r.service_level_answered <= 1.0
        assert 0.0 <= r.occupancy <= 1.0
        assert r.mean_wait_answered_minutes >= 0.0 and r.mean_wait_minutes >= 0.0
    # the figures that do not depend on t are the same for every t
    assert later.abandon_probability == at_once.abandon_probability
    assert later.wait_probability == at_once.wait_probability


@settings(max_examples=30)
@given(system=systems(max_agents=30))
def test_more_agents_or_more_patience(system: tuple[float, float, int, float]) -> None:
    arrivals, handle, agents, patience = system
    base = erlang_a(arrivals, handle, agents, patience, within_minutes=0.5)
    more = erlang_a(arrivals, handle, agents + 1, patience, within_minutes=0.5)
    assert more.wait_probability <= base.wait_probability + 1e-12
    assert more.abandon_probability <= base.abandon_probability + 1e-12
    assert more.service_level >= base.service_level - 1e-12
    patient = erlang_a(arrivals, handle, agents, 2 * patience, within_minutes=0.5)
    assert patient.abandon_probability <= base.abandon_probability + 1e-12
    assert patient.wait_probability >= base.wait_probability - 1e-12


def test_hundreds_of_agents_are_fast_and_sane() -> None:
    for arrivals, agents in [(12_000.0, 700), (12_000.0, 900), (60_000.0, 4000)]:
        r = erlang_a(arrivals, 4.0, agents, 3.0, within_minutes=0.25)
        load = offered_load(arrivals, 4.0)
        assert all(
            math.isfinite(v) for v in (r.wait_probability, r.service_level, r.mean_wait_minutes)
        )
        assert r.occupancy * agents == pytest.approx(load * r.answered_probability, rel=1e-9)
        assert r.states < agents + 2000
    overloaded = erlang_a(60_000.0, 4.0, 3000, 3.0)
    # far over capacity nearly every agent is busy and the excess gives up
    assert overloaded.occupancy == pytest.approx(1.0, abs=1e-9)
    assert overloaded.abandon_probability == pytest.approx(1 - 3000 / 4000, rel=1e-3)


def test_zero_arrivals() -> None:
    r = erlang_a(0.0, 3.0, 2, 1.0, within_minutes=0.5)
    assert (r.wait_probability, r.abandon_probability, r.mean_wait_minutes) == (0.0, 0.0, 0.0)
    assert (r.service_level, r.service_level_answered, r.occupancy) == (1.0, 1.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience_minutes": 0.0}, r"patience_minutes must be > 0; got 0.0"),
        ({"patience_minutes": math.inf}, r"patience_minutes must be a finite number; got inf"),
        ({"agents": 0}, r"agents must be a whole number >= 1; got 0"),
        ({"within_minutes": -0.5}, r"within_minutes must be >= 0; got -0.5"),
        ({"arrivals_per_hour": -3.0}, r"arrivals_per_hour must be >= 0; got -3.0"),
        ({"handle_minutes": 0}, r"handle_minutes must be > 0; got 0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "arrivals_per_hour": 60.0,
        "handle_minutes": 3.0,
        "agents": 4,
        "patience_minutes": 2.0,
        "within_minutes": 0.5,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        erlang_a(**args)


def test_overloaded_with_endless_patience_is_refused() -> None:
    with pytest.raises(
        InputError, match=r"more than 5000000 states.*patience_minutes=1000000000.0"
    ):
        erlang_a(120.0, 3.0, 2, 1e9)
