"""assert_bounded_rank_shift and the strategies for near-ties, tied urgency and segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings

import prioritize as pz
from prioritize.testing import assert_bounded_rank_shift
from prioritize.testing import strategies as pst

P = pz.policies
FIXED = settings(derandomize=True, database=None, deadline=None, max_examples=40)
#: The same search without shrinking: only whether it fails matters here.
UNSHRUNK = settings(FIXED, phases=[Phase.explicit, Phase.generate])
TIERS = {"basic": (0.0, 1000.0), "gold": (1000.0, 5000.0), "vip": (5000.0, 50_000.0)}


def test_followers_move_an_influencer_policy_query_more_than_two_places() -> None:
    with pytest.raises(AssertionError) as info:
        assert_bounded_rank_shift(
            P.influencer_weighted(), "follower_reach", max_places=2, settings=FIXED
        )
    message = str(info.value)
    assert "policy 'influencer_weighted' lets ['followers'] move query" in message
    before, after = (int(x) for x in
                     __import__("re").search(r"rank (\d+) -> (\d+)", message).groups())  # fmt: skip
    assert abs(after - before) > 2


@pytest.mark.parametrize(
    "policy", [P.value_weighted(), P.equal_treatment(), P.fifo()], ids=lambda p: p.name
)
def test_a_follower_blind_policy_never_moves_anyone(policy: pz.Policy) -> None:
    assert_bounded_rank_shift(policy, "follower_reach", max_places=0, max_examples=25)


def test_capped_reach_bounds_points_not_places() -> None:
    """balanced caps followers at 0.1 points, yet on near-ties that is several places."""
    with pytest.raises(AssertionError, match="places"):
        assert_bounded_rank_shift(
            P.balanced(), "followers", max_places=1, settings=settings(UNSHRUNK, max_examples=200)
        )


def test_rank_shift_bad_arguments() -> None:
    with pytest.raises(pz.InputError, match="max_places must be a whole number >= 0"):
        assert_bounded_rank_shift(P.balanced(), "followers", max_places=-1)
    with pytest.raises(pz.InputError, match="max_places must be a whole number >= 0"):
        assert_bounded_rank_shift(P.balanced(), "followers", max_places=1.5)  # type: ignore[arg-type]
    with pytest.raises(pz.InputError, match="column must be one of"):
        assert_bounded_rank_shift(P.balanced(), "shoe_size", max_places=1)


@given(frame=pst.near_ties(max_rows=8, profiles=2, urgency_levels=(0.1, 0.9), max_minutes=5))
def test_near_ties_share_few_profiles_and_urgency_levels(frame: pd.DataFrame) -> None:
    pz.models.validate_frame(frame)
    profiles = frame[["followers", "lifetime_value", "purchase_count", "total_spend"]]
    assert len(profiles.drop_duplicates()) <= 2
    assert set(frame["urgency"]) <= {0.1, 0.9}
    span = frame["received_at"].max() - frame["received_at"].min()
    assert span <= pd.Timedelta(minutes=5)
    assert 2 <= len(frame) <= 8


@given(frame=pst.query_frames(max_rows=10, urgency="mixed", urgency_levels=(0.0, 0.5, 1.0)))
def test_tied_urgency_levels(frame: pd.DataFrame) -> None:
    given_levels = frame["urgency"].dropna()
    assert set(given_levels) <= {0.0, 0.5, 1.0}


@given(frame=pst.query_frames(max_rows=10, segments=TIERS))
def test_segments_draw_each_row_in_its_tier(frame: pd.DataFrame) -> None:
    pz.models.validate_frame(frame)
    assert set(frame["segment"]) <= set(TIERS)
    for label, value in zip(frame["segment"], frame["lifetime_value"], strict=True):
        lo, hi = TIERS[label]
        assert lo <= value < hi


@given(frame=pst.query_frames(max_rows=10, segments=TIERS, urgency="given"))
@settings(max_examples=20)
def test_segments_and_the_tier_normaliser_agree(frame: pd.DataFrame) -> None:
    """A VIP bonus declared with Tiers goes to exactly the rows of the vip segment."""
    policy = pz.Policy(
        weights={"urgency": 0.7, "vip": 0.3},
        signals={
            "custom": {
                "vip": {
                    "input": "crm_lifetime_value",
                    "on": "customer",
                    "normaliser": {"kind": "tiers", "thresholds": [5000], "levels": [1.0]},
                }
            }
        },
    )
    frame["crm_lifetime_value"] = frame["lifetime_value"]  # a declared signal's own column
    bonus = policy.score_frame(frame)["vip"].to_numpy()
    assert np.array_equal(bonus > 0, (frame["segment"] == "vip").to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"urgency_levels": ()}, "urgency_levels must be one or more"),
        ({"urgency_levels": (1.5,)}, "urgency_levels must be one or more"),
        ({"urgency_levels": (0.5,), "urgency": "text"}, "needs an urgency column"),
        ({"segments": {}}, "segments must map"),
        ({"segments": {"vip": (5000, 10)}}, "0 <= low < high"),
    ],
)
def test_strategy_arguments_are_checked(kwargs: dict, match: str) -> None:
    @given(pst.query_frames(**kwargs))
    @settings(max_examples=1, database=None)
    def draw_one(frame: pd.DataFrame) -> None:
        pass

    with pytest.raises(pz.InputError, match=match):
        draw_one()
