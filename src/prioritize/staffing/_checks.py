"""Argument checks shared by the staffing formulas.

Every public formula reads its arguments through these helpers, so a bad
value is reported the same way everywhere: an :class:`~prioritize.InputError`
naming the argument, the value and what was expected.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from prioritize._errors import InputError

__all__ = [
    "check_agents",
    "check_fraction",
    "check_number",
    "offered_load",
]


def check_number(name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a finite float, ``>= 0`` (or ``> 0`` when ``positive``)."""
    # bool is an int subclass; True as a rate is almost surely a mistake
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise InputError(f"{name} must be a number; got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number; got {value!r}")
    if positive and number <= 0.0:
        raise InputError(f"{name} must be > 0; got {value!r}")
    if number < 0.0:
        raise InputError(f"{name} must be >= 0; got {value!r}")
    return number


def check_agents(value: Any, *, minimum: int = 1, name: str = "agents") -> int:
    """``value`` as an int ``>= minimum`` (a whole-number float such as 3.0 is refused)."""
    if isinstance(value, bool | np.bool_):
        raise InputError(f"{name} must be a whole number; got {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise InputError(f"{name} must be a whole number (int); got {value!r}") from None
    if count < minimum:
        raise InputError(f"{name} must be >= {minimum}; got {count}")
    return count


def check_fraction(name: str, value: Any, *, closed_above: bool) -> float:
    """``value`` in ``(0, 1)``, or ``(0, 1]`` when ``closed_above``."""
    number = check_number(name, value)
    upper_ok = number <= 1.0 if closed_above else number < 1.0
    if number <= 0.0 or not upper_ok:
        interval = "(0, 1]" if closed_above else "(0, 1)"
        raise InputError(f"{name} must be in {interval}; got {value!r}")
    return number


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
    """
    rate = check_number("arrivals_per_hour", arrivals_per_hour)
    handle = check_number("handle_minutes", handle_minutes, positive=True)
    return rate * handle / 60.0
