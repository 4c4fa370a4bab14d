"""The ``GroupShare`` group of a pushed query, from its objects."""

from __future__ import annotations

from collections.abc import Callable

from prioritize._errors import InputError
from prioritize.models import FOLLOWER_BANDS, VALUE_BANDS, Customer, Query, band_of

__all__ = ["grouper"]


def grouper(by: str) -> Callable[[Query, Customer], str]:
    """A function ``(query, customer) -> group label`` for ``GroupShare.by``."""
    if by == "follower_band":
        return lambda q, c: band_of(c.followers, FOLLOWER_BANDS)
    if by == "value_band":
        return lambda q, c: band_of(c.lifetime_value, VALUE_BANDS)
    if by in Query.model_fields:
        return lambda q, c: str(getattr(q, by))
    if by in Customer.model_fields:
        return lambda q, c: str(getattr(c, by))
    raise InputError(
        f"GroupShare.by={by!r} is not a query or customer attribute; use follower_band, "
        f"value_band, or one of {sorted({*Query.model_fields, *Customer.model_fields})}"
    )
