"""Preset policies: five positions in the "who goes first?" debate.

Each function returns a new :class:`~prioritize.Policy`; change one with
``policy.with_changes(...)``.

Every preset publishes the same service levels, :data:`SURVEY_SERVICE_LEVELS`,
so a queue entry shows when it is due (``entry.due_at``). They come from the
survey figures (14% of people expect an answer to an online query within 5
minutes, 43% within an hour) under one stated assumption: the 5-minute
expectation is that of live channels (chat, phone), where the customer is
waiting on the line; the hour that of social and messaging channels; email,
web forms, forums and review sites, where nobody expects an instant answer,
get a day (1440 min). Service levels never change the serving order
(only rules do): change them with ``policy.with_changes(service_levels=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping

from prioritize._internal.constants import SURVEY_MINUTES
from prioritize.policy._policy import Policy, Weights
from prioritize.policy._rules import Aging, Blind, Cap, MaxWait

__all__ = [
    "PRESETS",
    "SURVEY_SERVICE_LEVELS",
    "balanced",
    "equal_treatment",
    "fifo",
    "influencer_weighted",
    "value_weighted",
]


#: The service levels every preset publishes, in minutes per channel (see the
#: module docstring for where they come from): the survey table that
#: ``patience="survey"`` reads as mean patience too.
SURVEY_SERVICE_LEVELS: Mapping[str, float] = SURVEY_MINUTES


def fifo() -> Policy:
    """First come, first served: arrival order only.

    Weights: all 0. Rules: none. Every score is 0, so the tie-break
    (``received_at``, then ``query_id``) decides: the textbook FCFS queue.
    """
    return Policy(
        name="fifo",
        description="First come, first served.",
        service_levels=dict(SURVEY_SERVICE_LEVELS),
    )


def equal_treatment() -> Policy:
    """ "It doesn't matter who they are": urgency and waiting time only.

    Weights: ``urgency`` 1.0, all others 0.
    Rules: ``Blind(crm_value, purchase_history, follower_reach)`` so who the
    customer is can never count, ``Aging(0.5 points/hour)`` so a routine query
    waiting two hours overtakes a brand-new maximally urgent one, and
    ``MaxWait(1440 min)``: every message is answered within a day.
    """
    return Policy(
        name="equal_treatment",
        description="Urgency and waiting time only; blind to followers and customer value.",
        weights=Weights(urgency=1.0),
        rules=(
            Blind(signals=("crm_value", "purchase_history", "follower_reach")),
            Aging(points_per_hour=0.5),
            MaxWait(minutes=1440),
        ),
        service_levels=dict(SURVEY_SERVICE_LEVELS),
    )


def influencer_weighted() -> Policy:
    """The loudest first: follower reach dominates, as many brands do in practice.

    Weights: ``follower_reach`` 0.6, ``urgency`` 0.2, ``crm_value`` 0.1,
    ``purchase_history`` 0.1. Rules: none (no aging, no wait limit), so an
    ordinary customer can wait as long as influencers keep writing.
    """
    return Policy(
        name="influencer_weighted",
        description="Follower reach first; no aging, no wait limit.",
        weights=Weights(follower_reach=0.6, urgency=0.2, crm_value=0.1, purchase_history=0.1),
        service_levels=dict(SURVEY_SERVICE_LEVELS),
    )


def value_weighted() -> Policy:
    """The profitable customer first, whether or not they ever tweet.

    Weights: ``crm_value`` 0.45, ``purchase_history`` 0.35, ``urgency`` 0.2,
    ``follower_reach`` 0. Rules: ``Blind(follower_reach)``.
    """
    return Policy(
        name="value_weighted",
        description="CRM value and purchase history first; blind to followers.",
        weights=Weights(crm_value=0.45, purchase_history=0.35, urgency=0.2),
        rules=(Blind(signals=("follower_reach",)),),
        service_levels=dict(SURVEY_SERVICE_LEVELS),
    )


def balanced() -> Policy:
    """All four kinds of evidence, with reach capped and nobody starving.

    Weights: ``urgency`` 0.4, ``crm_value`` 0.25, ``follower_reach`` 0.2,
    ``purchase_history`` 0.15. Rules: ``Cap(follower_reach, 0.1)`` (followers
    can add at most 0.1 points, so an influencer cannot jump a genuinely
    urgent ordinary customer), ``Aging(0.25 points/hour)`` and
    ``MaxWait(240 min)``: nobody waits more than four hours while others are served.
    """
    return Policy(
        name="balanced",
        description="All four signals, follower reach capped at 0.1, aging, 4-hour wait limit.",
        weights=Weights(urgency=0.4, crm_value=0.25, follower_reach=0.2, purchase_history=0.15),
        rules=(
            Cap(signal="follower_reach", max_points=0.1),
            Aging(points_per_hour=0.25),
            MaxWait(minutes=240),
        ),
        service_levels=dict(SURVEY_SERVICE_LEVELS),
    )


#: Name -> factory, in the order tables show them.
PRESETS = {
    "fifo": fifo,
    "equal_treatment": equal_treatment,
    "influencer_weighted": influencer_weighted,
    "value_weighted": value_weighted,
    "balanced": balanced,
}
