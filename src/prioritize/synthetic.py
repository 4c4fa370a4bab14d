"""Synthetic canonical query frames: realistic, documented, seeded.

``queries(n, seed)`` draws ``n`` queries over ``days`` days starting at
``start`` (UTC). Every distribution and parameter:

Arrivals
    A non-homogeneous Poisson process conditioned on ``n`` arrivals: the
    instantaneous rate is a mix over customer time zones
    (:data:`TIME_ZONES`: UTC−5 40 %, UTC+1 35 %, UTC+8 25 %), each following
    a daily cycle ``1 + 0.8·cos(2π(local_hour − 14)/24)`` (peak at 14:00
    local, trough at 02:00 at 1/9 of the peak). Sampled by thinning.
Customers
    ``n_customers = round(customer_ratio · n)`` (default 0.7), each query's
    author drawn uniformly, so some customers write several times.
Followers
    Log-normal, median 90 (``μ = ln 90, σ = 1.6``) — most have tens to
    hundreds — plus an influencer share (2 %) with ``10**U(4, 6.5)`` followers
    (10k to ~3M).
Purchase history
    30 % never bought (count 0, spend 0, recency NaN, lifetime value 0).
    Buyers: ``purchase_count = 1 + NegBin(n=1.5, mean=3)``; each purchase
    log-normal, median 45 (``σ = 0.9``); ``days_since_last_purchase`` ~
    Exponential(mean 120); ``lifetime_value = total_spend · LogNormal(0.3, 0.4)``
    (CRM value includes expected future spend).
Channels
    :data:`CHANNEL_MIX`; the share of public posts per channel is
    :data:`PUBLIC_SHARE` (e.g. 70 % of Twitter queries are public mentions,
    30 % DMs; email, chat, phone, web forms are private).
Text and urgency
    Text from templates at four urgency levels (routine 45 %, a problem 30 %,
    angry 15 %, repeat contact 10 %); ``urgency`` is the default lexicon's
    score of that text (a stand-in for a classifier; set
    ``urgency_column=False`` to leave it to the policy).
Handle time
    Log-normal per channel with the medians in :data:`HANDLE_MEDIAN_MINUTES`
    and ``σ = 0.5``.
Patience
    Log-normal calibrated to the survey in DESIGN.md: 14 % of customers
    expect an answer within 5 minutes and 43 % within an hour, so
    ``P(patience ≤ 5) = 0.14`` and ``P(patience ≤ 60) = 0.43``
    (:data:`PATIENCE_MU`, :data:`PATIENCE_SIGMA`: median ≈ 97 min).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import SeedLike, check_random_state
from prioritize.models import Channel
from prioritize.signals import text_urgency

__all__ = [
    "CHANNEL_MIX",
    "HANDLE_MEDIAN_MINUTES",
    "HANDLE_SIGMA",
    "PATIENCE_MU",
    "PATIENCE_SIGMA",
    "PUBLIC_SHARE",
    "TIME_ZONES",
    "handle_minutes",
    "patience_minutes",
    "patience_quantile",
    "poisson_queries",
    "queries",
]

#: (UTC offset in hours, share of customers)
TIME_ZONES: tuple[tuple[int, float], ...] = ((-5, 0.40), (1, 0.35), (8, 0.25))
CHANNEL_MIX: dict[str, float] = {
    "twitter": 0.22,
    "facebook": 0.10,
    "instagram": 0.06,
    "email": 0.25,
    "chat": 0.17,
    "phone": 0.12,
    "web_form": 0.08,
}
PUBLIC_SHARE: dict[str, float] = {"twitter": 0.7, "facebook": 0.6, "instagram": 0.7}
HANDLE_MEDIAN_MINUTES: dict[str, float] = {
    "twitter": 6.0,
    "facebook": 6.0,
    "instagram": 5.0,
    "email": 10.0,
    "chat": 8.0,
    "phone": 7.0,
    "web_form": 9.0,
}
HANDLE_SIGMA = 0.5

_Z14 = NormalDist().inv_cdf(0.14)
_Z43 = NormalDist().inv_cdf(0.43)
#: Log-normal patience parameters solving P(≤5 min) = 0.14 and P(≤60 min) = 0.43.
PATIENCE_SIGMA = (math.log(60.0) - math.log(5.0)) / (_Z43 - _Z14)
PATIENCE_MU = math.log(60.0) - _Z43 * PATIENCE_SIGMA

_TEMPLATES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (
        0.45,
        (
            "Hi, what are your opening hours on Sunday?",
            "Can I change the delivery address for my order?",
            "Do you ship to Canada?",
            "Is the blue version coming back in stock?",
            "How do I update my email address?",
            "Thanks for the quick delivery last week.",
        ),
    ),
    (
        0.30,
        (
            "My order arrived damaged, can you help?",
            "The app is not working since the update.",
            "I was charged twice for one order.",
            "My parcel is missing, tracking says delivered.",
            "I want to cancel my subscription.",
            "The charger is broken after two days.",
        ),
    ),
    (
        0.15,
        (
            "This is unacceptable, I want a refund today!!",
            "WORST SERVICE EVER, MY ORDER IS STILL NOT HERE",
            "Locked out of my account and nobody helps!!!",
            "Double charged again, this is a scam. Refund ASAP",
        ),
    ),
    (
        0.10,
        (
            "Third time asking: still waiting for my refund. No reply to my emails.",
            "Called twice, emailed twice, still no answer. Cancel my order.",
            "I've been waiting 3 days ago for a response, no response on chat either!!",
            "Tried calling, on hold for an hour. Still waiting!!",
        ),
    ),
)


def patience_quantile(p: float) -> float:
    """The ``p`` quantile of the default patience distribution, in minutes."""
    return math.exp(PATIENCE_MU + PATIENCE_SIGMA * NormalDist().inv_cdf(p))


def handle_minutes(
    channels: npt.ArrayLike,
    rng: np.random.Generator,
    *,
    medians: Mapping[str, float] = HANDLE_MEDIAN_MINUTES,
    sigma: float = HANDLE_SIGMA,
    default_median: float | None = None,
) -> npt.NDArray[np.float64]:
    """Handle times in minutes: log-normal per channel (the module's handle-time model).

    ``medians`` maps a channel to its median; a channel not listed uses
    ``default_median`` (an error naming the channel when that is None).
    """
    chan = np.asarray(channels, dtype=object)
    lookup = {str(c): float(m) for c, m in medians.items()}
    med = np.empty(chan.size)
    for i, c in enumerate(chan.tolist()):
        m = lookup.get(str(c), default_median)
        if m is None:
            raise InputError(
                f"no median handle time for channel {c!r}; known channels {sorted(lookup)} "
                f"(pass default_median= or add it to medians=)"
            )
        med[i] = m
    out: npt.NDArray[np.float64] = med * np.exp(rng.normal(0.0, sigma, chan.size))
    return out


def patience_minutes(n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Patience in minutes: log-normal calibrated to the survey (see the module docstring)."""
    out: npt.NDArray[np.float64] = np.exp(rng.normal(PATIENCE_MU, PATIENCE_SIGMA, n))
    return out


def _arrival_minutes(n: int, days: float, rng: np.random.Generator) -> np.ndarray:
    span = days * 1440.0
    offsets = np.array([tz for tz, _ in TIME_ZONES], dtype=float)
    shares = np.array([s for _, s in TIME_ZONES])
    out: list[np.ndarray] = [np.empty(0)]
    have = 0
    while have < n:
        m = max(2 * (n - have), 64)
        t = rng.uniform(0.0, span, m)
        zone = rng.choice(len(offsets), size=m, p=shares)
        local_hour = (t / 60.0 + offsets[zone]) % 24.0
        rate = 1.0 + 0.8 * np.cos(2 * np.pi * (local_hour - 14.0) / 24.0)
        keep = rng.uniform(0.0, 1.8, m) < rate
        out.append(t[keep])
        have += int(keep.sum())
    return np.sort(np.concatenate(out)[:n])


def queries(
    n: int = 10_000,
    seed: SeedLike = 0,
    *,
    start: datetime | str = "2026-01-05",
    days: float = 7.0,
    customer_ratio: float = 0.7,
    influencer_share: float = 0.02,
    urgency_column: bool = True,
) -> pd.DataFrame:
    """A realistic canonical query frame (see the module docstring for every distribution).

    Parameters
    ----------
    n
        Number of queries.
    seed
        Seed or ``numpy.random.Generator``; the same seed gives the same frame.
    start, days
        The window (``start`` is UTC midnight of a Monday by default).
    customer_ratio
        Distinct customers per query (1.0: everyone writes once).
    influencer_share
        Share of customers with 10k–3M followers.
    urgency_column
        Include an ``urgency`` column (the lexicon score of ``text``).

    Returns
    -------
    pandas.DataFrame
        The canonical columns plus ``text``, ``is_public``, ``handle_minutes``
        and ``patience_minutes``; a RangeIndex; sorted by ``received_at``.
    """
    if n < 0:
        raise InputError(f"n must be >= 0; got {n}")
    if days <= 0:
        raise InputError(f"days must be > 0; got {days}")
    if not 0 < customer_ratio <= 1:
        raise InputError(f"customer_ratio must be in (0, 1]; got {customer_ratio}")
    if not 0 <= influencer_share <= 1:
        raise InputError(f"influencer_share must be in [0, 1]; got {influencer_share}")
    rng = check_random_state(seed)
    t0 = pd.Timestamp(start)
    t0 = t0.tz_localize("UTC") if t0.tzinfo is None else t0.tz_convert("UTC")

    minutes = _arrival_minutes(n, days, rng)
    n_customers = max(1, round(customer_ratio * n))
    author = rng.integers(0, n_customers, n)

    followers = np.exp(rng.normal(math.log(90.0), 1.6, n_customers))
    influencer = rng.uniform(size=n_customers) < influencer_share
    followers[influencer] = 10.0 ** rng.uniform(4.0, 6.5, int(influencer.sum()))
    followers = np.floor(followers).astype(np.int64)

    buyer = rng.uniform(size=n_customers) >= 0.30
    count = np.where(buyer, 1 + rng.negative_binomial(1.5, 1.5 / (1.5 + 2.0), n_customers), 0)
    mean_purchase = np.exp(rng.normal(math.log(45.0), 0.9, n_customers))
    spend = np.where(buyer, count * mean_purchase, 0.0).round(2)
    recency = np.where(buyer, rng.exponential(120.0, n_customers).round(1), np.nan)
    ltv = np.where(buyer, spend * np.exp(rng.normal(0.3, 0.4, n_customers)), 0.0).round(2)

    names = list(CHANNEL_MIX)
    probs = np.array(list(CHANNEL_MIX.values()))
    channel = np.array(names, dtype=object)[rng.choice(len(names), size=n, p=probs / probs.sum())]
    public_p = np.array([PUBLIC_SHARE.get(c, 0.0) for c in channel])
    is_public = rng.uniform(size=n) < public_p

    level_p = np.array([p for p, _ in _TEMPLATES])
    level = rng.choice(len(_TEMPLATES), size=n, p=level_p)
    text = np.empty(n, dtype=object)
    for lv, (_, options) in enumerate(_TEMPLATES):
        idx = np.flatnonzero(level == lv)
        text[idx] = np.array(options, dtype=object)[rng.integers(0, len(options), idx.size)]

    handle = handle_minutes(channel, rng)
    patience = patience_minutes(n, rng)

    frame = pd.DataFrame(
        {
            "query_id": [f"Q{i:07d}" for i in range(n)],
            "customer_id": [f"C{a:07d}" for a in author],
            "received_at": t0 + pd.to_timedelta(np.round(minutes * 60.0, 3), unit="s"),
            "channel": pd.Categorical(channel, categories=[c.value for c in Channel]),
            "followers": followers[author],
            "lifetime_value": ltv[author],
            "purchase_count": count[author].astype(np.int64),
            "total_spend": spend[author],
            "days_since_last_purchase": recency[author],
            "text": pd.array(text, dtype="object"),
            "is_public": is_public,
            "handle_minutes": handle,
            "patience_minutes": patience,
        }
    )
    if urgency_column:
        cache = {t: text_urgency(t) for t in set(frame["text"])}
        frame.insert(9, "urgency", frame["text"].map(cache).astype(np.float64))
    return frame


def poisson_queries(
    n: int,
    arrivals_per_hour: float,
    seed: SeedLike = 0,
    *,
    mean_handle_minutes: float | None = None,
    mean_patience_minutes: float | None = None,
    urgent_share: float = 0.0,
    start: datetime | str = "2026-01-05",
) -> pd.DataFrame:
    """A textbook stream for checking queueing results: M/M/c (+M) with urgency classes.

    Arrivals form a homogeneous Poisson process (exponential gaps with mean
    ``60 / arrivals_per_hour`` minutes) from ``start``. Each query is urgent
    (``urgency`` 1) with probability ``urgent_share``, else routine
    (``urgency`` 0), so the two classes are independent Poisson streams.
    ``handle_minutes`` is exponential with mean ``mean_handle_minutes`` and
    ``patience_minutes`` exponential with mean ``mean_patience_minutes``
    (each column only when its mean is given). Every customer is the same
    ordinary one-off customer (0 followers, no purchases) on ``chat``, so a
    policy's order depends on urgency and waiting time only.

    Draw order (fixed, so a seed gives the same frame): gaps, classes,
    handle times, patience.
    """
    if n < 0:
        raise InputError(f"n must be >= 0; got {n}")
    if not (math.isfinite(arrivals_per_hour) and arrivals_per_hour > 0):
        raise InputError(f"arrivals_per_hour must be > 0; got {arrivals_per_hour}")
    if not 0 <= urgent_share <= 1:
        raise InputError(f"urgent_share must be in [0, 1]; got {urgent_share}")
    for name, mean in (
        ("mean_handle_minutes", mean_handle_minutes),
        ("mean_patience_minutes", mean_patience_minutes),
    ):
        if mean is not None and not (math.isfinite(mean) and mean > 0):
            raise InputError(f"{name} must be > 0; got {mean}")
    rng = check_random_state(seed)
    t0 = pd.Timestamp(start)
    t0 = t0.tz_localize("UTC") if t0.tzinfo is None else t0.tz_convert("UTC")
    minutes = np.cumsum(rng.exponential(60.0 / arrivals_per_hour, n))
    urgent = rng.uniform(size=n) < urgent_share
    zeros = np.zeros(n, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "query_id": [f"Q{i:07d}" for i in range(n)],
            "customer_id": [f"C{i:07d}" for i in range(n)],
            "received_at": t0 + pd.to_timedelta(np.round(minutes * 60e9).astype(np.int64)),
            "channel": pd.Categorical(["chat"] * n, categories=[c.value for c in Channel]),
            "followers": zeros,
            "lifetime_value": np.zeros(n),
            "purchase_count": zeros,
            "total_spend": np.zeros(n),
            "days_since_last_purchase": np.full(n, np.nan),
            "urgency": urgent.astype(np.float64),
            "is_public": np.zeros(n, dtype=bool),
        }
    )
    if mean_handle_minutes is not None:
        frame["handle_minutes"] = rng.exponential(mean_handle_minutes, n)
    if mean_patience_minutes is not None:
        frame["patience_minutes"] = rng.exponential(mean_patience_minutes, n)
    return frame
