"""The library's own presets, checked with the testing kit a team would use on theirs.

Each preset's docstring makes promises ("blind to who the customer is", "reach
capped at 0.1 points", "nobody waits more than four hours"); these tests hold
the presets to them. Where a preset does *not* make a promise, the kit must
find the counter-example, so no test here passes by not looking.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import prioritize as pz
from prioritize.testing import (
    assert_batch_independent,
    assert_blind,
    assert_bounded_influence,
    assert_monotone,
    assert_no_starvation,
)

P = pz.policies
FIXED = settings(derandomize=True, database=None, deadline=None, max_examples=40)
WHO = ["crm_value", "purchase_history", "follower_reach"]  # who the customer is

# The streams of assert_no_starvation by default: one agent, load 0.9, at most
# 60 minutes of work queued at once, handle times 1-30 minutes.
LOAD, BURST, LONGEST = 0.9, 60.0, 30.0


def _aging_bound(policy: pz.Policy) -> float:
    """The documented one-agent bound with aging: burst + load * W + longest handle time.

    A later arrival can only overtake a query while its score lead outweighs the
    aging the query has gained, i.e. within W = (score spread) / (points per
    minute) minutes of it.
    """
    caps = {r.signal: r.max_points for r in policy.rules if isinstance(r, pz.rules.Cap)}
    spread = sum(
        min(weight, caps.get(name, weight))
        for name, weight in policy.weights.model_dump().items()
        if name not in policy.blind_signals
    )
    per_minute = next(r.points_per_hour for r in policy.rules if isinstance(r, pz.rules.Aging)) / 60
    return BURST + LOAD * spread / per_minute + LONGEST


def test_fifo_is_blind_to_everything_and_waits_at_most_the_burst() -> None:
    assert_blind(P.fifo(), [*WHO, "urgency", "text"], max_examples=30)
    assert_no_starvation(P.fifo(), within_minutes=BURST, max_examples=30)


def test_equal_treatment_does_not_care_who_they_are() -> None:
    assert_blind(P.equal_treatment(), WHO, max_examples=40)
    assert_monotone(P.equal_treatment(), "urgency", max_examples=30)
    # Urgency does count: it is not blind to it, and the kit shows where.
    with pytest.raises(AssertionError, match="is not blind to \\['urgency'\\]"):
        assert_blind(P.equal_treatment(), "urgency", settings=FIXED)


def test_equal_treatment_ages_queries_so_nobody_waits_long() -> None:
    bound = _aging_bound(P.equal_treatment())  # 60 + 0.9 * 120 + 30 = 198 minutes
    assert bound == pytest.approx(198.0)
    assert_no_starvation(P.equal_treatment(), within_minutes=bound, max_examples=30)


def test_influencer_weighted_favours_reach_and_starves_without_a_limit() -> None:
    with pytest.raises(AssertionError, match="is not blind to \\['followers'\\]"):
        assert_blind(P.influencer_weighted(), "followers", settings=FIXED)
    assert_monotone(P.influencer_weighted(), "followers", max_examples=30)
    # No aging, no wait limit: a small account behind a stream of big ones waits
    # for the whole busy period, far beyond what FIFO would make it wait.
    with pytest.raises(AssertionError, match="starves a query"):
        assert_no_starvation(P.influencer_weighted(), within_minutes=2.5 * BURST, settings=FIXED)


def test_value_weighted_rewards_value_and_recent_purchases_but_not_reach() -> None:
    policy = P.value_weighted()
    assert_blind(policy, "follower_reach", max_examples=30)
    for column in ("lifetime_value", "purchase_count", "total_spend"):
        assert_monotone(policy, column, direction="increasing", max_examples=20)
    assert_monotone(policy, "days_since_last_purchase", direction="decreasing", max_examples=20)


def test_balanced_caps_reach_and_keeps_its_four_hour_promise() -> None:
    policy = P.balanced()
    assert_bounded_influence(policy, "followers", max_points=0.1, max_examples=40)
    with pytest.raises(AssertionError, match="move a score by"):
        assert_bounded_influence(policy, "followers", max_points=0.05, settings=FIXED)
    assert_monotone(policy, "followers", max_examples=20)
    assert_monotone(policy, "urgency", max_examples=20)
    # Aging alone bounds waits at ~284 min; the MaxWait(240) promise is at most
    # 240 + burst + one handle time; the tighter of the two holds.
    bound = min(_aging_bound(policy), 240 + BURST + LONGEST)
    assert_no_starvation(policy, within_minutes=bound, max_examples=30)


@pytest.mark.parametrize(
    "preset", [P.fifo, P.equal_treatment, P.influencer_weighted, P.value_weighted, P.balanced]
)
def test_every_preset_is_batch_independent(preset) -> None:
    assert_batch_independent(preset(), max_examples=25)
