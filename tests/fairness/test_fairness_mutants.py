"""Tests written against the mutants ``make mutate`` found alive in the fairness group.

Values are computed by hand on small frames (benchmarks/MUTATION.md lists the
mutants): ``by_group`` when its two samples (answered waits, every query's share)
hold different groups, ``exclude_abandoned`` passed through, the ``to_overall``
bootstrap intervals, and the messages that name the call.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from prioritize import InputError
from prioritize.fairness import DisparityFrame, by_group


@pytest.fixture
def records() -> pd.DataFrame:
    # Group "a" has only an abandoned query; the category order is not sorted.
    return pd.DataFrame(
        {
            "wait_minutes": [10.0, 30.0, 5.0, 40.0, 60.0, 50.0],
            "abandoned": [False, True, False, True, True, True],
            "follower_band": pd.Categorical(
                ["z", "z", "b", "b", "b", "a"], categories=["z", "b", "a"]
            ),
        }
    )


def test_by_group_keeps_groups_that_only_one_sample_has(records: pd.DataFrame) -> None:
    table = by_group(records, stats=("mean", "share_within"), within_minutes=20)
    # every group of either sample, in the category order (not sorted)
    assert table.index.tolist() == ["z", "b", "a"]
    assert table["share_within"].tolist() == pytest.approx([1 / 2, 1 / 3, 0.0])
    # waits of answered queries: "a" has none
    assert table["mean"].tolist()[:2] == [10.0, 5.0]
    assert math.isnan(table["mean"]["a"])
    assert table["count"].tolist()[:2] == [1, 1]


def test_by_group_counts_every_row_when_only_shares_are_asked(records: pd.DataFrame) -> None:
    table = by_group(records, stats=("share_within",), within_minutes=20)
    assert table.index.tolist() == ["z", "b", "a"]
    assert table["count"].tolist() == [2, 3, 1]


def test_by_group_passes_exclude_abandoned_on(records: pd.DataFrame) -> None:
    table = by_group(records, stats=("mean", "max"), exclude_abandoned=False)
    assert table.index.tolist() == ["z", "b", "a"]
    assert table["count"].tolist() == [2, 3, 1]
    assert table["mean"].tolist() == [20.0, 35.0, 50.0]
    assert table["max"].tolist() == [30.0, 60.0, 50.0]


def test_within_minutes_without_share_within_names_the_rule(records: pd.DataFrame) -> None:
    with pytest.raises(
        InputError, match=r"^within_minutes= only applies when 'share_within' is among stats$"
    ):
        by_group(records, stats=("mean",), within_minutes=5)


def test_to_overall_intervals_of_constant_groups_are_exact() -> None:
    # a = 4, b = 9 in every replicate (group sizes are fixed), overall mean 7:
    # to_overall difference max(|4 - 7|, |9 - 7|) = 3, ratio min(4/7, 7/9) = 4/7.
    df = pd.DataFrame({"wait_minutes": [4.0, 4.0, 9.0, 9.0, 9.0], "band": list("aabbb")})
    d = DisparityFrame(df, group="band").bootstrap(20, seed=0)
    assert d.difference_ci("to_overall") == pytest.approx((3.0, 3.0))
    assert d.ratio_ci("to_overall") == pytest.approx((4 / 7, 4 / 7))
    assert d.difference_ci("between_groups") == pytest.approx((5.0, 5.0))
    assert d.ratio_ci("between_groups") == pytest.approx((4 / 9, 4 / 9))


def test_ratio_ci_of_negative_values_names_itself() -> None:
    df = pd.DataFrame({"score": [-1.0, 2.0, 3.0], "band": ["a", "a", "b"]})
    d = DisparityFrame(df, value="score", group="band").bootstrap(5, seed=0)
    with pytest.raises(InputError, match=r"^ratio_ci needs values >= 0; column 'score'"):
        d.ratio_ci()
