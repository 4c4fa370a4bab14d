"""The numbers behind the report: band tables, the queue over time, the frontier, the reading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError
from prioritize.policy import Blind
from prioritize.report import (
    BAND_COLUMNS,
    band_table,
    baseline_changes,
    influence_policy,
    influence_sweep,
    pareto_front,
    queue_over_time,
    reading,
    summary_table,
    wait_buckets,
)
from prioritize.simulation import SUMMARY_FIELDS, simulate

T0 = pd.Timestamp("2026-01-05 09:00", tz="UTC")


def _queue_records(arrivals_min, waits) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "received_at": T0 + pd.to_timedelta(np.asarray(arrivals_min, float), unit="min"),
            "wait_minutes": np.asarray(waits, dtype=np.float64),
        }
    )


def test_band_table_by_hand() -> None:
    records = pd.DataFrame(
        {
            "follower_band": pd.Categorical(
                ["<1k", "<1k", "<1k", "100k+"], categories=["<1k", "1k-10k", "10k-100k", "100k+"]
            ),
            "wait_minutes": [10.0, 70.0, 30.0, 2.0],
            "abandoned": [False, False, True, False],
        }
    )
    table = band_table(records, group="follower_band", within_minutes=60)
    # every figure with its interval (deliberately renamed: mean_wait -> mean_wait_answered)
    expected = [
        c.replace("<waits>", "answered") + suffix
        for c in BAND_COLUMNS
        for suffix in (
            ("",)
            if c in ("queries", "answered", "share", "four_fifths_state")
            else ("", "_low", "_high")
        )
    ]
    assert sorted(table.columns) == sorted(expected)
    assert list(table.index) == ["<1k", "100k+"]
    assert table.loc["<1k", "queries"] == 3
    assert table.loc["<1k", "answered"] == 2
    assert table.loc["<1k", "share"] == 0.75
    assert table.loc["<1k", "mean_wait_answered"] == pytest.approx(40.0)  # answered: 10 and 70
    assert table.loc["<1k", "median_wait_answered"] == pytest.approx(40.0)
    assert table.loc["<1k", "within_target"] == pytest.approx(1 / 3)  # 10 min; 70 late; 30 gave up
    assert table.loc["<1k", "abandon_rate"] == pytest.approx(1 / 3)
    assert table.loc["100k+", "p90_wait_answered"] == 2.0
    # the other definition, by keyword: a query that gave up counts with its 30 minutes
    everyone = band_table(records, group="follower_band", waits="all")
    assert everyone.loc["<1k", "mean_wait_all"] == pytest.approx(110 / 3)
    # 1/3 against the best band's 1/1: under 0.8, but bands of 3 and 1 queries cannot fail
    assert table.loc["<1k", "four_fifths"] == pytest.approx(1 / 3)
    assert table.loc["<1k", "four_fifths_state"] == "too few to tell"
    assert table.loc["100k+", "four_fifths_state"] == "pass"
    everyone_left = records.assign(abandoned=True)
    assert band_table(everyone_left, group="follower_band")["mean_wait_answered"].isna().all()


def test_queue_over_time_by_hand() -> None:
    # A waits 0-30, B waits 10-20, C is answered at once at 15, D waits 50-65
    rec = _queue_records([0, 10, 15, 50], [30, 10, 0, 15])
    q = queue_over_time(rec, interval_minutes=20)
    assert list(q.index) == [T0 + pd.Timedelta(minutes=m) for m in (0, 20, 40, 60)]
    assert q["waiting"].tolist() == [2, 1, 1, 1]
    assert q["oldest_wait_minutes"].tolist() == [20.0, 30.0, 10.0, 15.0]


def test_queue_over_time_empty_and_bad() -> None:
    empty = queue_over_time(_queue_records([], []))
    assert empty.empty and list(empty.columns) == ["waiting", "oldest_wait_minutes"]
    with pytest.raises(InputError, match="wait_minutes must be finite"):
        queue_over_time(_queue_records([0.0], [np.nan]))
    with pytest.raises(InputError, match="interval_minutes must be > 0"):
        queue_over_time(_queue_records([0.0], [1.0]), interval_minutes=-5)


@given(
    st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 90)),
        min_size=1,
        max_size=15,
    ),
    st.sampled_from([1, 7, 15, 60]),
)
def test_queue_over_time_matches_brute_force(pairs, step) -> None:  # type: ignore[no-untyped-def]
    arrivals = np.array([a for a, _ in pairs], dtype=float)
    waits = np.array([w for _, w in pairs], dtype=float)
    q = queue_over_time(_queue_records(arrivals, waits), interval_minutes=step)
    t0 = arrivals.min()
    ends = arrivals + waits
    # whole minutes only: evaluate every half minute (waiting on [arrival, end))
    for k, (waiting, oldest) in enumerate(q.itertuples(index=False)):
        lo, hi = t0 + k * step, t0 + (k + 1) * step
        instants = np.arange(lo, hi, 0.5)
        counts = [int(((arrivals <= t) & (t < ends)).sum()) for t in instants]
        assert waiting == max(counts)
        ages = [
            float(np.max(t + 0.5 - arrivals[(arrivals <= t) & (t < ends)], initial=0.0))
            for t in instants
        ]
        assert oldest == pytest.approx(max(ages))
    assert len(q) == int((ends.max() - t0) // step) + 1


def test_pareto_front_by_hand() -> None:
    table = pd.DataFrame(
        {
            "risk": [10.0, 8.0, 12.0, 8.0, np.nan, 5.0, 8.0],
            "fair": [0.9, 0.7, 0.95, 0.7, 1.0, 0.2, 0.6],
        }
    )
    front = pareto_front(table, "risk", "fair")
    # (8, .7) twice: the first is kept; (8, .6) is beaten by (8, .7); NaN never on the front
    assert front.tolist() == [True, True, True, False, False, True, False]
    flipped = pareto_front(table, "risk", "fair", minimize_x=False, maximize_y=False)
    assert flipped.tolist() == [True, False, True, False, False, True, True]


@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20)),
        min_size=1,
        max_size=30,
    )
)
def test_pareto_front_properties(points) -> None:  # type: ignore[no-untyped-def]
    table = pd.DataFrame(points, columns=["x", "y"], dtype=float)
    front = pareto_front(table, "x", "y")
    xs, ys = table["x"].to_numpy(), table["y"].to_numpy()

    def beats(j: int, i: int) -> bool:
        return xs[j] <= xs[i] and ys[j] >= ys[i] and (xs[j] < xs[i] or ys[j] > ys[i])

    n = len(table)
    for i in range(n):
        dominated = any(beats(j, i) for j in range(n))
        duplicate_earlier = any(xs[j] == xs[i] and ys[j] == ys[i] for j in range(i))
        assert front[i] == (not dominated and not duplicate_earlier)


def test_influence_policy_unblinds() -> None:
    policy = influence_policy()
    assert not any(isinstance(r, Blind) for r in policy.rules)
    assert policy.aging_rate_per_minute == pz.policies.equal_treatment().aging_rate_per_minute
    assert policy.max_wait == pz.policies.equal_treatment().max_wait


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    frame = pz.synthetic.queries(400, seed=5, days=1)
    return {
        name: simulate(frame, make(), agents=2, seed=0)
        for name, make in pz.policies.PRESETS.items()
    }


def test_influence_sweep_runs_the_grid() -> None:
    frame = pz.synthetic.queries(150, seed=2, days=1)
    table = influence_sweep(frame, agents=2, follower_weights=(0.0, 1.0), value_weights=(0.0,))
    assert table[["follower_reach", "crm_value"]].values.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    assert set(SUMMARY_FIELDS) <= set(table.columns)
    # weight 1 on reach makes the follower bands' waits less equal than weight 0
    assert table.loc[1, "wait_ratio_follower_band"] <= table.loc[
        0, "wait_ratio_follower_band"
    ] or np.isnan(table.loc[1, "wait_ratio_follower_band"])


def test_summary_table_and_wait_buckets(results) -> None:  # type: ignore[no-untyped-def]
    table = summary_table(results)
    assert list(table.index) == list(pz.policies.PRESETS)
    # deliberately extended: the share within the target and the four-fifths tests at it
    assert list(table.columns[: len(SUMMARY_FIELDS)]) == list(SUMMARY_FIELDS)
    assert table["four_fifths_follower_band_state"].isin(pz.fairness.FLAG_STATES).all()
    np.testing.assert_allclose(table["within_target"], table["within_60_min"])
    at_sixty = [float(r.summary["four_fifths_follower_band"]) for r in results.values()]
    np.testing.assert_allclose(table["four_fifths_follower_band"].astype(float), at_sixty)
    quick = summary_table(results, within_minutes=5)
    np.testing.assert_allclose(quick["within_target"], quick["within_5_min"])
    with pytest.raises(InputError):
        summary_table({})
    shares = wait_buckets(results["fifo"].records)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    rec = results["fifo"].records
    gave_up = rec.groupby("follower_band", observed=True)["abandoned"].mean()
    np.testing.assert_allclose(shares["gave up"], gave_up.loc[shares.index])


def test_reading_is_written_from_the_numbers(results) -> None:  # type: ignore[no-untyped-def]
    text = reading(results)
    table = summary_table(results)
    lowest = str(table["expected_loss"].astype(float).idxmin())
    highest = str(table["expected_loss"].astype(float).idxmax())
    assert f"lowest under {lowest} (" in text and f"highest under {highest} (" in text
    for state in ("fail", "too few to tell"):
        named = [n for n, v in table["four_fifths_follower_band_state"].items() if v == state]
        for name in named:
            assert name in text.split("four-fifths")[-1]
    # read against fifo by default, against the named baseline otherwise (deliberately changed)
    assert text.startswith("Against fifo, ")
    swapped = {"a": results["influencer_weighted"], "b": results["fifo"]}
    # no policy is named fifo: the first is the baseline
    assert reading(swapped).startswith("Against a, b gives accounts with")
    assert reading(swapped, baseline="b").startswith("Against b, a gives accounts with")
    with pytest.raises(InputError, match="baseline must be one of"):
        reading(swapped, baseline="c")


def test_one_within_minutes_flows_to_every_figure(results) -> None:  # type: ignore[no-untyped-def]
    from prioritize.cli._text import comparison_text

    quick, hour = (summary_table(results, within_minutes=m) for m in (15, 60))
    for column in ("within_target", "four_fifths_follower_band", "four_fifths_value_band"):
        assert not np.allclose(quick[column].astype(float), hour[column].astype(float)), column
    bands = {
        m: band_table(results["fifo"].records, group="follower_band", within_minutes=m)
        for m in (15, 60)
    }
    for column in ("within_target", "within_target_low", "four_fifths"):
        assert not np.allclose(bands[15][column], bands[60][column]), column
    changes = {m: baseline_changes(results, within_minutes=m) for m in (15, 60)}
    assert not np.allclose(changes[15]["within_target"], changes[60]["within_target"])
    text = {m: reading(results, within_minutes=m) for m in (15, 60)}
    assert text[15] != text[60]
    assert "within 15 min" in text[15] and "60 min" not in text[15]
    printed = comparison_text(results, within_minutes=15)
    assert "≤ 15 min" in printed and "60 min" not in printed


def test_baseline_changes_name_and_validate_the_baseline(results) -> None:  # type: ignore[no-untyped-def]
    table = baseline_changes(results)
    assert table.attrs["baseline"] == "fifo"
    assert "fifo" not in table.index.get_level_values("policy")
    assert set(table.index.get_level_values("policy")) == set(results) - {"fifo"}
    other = baseline_changes(results, baseline="balanced")
    assert other.attrs["baseline"] == "balanced"
    first = {k: results[k] for k in ("balanced", "influencer_weighted")}
    assert baseline_changes(first).attrs["baseline"] == "balanced"  # no fifo: the first
    assert baseline_changes({"fifo": results["fifo"]}).empty
    with pytest.raises(InputError, match="baseline must be one of"):
        baseline_changes(results, baseline="FIFO")
