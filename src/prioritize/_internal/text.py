"""Text as people read it: the one formatter for minutes, and for a list of names."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from prioritize._internal.constants import MIN_BAND_QUERIES, TOO_FEW

__all__ = ["duration_text", "flag_text", "listed"]


def listed(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def duration_text(minutes: float, *, words: bool = True) -> str:
    """Minutes as text.

    ``words=True`` (a promise's figures, round numbers): ``5 minutes``,
    ``1 hour``, ``90 minutes``, ``24 hours``, ``3 days``. ``words=False`` (a
    measured wait): ``12.3 min`` below two hours, ``5.2 h`` above. NaN is
    ``-`` either way.
    """
    if math.isnan(minutes):
        return "-"
    if not words:
        return f"{minutes:.1f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    if minutes >= 2880 and minutes % 1440 == 0:
        return f"{minutes / 1440:g} days"
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes / 60
        return "1 hour" if hours == 1 else f"{hours:g} hours"
    return "1 minute" if minutes == 1 else f"{minutes:g} minutes"


def flag_text(state: object, queries: object) -> str:
    """What a ratio's cell says after its figures.

    Its state (``pass``, ``fail``, ``too few to tell``) when a rule judges it. A
    ratio no rule judges (the wait ratio: no state) still reads ``too few to
    tell`` when fewer than :data:`MIN_BAND_QUERIES` rows are behind it (a band
    of 3 queries that waited 0 minutes makes a ratio of 0.00 that tells
    nothing); otherwise nothing. ``queries`` None or NaN: not known, nothing.
    """
    if isinstance(state, str) and state:
        return state
    if isinstance(queries, numbers.Real) and queries == queries and queries < MIN_BAND_QUERIES:
        return TOO_FEW
    return ""
