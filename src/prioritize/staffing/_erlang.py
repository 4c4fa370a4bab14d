"""Erlang B and C (M/M/c), and Cobham's non-preemptive priority waits.

Rates are per hour and durations in minutes, as a support team states them;
the offered load ``a = arrivals_per_hour × handle_minutes / 60`` is in
Erlangs. Nothing here takes a factorial: Erlang B comes from its recursion

    B(a, 0) = 1,    B(a, k) = a·B(a, k−1) / (k + a·B(a, k−1)),

whose every step is a ratio of positive numbers (no cancellation, no
overflow, hundreds of thousands of agents in a fraction of a second; a
count far above the load, where B rounds to 0, is recognised at once), and
Erlang C from B as ``C = c·B / ((c − a) + a·B)``, a sum of positive terms
even when ``a`` is close to ``c``.

An unstable system (``a >= c``: the work exceeds the agents) has no steady
state. The probabilities are given as their limits (every query waits,
none is answered within any fixed time); the mean wait and the wait
quantiles do not exist there and raise :class:`~prioritize.InputError`.

Work is bounded: an offered load above ``MAX_OFFERED_LOAD`` (a million
Erlangs) or more than ``MAX_AGENTS`` agents raise
:class:`~prioritize.InputError` at once (see ``_checks``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize.staffing._checks import check_agents, check_load, offered_load

__all__ = [
    "blocking_from",
    "cobham_mean_waits",
    "erlang_b",
    "erlang_c",
    "load_per_agent",
    "mean_wait_minutes",
    "occupancy",
    "service_level",
    "service_level_from_c",
    "wait_probability_from_b",
    "wait_quantile_minutes",
]


# B(a, c) <= 2·P(X = c) for X ~ Poisson(a) once c >= a + 1 (then P(X <= c) >= 1/2, as the
# median of X is at most a + 1/3); with log P(X = c) below this, 2·P(X = c) is under half the
# smallest float, so B is 0.0 exactly as the recursion would find it (a margin of 5 covers the
# rounding of the logarithms).
_LOG_NEGLIGIBLE = -750.0


def _negligible(load: float, agents: int) -> bool:
    """Whether ``B(load, agents)`` rounds to 0.0 (far more agents than work): O(1)."""
    if load == 0.0:
        return agents >= 1
    if agents < load + 1.0:
        return False
    c = float(agents)
    return c * math.log(load) - load - math.lgamma(c + 1.0) < _LOG_NEGLIGIBLE


def blocking_from(load: float, start: int) -> Iterator[tuple[int, float]]:
    """``(k, B(load, k))`` for ``k = start, start + 1, …`` (endless).

    ``B(load, start)`` comes from the recursion ``B(a, k) = a·B(a, k−1) /
    (k + a·B(a, k−1))`` from ``B(a, 0) = 1``, except where it is 0.0 anyway
    (``start`` far above the load: decided in O(1) from the Poisson bound),
    so reaching ``start`` costs at most about ``load + 40·sqrt(load) + 300``
    steps, whatever ``start`` is.
    """
    k, blocking = 0, 1.0
    if _negligible(load, start):
        k, blocking = start, 0.0
    while True:
        if k >= start:
            yield k, blocking
        k += 1
        blocking = load * blocking / (k + load * blocking)


def _blocking(load: float, agents: int) -> float:
    return next(blocking_from(load, agents))[1]


def wait_probability_from_b(load: float, agents: int, blocking: float) -> float:
    """Erlang C from Erlang B with the same load and agents (1.0 when unstable)."""
    if load >= agents:
        return 1.0
    return agents * blocking / ((agents - load) + load * blocking)


def service_level_from_c(
    load: float, agents: int, wait_probability: float, handle: float, within: float
) -> float:
    """``P(W <= within)`` from Erlang C (0.0 when unstable)."""
    if load >= agents:
        return 0.0
    return 1.0 - wait_probability * math.exp(-(agents - load) * within / handle)


def load_per_agent(load: float, agents: int) -> float:
    """Occupancy ``min(a / c, 1)``: an unstable queue keeps every agent busy."""
    return min(load / agents, 1.0)


def _queue(arrivals_per_hour: Any, handle_minutes: Any, agents: Any) -> tuple[float, int]:
    """The checked ``(offered load, agents)`` of an M/M/c queue."""
    return offered_load(arrivals_per_hour, handle_minutes), check_agents(agents, minimum=1)


def _waiting(load: float, count: int) -> float:
    """Erlang C ``P(wait > 0)`` of a checked load on ``count`` agents."""
    return wait_probability_from_b(load, count, _blocking(load, count))


def _check_stable(load: float, count: int, arrivals_per_hour: Any, handle_minutes: Any) -> None:
    """Raise :class:`InputError` when the load is not below the agents (no steady state)."""
    if load >= count:
        raise InputError(
            f"the queue is unstable: offered load {load:g} Erlangs (arrivals_per_hour="
            f"{arrivals_per_hour!r} × handle_minutes={handle_minutes!r} / 60) is not below "
            f"agents={count}, so waits grow without bound; staff more than {math.floor(load)} "
            f"agents, or model abandonment with erlang_a"
        )


def erlang_b(offered_load: Any, agents: Any) -> float:
    """Erlang B: the probability that a query finds every agent busy when nobody waits.

    The blocking probability of the M/M/c/c loss system (also the fraction
    lost when a query that cannot be answered at once goes away).

    Parameters
    ----------
    offered_load : float
        Offered load in Erlangs, ``>= 0``.
    agents : int
        Number of agents, ``>= 0`` (``B(a, 0) = 1``).

    Returns
    -------
    float
        ``B(a, c)`` in ``[0, 1]``.
    """
    load = check_load(check_number("offered_load", offered_load))
    count = check_agents(agents, minimum=0)
    return _blocking(load, count)


def erlang_c(arrivals_per_hour: Any, handle_minutes: Any, agents: Any) -> float:
    """Erlang C: the probability that a query has to wait (M/M/c, nobody abandons).

    Parameters
    ----------
    arrivals_per_hour : float
        Mean Poisson arrival rate, ``>= 0``.
    handle_minutes : float
        Mean exponential handling time, ``> 0``.
    agents : int
        Number of agents, ``>= 1``.

    Returns
    -------
    float
        ``P(wait > 0)`` in ``[0, 1]``; 1.0 when the queue is unstable
        (offered load ``>= agents``), the limit of a queue that never empties.

    Examples
    --------
    >>> from prioritize import staffing
    >>> round(staffing.erlang_c(200, 3, 14), 3)  # 10 Erlangs on 14 agents
    0.174
    >>> staffing.erlang_c(200, 3, 10)  # unstable: every query waits
    1.0
    """
    load, count = _queue(arrivals_per_hour, handle_minutes, agents)
    return _waiting(load, count)


def service_level(
    arrivals_per_hour: Any, handle_minutes: Any, agents: Any, *, within_minutes: Any
) -> float:
    """The share of queries answered within ``within_minutes`` (M/M/c, FIFO).

    ``P(W <= t) = 1 − C·exp(−(c·μ − λ)·t)``.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, agents
        As for :func:`erlang_c`.
    within_minutes : float
        The promised answer time ``t``, ``>= 0`` (0: answered at once).

    Returns
    -------
    float
        In ``[0, 1]``; 0.0 when the queue is unstable.

    Examples
    --------
    >>> from prioritize import staffing
    >>> round(staffing.service_level(200, 3, 14, within_minutes=1 / 3), 3)
    0.888
    """
    load, count = _queue(arrivals_per_hour, handle_minutes, agents)
    within = check_number("within_minutes", within_minutes)
    handle = float(handle_minutes)
    pw = _waiting(load, count)
    return service_level_from_c(load, count, pw, handle, within)


def mean_wait_minutes(arrivals_per_hour: Any, handle_minutes: Any, agents: Any) -> float:
    """Mean wait before an agent answers, over all queries (M/M/c, FIFO).

    ``E[W] = C·h / (c − a)``; the mean wait of those who wait is ``h / (c − a)``.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, agents
        As for :func:`erlang_c`.

    Returns
    -------
    float
        Minutes.

    Raises
    ------
    InputError
        If the queue is unstable (offered load ``>= agents``): no mean exists.
    """
    load, count = _queue(arrivals_per_hour, handle_minutes, agents)
    _check_stable(load, count, arrivals_per_hour, handle_minutes)
    pw = _waiting(load, count)
    return pw * float(handle_minutes) / (count - load)


def wait_quantile_minutes(
    arrivals_per_hour: Any, handle_minutes: Any, agents: Any, *, quantile: Any
) -> float:
    """The wait that a share ``quantile`` of queries do not exceed (M/M/c, FIFO).

    The inverse of :func:`service_level` in ``within_minutes``: 0 when at
    least that share is answered at once, else ``h/(c − a)·ln(C / (1 − q))``.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, agents
        As for :func:`erlang_c`.
    quantile : float
        In ``[0, 1)``.

    Returns
    -------
    float
        Minutes.

    Raises
    ------
    InputError
        If the queue is unstable (offered load ``>= agents``).
    """
    load, count = _queue(arrivals_per_hour, handle_minutes, agents)
    q = check_number("quantile", quantile)
    if q >= 1.0:
        raise InputError(f"quantile must be in [0, 1); got {quantile!r}")
    _check_stable(load, count, arrivals_per_hour, handle_minutes)
    pw = _waiting(load, count)
    if 1.0 - q >= pw:
        return 0.0
    return float(handle_minutes) / (count - load) * math.log(pw / (1.0 - q))


def occupancy(arrivals_per_hour: Any, handle_minutes: Any, agents: Any) -> float:
    """The share of agents' time spent handling queries: ``min(a / c, 1)``.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, agents
        As for :func:`erlang_c`.

    Returns
    -------
    float
        In ``[0, 1]``; 1.0 when the queue is unstable (agents never idle).
    """
    load, count = _queue(arrivals_per_hour, handle_minutes, agents)
    return load_per_agent(load, count)


def _class_rates(arrivals_per_hour: Any) -> list[float]:
    if isinstance(arrivals_per_hour, str | bytes) or not isinstance(arrivals_per_hour, Iterable):
        raise InputError(
            "arrivals_per_hour must be a sequence of rates, one per class; "
            f"got {arrivals_per_hour!r}"
        )
    rates = [check_number(f"arrivals_per_hour[{i}]", r) for i, r in enumerate(arrivals_per_hour)]
    if not rates:
        raise InputError("arrivals_per_hour must list at least one class; got an empty sequence")
    return rates


def cobham_mean_waits(arrivals_per_hour: Any, handle_minutes: Any, agents: Any) -> list[float]:
    """Mean wait per class in an M/M/c queue with non-preemptive priorities (Cobham, 1954).

    Class 0 is answered first; within a class, first come first served; an
    agent never interrupts a query for a higher class. All classes share the
    exponential handling time, so

        W_k = (C(c, a) · h / c) / ((1 − σ_{k−1}) (1 − σ_k)),
        σ_k = Σ_{i<=k} a_i / c,    σ_{−1} = 0,

    with ``C(c, a)`` Erlang C at the total load. The arrival-weighted mean of
    the class waits equals the FIFO mean wait (the conservation law).

    Parameters
    ----------
    arrivals_per_hour : sequence of float
        Arrival rate of each class, highest priority first, each ``>= 0``.
    handle_minutes : float
        Mean handling time of every class, ``> 0``.
    agents : int
        Number of agents, ``>= 1``.

    Returns
    -------
    list of float
        Mean wait in minutes of each class (also for a class with no
        arrivals: the wait such a query would have).

    Raises
    ------
    InputError
        If the total load is not below ``agents`` (the FIFO queue would be
        unstable), or an argument is invalid.
    """
    rates = _class_rates(arrivals_per_hour)
    handle = check_number("handle_minutes", handle_minutes, positive=True)
    count = check_agents(agents, minimum=1)
    total = sum(rates)
    load = offered_load(total, handle)
    _check_stable(load, count, total, handle_minutes)
    pw = _waiting(load, count)
    base = pw * handle / count
    waits: list[float] = []
    cumulative = 0.0
    for rate in rates:
        before = 1.0 - cumulative / count
        cumulative += offered_load(rate, handle)
        waits.append(base / (before * (1.0 - cumulative / count)))
    return waits
