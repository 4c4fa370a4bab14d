"""Time conversion: arrivals are int64 nanoseconds since the epoch, waits float minutes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.rows import listing

__all__ = [
    "AMBIGUOUS",
    "NONEXISTENT",
    "NS_PER_MINUTE",
    "Ambiguous",
    "Nonexistent",
    "aware_ns",
    "localize",
    "minutes_between",
    "timestamp_ns",
]

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


#: How a wall-clock time that occurs twice (the fall-back night) is read.
Ambiguous = Literal["raise", "earliest", "latest", "infer"]
#: How a wall-clock time that never occurs (the spring-forward gap) is read.
Nonexistent = Literal["raise", "shift_forward", "shift_backward"]
AMBIGUOUS: tuple[str, ...] = get_args(Ambiguous)
NONEXISTENT: tuple[str, ...] = get_args(Nonexistent)


def localize(
    naive: pd.DatetimeIndex,
    tz: str,
    *,
    labels: Sequence[str],
    field: str,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> pd.DatetimeIndex:
    """Read naive wall-clock times as local times in ``tz`` and return them in UTC.

    The one place a local time zone is applied to naive times. On the
    fall-back night a wall-clock time such as 02:30 occurs twice
    (``ambiguous``): ``"raise"`` (the default) names the rows;
    ``"earliest"`` takes the first occurrence (still on summer time),
    ``"latest"`` the second; ``"infer"`` reads the repetition from the order
    of the values (they must be in time order, as in an export sorted by
    creation time). On the spring-forward night a time such as 02:30 never
    occurs (``nonexistent``): ``"raise"`` names the rows, ``"shift_forward"``
    moves it to the first instant after the gap, ``"shift_backward"`` to the
    last instant before it.

    Parameters
    ----------
    labels
        One label per value for messages (``"row 150"``).
    field
        The source field's name, for messages.

    Raises
    ------
    SchemaError
        If ``tz`` is not a known time zone, or a value is ambiguous or
        nonexistent under ``"raise"`` (or cannot be inferred under
        ``"infer"``); the message names each row and its value.
    InputError
        If ``ambiguous`` or ``nonexistent`` is not one of the documented values.
    """
    if ambiguous not in AMBIGUOUS:
        raise InputError(f"ambiguous must be one of {list(AMBIGUOUS)}; got {ambiguous!r}")
    if nonexistent not in NONEXISTENT:
        raise InputError(f"nonexistent must be one of {list(NONEXISTENT)}; got {nonexistent!r}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise SchemaError(
            f"{field}: unknown time zone {tz!r}; expected an IANA name such as "
            f"'Europe/Berlin' or 'UTC'"
        ) from exc
    naive = pd.DatetimeIndex(naive)
    missing = naive.isna()
    # NaT marks both DST problems; each is probed with the other one resolved.
    in_gap = naive.tz_localize(zone, ambiguous=np.ones(len(naive), bool), nonexistent="NaT").isna()
    doubled = naive.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward").isna()
    in_gap &= ~missing
    doubled &= ~missing
    if nonexistent == "raise" and in_gap.any():
        raise SchemaError(
            f"{field}: {int(in_gap.sum())} local time(s) do not exist in {tz} (the clocks "
            f"went forward over them): {_shown(naive, in_gap, labels)}; pass "
            f"nonexistent='shift_forward' or 'shift_backward' to move them out of the gap"
        )
    if ambiguous == "raise" and doubled.any():
        raise SchemaError(
            f"{field}: {int(doubled.sum())} local time(s) occur twice in {tz} (the clocks "
            f"went back over them): {_shown(naive, doubled, labels)}; pass "
            f"ambiguous='earliest', 'latest' or 'infer' to say which occurrence is meant"
        )
    # pandas reads True as "daylight saving time": the earlier of the two instants.
    earliest = np.full(len(naive), ambiguous == "earliest")
    how: Any = "infer" if ambiguous == "infer" else earliest
    try:
        local = naive.tz_localize(zone, ambiguous=how, nonexistent=nonexistent)
    except Exception as exc:  # only "infer" can fail here: the order does not tell
        raise SchemaError(
            f"{field}: cannot infer which occurrence is meant for the local time(s) that "
            f"occur twice in {tz}: {_shown(naive, doubled, labels)}; 'infer' needs the values "
            f"in time order with both occurrences present; pass ambiguous='earliest' or "
            f"'latest' instead"
        ) from exc
    return local.tz_convert("UTC")


def _shown(naive: pd.DatetimeIndex, mask: npt.NDArray[np.bool_], labels: Sequence[str]) -> str:
    rows = np.flatnonzero(mask)
    shown = (f"{labels[int(i)]} = {naive[int(i)].isoformat(sep=' ')!r}" for i in rows)
    return listing(shown, len(rows))


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
