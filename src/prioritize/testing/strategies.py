"""Hypothesis strategies for customers, queries, canonical frames and policies.

Every strategy takes bounds a team can narrow to its own data, e.g.
``query_frames(max_rows=50, channels=["twitter", "email"])``. Requires the
``testing`` extra (``pip install prioritize[testing]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import strategies as st

from prioritize._errors import InputError
from prioritize._internal.checks import check_int
from prioritize.models import REQUIRED_COLUMNS, Channel, Customer, Query
from prioritize.policy import Aging, Blind, Cap, MaxWait, Policy, Weights
from prioritize.signals import SIGNALS, Domain

__all__ = [
    "EPOCH",
    "column_values",
    "customers",
    "near_ties",
    "policies",
    "queries",
    "query_frames",
    "shape_arrivals",
    "streams",
    "texts",
    "weights",
]

#: Default start of generated arrival times.
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)

_WORDS = (
    "refund",
    "order",
    "broken",
    "still",
    "waiting",
    "no",
    "answer",
    "thanks",
    "hello",
    "URGENT",
    "cancel",
    "third",
    "time",
    "!!",
    "please",
    "help",
)


def texts(max_words: int = 12, *, unicode: bool = True) -> st.SearchStrategy[str]:
    """Messages mixing urgency cues, plain words and (unless ``unicode=False``) any unicode."""
    words = st.lists(st.sampled_from(_WORDS), max_size=max_words).map(" ".join)
    return st.one_of(words, st.text(max_size=80)) if unicode else words


def _finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _elements(
    column: str,
    *,
    max_followers: int = 10_000_000,
    max_value: float = 1_000_000.0,
    max_purchases: int = 500,
    max_days: float = 3650.0,
    allow_nan: bool = True,
    text: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Any]:
    """Valid values of one canonical column (NaN only where the schema allows it)."""
    if column == "followers":
        return st.integers(0, max_followers)
    if column == "purchase_count":
        return st.integers(0, max_purchases)
    if column in ("lifetime_value", "total_spend"):
        return _finite(0.0, max_value)
    if column == "days_since_last_purchase":
        days = _finite(0.0, max_days)
        return st.just(np.nan) | days if allow_nan else days
    if column == "urgency":
        level = _finite(0.0, 1.0)
        return st.just(np.nan) | level if allow_nan else level
    if column == "text":
        return texts() if text is None else text
    raise InputError(
        f"no strategy for column {column!r}; use one of followers, lifetime_value, "
        f"purchase_count, total_spend, days_since_last_purchase, urgency, text"
    )


def _declared_domain(policy: Policy | None, column: str) -> Domain | None:
    if policy is not None:
        for declaration in policy.signals.custom.values():
            if declaration.input == column:
                return declaration.normaliser.domain
    return None


def _domain_elements(domain: Domain) -> st.SearchStrategy[Any]:
    if domain.boolean:
        return st.booleans()
    lo = -1e6 if domain.minimum is None else domain.minimum
    hi = 1e6 if domain.maximum is None else domain.maximum
    return _finite(lo, hi)


def column_values(
    column: str,
    size: int,
    *,
    max_followers: int = 10_000_000,
    max_value: float = 1_000_000.0,
    max_purchases: int = 500,
    max_days: float = 3650.0,
    allow_nan: bool = True,
    text: st.SearchStrategy[str] | None = None,
    policy: Policy | None = None,
) -> st.SearchStrategy[list[Any]]:
    """``size`` valid values for one column, e.g. to replace it in a frame.

    A canonical column, or (given ``policy``) the input column of a signal
    the policy declares, drawn from its normaliser's domain.
    ``days_since_last_purchase`` may be NaN (never bought) and ``urgency`` NaN
    (derive from text) unless ``allow_nan=False``; ``text`` gets ``text``
    (default :func:`texts`).
    """
    declared = _declared_domain(policy, column)
    if declared is not None:
        return st.lists(_domain_elements(declared), min_size=size, max_size=size)
    elements = _elements(
        column,
        max_followers=max_followers,
        max_value=max_value,
        max_purchases=max_purchases,
        max_days=max_days,
        allow_nan=allow_nan,
        text=text,
    )
    return st.lists(elements, min_size=size, max_size=size)


def customers(
    *,
    customer_id: st.SearchStrategy[str] | None = None,
    max_followers: int = 10_000_000,
    max_value: float = 1_000_000.0,
    max_purchases: int = 500,
) -> st.SearchStrategy[Customer]:
    """Customers with follower counts, value and purchase history within bounds."""
    ids = customer_id if customer_id is not None else st.just("C1")
    return st.builds(
        Customer,
        customer_id=ids,
        followers=_elements("followers", max_followers=max_followers),
        lifetime_value=_elements("lifetime_value", max_value=max_value),
        purchase_count=_elements("purchase_count", max_purchases=max_purchases),
        total_spend=_elements("total_spend", max_value=max_value),
        # None, not NaN, is a Customer's "never bought".
        days_since_last_purchase=st.none() | _elements("days_since_last_purchase", allow_nan=False),
    )


def queries(
    *,
    query_id: st.SearchStrategy[str] | None = None,
    customer_id: str = "C1",
    start: datetime = EPOCH,
    max_minutes: float = 7 * 1440.0,
    channels: Sequence[str] | None = None,
    given_urgency: bool | None = None,
) -> st.SearchStrategy[Query]:
    """Queries arriving within ``max_minutes`` of ``start``.

    ``given_urgency``: True always sets ``urgency``, False never (derived from
    text), None either.
    """
    chans = [Channel(c) for c in channels] if channels else list(Channel)
    level = _elements("urgency", allow_nan=False)
    urgency: st.SearchStrategy[float | None] = st.none() | level  # None: derive from text
    if given_urgency is not None:
        urgency = level if given_urgency else st.none()
    return st.builds(
        Query,
        query_id=query_id if query_id is not None else st.just("Q1"),
        customer_id=st.just(customer_id),
        received_at=st.integers(0, int(max_minutes * 60_000)).map(
            lambda ms: start + timedelta(milliseconds=ms)
        ),
        channel=st.sampled_from(chans),
        text=texts(),
        urgency=urgency,
        is_public=st.booleans(),
    )


_ROW_COLUMNS = (
    "followers",
    "lifetime_value",
    "purchase_count",
    "total_spend",
    "days_since_last_purchase",
    "text",
)


@st.composite
def query_frames(
    draw: st.DrawFn,
    *,
    min_rows: int = 1,
    max_rows: int = 30,
    start: datetime = EPOCH,
    max_minutes: float = 1440.0,
    channels: Sequence[str] | None = None,
    max_followers: int = 10_000_000,
    max_value: float = 1_000_000.0,
    urgency: str = "mixed",
    max_purchases: int = 500,
    text: st.SearchStrategy[str] | None = None,
    policy: Policy | None = None,
    urgency_levels: Sequence[float] | None = None,
    segments: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Canonical query frames with unique ids and tz-aware UTC arrivals.

    ``urgency``: ``"given"`` (column, no NaN), ``"text"`` (no urgency column),
    or ``"mixed"`` (column with some NaN, derived from text). ``text``: the
    strategy of messages (default :func:`texts`). ``policy``: also a column
    for every signal it declares (``signals.custom``), with valid values.

    ``urgency_levels``: given urgencies take only these few values (e.g.
    ``(0.2, 0.5, 0.9)``, a triage form's low/normal/high), so many queries
    tie on urgency. ``segments``: customer tiers, label -> (low, high)
    lifetime value, e.g. ``{"basic": (0, 1000), "vip": (5000, 50000)}``; each
    row is drawn in one tier (its ``lifetime_value`` in the range, lower
    bound inclusive, upper exclusive) and a ``segment`` column names it.
    """
    if urgency not in ("given", "text", "mixed"):
        raise InputError(f"urgency must be 'given', 'text' or 'mixed'; got {urgency!r}")
    levels = _check_levels(urgency_levels, urgency)
    tiers = _check_segments(segments)
    chans = list(channels) if channels else [c.value for c in Channel]
    urgencies = (  # "text": the column is left out
        st.just(np.nan) if urgency == "text" else _elements("urgency", allow_nan=urgency == "mixed")
    )
    # Rows are drawn as units, so the shrinker can delete any query and a
    # counter-example shrinks to the one or two rows that matter.
    row = st.tuples(
        st.integers(0, int(max_minutes * 60_000)),
        st.integers(0, max(0, max_rows - 1)),
        st.sampled_from(chans),
        *(
            _elements(
                column,
                max_followers=max_followers,
                max_value=max_value,
                max_purchases=max_purchases,
                text=text,
            )
            for column in _ROW_COLUMNS
        ),
        st.booleans(),
        urgencies,
    )
    rows = draw(st.lists(row, min_size=min_rows, max_size=max_rows))
    n = len(rows)
    cols: list[tuple[Any, ...]] = (
        list(zip(*rows, strict=True)) if rows else [()] * (len(_ROW_COLUMNS) + 5)
    )
    ms, cust, channel, *values, public, level_of = cols
    data: dict[str, Any] = {
        "query_id": [f"Q{i:04d}" for i in range(n)],
        "customer_id": [f"C{c:04d}" for c in cust],
        "received_at": pd.to_datetime(
            [start + timedelta(milliseconds=m) for m in ms], utc=True
        ).as_unit("ns"),
        "channel": list(channel),
        **{column: list(v) for column, v in zip(_ROW_COLUMNS, values, strict=True)},
        "is_public": list(public),
    }
    if urgency != "text":
        data["urgency"] = np.asarray(level_of, dtype=np.float64)
        if levels is not None:
            tied = draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n), label="levels")
            given = ~np.isnan(data["urgency"])
            data["urgency"][given] = np.asarray(tied, dtype=np.float64)[given]
    if tiers is not None:
        chosen = draw(st.lists(st.sampled_from(sorted(tiers)), min_size=n, max_size=n))
        data["segment"] = chosen
        data["lifetime_value"] = [
            draw(_tier_value(*tiers[label]), label=f"lifetime_value in {label}") for label in chosen
        ]
    frame = pd.DataFrame(data)
    frame["followers"] = frame["followers"].astype(np.int64)
    frame["purchase_count"] = frame["purchase_count"].astype(np.int64)
    frame["days_since_last_purchase"] = frame["days_since_last_purchase"].astype(np.float64)
    if policy is not None:
        for column in dict.fromkeys(d.input for d in policy.signals.custom.values()):
            frame[column] = draw(column_values(column, n, policy=policy), label=column)
    return frame


def _check_levels(levels: Sequence[float] | None, urgency: str) -> list[float] | None:
    if levels is None:
        return None
    out = [float(v) for v in levels]
    if not out or any(not 0.0 <= v <= 1.0 for v in out):
        raise InputError(f"urgency_levels must be one or more numbers in [0, 1]; got {levels!r}")
    if urgency == "text":
        raise InputError("urgency_levels needs an urgency column: urgency='given' or 'mixed'")
    return sorted(set(out))


def _check_segments(
    segments: Mapping[str, tuple[float, float]] | None,
) -> dict[str, tuple[float, float]] | None:
    if segments is None:
        return None
    if not isinstance(segments, Mapping) or not segments:
        raise InputError(f"segments must map tier labels to (low, high); got {segments!r}")
    out: dict[str, tuple[float, float]] = {}
    for label, bounds in segments.items():
        lo, hi = (float(b) for b in bounds)
        if not (0.0 <= lo < hi and np.isfinite(hi)):
            raise InputError(
                f"segments[{label!r}] must be (low, high) lifetime values with "
                f"0 <= low < high; got {bounds!r}"
            )
        out[str(label)] = (lo, hi)
    return out


def _tier_value(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, exclude_max=True, allow_nan=False, allow_infinity=False)


@st.composite
def near_ties(
    draw: st.DrawFn,
    *,
    min_rows: int = 2,
    max_rows: int = 8,
    profiles: int = 3,
    urgency_levels: Sequence[float] = (0.2, 0.5, 0.9),
    max_minutes: float = 5.0,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Frames of near-tied queries: where one signal can move a query several places.

    Rows share at most ``profiles`` customers (followers, value, purchases,
    each from a few typical magnitudes), urgency takes only
    ``urgency_levels`` and arrivals fall within
    ``max_minutes``, so many queries tie on everything but the arrival
    tie-break: a change to one query's signal then moves it past every query it
    was tied with. The frames of
    :func:`~prioritize.testing.assert_bounded_rank_shift`.
    """
    profiles = check_int("profiles", profiles, minimum=1)
    frame = draw(
        query_frames(
            min_rows=min_rows,
            max_rows=max_rows,
            max_minutes=max_minutes,
            urgency="given",
            urgency_levels=urgency_levels,
            text=st.just(""),  # urgency is given: the text is never read
            policy=policy,
        )
    )
    n = len(frame)
    people = draw(
        st.lists(
            st.tuples(*(st.sampled_from(_TYPICAL[c]) for c in _CUSTOMER_COLUMNS)),
            min_size=1,
            max_size=profiles,
        ),
        label="profiles",
    )
    who = draw(st.lists(st.integers(0, len(people) - 1), min_size=n, max_size=n), label="who")
    for j, column in enumerate(_CUSTOMER_COLUMNS):
        assign_column = [people[k][j] for k in who]
        frame[column] = np.asarray(assign_column, dtype=frame[column].dtype)
    frame["customer_id"] = [f"C{k:04d}" for k in who]
    return frame


_CUSTOMER_COLUMNS = (
    "followers",
    "lifetime_value",
    "purchase_count",
    "total_spend",
    "days_since_last_purchase",
)
#: Customer values of near-tied frames: typical magnitudes, from nothing to the
#: saturation of each signal, so profiles differ by whole steps of evidence.
_TYPICAL: dict[str, list[Any]] = {
    "followers": [0, 150, 2_000, 40_000, 1_000_000],
    "lifetime_value": [0.0, 80.0, 1_500.0, 25_000.0],
    "purchase_count": [0, 1, 5, 40],
    "total_spend": [0.0, 60.0, 900.0, 20_000.0],
    "days_since_last_purchase": [np.nan, 3.0, 60.0, 700.0],
}


def shape_arrivals(
    desired: npt.ArrayLike, handle: npt.ArrayLike, rate: float, burst: float
) -> npt.NDArray[np.float64]:
    """Delay arrivals (minutes, non-decreasing) through a token bucket.

    Query ``i`` brings ``handle[i]`` minutes of work; it arrives at the first
    moment at or after ``desired[i]`` (and after the previous arrival) when
    the bucket, filled by arrivals and drained at ``rate`` work-minutes per
    minute, has room for it within ``burst``. Guarantee: the work arriving in
    any window of ``t`` minutes is at most ``burst + rate * t``.
    """
    wanted = np.asarray(desired, dtype=np.float64).tolist()
    works = np.asarray(handle, dtype=np.float64).tolist()
    arrivals = np.empty(len(wanted))
    level = 0.0
    last = -np.inf
    for i, (want, work) in enumerate(zip(wanted, works, strict=True)):
        at = max(want, last)
        level = work if last == -np.inf else max(level - rate * (at - last), 0.0) + work
        if level > burst:
            at += (level - burst) / rate
            level = burst
        arrivals[i] = last = at
    return arrivals


_PROFILES = 4  # most distinct customer profiles in one stream
#: What a customer profile fixes: the channel, the CRM columns and urgency.
_PROFILE_COLUMNS = tuple(
    c for c in (*REQUIRED_COLUMNS, "urgency") if c not in {"query_id", "customer_id", "received_at"}
)


def _stream_frame(
    rows: Sequence[tuple[float, float, int]],
    profiles: Sequence[tuple[Any, ...]],
    *,
    rate: float,
    burst: float,
    start: datetime,
) -> pd.DataFrame:
    """Rows (gap, handle, profile index) as a canonical frame with shaped arrivals."""
    n = len(rows)
    gaps = np.array([r[0] for r in rows], dtype=np.float64)
    work = np.array([r[1] for r in rows], dtype=np.float64)
    arrivals = shape_arrivals(np.cumsum(gaps), work, rate, burst)
    chosen = [profiles[r[2]] for r in rows]
    data: dict[str, Any] = {
        "query_id": [f"Q{i:04d}" for i in range(n)],
        "customer_id": [f"C{r[2]:04d}" for r in rows],
        "received_at": (pd.Timestamp(start) + pd.to_timedelta(arrivals, unit="min")).as_unit("ns"),
    }
    for j, column in enumerate(_PROFILE_COLUMNS):
        values = [p[j] for p in chosen]
        data[column] = values if column == "channel" else np.asarray(values, dtype=np.float64)
    data["handle_minutes"] = work
    frame = pd.DataFrame(data)
    frame["followers"] = frame["followers"].astype(np.int64)
    frame["purchase_count"] = frame["purchase_count"].astype(np.int64)
    return frame


@st.composite
def _streams(
    draw: st.DrawFn,
    /,
    *,
    profile: st.SearchStrategy[tuple[Any, ...]],
    gap: st.SearchStrategy[float],
    handle: st.SearchStrategy[float],
    min_rows: int,
    max_rows: int,
    against: Policy | None,
    **shape: Any,
) -> pd.DataFrame:
    profiles = draw(st.lists(profile, min_size=2, max_size=_PROFILES), label="profiles")
    if against is not None and max_rows >= 3 and draw(st.booleans(), label="probe"):
        # The adversary: the profile the policy likes less arrives just after one
        # it likes more, then a run of the liked one at the envelope.
        pair = _stream_frame([(0.0, 1.0, 0), (0.0, 1.0, 1)], profiles, **shape)
        liked = int(np.argmax(against.score_frame(pair)["score"].to_numpy()))
        work = draw(handle, label="probe handle")
        count = draw(st.integers(1, max_rows - 2), label="probe run")
        rows = [(0.0, work, liked), (0.0, work, 1 - liked)] + [(0.0, work, liked)] * count
        return _stream_frame(rows, profiles, **shape)
    # A stream is a list of runs: ``count`` queries of one profile, one gap and
    # one handle time. Starvation needs a sustained run of higher-priority
    # arrivals; drawn row by row it is exponentially rare, drawn as runs it is
    # one choice (and shrinks in a few steps).
    longest = max(1, max_rows // 2)  # so that most streams have two runs or more
    run = st.tuples(st.integers(0, len(profiles) - 1), st.integers(1, longest), gap, handle)
    runs = draw(st.lists(run, min_size=1, max_size=max_rows), label="runs")
    rows = [(g, h, k) for k, count, g, h in runs for _ in range(count)][:max_rows]
    if len(rows) < min_rows:
        rows += [rows[-1]] * (min_rows - len(rows))
    return _stream_frame(rows, profiles, **shape)


def streams(
    *,
    agents: int = 1,
    load: float = 0.9,
    burst: float = 60.0,
    handle_minutes: tuple[float, float] = (1.0, 30.0),
    max_gap: float | None = None,
    min_rows: int = 1,
    max_rows: int = 40,
    start: datetime = EPOCH,
    channels: Sequence[str] | None = None,
    max_followers: int = 10_000_000,
    max_value: float = 1_000_000.0,
    against: Policy | None = None,
) -> st.SearchStrategy[pd.DataFrame]:
    """Streams of queries whose work fits ``agents`` at utilisation ``load`` < 1.

    Each query gets ``handle_minutes`` in the range ``handle_minutes``
    (low, high); arrivals are shaped by
    :func:`shape_arrivals` so the work arriving in any window of ``t``
    minutes is at most ``burst + load * agents * t``: long-run utilisation at
    most ``load``, bursts of at most ``burst`` minutes of work. Under FIFO with
    one agent nobody then waits more than ``burst`` minutes; a policy that
    starves some queries makes them wait up to the end of the busy period.

    Shape of a stream, chosen so that starvation is found and shrinks fast:
    two to four customer *profiles* (channel, followers, value, purchases and
    a given ``urgency``; the ``customer_id``) are drawn, and the stream is a
    list of *runs*: ``count`` queries of one profile, with one gap between
    desired arrivals and one handle time. Gaps are 0 or drawn in
    ``[0, max_gap]`` (default ``handle_minutes[1] / agents``), so streams often run
    at the envelope and shrinking pushes them there.

    ``against=policy`` makes about half the streams *probes* built against
    that policy: a query of the profile it likes less arrives just after one
    it likes more, followed by a run of those at the envelope: the pattern
    that starves a policy without aging or a wait limit. No ``text``, ``is_public`` or
    ``patience_minutes``; rows are in arrival order (``Q0000`` first).
    """
    agents = check_int("agents", agents, minimum=1)
    if not 0.0 < load < 1.0:
        raise InputError(f"load must be in (0, 1): utilisation below capacity; got {load!r}")
    lo, hi = handle_minutes
    if not 0.0 < lo <= hi:
        raise InputError(
            f"handle_minutes must be (low, high) with 0 < low <= high; got {handle_minutes}"
        )
    if burst < hi:
        raise InputError(f"burst ({burst:g} min) must be at least the longest handle ({hi:g} min)")
    gap = hi / agents if max_gap is None else max_gap
    if gap < 0:
        raise InputError(f"max_gap must be >= 0; got {max_gap}")
    if not 0 <= min_rows <= max_rows or max_rows < 1:
        raise InputError(
            f"need 0 <= min_rows <= max_rows, 1 <= max_rows; got {min_rows}, {max_rows}"
        )
    chans = list(channels) if channels else [c.value for c in Channel]
    profile = st.tuples(
        st.sampled_from(chans),
        _elements("followers", max_followers=max_followers),
        _elements("lifetime_value", max_value=max_value),
        _elements("purchase_count"),
        _elements("total_spend", max_value=max_value),
        _elements("days_since_last_purchase"),
        _elements("urgency", allow_nan=False),
    )
    return _streams(
        profile=profile,
        # Half the gaps are 0 (arrivals as fast as the envelope allows): long busy
        # periods, where starvation shows, are common rather than rare.
        gap=st.just(0.0) | _finite(0.0, float(gap)),
        handle=_finite(float(lo), float(hi)),
        min_rows=min_rows,
        max_rows=max_rows,
        against=against,
        rate=load * agents,
        burst=burst,
        start=start,
    )


def weights(max_weight: float = 1.0) -> st.SearchStrategy[Weights]:
    """Non-negative weights over the four signals."""
    w = _finite(0.0, max_weight)
    return st.builds(Weights, **{name: w for name in SIGNALS})


@st.composite
def policies(
    draw: st.DrawFn,
    *,
    max_weight: float = 1.0,
    rules: bool = True,
    max_wait_rule: bool = True,
) -> Policy:
    """Policies with random weights and (optionally) random Blind/Cap/Aging/MaxWait rules.

    ``max_wait_rule=False`` never draws a ``MaxWait`` rule.
    """
    chosen: list[Any] = []
    if rules:
        blind = draw(st.lists(st.sampled_from(SIGNALS), unique=True, max_size=2))
        if blind:
            chosen.append(Blind.model_validate({"signals": blind}))
        for signal in draw(st.lists(st.sampled_from(SIGNALS), unique=True, max_size=2)):
            cap = draw(_finite(0.0, max_weight))
            chosen.append(Cap.model_validate({"signal": signal, "max_points": cap}))
        if draw(st.booleans()):
            chosen.append(Aging(points_per_hour=draw(_finite(0.0, 2.0))))
        if max_wait_rule and draw(st.booleans()):
            chosen.append(MaxWait(minutes=draw(_finite(1.0, 1440.0))))
    return Policy(weights=draw(weights(max_weight)), rules=tuple(chosen))
