"""``agents_needed``: the least number of agents that keeps a service promise."""

from __future__ import annotations

import math
from typing import Any

from prioritize._errors import InputError
from prioritize._internal.checks import check_fraction, check_number
from prioritize._internal.search import first_true
from prioritize.staffing._checks import MAX_AGENTS, offered_load
from prioritize.staffing._erlang import (
    blocking_from,
    load_per_agent,
    service_level_from_c,
    wait_probability_from_b,
)
from prioritize.staffing._erlang_a import erlang_a, too_many_states

__all__ = ["agents_needed"]


def _too_many_agents(load: float, what: str) -> InputError:
    return InputError(
        f"the target needs more than {MAX_AGENTS:,} agents for an offered load of {load:g} "
        f"Erlangs ({what}); check max_occupancy and the units"
    )


def _least_erlang_c(
    load: float, handle: float, target: float, within: float, max_occupancy: float
) -> int:
    # Agents up to floor(load) are unstable (service level 0), so the search starts
    # just above; round(load + 1) would skip floor(load) + 1 when load's fraction is >= 0.5.
    # Fewer than load / max_occupancy agents are too busy: the floor of it is a safe start.
    first = max(math.floor(load) + 1, math.floor(load / max_occupancy))
    if first > MAX_AGENTS:
        raise _too_many_agents(load, f"max_occupancy={max_occupancy:g}")
    for agents, blocking in blocking_from(load, first):
        if load_per_agent(load, agents) > max_occupancy:
            continue
        pw = wait_probability_from_b(load, agents, blocking)
        if service_level_from_c(load, agents, pw, handle, within) >= target:
            return agents
    raise AssertionError("unreachable: the sequence is endless")  # pragma: no cover


def _least_erlang_a(
    arrivals_per_hour: float,
    handle: float,
    target: float,
    within: float,
    max_occupancy: float,
    patience: float,
) -> int:
    load = offered_load(arrivals_per_hour, handle)
    lam, mu, theta = load / handle, 1.0 / handle, 1.0 / patience  # per minute, as erlang_a

    def meets(agents: int) -> bool:
        if too_many_states(lam, mu, agents, theta):
            # so overloaded and so patient that the queue holds millions: counted as failing
            return False
        result = erlang_a(arrivals_per_hour, handle, agents, patience, within_minutes=within)
        return result.occupancy <= max_occupancy and result.service_level >= target

    # Fewer than target·load agents cannot answer a share `target` of the work (answered
    # share <= agents / load): every count up to `failing` fails (0 stands for "none").
    failing = max(0, math.floor(target * load) - 2)
    # Service level rises and occupancy falls with every agent added, so the least count
    # that meets both is bracketed, then bisected: O(log) solves. The first bracket ends
    # at the least stable count, whose chain is short; overloaded counts, whose chains
    # hold a long queue, are solved only as the bisection needs them.
    passing = max(failing + 1, math.floor(load) + 1)
    step = 1
    while not meets(passing):
        failing, passing, step = passing, passing + step, 2 * step
        if passing > MAX_AGENTS:
            raise _too_many_agents(load, f"patience_minutes={patience:g}")
    return first_true(meets, failing, passing)


def agents_needed(
    arrivals_per_hour: Any,
    handle_minutes: Any,
    *,
    target: Any,
    within_minutes: Any,
    max_occupancy: Any = None,
    patience_minutes: Any = None,
) -> int:
    """The least number of agents that answers a share ``target`` within ``within_minutes``.

    Without ``patience_minutes`` the queue is Erlang C (M/M/c: nobody gives
    up) and the service level is :func:`service_level`; the search starts at
    ``floor(a) + 1`` for offered load ``a``, the least stable count, so an
    unstable count is never returned. With ``patience_minutes`` it is Erlang A
    (M/M/c+M) and the service level is that of *offered* queries
    (:attr:`ErlangAResult.service_level`: giving up counts as a failure).

    With abandonment the search starts a little below ``target × a`` (fewer
    agents cannot answer that share of the work) and may return a count
    below the load: impatience keeps such a queue finite. A count whose
    chain would hold millions of states (far overloaded, customers patient
    for years) is taken as failing without being solved.

    The search walks up one agent at a time and returns the first count that
    meets every condition, so the answer is the least such count (not merely
    a count that works), and it is computed with exactly the functions a
    caller would use to check it. Erlang C reaches the first candidate in
    one pass of the Erlang B recursion. Erlang A brackets the answer (from
    the least stable count, doubling its step upwards) and bisects, since
    the service level rises and the occupancy falls with each agent added:
    a few dozen solves, so the work stays bounded for any load up to
    ``MAX_OFFERED_LOAD``.

    Parameters
    ----------
    arrivals_per_hour : float
        Mean arrival rate, ``>= 0``; zero needs zero agents.
    handle_minutes : float
        Mean handling time, ``> 0``.
    target : float
        The share to answer in time, in ``(0, 1)`` (no finite staffing of a
        Poisson stream answers every query in time).
    within_minutes : float
        The promised answer time, ``>= 0``.
    max_occupancy : float, optional
        Also keep occupancy (offered load per agent, or the Erlang A busy
        share) at or below this, in ``(0, 1]``.
    patience_minutes : float, optional
        Mean patience of waiting customers; switches to Erlang A.

    Returns
    -------
    int
        Number of agents.

    Raises
    ------
    InputError
        For an invalid argument, an offered load above ``MAX_OFFERED_LOAD``
        (a million Erlangs), or a target that needs more than ``MAX_AGENTS``.

    Examples
    --------
    200 queries an hour of 3 minutes each, 80% answered within 20 seconds:

    >>> from prioritize import staffing
    >>> staffing.agents_needed(200, 3, target=0.8, within_minutes=1 / 3)
    14

    The same promise when customers give up after 2 minutes on average (Erlang A):

    >>> staffing.agents_needed(200, 3, target=0.8, within_minutes=1 / 3, patience_minutes=2)
    12
    """
    load = offered_load(arrivals_per_hour, handle_minutes)
    share = check_fraction("target", target, closed_above=False)
    within = check_number("within_minutes", within_minutes)
    ceiling = (
        1.0
        if max_occupancy is None
        else check_fraction("max_occupancy", max_occupancy, closed_above=True)
    )
    handle = float(handle_minutes)
    patience = (
        None
        if patience_minutes is None
        else check_number("patience_minutes", patience_minutes, positive=True)
    )
    if load == 0.0:
        return 0
    if patience is None:
        return _least_erlang_c(load, handle, share, within, ceiling)
    return _least_erlang_a(float(arrivals_per_hour), handle, share, within, ceiling, patience)
