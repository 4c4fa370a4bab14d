"""Time conversion: arrivals are int64 nanoseconds since the epoch, waits float minutes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from prioritize._errors import InputError

__all__ = ["NS_PER_MINUTE", "aware_ns", "minutes_between", "timestamp_ns"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Nanoseconds per minute: arrivals are int64 nanoseconds, waits float minutes.
NS_PER_MINUTE = 60_000_000_000


def aware_ns(value: datetime) -> int:
    """Nanoseconds since the epoch of a timezone-aware ``datetime`` (exact integer arithmetic).

    A ``pandas.Timestamp`` keeps its nanoseconds.
    """
    delta = value - _EPOCH
    whole = ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1_000
    nanosecond: int = getattr(value, "nanosecond", 0)
    return whole + nanosecond


def timestamp_ns(value: datetime, name: str = "now") -> int:
    """Nanoseconds since the epoch of a timezone-aware datetime (naive is an error)."""
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a timezone-aware datetime; got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware; got naive datetime {value.isoformat()}")
    return aware_ns(value)


def minutes_between(later_ns: Any, earlier_ns: Any) -> Any:
    """``later − earlier`` (int64 nanoseconds) in float minutes, negative if ``later`` is earlier.

    Exact across the whole time axis (1677–2262), where the difference of two
    int64 nanoseconds overflows int64: the magnitude is taken in uint64, which
    holds every difference of two int64. Arrays or ints; equal to
    ``(later - earlier) / NS_PER_MINUTE`` whenever that does not overflow.
    """
    later = np.asarray(later_ns, dtype=np.int64)
    earlier = np.asarray(earlier_ns, dtype=np.int64)
    forward = later >= earlier
    lu, eu = later.view(np.uint64), earlier.view(np.uint64)
    size = np.where(forward, lu - eu, eu - lu) / NS_PER_MINUTE
    return np.where(forward, size, -size)
