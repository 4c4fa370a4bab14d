"""Tests written against the mutants ``make mutate`` found alive in the fairness group.

Values are computed by hand on small frames (benchmarks/MUTATION.md lists the
mutants): ``by_group`` when its two samples (answered waits, every query's share)
hold different groups, ``exclude_abandoned`` passed through, the ``to_overall``
bootstrap intervals, and the messages that name the call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from prioritize import InputError
from prioritize.fairness import (
    DisparityFrame,
    by_group,
    entropy_decomposition,
    generalized_entropy,
    gini,
)
from prioritize.fairness._stats import (
    mean_replicates,
    paired_share_replicates,
    parse_stat,
    percentile_interval,
    quantile_replicates,
    share_replicates,
)


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


def test_ratio_of_negative_values_names_itself() -> None:
    df = pd.DataFrame({"score": [-1.0, 2.0, 3.0], "band": ["a", "a", "b"]})
    with pytest.raises(InputError, match=r"^ratio needs values >= 0; column 'score'"):
        DisparityFrame(df, value="score", group="band").ratio()


def test_percentile_interval_cuts_half_the_rest_of_the_level_off_each_end() -> None:
    # 1001 replicates 0..1000 (and twice that in a second column): the 90% interval is the
    # 5th and 95th percentiles, 50 and 950; the default level is 95%: 25 and 975.
    replicates = np.arange(1001.0)[:, None] * np.array([1.0, 2.0])
    interval = percentile_interval(replicates, 0.9)
    assert interval.dtype == np.float64
    assert interval == pytest.approx(np.array([[50.0, 100.0], [950.0, 1900.0]]))
    assert percentile_interval(replicates) == pytest.approx(
        np.array([[25.0, 50.0], [975.0, 1950.0]])
    )


@pytest.mark.parametrize(
    ("stat", "expected"),
    [("median", [2.0, 5.0]), ("p75", [2.5, 7.0]), ("max", [3.0, 9.0]), ("mean", [2.0, 6.0])],
)
def test_a_stat_reduces_each_row_of_a_batch(stat: str, expected: list[float]) -> None:
    # the bootstrap reduces a (replicates, rows) batch at once: one value per replicate
    got = parse_stat(stat).reduce(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 9.0]]))
    assert got.tolist() == expected


def test_a_quantile_bootstrap_varies_by_replicate() -> None:
    df = pd.DataFrame({"wait_minutes": np.arange(1.0, 41.0), "band": list("ab") * 20})
    d = DisparityFrame(df, group="band", stat="median").bootstrap(200, seed=3)
    low, high = d.overall_ci
    assert low < 20.5 < high
    assert (d.by_group["ci_low"] < d.by_group["value"]).all()
    assert (d.by_group["value"] < d.by_group["ci_high"]).all()


def test_share_replicates_of_one_row_and_of_none() -> None:
    # one row, a hit: every resample is that row (share 1); no rows: NaN, in a float array
    got = share_replicates(
        np.array([1, 0, 2]), np.array([1, 0, 4]), replicates=50, rng=np.random.default_rng(0)
    )
    assert got.dtype == np.float64 and got.shape == (50, 3)
    assert (got[:, 0] == 1.0).all()
    assert np.isnan(got[:, 1]).all()
    assert set(got[:, 2].tolist()) <= {0.0, 0.25, 0.5, 0.75, 1.0}


def test_p100_is_the_largest_percentile() -> None:
    assert parse_stat("p100").quantile == 1.0
    df = pd.DataFrame({"wait_minutes": [1.0, 7.0, 3.0], "band": ["a", "a", "b"]})
    top = DisparityFrame(df, group="band", stat="p100").by_group["value"]
    assert top.to_dict() == DisparityFrame(df, group="band", stat="max").by_group["value"].to_dict()
    with pytest.raises(InputError, match=r"pXX is a percentile in \[0, 100\]\); got 'p100.5'"):
        parse_stat("p100.5")


def test_share_within_without_a_time_limit_says_what_to_add() -> None:
    with pytest.raises(
        InputError, match=r"^stat='share_within' needs within_minutes= \(e.g. 60 for one hour\)$"
    ):
        parse_stat("share_within")


def test_share_within_keeps_its_time_limit() -> None:
    df = pd.DataFrame({"wait_minutes": [1.0, 30.0], "band": ["a", "b"]})
    d = DisparityFrame(df, group="band", stat="share_within", within_minutes=20)
    assert d.within_minutes == 20.0
    assert DisparityFrame(df, group="band").within_minutes is None


def test_four_fifths_of_negative_values_names_itself() -> None:
    df = pd.DataFrame({"score": [-1.0, 2.0, 3.0], "band": ["a", "a", "b"]})
    with pytest.raises(InputError, match=r"^four_fifths needs values >= 0; column 'score'"):
        DisparityFrame(df, value="score", group="band").four_fifths()


def test_repr_names_one_group_column_or_the_list() -> None:
    df = pd.DataFrame({"wait_minutes": [1.0, 2.0, 3.0], "band": list("aab"), "ch": list("xyx")})
    one = DisparityFrame(df, group="band")
    assert repr(one) == (
        "DisparityFrame(value='wait_minutes', group='band', stat='mean', rows='all', "
        "groups=2, overall=2)"
    )
    assert "group=['band', 'ch'], stat='mean', rows='all', groups=3" in repr(
        DisparityFrame(df, group=["band", "ch"])
    )
    # the default number of replicates
    assert repr(one.bootstrap(seed=0)).endswith("bootstrap=1000@0.95)")


def test_a_single_replicate_is_computed() -> None:
    # constant groups: every replicate is exact, the first one included
    df = pd.DataFrame({"wait_minutes": [4.0, 4.0, 9.0, 9.0, 9.0], "band": list("aabbb")})
    d = DisparityFrame(df, group="band").bootstrap(1, seed=0)
    assert d.overall_ci == (7.0, 7.0)
    assert d.by_group["ci_low"].tolist() == [4.0, 9.0]


def test_replicates_beyond_one_chunk_are_all_computed() -> None:
    # 200,000 rows: bootstrap() resamples 2,000,000 values at once, 10 replicates
    # a chunk; 25 replicates take three chunks, the last one short.
    df = pd.DataFrame(
        {
            "wait_minutes": [4.0] * 100_000 + [9.0] * 100_000,
            "band": ["a"] * 100_000 + ["b"] * 100_000,
        }
    )
    d = DisparityFrame(df, group="band").bootstrap(25, seed=0)
    assert d.by_group["ci_low"].tolist() == [4.0, 9.0]
    assert d.by_group["ci_high"].tolist() == [4.0, 9.0]
    assert d.overall_ci == pytest.approx((6.5, 6.5))


@pytest.mark.parametrize("n", [4, 9, 10, 15, 20])
def test_gini_of_one_holder_is_exactly_the_maximum(n: int) -> None:
    # (n - 1) / n, although the float sum lands one ulp above it for these n
    assert gini([0.0] * (n - 1) + [0.1]) == 1.0 - 1.0 / n


def test_entropy_decomposition_by_hand() -> None:
    # values 0.2, 0.4 | 0.6, 0.8: mean 0.5, group means 0.3 and 0.7;
    # GE(2) weights (1/2)(0.3/0.5)**2 = 0.18 and (1/2)(0.7/0.5)**2 = 0.98
    records = pd.DataFrame({"wait_minutes": [0.2, 0.4, 0.6, 0.8], "g": list("aabb")})
    d = entropy_decomposition(records, group="g")  # alpha 2 by default
    assert d.alpha == 2.0
    assert d.total == pytest.approx(entropy_decomposition(records, group="g", alpha=2.0).total)
    assert list(d.by_group.columns) == ["count", "mean", "ge", "weight", "contribution"]
    assert d.by_group["weight"].tolist() == pytest.approx([0.18, 0.98])
    # GE(2) = var / (2 mean^2): total 0.05 / 0.5 = 0.1; between 0.04 / 0.5 = 0.08
    assert d.total == pytest.approx(0.1)
    assert d.between == pytest.approx(0.08)
    assert d.within == pytest.approx(0.02)


def test_entropy_decomposition_of_all_zeros_weighs_groups_by_size() -> None:
    records = pd.DataFrame({"wait_minutes": [0.0] * 4, "g": list("aaab")})
    d = entropy_decomposition(records, group="g")
    assert d.by_group["weight"].tolist() == [0.75, 0.25]
    assert d.total == 0.0


@pytest.mark.parametrize("alpha", [0.0, -1.0])
def test_entropy_with_alpha_at_most_zero_needs_positive_values(alpha: float) -> None:
    records = pd.DataFrame({"wait_minutes": [0.0, 1.0], "g": list("ab")})
    with pytest.raises(InputError, match=r"must be > 0 for alpha <= 0; got 0 at position 0"):
        entropy_decomposition(records, group="g", alpha=alpha)


def test_entropy_with_alpha_one_takes_zeros() -> None:
    records = pd.DataFrame({"wait_minutes": [0.0, 1.0, 2.0], "g": list("aab")})
    # Theil T of (0, 1, 2): mean 1, (1/3)(0 + 0 + 2 ln 2)
    assert entropy_decomposition(records, group="g", alpha=1.0).total == pytest.approx(
        2 * math.log(2) / 3
    )


def test_generalized_entropy_is_ge2_by_default() -> None:
    x = [1.0, 2.0, 6.0]
    assert generalized_entropy(x) == generalized_entropy(x, alpha=2.0)
    assert generalized_entropy(x) != pytest.approx(generalized_entropy(x, alpha=3.0))
    # GE(2) = var / (2 mean^2) = (14/3) / (2 * 9)
    assert generalized_entropy(x) == pytest.approx((14 / 3) / 18)


def test_paired_share_replicates_of_one_and_of_no_rows() -> None:
    rng = np.random.default_rng(0)
    one = paired_share_replicates(np.array([False]), np.array([True]), replicates=4, rng=rng)
    assert one.tolist() == [1.0] * 4  # one pair, always resampled: gained
    none = paired_share_replicates(
        np.array([], dtype=bool), np.array([], dtype=bool), replicates=3, rng=rng
    )
    assert none.dtype == np.float64
    assert none.shape == (3,)
    assert np.isnan(none).all()


def test_four_fifths_table_and_a_threshold_of_one() -> None:
    df = pd.DataFrame({"wait_minutes": [4.0, 4.0, 8.0], "band": list("aab")})
    table = DisparityFrame(df, group="band").four_fifths(threshold=1.0)
    assert list(table.columns) == ["value", "relative", "flagged"]
    # lower waits are better: b at half of a's level is flagged, a (the best) is not
    assert table["value"].tolist() == [4.0, 8.0]
    assert table["relative"].tolist() == [1.0, 0.5]
    assert table["flagged"].tolist() == [False, True]


def test_difference_ci_takes_each_replicates_own_extremes() -> None:
    # a resamples to 3, 4 or 5; b to 8, 9 or 10: b - a runs from 3 to 7 in the replicates
    df = pd.DataFrame({"wait_minutes": [3.0, 5.0, 8.0, 10.0], "band": list("aabb")})
    low, high = DisparityFrame(df, group="band").bootstrap(400, seed=1).difference_ci()
    assert low <= 4.0
    assert high == 7.0


def test_quantile_replicates_interpolate_below_the_last_pair() -> None:
    # p90 of two values interpolates: a resample of (4, 9) is 4, 8.5 or 9
    rng = np.random.default_rng(0)
    reps = quantile_replicates(np.array([4.0, 9.0]), 0.9, replicates=200, rng=rng)
    assert set(reps.tolist()) <= {4.0, 8.5, 9.0}
    assert 8.5 in reps.tolist()


@pytest.mark.parametrize("replicates", [quantile_replicates, mean_replicates])
def test_replicates_of_no_values_are_nan(replicates: Any) -> None:
    rng = np.random.default_rng(0)
    if replicates is quantile_replicates:
        out = replicates(np.array([]), 0.5, replicates=3, rng=rng)
    else:
        out = replicates(np.array([]), replicates=3, rng=rng)
    assert out.dtype == np.float64
    assert out.shape == (3,)
    assert np.isnan(out).all()
