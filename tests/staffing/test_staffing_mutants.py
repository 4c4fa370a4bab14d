"""Staffing details the mutation run found untested: where the Erlang A chain is cut, and
the error messages' values."""

from __future__ import annotations

import math
import random
from decimal import Decimal, localcontext

import pytest

from prioritize import InputError
from prioritize.staffing import (
    ErlangAResult,
    agents_needed,
    cobham_mean_waits,
    erlang_a,
    erlang_c,
    occupancy,
    offered_load,
    service_level,
    wait_quantile_minutes,
)
from prioritize.staffing._erlang_a import chain_mode, chain_weights, too_many_states

_TAIL = Decimal("1e-16")


def _death(n: int, agents: int, mu: Decimal, theta: Decimal) -> Decimal:
    return min(n, agents) * mu + max(n - agents, 0) * theta


def _reference_cut(lam: float, mu: float, agents: int, theta: float) -> tuple[int, Decimal]:
    """The states kept by the documented rule, in 50-digit arithmetic, and the rule's margin.

    From the mode (the last state whose death rate is <= λ, weight 1) states are added one at
    a time; the chain ends at the first state n where the geometric bound of the tail
    beyond n (``w_n·r/(1−r)`` with ``r = λ/d_{n+1}``, and for the first moment
    ``tail·(max(n − c, 0) + 1/(1−r))``) is below 1e-16 of the total weight, of the weight
    of the queueing states and of their first moment, each summed up to n. The margin is
    how far from 1 the deciding ratios are at n and at n − 1 (the rule is met clearly at
    n and missed clearly at n − 1).
    """
    with localcontext() as ctx:
        ctx.prec = 50
        lam_, mu_, theta_ = Decimal(lam), Decimal(mu), Decimal(theta)
        mode = 0
        while _death(mode + 1, agents, mu_, theta_) <= lam_:
            mode += 1
        weights = [Decimal(1)]
        for n in range(mode, 0, -1):
            weights.append(weights[-1] * _death(n, agents, mu_, theta_) / lam_)
        weights.reverse()
        total = sum(weights)
        queued = sum(weights[agents:])
        moment = sum(w * max(n - agents, 0) for n, w in enumerate(weights))
        n, w, missed = mode, Decimal(1), Decimal(0)
        while True:
            n += 1
            w = w * lam_ / _death(n, agents, mu_, theta_)
            total += w
            if n >= agents:
                queued += w
            moment += w * max(n - agents, 0)
            r = lam_ / _death(n + 1, agents, mu_, theta_)
            if r >= 1:
                continue
            tail = w * r / (1 - r)
            tail_moment = tail * (max(n - agents, 0) + 1 / (1 - r))
            ratios = [
                tail / (_TAIL * total),
                tail / (_TAIL * queued) if queued else Decimal("Infinity"),
                tail_moment / (_TAIL * moment) if moment else Decimal("Infinity"),
            ]
            if max(ratios) <= 1:
                return n + 1, min(1 - max(ratios), missed - 1)
            missed = max(ratios)


CHAINS = [
    # (arrivals_per_hour, handle_minutes, agents, patience_minutes)
    (60.0, 3.0, 4, 2.0),  # 3 Erlangs on 4 agents
    (120.0, 3.0, 4, 2.0),  # overloaded
    (720.0, 4.0, 55, 2.0),  # 48 Erlangs on 55 agents, impatient
    (720.0, 4.0, 40, 6.0),  # 48 Erlangs on 40 agents
    (2400.0, 5.0, 190, 3.0),  # 200 Erlangs on 190 agents
    (30.0, 10.0, 1, 40.0),  # one agent, patient customers
    (6.0, 2.0, 12, 0.5),  # far more agents than work
    (600.0, 2.0, 9, 0.3),  # very impatient, overloaded
    (300.0, 6.0, 25, 15.0),
    (90.0, 1.5, 2, 120.0),  # a long queue of patient customers
    # chains that take several blocks of states past the mode
    (600.0, 6.0, 50, 200.0),
    (60.0, 3.0, 2, 500.0),
    (3000.0, 2.0, 90, 400.0),
    # underloaded: the queueing states all lie past the mode
    (60.0, 3.0, 8, 5.0),
    (60.0, 3.0, 6, 0.2),
    (240.0, 1.0, 9, 30.0),
]


@pytest.mark.parametrize(("arrivals", "handle", "agents", "patience"), CHAINS)
def test_the_chain_ends_at_the_first_state_whose_tail_is_negligible(
    arrivals: float, handle: float, agents: int, patience: float
) -> None:
    # per minute, as erlang_a computes them
    lam = offered_load(arrivals, handle) / handle
    mu, theta = 1.0 / handle, 1.0 / patience
    states, margin = _reference_cut(lam, mu, agents, theta)
    assert margin > Decimal("1e-6")  # the rule is not at a float's whim in these cases
    weights = chain_weights(lam, mu, agents, theta, patience)
    assert weights.size == states
    assert erlang_a(arrivals, handle, agents, patience).states == states


@pytest.mark.parametrize("q", [0.9, 0.95, 0.99])
def test_wait_quantile_by_hand(q: float) -> None:
    # 200 queries an hour of 3 minutes on 14 agents: 10 Erlangs, P(wait) = C ~ 0.174 > 1 - q,
    # so the quantile is h / (c - a) · ln(C / (1 - q)) = 3/4 · ln(C / (1 - q)) minutes
    c = erlang_c(200, 3, 14)
    assert c == pytest.approx(0.174, abs=5e-4)
    expected = 3.0 / 4.0 * math.log(c / (1.0 - q))
    assert wait_quantile_minutes(200, 3, 14, quantile=q) == pytest.approx(expected, rel=1e-12)
    # and below 1 - C nobody has to wait
    assert wait_quantile_minutes(200, 3, 14, quantile=0.8) == 0.0


def test_unstable_messages_name_the_arguments() -> None:
    message = (
        r"^the queue is unstable: offered load 6 Erlangs \(arrivals_per_hour=90.0 × "
        r"handle_minutes=4.0 / 60\) is not below agents=6"
    )
    with pytest.raises(InputError, match=message):
        wait_quantile_minutes(90.0, 4.0, 6, quantile=0.5)
    # Cobham names the total of the class rates
    message = (
        r"^the queue is unstable: offered load 1.16667 Erlangs \(arrivals_per_hour=70.0 × "
        r"handle_minutes=1.0 / 60\) is not below agents=1"
    )
    with pytest.raises(InputError, match=message):
        cobham_mean_waits([30.0, 40.0], 1.0, 1)


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        (60.0, r"^arrivals_per_hour must be a sequence of rates, one per class; got 60.0$"),
        ([], r"^arrivals_per_hour must list at least one class; got an empty sequence$"),
    ],
)
def test_class_rates_messages(rates: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        cobham_mean_waits(rates, 1.0, 1)


def test_occupancy_is_the_load_per_agent() -> None:
    assert occupancy(200, 3, 14) == pytest.approx(10 / 14, rel=1e-15)  # 10 Erlangs
    assert occupancy(200, 3, 8) == 1.0  # unstable: every agent busy


def test_the_largest_staffing_is_allowed_and_one_more_is_refused() -> None:
    # a million Erlangs at most a millionth busy: exactly MAX_AGENTS (10**12) agents
    assert agents_needed(6e7, 1.0, target=0.5, within_minutes=0, max_occupancy=1e-6) == 10**12
    with pytest.raises(
        InputError,
        match=r"^the target needs more than 1,000,000,000,000 agents for an offered load of "
        r"1e\+06 Erlangs \(max_occupancy=9e-07\)",
    ):
        agents_needed(6e7, 1.0, target=0.5, within_minutes=0, max_occupancy=9e-7)


@pytest.mark.parametrize(
    ("arrivals", "handle", "agents", "within"),
    [(200.0, 3.0, 14, 1 / 3), (200.0, 3.0, 12, 0.0), (45.0, 4.0, 4, 2.0), (900.0, 2.0, 35, 0.5)],
)
def test_a_target_met_exactly_is_met(
    arrivals: float, handle: float, agents: int, within: float
) -> None:
    # the target is the service level of `agents` itself: that count meets it (>=), one fewer
    # does not, so it is the answer, with and without abandonment
    target = service_level(arrivals, handle, agents, within_minutes=within)
    assert 0.0 < target < 1.0
    assert service_level(arrivals, handle, agents - 1, within_minutes=within) < target
    assert agents_needed(arrivals, handle, target=target, within_minutes=within) == agents
    patience = 2.0
    target = erlang_a(arrivals, handle, agents, patience, within_minutes=within).service_level
    below = erlang_a(arrivals, handle, agents - 1, patience, within_minutes=within)
    assert below.service_level < target
    assert (
        agents_needed(
            arrivals, handle, target=target, within_minutes=within, patience_minutes=patience
        )
        == agents
    )


def test_an_occupancy_ceiling_met_exactly_is_met() -> None:
    # 10 Erlangs: 12 agents are exactly 10/12 busy (Erlang C), and with patience the busy
    # share of 12 agents is the ceiling itself; 11 agents are busier
    assert agents_needed(200, 3, target=0.05, within_minutes=0, max_occupancy=10 / 12) == 12
    ceiling = erlang_a(200, 3, 12, 2.0).occupancy
    assert erlang_a(200, 3, 11, 2.0).occupancy > ceiling
    assert (
        agents_needed(
            200, 3, target=0.05, within_minutes=0, patience_minutes=2.0, max_occupancy=ceiling
        )
        == 12
    )


def test_the_state_limit_is_on_the_mode_beyond_five_million() -> None:
    # one agent serving one query a minute, one giving up a minute: the mode is λ itself
    assert chain_mode(5e6, 1.0, 1, 1.0) == 5_000_000
    assert not too_many_states(5e6, 1.0, 1, 1.0)
    assert too_many_states(5e6 + 1.0, 1.0, 1, 1.0)


def test_patient_overloaded_counts_are_taken_as_failing_not_solved() -> None:
    # 6 Erlangs, customers patient for two thousand years: 7 agents (the least stable
    # count) meet the target, so the bisection tries 4 and 5, overloaded counts whose chains
    # would hold hundreds of millions of states; they fail without being solved (solving
    # one raises), and the answer is Erlang C's
    assert agents_needed(120, 3, target=0.5, within_minutes=1, patience_minutes=1e9) == 7
    assert agents_needed(120, 3, target=0.5, within_minutes=1) == 7
    with pytest.raises(InputError, match="more than 5000000 states"):
        erlang_a(120, 3, 4, 1e9)


def test_erlang_a_staffing_beyond_the_largest_names_load_and_patience() -> None:
    # 1000 Erlangs at most 9e-10 busy would need over 10**12 agents
    with pytest.raises(
        InputError,
        match=r"^the target needs more than 1,000,000,000,000 agents for an offered load of "
        r"1000 Erlangs \(patience_minutes=1\); check max_occupancy and the units$",
    ):
        agents_needed(
            6e4, 1.0, target=0.5, within_minutes=0, patience_minutes=1.0, max_occupancy=9e-10
        )


def test_a_chain_whose_mode_is_exactly_the_limit_is_built() -> None:
    # 5 million agents at full load, customers gone at once: the mode is state 5,000,000
    # (the limit itself, allowed) and the chain ends a few states past it
    assert chain_mode(5e6, 1.0, 5_000_000, 1e7) == 5_000_000
    weights = chain_weights(5e6, 1.0, 5_000_000, 1e7, 1e-7)
    assert 5_000_001 < weights.size < 5_000_100
    assert weights[5_000_000] == 1.0


def test_too_many_states_names_the_mode() -> None:
    # 6 Erlangs on 2 agents, patience 10⁹ minutes: the mode is 2 + (2 − 2/3)·10⁹ states
    with pytest.raises(
        InputError,
        match=r"^erlang_a would need more than 5000000 states \(1333333335 so far\): with "
        r"patience_minutes=1000000000.0 the overloaded queue barely drains",
    ):
        erlang_a(120.0, 3.0, 2, 1e9)


def test_no_arrivals_every_figure() -> None:
    assert erlang_a(0.0, 3.0, 2, 1.0, within_minutes=0.5) == ErlangAResult(
        wait_probability=0.0,
        abandon_probability=0.0,
        mean_wait_minutes=0.0,
        mean_wait_answered_minutes=0.0,
        service_level=1.0,
        service_level_answered=1.0,
        occupancy=0.0,
        mean_queue_length=0.0,
        within_minutes=0.5,
        states=1,
    )


def test_a_chain_that_outgrows_the_limit_past_its_mode_names_its_size() -> None:
    # the mode is the limit itself, but a slow decline (one query giving up a minute among
    # five million agents) needs states beyond it: refused when the first block is added
    with pytest.raises(
        InputError,
        match=r"^erlang_a would need more than 5000000 states \(5017888 so far\): with "
        r"patience_minutes=1.0 the overloaded",
    ):
        chain_weights(5e6, 1.0, 5_000_000, 1.0, 1.0)


def test_the_chain_ends_where_the_rule_says_on_many_seeded_systems() -> None:
    # 150 seeded systems, under- and overloaded, impatient to patient: each of the three
    # tail bounds (total, queueing states, their first moment) decides somewhere; systems
    # where the rule is within 1e-9 of its threshold (a float's whim) are left out
    rng = random.Random(19)
    checked = 0
    for _ in range(150):
        agents = rng.randint(1, 40)
        handle = rng.choice([0.5, 2.0, 5.0])
        load = agents * rng.uniform(0.1, 1.6)
        patience = rng.choice([0.3, 2.0, 10.0, 60.0, 300.0])
        arrivals = load * 60.0 / handle
        lam = offered_load(arrivals, handle) / handle
        states, margin = _reference_cut(lam, 1.0 / handle, agents, 1.0 / patience)
        if margin < Decimal("1e-9"):
            continue
        assert erlang_a(arrivals, handle, agents, patience).states == states
        checked += 1
    assert checked > 140
