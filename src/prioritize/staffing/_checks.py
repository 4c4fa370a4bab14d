"""The offered load, the quantity every staffing formula starts from, and the bounds on it.

Every formula here costs work that grows with the offered load (the Erlang B
recursion takes one step per agent; the Erlang A chain one state per
customer in the system), so the inputs are bounded: an offered load of at
most :data:`MAX_OFFERED_LOAD` Erlangs (a million agents kept busy, far
beyond any support team) and at most :data:`MAX_AGENTS` agents. Beyond
them a call raises :class:`~prioritize.InputError` at once instead of
running for minutes or overflowing; within them every call takes well
under a second.
"""

from __future__ import annotations

from typing import Any

from prioritize._errors import InputError
from prioritize._internal.checks import check_int, check_number

__all__ = ["MAX_AGENTS", "MAX_OFFERED_LOAD", "check_agents", "check_load", "offered_load"]

#: The largest offered load (Erlangs) the staffing functions compute.
MAX_OFFERED_LOAD = 1e6
#: The largest number of agents the staffing functions take or return.
MAX_AGENTS = 10**12


def check_load(load: float, how: str = "") -> float:
    """``load`` if at most :data:`MAX_OFFERED_LOAD`, else an :class:`InputError` (``how``: why)."""
    if not load <= MAX_OFFERED_LOAD:
        raise InputError(
            f"offered load {load:g} Erlangs{how} is above the {MAX_OFFERED_LOAD:g} "
            f"(a million agents busy at once) that staffing computes; check the units "
            f"(arrivals per hour, handling time in minutes)"
        )
    return load


def check_agents(agents: Any, *, minimum: int) -> int:
    """``agents`` as an int in ``[minimum, MAX_AGENTS]``."""
    count = check_int("agents", agents, minimum=minimum)
    if count > MAX_AGENTS:
        raise InputError(f"agents must be at most {MAX_AGENTS:,}; got {count}")
    return count


def offered_load(arrivals_per_hour: Any, handle_minutes: Any) -> float:
    """Offered load in Erlangs: arrivals per hour × handle minutes / 60.

    Parameters
    ----------
    arrivals_per_hour : float
        Mean arrival rate, ``>= 0`` (zero is an idle interval).
    handle_minutes : float
        Mean handling time, ``> 0``.

    Returns
    -------
    float
        The mean number of agents the work keeps busy.

    Raises
    ------
    InputError
        If an argument is not a finite number in range, or the load is above
        :data:`MAX_OFFERED_LOAD`.
    """
    rate = check_number("arrivals_per_hour", arrivals_per_hour)
    handle = check_number("handle_minutes", handle_minutes, positive=True)
    return check_load(
        rate * handle / 60.0,
        f" (arrivals_per_hour={arrivals_per_hour!r} × handle_minutes={handle_minutes!r} / 60)",
    )
