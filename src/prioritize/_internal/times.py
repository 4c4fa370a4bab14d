"""Time conversion: arrivals are int64 nanoseconds since the epoch, waits float minutes.

Also the one reader of timestamps as vendors send them (:func:`parse_utc`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.rows import MAX_SHOWN, listing

__all__ = [
    "AMBIGUOUS",
    "NONEXISTENT",
    "NS_PER_MINUTE",
    "Ambiguous",
    "Nonexistent",
    "aware_ns",
    "localize",
    "minutes_between",
    "parse_utc",
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


# An offset after a clock time ("09:15Z", "09:15:00.5 +01:00"); a bare date's "-05" is not one.
_TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
# A zone name for UTC after a clock time: "2020-03-03 13:05:57 UTC" (Rails), "... GMT".
_UTC_NAME = re.compile(r"(?<=\d)\s*(?:UTC|GMT|UT)$", re.IGNORECASE)
# Twitter API v1.1 (and the Customer Support on Twitter dataset): "Wed Oct 11 06:55:44 +0000 2017".
_TWITTER = re.compile(r"^[A-Za-z]{3} [A-Za-z]{3} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")
_TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
# RFC 2822 (e-mail, HTTP): "Wed, 11 Oct 2017 06:55:44 +0000", "11 Oct 2017 06:55 GMT".
_RFC2822 = re.compile(
    r"^(?:[A-Za-z]{3}, *)?\d{1,2} [A-Za-z]{3} \d{2,4} \d{2}:\d{2}(?::\d{2})? *"
    r"(?:[+-]\d{4}|UT|UTC|GMT|Z)$"
)
# Epoch seconds or milliseconds written as text ("1507704944", "1507704944000").
_EPOCH_TEXT = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
#: Epoch numbers at or above this are milliseconds, below it seconds (10**11 s is the year 5138).
EPOCH_MS_FROM = 10**11
_MAX_SECONDS = pd.Timestamp.max.value // 1_000_000_000


def parse_utc(
    values: pd.Series | Sequence[Any],
    *,
    labels: Sequence[str],
    field: str,
    tz: str | None = None,
    date_format: str | None = None,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> pd.DatetimeIndex:
    """Parse timestamps as vendors send them to timezone-aware UTC, refusing to guess a zone.

    Read without a ``date_format``:

    * ISO 8601 with an offset or ``Z`` (``2024-03-05T08:02:11.000Z``,
      ``2024-03-05 09:15+01:00``), or with a trailing ``UTC``/``GMT``
      (``2020-03-03 13:05:57 UTC``, as Rails and Chatwoot send);
    * Twitter v1.1's ``Wed Oct 11 06:55:44 +0000 2017``;
    * RFC 2822 (``Wed, 11 Oct 2017 06:55:44 +0000``; ``-0000`` is UTC);
    * epoch seconds or milliseconds, as numbers or digit strings (9 to 13
      digits): a value of at least :data:`EPOCH_MS_FROM` is milliseconds;
    * datetimes (aware ones are converted; naive ones are local times);
    * ISO 8601 *without* an offset: a local time in ``tz`` (an IANA name such
      as ``"Europe/Berlin"``); without ``tz`` it is an error naming the rows.

    A ``date_format`` (a :func:`pandas.to_datetime` format) wins for every
    string: with ``%z`` or ``%Z`` the values carry their zone, otherwise
    they are local times in ``tz``. An offset in the value always wins over
    ``tz``. ``ambiguous`` and ``nonexistent`` say how to read local times on
    a daylight-saving change (see :func:`localize`).

    Parameters
    ----------
    labels
        One label per value for messages (``"ticket 35436"``, ``"row 3"``).
    field
        The source field's name, for messages.

    Raises
    ------
    SchemaError
        Naming the field and the rows of every missing, unparseable, out of
        range or naive value, the earliest row first.
    """
    series = pd.Series(values, dtype=object if not isinstance(values, pd.Series) else None)
    series = series.reset_index(drop=True)
    failures = _Failures(labels, field)
    if len(series) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns, UTC]")
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(series.dt.tz_convert("UTC"))
    if pd.api.types.is_datetime64_dtype(series.dtype):
        naive_dt = pd.DatetimeIndex(series)
        failures.missing(naive_dt.isna(), series)
        if tz is None:
            failures.no_zone(~naive_dt.isna(), series.astype(str))
        failures.check()
        return _local(naive_dt, np.arange(len(series)), labels, field, tz, ambiguous, nonexistent)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        failures.missing(~np.isfinite(series.to_numpy(dtype=np.float64)), series)
        failures.check()
        epoch = _epoch(series, failures)
        failures.check()
        return pd.DatetimeIndex(epoch)
    kind = series.map(_kind_of).to_numpy(dtype=object)
    failures.missing(kind == "missing", series)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    is_text = np.isin(kind, _TEXT_KINDS)
    text = series.where(is_text).str.strip()
    naive = np.zeros(len(series), bool)
    naive_values = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    if date_format is not None:
        if is_text.any():
            zoned = "%z" in date_format or "%Z" in date_format
            parsed = _to_datetime(text[is_text], date_format, failures, utc=zoned)
            if zoned:
                out[is_text] = parsed
            else:
                naive_values[is_text] = parsed
                naive |= is_text
    else:
        epoch, twitter, rfc = kind == "epoch", kind == "twitter", kind == "rfc2822"
        utc_name, offset, local = kind == "utc_name", kind == "offset", kind == "local"
        if epoch.any():
            out[epoch] = _epoch(text[epoch], failures)
        if twitter.any():
            out[twitter] = _to_datetime(text[twitter], _TWITTER_FORMAT, failures, utc=True)
        if rfc.any():
            out[rfc] = _rfc2822(text[rfc], failures)
        if utc_name.any():
            as_offset = text[utc_name].str.replace(_UTC_NAME, "+00:00", regex=True)
            out[utc_name] = _to_datetime(
                as_offset, "ISO8601", failures, utc=True, shown=text[utc_name]
            )
        if offset.any():
            out[offset] = _to_datetime(text[offset], "ISO8601", failures, utc=True)
        if local.any():
            naive_values[local] = _to_datetime(text[local], "ISO8601", failures, utc=False)
            naive |= local
    number = kind == "number"
    if number.any():
        out[number] = _epoch(series[number], failures)
    aware = kind == "aware"
    if aware.any():
        out[aware] = pd.to_datetime(series[aware], utc=True)
    given_naive = kind == "naive"
    if given_naive.any():
        naive_values[given_naive] = pd.to_datetime(series[given_naive].tolist())
        naive |= given_naive
    if tz is None:
        failures.no_zone(naive & naive_values.notna().to_numpy(dtype=bool), series)
    failures.check()
    if naive.any():
        rows = np.flatnonzero(naive)
        resolved = _local(
            pd.DatetimeIndex(naive_values[naive]),
            rows,
            labels,
            field,
            tz,
            ambiguous,
            nonexistent,
        )
        out.iloc[rows] = resolved.to_numpy()
    return pd.DatetimeIndex(out)


_NO_ZONE = "no time zone"


class _Failures:
    """Every value that cannot be read, by row, so the error names the earliest rows first."""

    def __init__(self, labels: Sequence[str], field: str) -> None:
        self.labels = labels
        self.field = field
        self.rows: dict[int, tuple[Any, str]] = {}

    def add(self, row: int, value: Any, reason: str) -> None:
        self.rows.setdefault(row, (value, reason))

    def missing(self, mask: npt.NDArray[np.bool_], values: pd.Series) -> None:
        for row in np.flatnonzero(mask):
            self.add(int(row), values.iloc[int(row)], "missing")

    def no_zone(self, mask: npt.NDArray[np.bool_], values: pd.Series) -> None:
        for row in np.flatnonzero(mask):
            self.add(int(row), values.iloc[int(row)], _NO_ZONE)

    def check(self) -> None:
        if not self.rows:
            return
        order = sorted(self.rows)
        reasons = {reason for _, reason in self.rows.values()}
        if reasons == {"missing"}:
            shown = ", ".join(self.labels[i] for i in order[:MAX_SHOWN])
            raise SchemaError(
                f"{self.field} is missing or not a timestamp (text, epoch number or datetime) "
                f"for {shown}"
            )
        zone_hint = (
            "; pass tz='…' (e.g. 'UTC' or 'Europe/Berlin') to say which local time they are in"
            if _NO_ZONE in reasons
            else ""
        )
        if reasons == {_NO_ZONE}:
            shown = ", ".join(self.labels[i] for i in order[:MAX_SHOWN])
            raise SchemaError(
                f"{self.field}: {len(order)} timestamp(s) have no time zone ({shown}; e.g. "
                f"{self.rows[order[0]][0]!r}){zone_hint}"
            )
        listed = (f"{self.labels[i]} = {self.rows[i][0]!r} ({self.rows[i][1]})" for i in order)
        raise SchemaError(
            f"{self.field}: {len(order)} timestamp(s) cannot be read: "
            f"{listing(listed, len(order))}{zone_hint}"
        )


# The kinds of text value, in the order they are tried (the most common first).
_TEXT_KINDS = ("offset", "local", "epoch", "twitter", "rfc2822", "utc_name")
_ISO_OFFSET = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
)
_ISO_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?$")


def _kind_of(value: Any) -> str:
    # One pass over the values: what each is, so each kind is parsed vectorised.
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return "missing"
        if _ISO_OFFSET.match(text):
            return "offset"
        if _ISO_LOCAL.match(text):
            return "local"
        if _EPOCH_TEXT.match(text):
            return "epoch"
        if _TWITTER.match(text):
            return "twitter"
        if _RFC2822.match(text):
            return "rfc2822"
        if _UTC_NAME.search(text):
            return "utc_name"
        return "offset" if _TZ_SUFFIX.search(text) else "local"
    if isinstance(value, datetime):
        if value is pd.NaT:
            return "missing"
        return "naive" if value.tzinfo is None or value.utcoffset() is None else "aware"
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        return "number" if np.isfinite(value) else "missing"
    return "missing"


def _local(
    naive: pd.DatetimeIndex,
    rows: npt.NDArray[np.intp],
    labels: Sequence[str],
    field: str,
    tz: str | None,
    ambiguous: Ambiguous,
    nonexistent: Nonexistent,
) -> pd.DatetimeIndex:
    assert tz is not None  # parse_utc reports naive values without a tz first
    return localize(
        naive,
        tz,
        labels=[labels[int(i)] for i in rows],
        field=field,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
    )


_OUTSIDE = "outside the years 1677 to 2262 that a frame can hold"


def _epoch(given: pd.Series, failures: _Failures) -> pd.Series:
    numbers = given.map(float) if given.dtype == object else given
    values = numbers.to_numpy(dtype=np.float64)
    millis = np.abs(values) >= EPOCH_MS_FROM
    seconds = np.where(millis, values / 1000.0, values)
    outside = np.abs(seconds) > _MAX_SECONDS
    for j in np.flatnonzero(outside):
        failures.add(int(given.index[j]), given.iloc[int(j)], f"epoch {_OUTSIDE}")
    ns = np.round(np.where(outside, 0.0, seconds) * 1e9).astype(np.int64)
    return pd.Series(pd.to_datetime(ns, unit="ns", utc=True), index=given.index)


def _rfc2822(text: pd.Series, failures: _Failures) -> pd.Series:
    parsed: list[Any] = []
    for position, value in zip(text.index, text, strict=True):
        try:
            moment = parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError):
            failures.add(int(position), value, "cannot parse as RFC 2822")
            parsed.append(pd.NaT)
            continue
        # "-0000" means UTC with the sender's zone unknown (RFC 5322 3.3).
        parsed.append(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))
    return pd.Series(pd.to_datetime(parsed, utc=True), index=text.index)


def _to_datetime(
    text: pd.Series,
    fmt: str,
    failures: _Failures,
    *,
    utc: bool,
    shown: pd.Series | None = None,
) -> pd.Series:
    given = text if shown is None else shown
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    for j in np.flatnonzero(parsed.isna().to_numpy(dtype=bool)):
        failures.add(int(text.index[j]), given.iloc[int(j)], f"cannot parse as {fmt}")
    # pandas 3 parses far dates at a coarser unit; the frame's nanosecond axis spans
    # 1677-09-21 to 2262-04-11 only.
    low, high = pd.Timestamp.min, pd.Timestamp.max
    if utc:
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    outside = ((parsed < low) | (parsed > high)).to_numpy(dtype=bool)
    for j in np.flatnonzero(outside):
        failures.add(int(text.index[j]), given.iloc[int(j)], _OUTSIDE)
    return parsed.where(~outside)
