"""The worst stream for a wait promise: one disfavoured query behind a busy period of favoured ones.

:func:`assert_no_starvation <prioritize.testing.assert_no_starvation>` first
replays these constructed streams (a policy that starves fails on the first
one, fast and whatever the example budget), then searches at random.

The construction: a token bucket lets at most ``burst + load * agents * t``
minutes of work arrive in any ``t`` minutes. Queries the policy likes more
arrive as fast as that allows; the second arrival (after enough to occupy
every agent) is one it likes less. The backlog then drains at only
``(1 - load) * agents`` work-minutes per minute, so a policy that always
prefers the favoured queries leaves the disfavoured one waiting for the
whole busy period, about ``burst / ((1 - load) * agents)`` minutes, where
FIFO makes it wait at most ``burst / agents``. Handle times are the shortest
allowed (the finer the grain, the closer to that bound) unless ``max_queries``
needs longer ones to cover the busy period.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize.models import Channel
from prioritize.policy import Policy, limit_minutes
from prioritize.signals import Domain
from prioritize.testing.strategies import EPOCH, _stream_frame

__all__ = ["Adversary", "SearchCappedWarning", "adversaries", "fewest_on_duty"]

_HIGH = {
    "followers": 10_000_000,
    "lifetime_value": 1_000_000.0,
    "purchase_count": 500,
    "total_spend": 1_000_000.0,
    "days_since_last_purchase": 0.0,
    "urgency": 1.0,
}
_LOW = {
    "followers": 0,
    "lifetime_value": 0.0,
    "purchase_count": 0,
    "total_spend": 0.0,
    "days_since_last_purchase": math.nan,
    "urgency": 0.0,
}
#: Columns raised together in one profile: the evidence of one built-in signal.
_GROUPS = (
    ("followers",),
    ("lifetime_value",),
    ("purchase_count", "total_spend", "days_since_last_purchase"),
    ("urgency",),
)
_ORDER = ("followers", "lifetime_value", "purchase_count", "total_spend",
          "days_since_last_purchase", "urgency")  # fmt: skip


class SearchCappedWarning(UserWarning):
    """A cap on the number of queries cut a search for the worst case short.

    Raised by :func:`~prioritize.testing.assert_no_starvation` when
    ``max_queries`` ends the constructed worst-case stream before its busy
    period (or ``within_minutes``) is over: the assertion then checked less
    than it says. Raise ``max_queries``, or lower ``load`` or ``burst``.
    """


@dataclass(frozen=True)
class Adversary:
    """One constructed stream and what it is."""

    frame: pd.DataFrame
    favoured: str  # a description of each profile, for the message
    disfavoured: str
    disfavoured_id: str


def fewest_on_duty(agents: Any) -> int:
    """The agents the envelope is sized for: ``agents`` itself, or the fewest on duty in a week.

    Raises
    ------
    InputError
        If a schedule leaves a moment of its first week with nobody on duty
        (a wait promise cannot hold through it), or ``agents`` is not staffing.
    """
    from prioritize.simulation import Shift, capacity_changes

    if isinstance(agents, int | np.integer) and not isinstance(agents, bool):
        if agents < 1:
            raise InputError(f"agents must be >= 1; got {agents}")
        return int(agents)
    shifts = [agents] if isinstance(agents, Shift) else agents
    if (
        isinstance(shifts, str)
        or not isinstance(shifts, Sequence)
        or not shifts
        or not all(isinstance(s, Shift) for s in shifts)
    ):
        raise InputError(
            f"agents must be an int >= 1, a Shift or a list of Shift; got {type(agents).__name__}"
        )
    start = int(pd.Timestamp(EPOCH).value)
    week = start + 7 * 86_400 * 10**9
    fewest = math.inf
    for at, count in capacity_changes(list(shifts), start):
        if at >= week:
            break
        if count == 0:
            when = pd.Timestamp(at, tz="UTC").isoformat()
            raise InputError(
                f"agents: nobody is on duty at {when}; assert_no_starvation needs someone "
                "on duty at all times (a wait promise cannot hold through a gap)"
            )
        fewest = min(fewest, count)
    return int(fewest)


def _profiles(policy: Policy) -> list[tuple[str, dict[str, Any]]]:
    """Extreme customers: nothing, everything, and each kind of evidence alone."""
    declared: dict[str, Domain] = {}
    for d in policy.signals.custom.values():
        declared.setdefault(d.input, d.normaliser.domain)

    def custom(high: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column, domain in declared.items():
            if domain.boolean:
                out[column] = high
            else:
                lo = -1e6 if domain.minimum is None else domain.minimum
                hi = 1e6 if domain.maximum is None else domain.maximum
                out[column] = hi if high else lo
        return out

    out = [("nothing", {**_LOW, **custom(False)}), ("everything", {**_HIGH, **custom(True)})]
    for group in _GROUPS:
        raised = {c: _HIGH[c] for c in group}
        out.append((f"only {group[0]} high", {**_LOW, **raised, **custom(False)}))
    for column in declared:
        flip = {column: custom(True)[column]}
        out.append((f"only {column} high", {**_LOW, **custom(False), **flip}))
    return out


def _frame(
    rows: Sequence[int], profiles: Sequence[dict[str, Any]], *, work: float, **shape: Any
) -> pd.DataFrame:
    tuples = [(p["channel"], *(p[c] for c in _ORDER)) for p in profiles]
    frame = _stream_frame([(0.0, work, k) for k in rows], tuples, **shape)
    for column in profiles[0]:
        if column not in frame.columns:
            frame[column] = [profiles[k][column] for k in rows]
    return frame


def adversaries(
    policy: Policy,
    *,
    agents: int,
    load: float,
    burst: float,
    handle_minutes: tuple[float, float],
    within_minutes: float,
    max_queries: int,
) -> Iterator[Adversary]:
    """Worst-case streams, the widest score gap first; warns once if ``max_queries`` caps them."""
    rate = load * agents
    busy = burst / ((1.0 - load) * agents)
    lo, hi = handle_minutes
    # Work to arrive: the burst plus the envelope over the busy period (or the
    # promise, if shorter) and a little more; the finest grain that fits the budget.
    work = burst + rate * (min(busy, within_minutes) + 2 * hi)
    slots = max_queries - agents - 1
    finest = max(lo, work / slots) if slots > 0 else math.inf
    handle = min(finest, hi)
    count = min(max_queries, agents + 1 + math.ceil(work / handle - 1e-9))
    covered = max(0, count - agents - 1) * handle
    if finest > hi:
        warnings.warn(
            f"assert_no_starvation: max_queries={max_queries} caps the worst-case stream "
            f"at {count} queries ({covered:.0f} min of work); covering its busy period "
            f"({min(busy, within_minutes):.0f} min at load {load:g}) needs "
            f"{agents + 1 + math.ceil(work / hi)} with the longest handle time: raise max_queries",
            SearchCappedWarning,
            stacklevel=3,
        )
    # The disfavoured query on the channel with the longest wait limit: the worst case.
    channels = [c.value for c in Channel]
    slowest = max(channels, key=lambda c: limit_minutes(policy, c))
    named = _profiles(policy)
    candidates = [(name, {"channel": slowest, **p}) for name, p in named]
    pairs = []
    for (fav_name, fav), (dis_name, dis) in itertools.permutations(candidates, 2):
        probe = _frame([0, 1], [fav, dis], work=handle, rate=rate, burst=burst, start=EPOCH)
        probe["received_at"] = probe["received_at"].iloc[0]  # scored at the same moment
        scores = policy.score_frame(probe)["score"].to_numpy()
        if scores[0] > scores[1]:
            pairs.append((float(scores[0] - scores[1]), fav_name, fav, dis_name, dis))
    pairs.sort(key=lambda p: -p[0])
    for _, fav_name, fav, dis_name, dis in pairs:
        rows = [0] * agents + [1] + [0] * (count - agents - 1)
        frame = _frame(rows, [fav, dis], work=handle, rate=rate, burst=burst, start=EPOCH)
        yield Adversary(frame, fav_name, dis_name, str(frame["query_id"].iat[agents]))
