"""Counterfactual audit: hand-computed shifts, sign convention, guarantees, errors."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import prioritize as pz
from prioritize.audit import SHIFT_STATS, counterfactual
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _frame(followers, urgency, *, minutes=None, index=None) -> pd.DataFrame:
    n = len(followers)
    minutes = list(range(n)) if minutes is None else minutes
    return pd.DataFrame(
        {
            "query_id": [f"Q{i}" for i in range(n)],
            "customer_id": [f"C{i}" for i in range(n)],
            "received_at": pd.to_datetime([T0 + timedelta(minutes=m) for m in minutes], utc=True),
            "channel": ["twitter"] * n,
            "followers": np.asarray(followers, dtype=np.int64),
            "lifetime_value": np.zeros(n),
            "purchase_count": np.zeros(n, dtype=np.int64),
            "total_spend": np.zeros(n),
            "days_since_last_purchase": np.full(n, np.nan),
            "urgency": np.asarray(urgency, dtype=np.float64),
        },
        index=index,
    )


def test_hand_computed_influencer_example() -> None:
    # influencer_weighted: 0.6·reach + 0.2·urgency; reach = log1p(f)/log1p(1e6).
    frame = _frame([1_000_000, 0, 999], [0.0, 1.0, 0.5])
    result = counterfactual(frame, pz.policies.influencer_weighted(), column="followers", value=0)
    q = result.queries
    reach_999 = math.log1p(999) / math.log1p(1_000_000)
    # scores: Q0 0.6, Q1 0.2, Q2 0.6·reach(999)+0.1 ≈ 0.4 -> order Q0, Q2, Q1
    assert list(q["rank"]) == [1, 3, 2]
    # Q0 alone at 0 followers scores 0: behind Q2 (0.4) and Q1 (0.2).
    # Q1 has no followers: nothing changes. Q2 alone at 0.1: behind Q1 (0.2).
    assert list(q["rank_cf"]) == [3, 3, 3]
    assert list(q["rank_shift"]) == [2, 0, 1]
    np.testing.assert_allclose(q["score_shift"], [0.6, 0.0, 0.6 * reach_999], rtol=1e-12)
    np.testing.assert_allclose(q["score"] - q["score_cf"], q["score_shift"])
    s = result.summary
    assert list(s.index) == list(SHIFT_STATS)
    assert s["queries"] == 3 and s["moved"] == 2
    assert s["mean_rank_shift"] == pytest.approx(1.0)
    assert s["max_abs_rank_shift"] == 2
    assert result.description == "followers=0"


def test_scope_all_switches_the_attribute_off_for_everybody() -> None:
    frame = _frame([1_000_000, 0, 999], [0.0, 1.0, 0.5])
    q = counterfactual(frame, pz.policies.influencer_weighted(), scope="all").queries
    # Without followers for anyone: Q1 (0.2), Q2 (0.1), Q0 (0).
    assert list(q["rank_cf"]) == [3, 1, 2]
    assert list(q["rank_shift"]) == [2, -2, 0]


def test_callable_value_and_group_table() -> None:
    frame = _frame([10, 50_000, 5], [0.5, 0.5, 0.5])
    result = counterfactual(frame, pz.policies.influencer_weighted(), value=lambda s: s * 10)
    assert result.description == "followers=<lambda>(…)"
    assert (result.queries["score_shift"] <= 0).all()  # more followers: higher scores
    table = result.by_group
    assert list(table.index) == ["<1k", "10k-100k"]
    assert table["count"].tolist() == [2, 1]


@settings(max_examples=25)
@given(pst.query_frames(max_rows=10))
def test_removing_followers_never_helps_under_influencer_policy(frame) -> None:
    q = counterfactual(
        frame, pz.policies.influencer_weighted(), column="followers", value=0
    ).queries
    assert (q["rank_shift"] >= 0).all()
    assert (q["score_shift"] >= 0).all()


@settings(max_examples=25)
@given(pst.query_frames(max_rows=10))
def test_blind_policy_and_cap(frame) -> None:
    for column in ("followers", "lifetime_value"):
        q = counterfactual(frame, pz.policies.equal_treatment(), column=column, value=0).queries
        assert (q["rank_shift"] == 0).all() and (q["score_shift"] == 0).all()
    # balanced caps follower points at 0.1: removing them moves a score by at most 0.1.
    q = counterfactual(frame, pz.policies.balanced(), column="followers", value=0).queries
    assert q["score_shift"].abs().max() <= 0.1 + 1e-12


def test_rows_in_rows_out_index_kept_frame_untouched() -> None:
    frame = pz.synthetic.queries(40, seed=2, days=0.1)
    frame.index = [f"row{i % 7}" for i in range(40)]  # duplicate labels on purpose
    before = frame.copy(deep=True)
    result = counterfactual(frame, pz.policies.balanced(), column="lifetime_value", value=0.0)
    pd.testing.assert_frame_equal(frame, before)
    assert result.queries.index.equals(frame.index)
    assert list(result.queries["query_id"]) == list(frame["query_id"])
    assert result.queries["value_band"].notna().all()  # value column: value bands by default
    assert sorted(result.queries["rank"]) == list(range(1, 41))


def test_summary_matches_the_per_query_table() -> None:
    frame = pz.synthetic.queries(200, seed=5, days=0.2)
    result = counterfactual(frame, pz.policies.influencer_weighted(), column="followers", value=0)
    shift = result.queries["rank_shift"]
    s = result.summary
    assert s["moved"] == int((shift != 0).sum())
    assert s["mean_abs_rank_shift"] == pytest.approx(shift.abs().mean())
    assert s["p90_abs_rank_shift"] == pytest.approx(shift.abs().quantile(0.9))
    grouped = result.queries.groupby("follower_band", observed=True)["rank_shift"].mean()
    pd.testing.assert_series_equal(result.by_group["mean_rank_shift"], grouped, check_names=False)


def test_several_columns_at_once() -> None:
    frame = pz.synthetic.queries(50, seed=6, days=0.1)
    cleared = {"purchase_count": 0, "total_spend": 0.0, "days_since_last_purchase": math.nan}
    result = counterfactual(frame, pz.policies.value_weighted(), column=cleared)
    assert (result.queries["score_shift"] >= 0).all()
    assert result.queries["score_shift"].max() > 0
    assert "days_since_last_purchase=nan" in result.description


def test_empty_frame() -> None:
    frame = pz.synthetic.queries(5, seed=0).iloc[:0]
    result = counterfactual(frame, pz.policies.balanced())
    assert len(result.queries) == 0
    assert result.summary["queries"] == 0 and math.isnan(result.summary["mean_rank_shift"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"column": "text"}, pz.InputError, "gaming"),
        ({"column": "shoe_size"}, pz.InputError, "numeric canonical columns"),
        ({"column": "followers", "value": "many"}, pz.InputError, "must be a number"),
        ({"column": "followers", "value": True}, pz.InputError, "must be a number"),
        ({"column": "followers", "value": math.nan}, pz.InputError, "NaN is only allowed"),
        ({"column": "followers", "value": -5}, pz.SchemaError, "'followers'"),
        ({"column": "urgency", "value": 2.0}, pz.SchemaError, "'urgency'"),
        (
            {"column": "followers", "value": lambda s: s.iloc[:2]},
            pz.InputError,
            "one value per row",
        ),
        ({"column": {"followers": 0}, "value": 1}, pz.InputError, "either"),
        ({"column": {}}, pz.InputError, "at least one column"),
        ({"column": "followers", "scope": "some"}, pz.InputError, "scope"),
        ({"column": "followers", "group": "nope"}, pz.SchemaError, "cannot group by 'nope'"),
    ],
)
def test_bad_input(kwargs, error, match) -> None:
    frame = pz.synthetic.queries(10, seed=1)
    with pytest.raises(error, match=match):
        counterfactual(frame, pz.policies.balanced(), **kwargs)


def test_missing_column_and_policy_factory() -> None:
    frame = pz.synthetic.queries(10, seed=1)
    with pytest.raises(pz.SchemaError, match="lifetime_value"):
        counterfactual(
            frame.drop(columns="lifetime_value"), pz.policies.balanced(), column="lifetime_value"
        )
    with pytest.raises(pz.InputError, match=r"did you mean balanced\(\)"):
        counterfactual(frame, pz.policies.balanced)
