"""Figures by band with n and intervals, the four-fifths states, and changes against a baseline.

The truth is known in each stream: a follower-blind policy treats every band alike, so it
must never be failed; a policy that serves the most-followed first must be seen doing so.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.fairness import (
    FAIL,
    MIN_BAND_HITS,
    MIN_BAND_QUERIES,
    PASS,
    TOO_FEW,
    band_changes,
    band_figures,
    band_ratio_tests,
    flag_state,
    four_fifths_test,
    wait_ratio_test,
)
from prioritize.fairness._stats import (
    EXACT_MEAN_MAX,
    mean_replicates,
    paired_share_replicates,
    percentile_interval,
    quantile_replicates,
    share_replicates,
)
from prioritize.simulation import simulate

# --- the interval helpers ---------------------------------------------------------------------


@given(
    st.integers(min_value=1, max_value=2_000),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_share_interval_contains_the_share_and_is_seeded(n: int, p: float, seed: int) -> None:
    hits = np.array([round(p * n)])
    sizes = np.array([n])
    draws = share_replicates(hits, sizes, replicates=1000, rng=np.random.default_rng(seed))
    low, high = percentile_interval(draws)[:, 0]
    assert 0.0 <= low <= hits[0] / n <= high <= 1.0
    again = share_replicates(hits, sizes, replicates=1000, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(draws, again)


@given(st.integers(min_value=5, max_value=200), st.floats(min_value=0.2, max_value=0.8))
def test_share_interval_narrows_with_n(n: int, p: float) -> None:
    k = round(p * n)
    rng = np.random.default_rng(0)
    small = percentile_interval(
        share_replicates(np.array([k]), np.array([n]), replicates=2000, rng=rng)
    )
    large = percentile_interval(
        share_replicates(np.array([16 * k]), np.array([16 * n]), replicates=2000, rng=rng)
    )
    assert large[1, 0] - large[0, 0] < small[1, 0] - small[0, 0]


@given(
    st.lists(st.floats(min_value=0.0, max_value=1e4), min_size=1, max_size=60),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_median_interval_contains_the_median(values: list[float], seed: int) -> None:
    ordered = np.sort(np.asarray(values))
    draws = quantile_replicates(ordered, 0.5, replicates=1000, rng=np.random.default_rng(seed))
    low, high = percentile_interval(draws)
    median = float(np.median(ordered))
    assert low - 1e-9 <= median <= high + 1e-9
    assert ordered[0] <= low and high <= ordered[-1]


@pytest.mark.parametrize("quantile", [0.5, 0.9, 0.25])
def test_exact_order_statistic_draws_match_resampling(quantile: float) -> None:
    # the closed-form replicates have the distribution of resampling every row
    rng = np.random.default_rng(3)
    ordered = np.sort(rng.exponential(10.0, size=15))
    exact = quantile_replicates(ordered, quantile, replicates=40_000, rng=rng)
    picks = rng.integers(0, ordered.size, size=(40_000, ordered.size))
    brute = np.quantile(ordered[picks], quantile, axis=1)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert np.quantile(exact, q) == pytest.approx(np.quantile(brute, q), rel=0.05, abs=0.05)
    assert exact.mean() == pytest.approx(brute.mean(), rel=0.02)


def test_paired_share_draws_match_resampling_pairs() -> None:
    rng = np.random.default_rng(4)
    before = rng.random(40) < 0.5
    after = before | (rng.random(40) < 0.3)  # pairs move together
    exact = paired_share_replicates(before, after, replicates=40_000, rng=rng)
    picks = rng.integers(0, 40, size=(40_000, 40))
    brute = after[picks].mean(axis=1) - before[picks].mean(axis=1)
    assert exact.mean() == pytest.approx(brute.mean(), abs=0.005)
    assert exact.std() == pytest.approx(brute.std(), rel=0.05)
    # pairing matters: the spread is far below that of independent samples
    independent = after[picks].mean(axis=1) - before[rng.integers(0, 40, size=(40_000, 40))].mean(
        axis=1
    )
    assert exact.std() < 0.8 * independent.std()


def test_mean_draws_have_the_bootstrap_spread() -> None:
    values = np.arange(100, dtype=np.float64)
    draws = mean_replicates(values, replicates=20_000, rng=np.random.default_rng(0))
    assert draws.mean() == pytest.approx(49.5, abs=0.1)
    assert draws.std() == pytest.approx(values.std() / 10.0, rel=0.03)
    assert np.isnan(mean_replicates(values[:0], replicates=3, rng=np.random.default_rng(0))).all()


@given(
    st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=60),
    st.integers(0, 2**32 - 1),
)
def test_mean_replicates_never_leave_the_values_range(waits: list[float], seed: int) -> None:
    values = np.array(waits)
    draws = mean_replicates(values, replicates=200, rng=np.random.default_rng(seed))
    assert draws.shape == (200,)
    assert np.isfinite(draws).all()
    assert (draws >= values.min() - 1e-9).all() and (draws <= values.max() + 1e-9).all()


def test_a_skewed_small_group_gets_no_negative_mean_wait() -> None:
    # 39 answered at once and one after 90 minutes: the normal limit's lower end is
    # 2.25 - 1.96 * 14.05 / sqrt(40) = -2.1 minutes; a resampled mean cannot go below 0
    values = np.array([0.0] * 39 + [90.0])
    assert values.mean() - 1.96 * values.std() / np.sqrt(values.size) < 0
    draws = mean_replicates(values, replicates=4_000, rng=np.random.default_rng(1))
    low, high = percentile_interval(draws[:, None])[:, 0]
    assert low == 0.0  # (39/40)^40 = 36% of resamples hold no long wait
    assert high == pytest.approx(6.75, abs=0.01)  # 3 of 40 long: the 97.5th percentile
    # every resample's mean is k * 90 / 40 for k long waits drawn
    assert np.allclose(draws * 40 / 90, np.round(draws * 40 / 90))


def test_exact_and_normal_mean_replicates_agree_at_the_switch() -> None:
    rng = np.random.default_rng(2)
    small = rng.exponential(10.0, size=EXACT_MEAN_MAX)
    large = rng.exponential(10.0, size=EXACT_MEAN_MAX + 1)
    for values in (small, large):
        draws = mean_replicates(values, replicates=8_001, rng=np.random.default_rng(3))
        assert np.isfinite(draws).all()  # every chunk filled (4,000 rows of 1,000 at once)
        assert draws.mean() == pytest.approx(values.mean(), rel=0.005)
        assert draws.std() == pytest.approx(values.std() / np.sqrt(values.size), rel=0.05)
    # exact resampling: a mean of drawn values, so a resample of one value is that value
    assert (mean_replicates(np.array([4.0]), replicates=5, rng=rng) == 4.0).all()
    # and a group of exactly EXACT_MEAN_MAX 0/1 values is still resampled: every
    # replicate is a whole count of ones over n (no normal draw is)
    ones = (rng.random(EXACT_MEAN_MAX) < 0.3).astype(np.float64)
    counts = mean_replicates(ones, replicates=50, rng=rng) * EXACT_MEAN_MAX
    assert np.allclose(counts, np.round(counts), rtol=0, atol=1e-6)


def test_large_group_means_are_clipped_to_the_values_range() -> None:
    # one long wait among 2,000: mean 0.5 and standard error 0.5, so the normal
    # limit puts 16% of its draws below the smallest resample's mean (0); clipped, none
    values = np.zeros(2_000)
    values[0] = 1_000.0
    draws = mean_replicates(values, replicates=2_000, rng=np.random.default_rng(4))
    assert draws.min() == 0.0 and 0.12 < (draws == 0.0).mean() < 0.2
    assert draws.max() <= 1_000.0
    assert draws[draws > 0].std() > 0  # above the clip, still the normal's spread
    # and at the top: one short wait among 2,000 long ones, clipped to the longest
    draws = mean_replicates(1_000.0 - values, replicates=2_000, rng=np.random.default_rng(5))
    assert draws.max() == 1_000.0 and 0.12 < (draws == 1_000.0).mean() < 0.2


@pytest.mark.parametrize(
    ("relative", "high", "queries", "hits", "state"),
    [
        (0.8, 0.9, 1_000, 500, PASS),  # at the threshold: fair
        (0.95, 0.99, 2, None, PASS),  # a fair figure passes whatever its n
        (0.5, 0.79, MIN_BAND_QUERIES, MIN_BAND_HITS, FAIL),
        (0.5, 0.79, MIN_BAND_QUERIES - 1, 500, TOO_FEW),  # a small band
        (0.5, 0.79, 1_000, MIN_BAND_HITS - 1, TOO_FEW),  # too few hits behind a share
        (0.5, 0.8, 1_000, 500, TOO_FEW),  # the interval reaches "fair"
        (float("nan"), 0.9, 1_000, 500, TOO_FEW),
        (0.5, float("nan"), 1_000, 500, TOO_FEW),
    ],
)
def test_flag_state_boundaries(
    relative: float, high: float, queries: int, hits: int | None, state: str
) -> None:
    assert flag_state(relative, high, queries, hits=hits) == state


# --- band_figures and four_fifths_test --------------------------------------------------------


def _records(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    """Per band: (label, queries answered within 10 minutes, queries answered after 2 hours)."""
    bands, waits = [], []
    for label, fast, slow in rows:
        bands += [label] * (fast + slow)
        waits += [10.0] * fast + [120.0] * slow
    return pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(len(waits))],
            "follower_band": pd.Categorical(bands, categories=["<1k", "100k+"]),
            "wait_minutes": waits,
            "abandoned": False,
        }
    )


def test_eighteen_queries_in_a_band_are_too_few_to_fail() -> None:
    # 44% of 18 against 90% of 1,000: a ratio of 0.49 that an 18-query band cannot support
    records = _records([("<1k", 900, 100), ("100k+", 8, 10)])
    test = four_fifths_test(records)
    assert test.ratio == pytest.approx((8 / 18) / 0.9)
    assert (test.group, test.queries, test.state) == ("100k+", 18, TOO_FEW)
    table = band_figures(records)
    assert table.loc["100k+", "four_fifths_state"] == TOO_FEW
    assert table.loc["100k+", "queries"] == 18
    # the same shares from 10x the queries: the interval excludes 0.8, a fail
    big = _records([("<1k", 9_000, 1_000), ("100k+", 80, 100)])
    assert four_fifths_test(big).state == FAIL
    assert band_figures(big).loc["100k+", "four_fifths_state"] == FAIL
    assert band_figures(big).loc["<1k", "four_fifths_state"] == PASS


def test_band_figures_by_hand_and_deterministic() -> None:
    records = _records([("<1k", 30, 10), ("100k+", 5, 5)])
    table = band_figures(records, within_minutes=60)
    assert table["queries"].tolist() == [40, 10]
    assert table["within_target"].tolist() == pytest.approx([0.75, 0.5])
    assert table["median_wait_answered"].tolist() == pytest.approx([10.0, 65.0])
    for column in ("within_target", "median_wait_answered", "mean_wait_answered", "four_fifths"):
        assert (table[f"{column}_low"] <= table[column] + 1e-12).all()
        assert (table[column] <= table[f"{column}_high"] + 1e-12).all()
    pd.testing.assert_frame_equal(table, band_figures(records, within_minutes=60))
    assert not table.equals(band_figures(records, within_minutes=60, seed=1))
    # the limit moves every figure that depends on it
    late = band_figures(records, within_minutes=180)
    assert late["within_target"].tolist() == [1.0, 1.0]
    with pytest.raises(InputError, match="waits must be one of"):
        band_figures(records, waits="served")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="level must be"):
        band_figures(records, level=1.0)


@pytest.mark.parametrize("make", [pz.policies.fifo, pz.policies.equal_treatment])
def test_a_follower_blind_policy_is_never_failed(make) -> None:  # type: ignore[no-untyped-def]
    # the README's 20,000-query synthetic week at a plausible load (about 17 agents needed)
    frame = pz.synthetic.queries(20_000, seed=0)
    records = simulate(frame, make(), agents=18, seed=0).records
    for group in ("follower_band", "value_band"):
        assert band_figures(records, group=group)["four_fifths_state"].ne(FAIL).all()
    test = four_fifths_test(records)
    assert test.state != FAIL
    # the interval is about the ratio measured: it contains it (no re-picked "best" bias)
    assert test.low <= test.ratio <= test.high
    # overloaded (6 agents, 0.7% against 2.6% in an hour): still no evidence of unfairness
    overloaded = simulate(frame, make(), agents=6, seed=0).records
    assert four_fifths_test(overloaded).state == TOO_FEW
    # a stream with 18 queries of 100k+ accounts
    small = frame.assign(followers=np.minimum(frame["followers"], 99_000))
    small.loc[small.index[:18], "followers"] = 500_000
    blind = simulate(small, make(), agents=18, seed=1).records
    assert band_figures(blind).loc["100k+", "queries"] == 18
    assert band_figures(blind)["four_fifths_state"].ne(FAIL).all()


def _busy_stream() -> pd.DataFrame:
    """A day a little over capacity where one query in six is from a 100k+ account."""
    frame = pz.synthetic.queries(3_000, seed=7, days=1)
    rng = np.random.default_rng(7)
    famous = rng.random(len(frame)) < 1 / 6
    followers = np.where(famous, 300_000, np.minimum(frame["followers"], 900))
    return frame.assign(followers=followers)


def test_an_influencer_policy_is_seen_favouring_the_most_followed() -> None:
    frame = _busy_stream()
    fifo = simulate(frame, pz.policies.fifo(), agents=6, seed=0).records
    influencer = simulate(frame, pz.policies.influencer_weighted(), agents=6, seed=0).records
    changes = band_changes(influencer, fifo)
    top = changes.loc["100k+"]
    assert top["queries"] > 300
    # answered in time more often, waiting less: both intervals exclude "no difference"
    assert top["within_target_change_low"] > 0
    assert top["median_wait_answered_change_high"] < 0
    assert top["abandon_rate_change_high"] < 0
    # against itself nothing changes, and the interval says so exactly
    same = band_changes(fifo, fifo)
    for figure in ("within_target", "abandon_rate", "median_wait_answered"):
        assert (same[f"{figure}_change"] == 0).all()
    assert (same["within_target_change_low"] == 0).all()
    assert (same["within_target_change_high"] == 0).all()


def test_band_changes_pair_by_query_id() -> None:
    records = _records([("<1k", 30, 10), ("100k+", 5, 5)])
    shuffled = records.sample(frac=1.0, random_state=0)
    faster = records.assign(wait_minutes=5.0)
    # the baseline's row order does not matter: rows are paired by query_id
    pd.testing.assert_frame_equal(band_changes(faster, records), band_changes(faster, shuffled))
    assert band_changes(faster, records)["within_target_change"].tolist() == pytest.approx(
        [0.25, 0.5]
    )
    with pytest.raises(SchemaError, match="same unique query ids"):
        band_changes(records, records.iloc[:-1])
    with pytest.raises(SchemaError, match="missing from the baseline"):
        band_changes(records, records.assign(query_id=[f"x{i}" for i in range(len(records))]))


def test_band_figures_are_fast() -> None:
    records = simulate(pz.synthetic.queries(20_000, seed=0), pz.policies.fifo(), agents=18).records
    start = time.perf_counter()
    band_figures(records)
    four_fifths_test(records)
    band_changes(records, records)
    # closed-form replicates: no resampling of 20,000 rows x 1,000 replicates
    assert time.perf_counter() - start < 1.0


def test_band_ratio_tests_agree_with_the_summary() -> None:
    frame = pz.synthetic.queries(2_000, seed=3, days=1)
    result = simulate(frame, pz.policies.influencer_weighted(), agents=3, seed=0)
    row = band_ratio_tests(result.records)
    for band in ("follower_band", "value_band"):
        for kind in ("four_fifths", "wait_ratio"):
            name = f"{kind}_{band}"
            assert row[name] == pytest.approx(float(result.summary[name]))
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]
            assert row[f"{name}_n"] >= 1
        assert row[f"four_fifths_{band}_state"] in pz.fairness.FLAG_STATES
        assert f"wait_ratio_{band}_state" not in row  # no rule judges a ratio of mean waits
    assert row["within_target"] == pytest.approx(float(result.summary["within_60_min"]))
    quick = band_ratio_tests(result.records, within_minutes=5)
    assert quick["within_target"] == pytest.approx(float(result.summary["within_5_min"]))
    test = wait_ratio_test(result.records)
    assert test.state is None and test.ratio == row["wait_ratio_follower_band"]
    nobody = result.records.assign(abandoned=True)
    assert np.isnan(wait_ratio_test(nobody).ratio)
