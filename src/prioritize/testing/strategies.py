"""Hypothesis strategies for customers, queries, canonical frames and policies.

Every strategy takes bounds a team can narrow to its own data, e.g.
``query_frames(max_rows=50, channels=["twitter", "email"])``. Requires the
``testing`` extra (``pip install prioritize[testing]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from prioritize.models import Channel, Customer, Query
from prioritize.policy import Aging, Blind, Cap, MaxWait, Policy, Weights
from prioritize.signals import SIGNALS

__all__ = [
    "EPOCH",
    "customers",
    "policies",
    "queries",
    "query_frames",
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


def texts(max_words: int = 12) -> st.SearchStrategy[str]:
    """Messages mixing urgency cues, plain words and arbitrary unicode."""
    words = st.lists(st.sampled_from(_WORDS), max_size=max_words).map(" ".join)
    return st.one_of(words, st.text(max_size=80))


def _finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


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
        followers=st.integers(0, max_followers),
        lifetime_value=_finite(0.0, max_value),
        purchase_count=st.integers(0, max_purchases),
        total_spend=_finite(0.0, max_value),
        days_since_last_purchase=st.none() | _finite(0.0, 3650.0),
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
    urgency: st.SearchStrategy[float | None]
    if given_urgency is True:
        urgency = _finite(0.0, 1.0)
    elif given_urgency is False:
        urgency = st.none()
    else:
        urgency = st.none() | _finite(0.0, 1.0)
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
) -> pd.DataFrame:
    """Canonical query frames with unique ids and tz-aware UTC arrivals.

    ``urgency``: ``"given"`` (column, no NaN), ``"text"`` (no urgency column),
    or ``"mixed"`` (column with some NaN, derived from text).
    """
    n = draw(st.integers(min_rows, max_rows))
    chans = list(channels) if channels else [c.value for c in Channel]
    ms = draw(st.lists(st.integers(0, int(max_minutes * 60_000)), min_size=n, max_size=n))
    cust = draw(st.lists(st.integers(0, max(0, n - 1)), min_size=n, max_size=n))
    data: dict[str, Any] = {
        "query_id": [f"Q{i:04d}" for i in range(n)],
        "customer_id": [f"C{c:04d}" for c in cust],
        "received_at": pd.to_datetime(
            [start + timedelta(milliseconds=m) for m in ms], utc=True
        ).as_unit("ns"),
        "channel": draw(st.lists(st.sampled_from(chans), min_size=n, max_size=n)),
        "followers": draw(st.lists(st.integers(0, max_followers), min_size=n, max_size=n)),
        "lifetime_value": draw(st.lists(_finite(0.0, max_value), min_size=n, max_size=n)),
        "purchase_count": draw(st.lists(st.integers(0, 500), min_size=n, max_size=n)),
        "total_spend": draw(st.lists(_finite(0.0, max_value), min_size=n, max_size=n)),
        "days_since_last_purchase": draw(
            st.lists(st.none() | _finite(0.0, 3650.0), min_size=n, max_size=n)
        ),
        "text": draw(st.lists(texts(), min_size=n, max_size=n)),
        "is_public": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    }
    if urgency != "text":
        values = draw(st.lists(_finite(0.0, 1.0), min_size=n, max_size=n))
        if urgency == "mixed":
            holes = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            values = [np.nan if h else v for v, h in zip(values, holes, strict=True)]
        data["urgency"] = values
    frame = pd.DataFrame(data)
    frame["followers"] = frame["followers"].astype(np.int64)
    frame["purchase_count"] = frame["purchase_count"].astype(np.int64)
    frame["days_since_last_purchase"] = frame["days_since_last_purchase"].astype(np.float64)
    return frame


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
    max_wait: bool = True,
) -> Policy:
    """Policies with random weights and (optionally) random Blind/Cap/Aging/MaxWait rules."""
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
        if max_wait and draw(st.booleans()):
            chosen.append(MaxWait(minutes=draw(_finite(1.0, 1440.0))))
    return Policy(weights=draw(weights(max_weight)), rules=tuple(chosen))
