"""Erlang A figures the mutation run found unchecked: the mean wait of answered queries
against a 50-digit reference, ``within_minutes`` with arrivals, the block loop's state
limit, and the staffing guard on chains too long to solve."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from prioritize import InputError
from prioritize.staffing import agents_needed, erlang_a, offered_load
from prioritize.staffing._erlang_a import chain_mode, chain_weights, too_many_states


def _reference_waits(
    arrivals: float, handle: float, agents: int, patience: float
) -> tuple[Decimal, Decimal, Decimal]:
    """Mean wait of all offered queries, of the answered ones, and P(answered), in 50 digits.

    The chain is summed in full (until a state weighs less than 1e-60 of the mode). The
    answered queries' mean wait is not the library's sum: it is what is left of the mean
    wait of all queries (Little's law, ``E[queue] / λ``) once the waits of the queries that
    give up are taken out. A query finding ``j`` waiting goes through stages ``k = 0..j``
    with ``j − k`` ahead, each left at rate ``c·μ + (j − k + 1)·θ``; it gives up in a stage
    with probability ``θ`` over that rate, having waited the stages' mean times so far.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        lam = Decimal(offered_load(arrivals, handle)) / Decimal(handle)
        mu, theta = 1 / Decimal(handle), 1 / Decimal(patience)
        c = agents

        def death(n: int) -> Decimal:
            return min(n, c) * mu + max(n - c, 0) * theta

        mode = 0
        while death(mode + 1) <= lam:
            mode += 1
        weights = [Decimal(1)]
        for n in range(mode, 0, -1):
            weights.append(weights[-1] * death(n) / lam)
        weights.reverse()
        n, w = mode, Decimal(1)
        while w > Decimal("1e-60") or n < c + 2:
            n += 1
            w = w * lam / death(n)
            weights.append(w)
        total = sum(weights)
        pi = [x / total for x in weights]
        queue = pi[c:]
        mean_wait = sum(j * p for j, p in enumerate(queue)) / lam
        abandoned_wait = Decimal(0)
        abandoned = Decimal(0)
        for j, p in enumerate(queue):
            reach, waited = Decimal(1), Decimal(0)
            for k in range(j + 1):
                rate = c * mu + (j - k + 1) * theta
                waited += 1 / rate
                gives_up = reach * theta / rate
                abandoned_wait += p * gives_up * waited
                abandoned += p * gives_up
                reach -= gives_up
        answered = 1 - abandoned
        return mean_wait, (mean_wait - abandoned_wait) / answered, answered


SYSTEMS = [
    # (arrivals_per_hour, handle_minutes, agents, patience_minutes)
    (60.0, 3.0, 4, 2.0),  # 3 Erlangs on 4 agents
    (120.0, 3.0, 4, 2.0),  # overloaded: half the queries give up
    (600.0, 2.0, 9, 0.3),  # very impatient, overloaded
    (30.0, 10.0, 1, 40.0),  # one agent, patient customers
    (720.0, 4.0, 40, 6.0),  # 48 Erlangs on 40 agents
]


@pytest.mark.parametrize(("arrivals", "handle", "agents", "patience"), SYSTEMS)
def test_mean_wait_of_answered_queries_against_a_50_digit_reference(
    arrivals: float, handle: float, agents: int, patience: float
) -> None:
    mean_wait, answered_wait, answered = _reference_waits(arrivals, handle, agents, patience)
    result = erlang_a(arrivals, handle, agents, patience)
    assert result.mean_wait_minutes == pytest.approx(float(mean_wait), rel=1e-12)
    assert result.answered_probability == pytest.approx(float(answered), rel=1e-12)
    assert result.mean_wait_answered_minutes == pytest.approx(float(answered_wait), rel=1e-12)


def test_within_minutes_is_kept_with_arrivals() -> None:
    assert erlang_a(60.0, 3.0, 4, 2.0, within_minutes=0.5).within_minutes == 0.5
    assert erlang_a(60.0, 3.0, 4, 2.0).within_minutes == 0.0


def test_a_chain_whose_first_block_ends_exactly_at_the_limit_goes_on() -> None:
    # slow: ~1-4 s and ~300 MB (a chain of five million states); it alone kills
    # chain_weights' `top >= _MAX_STATES` in the block loop.
    # One agent serving one query a minute, a patience of 2**20 minutes: the mode m is
    # 4,982,144 and the first block past it holds 8·isqrt(m + 1) = 17,856 states, so it
    # ends at state 5,000,000 exactly. Like the mode, the last state may *be* the limit;
    # the next block ends the chain (the tail past the mode is a few times sqrt(m) wide).
    theta = 2.0**-20
    lam = 1.0 + (4_982_144 - 0.5) * theta
    assert chain_mode(lam, 1.0, 1, theta) == 4_982_144
    weights = chain_weights(lam, 1.0, 1, theta, 1.0 / theta)
    assert 5_000_001 < weights.size <= 5_000_000 + 2 * 17_856 + 1
    assert weights[4_982_144] == 1.0


def test_overloaded_counts_past_the_limit_fail_and_are_never_solved() -> None:
    # 10 Erlangs (600 an hour, 1 minute each), customers patient for 7 million minutes:
    # 9 agents' chain has its mode at 9 + 7,000,000 states (past the limit: counted as
    # failing, not solved, which would raise), 8 agents' at twice that; 11 agents (the least
    # stable count) answer 80% within 5 minutes, so the bisection tries 8, then 9. The guard
    # decides on the true mode: half of it (3.5 million) is within the limit, and solving 9
    # agents raises.
    handle, patience = 1.0, 7e6
    lam, mu, theta = 10.0, 1.0, 1.0 / patience
    assert chain_mode(lam, mu, 9, theta) == 7_000_009
    assert too_many_states(lam, mu, 9, theta)
    assert not too_many_states(lam, mu, 9, 2.0 * theta)
    with pytest.raises(InputError, match="more than 5000000 states"):
        erlang_a(600.0, handle, 9, patience)
    needed = agents_needed(600.0, handle, target=0.8, within_minutes=5.0, patience_minutes=patience)
    met = erlang_a(600.0, handle, needed, patience, within_minutes=5.0)
    assert met.service_level >= 0.8
    assert needed == 11
    fewer = needed - 1
    assert (
        too_many_states(lam, mu, fewer, theta)
        or erlang_a(600.0, handle, fewer, patience, within_minutes=5.0).service_level < 0.8
    )
