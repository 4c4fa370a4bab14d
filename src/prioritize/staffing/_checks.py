"""The offered load, the quantity every staffing formula starts from."""

from __future__ import annotations

from typing import Any

from prioritize._internal.checks import check_number

__all__ = ["offered_load"]


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
