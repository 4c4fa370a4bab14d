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

``Blind``, ``Cap`` and ``Aging`` act on scores. ``MaxWait`` and ``GroupShare``
act on the order in which a queue or the simulator serves queries; here they
are validated and stored.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prioritize.models import Channel

__all__ = ["Aging", "Blind", "Cap", "GroupShare", "MaxWait", "Rule", "SignalName"]

#: A signal's name: a built-in one or one declared in the policy (checked by the policy).
SignalName = Annotated[str, Field(min_length=1)]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]

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
    max_points: _NonNeg


class Aging(BaseModel):
    """Add ``points_per_hour`` for every hour a query has waited."""

    model_config = _CONFIG
    kind: Literal["aging"] = "aging"
    points_per_hour: _NonNeg


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
