"""rfm_scores: quantile scores, ties, small and degenerate customer bases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.value import rfm_scores


def summary(counts: list[int], spend: list[float], days: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "purchase_count": counts,
            "total_spend": spend,
            "days_since_last_purchase": days,
        },
        index=pd.Index([f"c{i}" for i in range(len(counts))], name="customer_id"),
    )


def test_five_distinct_customers_get_one_score_each() -> None:
    s = summary([1, 2, 3, 4, 5], [50.0, 40.0, 30.0, 20.0, 10.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    out = rfm_scores(s)
    assert out["recency_score"].tolist() == [5, 4, 3, 2, 1]  # fewer days = more recent
    assert out["frequency_score"].tolist() == [1, 2, 3, 4, 5]
    assert out["monetary_score"].tolist() == [5, 4, 3, 2, 1]
    assert out["rfm"].tolist() == ["515", "424", "333", "242", "151"]
    assert out.index.equals(s.index)


def test_ten_customers_two_per_quintile() -> None:
    s = summary(list(range(1, 11)), [1.0] * 10, [0.0] * 10)
    assert rfm_scores(s)["frequency_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_score() -> None:
    # mid-ranks 1.5, 1.5, 4, 4, 4: 1 + floor(5 * (k - 0.5) / 5) = 2, 2, 4, 4, 4
    s = summary([1, 1, 7, 7, 7], [1.0] * 5, [0.0] * 5)
    assert rfm_scores(s)["frequency_score"].tolist() == [2, 2, 4, 4, 4]


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_all_equal_values_get_the_middle_score(n: int) -> None:
    s = summary([3] * n, [9.0] * n, [4.0] * n)
    out = rfm_scores(s)
    assert (out[["recency_score", "frequency_score", "monetary_score"]] == 3).all().all()
    assert (out["rfm"] == "333").all()


def test_two_distinct_customers_are_symmetric_around_the_middle() -> None:
    out = rfm_scores(summary([1, 2], [1.0, 2.0], [2.0, 1.0]))
    assert out["rfm"].tolist() == ["222", "444"]


def test_never_bought_scores_zero_and_is_left_out_of_the_ranking() -> None:
    s = summary([0, 1, 2, 0], [0.0, 10.0, 20.0, 0.0], [math.nan, 5.0, 1.0, math.nan])
    out = rfm_scores(s, bins=4)
    # two buyers among themselves: 1 + floor(4 * 0.5 / 2) = 2 and 1 + floor(4 * 1.5 / 2) = 4
    assert out["rfm"].tolist() == ["000", "222", "444", "000"]
    assert out["recency_score"].dtype == np.int64


def test_bins_three() -> None:
    s = summary([1, 2, 3, 4, 5, 6], [1.0] * 6, [0.0] * 6)
    assert rfm_scores(s, bins=3)["frequency_score"].tolist() == [1, 1, 2, 2, 3, 3]


def test_empty_summary() -> None:
    out = rfm_scores(summary([], [], []))
    assert len(out) == 0
    assert list(out.columns) == ["recency_score", "frequency_score", "monetary_score", "rfm"]


@pytest.mark.parametrize("bins", [0, 1, 10, 2.5, True, "5"])
def test_bad_bins(bins: object) -> None:
    with pytest.raises(InputError, match="bins must be an integer from 2 to 9"):
        rfm_scores(summary([1], [1.0], [1.0]), bins=bins)  # type: ignore[arg-type]


def test_buyer_without_recency_is_named() -> None:
    s = summary([1, 2], [1.0, 2.0], [3.0, math.nan])
    with pytest.raises(SchemaError, match=r"'days_since_last_purchase'.*row 'c1'"):
        rfm_scores(s)


def test_missing_column_is_named() -> None:
    with pytest.raises(SchemaError, match="total_spend"):
        rfm_scores(summary([1], [1.0], [1.0]).drop(columns="total_spend"))


def test_negative_spend_is_named() -> None:
    with pytest.raises(SchemaError, match=r"'total_spend'.*>= 0"):
        rfm_scores(summary([1], [-1.0], [1.0]))


customers = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.sampled_from([0.0, 5.0, 12.5, 99.0]) | st.floats(0, 1e6),
        st.sampled_from([0.0, 1.0, 30.0]) | st.floats(0, 3650),
    ),
    max_size=40,
)


def from_rows(rows: list[tuple[int, float, float]]) -> pd.DataFrame:
    return summary(
        [c for c, _, _ in rows],
        [s for _, s, _ in rows],
        [d if c > 0 else math.nan for c, _, d in rows],
    )


@given(customers, st.integers(2, 9), st.randoms(use_true_random=False))
def test_scores_are_monotone_tie_consistent_and_order_free(
    rows: list[tuple[int, float, float]], bins: int, rnd: object
) -> None:
    s = from_rows(rows)
    out = rfm_scores(s, bins=bins)
    buyer = s["purchase_count"] > 0
    scores = out[["recency_score", "frequency_score", "monetary_score"]]
    assert scores[buyer].isin(range(1, bins + 1)).all().all()
    assert (scores[~buyer] == 0).all().all()
    assert (out["rfm"].str.len() == 3).all()
    b = s[buyer]
    for column, score, sign in [
        ("days_since_last_purchase", "recency_score", -1),
        ("purchase_count", "frequency_score", 1),
        ("total_spend", "monetary_score", 1),
    ]:
        v = sign * b[column].to_numpy(dtype=float)
        sc = out.loc[b.index, score].to_numpy()
        higher = v[:, None] > v[None, :]
        assert (sc[:, None] >= sc[None, :])[higher].all()
        assert (sc[:, None] == sc[None, :])[v[:, None] == v[None, :]].all()
    shuffled = s.sample(frac=1.0, random_state=rnd.randint(0, 2**31))  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(rfm_scores(shuffled, bins=bins).loc[s.index], out)


@given(st.integers(1, 200), st.integers(2, 9))
def test_distinct_values_fill_bins_evenly(n: int, bins: int) -> None:
    s = summary(list(range(1, n + 1)), [1.0] * n, [0.0] * n)
    sizes = rfm_scores(s, bins=bins)["frequency_score"].value_counts()
    if n >= bins:
        assert set(sizes.index) == set(range(1, bins + 1))
    assert sizes.max() - sizes.min() <= 1
