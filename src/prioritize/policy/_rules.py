"""Fairness rules, as frozen values with a ``kind`` tag (a discriminated union).

=============== ===================================================================
rule            guarantee (each one is a property test)
=============== ===================================================================
``Blind``       the listed signals have no effect: changing them never changes a
                score or an order.
``Cap``         two queries that differ only in ``signal`` differ in score by at
                most ``max_points`` (the signal's points are ``min(w·s, max_points)``).
``Aging``       priority grows by ``points_per_hour`` per hour waited; because the
                growth is linear the order of waiting queries never changes by
                itself (heap key ``base − rate·arrival``).
``MaxWait``     a query waiting longer than its limit is served before any query
                that is not overdue, overdue ones oldest first: nobody starves.
``GroupShare``  while a group has a backlog it gets at least its share of service
                starts (weighted fair queueing between groups).
=============== ===================================================================

``Blind`` and ``Cap`` name signals of the registry (:mod:`prioritize.signals`):
a built-in one or one the policy declares; the policy checks the names, so a
typo is a validation error naming the rule and the known signals.

Every score stays finite: a weight and ``Cap.max_points`` are at most
:data:`MAX_POINTS` (10⁶) and ``Aging.points_per_hour`` at most
:data:`MAX_POINTS_PER_HOUR` (10⁶), so over the whole time axis (1677–2262,
about 5·10⁶ hours) a score stays below 10¹³ and the queue, ``rank`` and the
simulator order queries alike. A larger value is a validation error naming
the field.

``Blind``, ``Cap`` and ``Aging`` act on scores. ``MaxWait`` and ``GroupShare``
act on the order in which a queue or the simulator serves queries; here they
are validated and stored.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prioritize.models import Channel

__all__ = [
    "MAX_POINTS",
    "MAX_POINTS_PER_HOUR",
    "Aging",
    "Blind",
    "Cap",
    "GroupShare",
    "MaxWait",
    "Points",
    "Rule",
    "SignalName",
]

#: The largest weight (points for a signal at 1) and ``Cap.max_points``.
MAX_POINTS = 1e6
#: The largest ``Aging.points_per_hour``.
MAX_POINTS_PER_HOUR = 1e6
#: Points: a finite number in [0, MAX_POINTS] (weights, caps).
Points = Annotated[float, Field(ge=0, le=MAX_POINTS, allow_inf_nan=False)]

#: A signal's name: a built-in one or one declared in the policy (checked by the policy).
SignalName = Annotated[str, Field(min_length=1)]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class Blind(BaseModel):
    """Ignore the listed signals entirely (their points are 0)."""

    model_config = _CONFIG
    kind: Literal["blind"] = "blind"
    signals: tuple[SignalName, ...] = Field(min_length=1)


class Cap(BaseModel):
    """Bound a signal's influence: its points are ``min(weight × signal, max_points)``."""

    model_config = _CONFIG
    kind: Literal["cap"] = "cap"
    signal: SignalName
    max_points: Points


class Aging(BaseModel):
    """Add ``points_per_hour`` for every hour a query has waited."""

    model_config = _CONFIG
    kind: Literal["aging"] = "aging"
    points_per_hour: Annotated[float, Field(ge=0, le=MAX_POINTS_PER_HOUR, allow_inf_nan=False)]


class MaxWait(BaseModel):
    """Serve a query that has waited longer than its limit before any that has not.

    Parameters
    ----------
    minutes
        The limit for every channel not listed in ``per_channel``.
    per_channel
        Channel-specific limits, e.g. ``{"twitter": 60, "email": 1440}``.
    """

    model_config = _CONFIG
    kind: Literal["max_wait"] = "max_wait"
    minutes: _Positive
    per_channel: dict[Channel, _Positive] = Field(default_factory=dict)

    def minutes_for(self, channel: str) -> float:
        """The limit for ``channel`` in minutes."""
        return self.per_channel.get(channel, self.minutes)  # type: ignore[call-overload,no-any-return]


class GroupShare(BaseModel):
    """Guarantee each listed group a share of service starts while it has a backlog.

    Parameters
    ----------
    group
        What defines the groups (:func:`~prioritize.models.group_labels`): a
        column of the query frame (or attribute of the query or customer),
        such as ``channel``, or the computed ``follower_band`` / ``value_band``.
    shares
        Group label -> minimum share of service starts, each in (0, 1], summing
        to at most 1. Groups not listed share what is left.
    """

    model_config = _CONFIG
    kind: Literal["group_share"] = "group_share"
    group: str = Field(min_length=1)
    shares: dict[str, Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]] = Field(
        min_length=1
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> Self:
        total = math.fsum(self.shares.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"shares must sum to at most 1; got {total:g}")
        return self


Rule = Annotated[Blind | Cap | Aging | MaxWait | GroupShare, Field(discriminator="kind")]
