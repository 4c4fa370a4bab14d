"""summarize_purchases and repeat_purchase_summary: hand-computed logs, errors, invariants."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.models import REQUIRED_COLUMNS
from prioritize.value import repeat_purchase_summary, summarize_purchases

NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)


def at(days_before_now: float) -> pd.Timestamp:
    return pd.Timestamp(NOW - timedelta(days=days_before_now))


def log(rows: list[tuple[object, float, float]]) -> pd.DataFrame:
    """Transactions from (customer, days before NOW, amount)."""
    return pd.DataFrame(
        {
            "customer_id": [c for c, _, _ in rows],
            "purchased_at": pd.DatetimeIndex(
                [at(d) for _, d, _ in rows], dtype="datetime64[ns, UTC]"
            ),
            "amount": [float(a) for _, _, a in rows],
        }
    )


HAND = log(
    [
        ("ann", 10.0, 30.0),
        ("ann", 2.5, 20.0),
        ("ann", 1.0, -20.0),  # return: spend net of it, count unchanged, recency unchanged
        ("bob", 40.0, 0.0),  # zero amount: not a purchase
        ("bob", 5.0, 15.0),
        ("cat", 3.0, -12.0),  # only a return (of a purchase from before the log)
        ("dan", 7.0, 0.0),  # only a free item
    ]
)


def test_hand_computed_summary() -> None:
    out = summarize_purchases(HAND, now=NOW)
    assert list(out.index) == ["ann", "bob", "cat", "dan"]
    assert out.index.name == "customer_id"
    assert out["purchase_count"].tolist() == [2, 1, 0, 0]
    assert out["purchase_count"].dtype == np.int64
    assert out["total_spend"].tolist() == [30.0, 15.0, 0.0, 0.0]
    assert not np.signbit(out["total_spend"].to_numpy()).any()
    last = out["days_since_last_purchase"]
    first = out["days_since_first_purchase"]
    assert last["ann"] == pytest.approx(2.5, abs=1e-12)
    assert first["ann"] == pytest.approx(10.0, abs=1e-12)
    assert last["bob"] == pytest.approx(5.0, abs=1e-12)
    assert first["bob"] == pytest.approx(5.0, abs=1e-12)
    assert math.isnan(last["cat"]) and math.isnan(first["cat"])
    assert math.isnan(last["dan"]) and math.isnan(first["dan"])


def test_columns_carry_canonical_names() -> None:
    out = summarize_purchases(HAND, now=NOW)
    canonical = {"purchase_count", "total_spend", "days_since_last_purchase"}
    assert canonical <= set(REQUIRED_COLUMNS)
    assert canonical <= set(out.columns)


def test_customers_without_transactions_get_one_row_each_in_given_order() -> None:
    out = summarize_purchases(HAND, now=NOW, customers=["eve", "bob", "ann", "dan", "cat"])
    assert list(out.index) == ["eve", "bob", "ann", "dan", "cat"]
    assert out.loc["eve", "purchase_count"] == 0
    assert out.loc["eve", "total_spend"] == 0.0
    assert math.isnan(out.loc["eve", "days_since_last_purchase"])
    assert out.loc["ann", "total_spend"] == 30.0


def test_customer_with_transactions_missing_from_customers_is_named() -> None:
    with pytest.raises(InputError, match=r"not in customers.*'cat'"):
        summarize_purchases(HAND, now=NOW, customers=["ann", "bob", "dan"])


def test_duplicate_customers_rejected() -> None:
    with pytest.raises(InputError, match=r"unique.*'ann'"):
        summarize_purchases(HAND, now=NOW, customers=["ann", "ann", "bob", "cat", "dan"])


def test_no_transactions_at_all() -> None:
    out = summarize_purchases(HAND.iloc[:0], now=NOW, customers=["x", "y"])
    assert list(out.index) == ["x", "y"]
    assert out["purchase_count"].tolist() == [0, 0]
    assert out["days_since_last_purchase"].isna().all()
    assert len(summarize_purchases(HAND.iloc[:0], now=NOW)) == 0


def test_other_time_zones_are_the_same_instants() -> None:
    local = HAND.assign(purchased_at=HAND["purchased_at"].dt.tz_convert("America/New_York"))
    now_tokyo = NOW.astimezone(pd.Timestamp(NOW).tz_convert("Asia/Tokyo").tzinfo)
    pd.testing.assert_frame_equal(
        summarize_purchases(local, now=now_tokyo), summarize_purchases(HAND, now=NOW)
    )


def test_naive_timestamps_are_a_schema_error_with_a_hint() -> None:
    naive = HAND.assign(purchased_at=HAND["purchased_at"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match=r"'purchased_at' holds naive datetimes.*tz_localize"):
        summarize_purchases(naive, now=NOW)


def test_naive_now_is_an_input_error() -> None:
    with pytest.raises(InputError, match="now must be timezone-aware"):
        summarize_purchases(HAND, now=NOW.replace(tzinfo=None))


def test_transactions_after_now_are_named() -> None:
    late = pd.concat([HAND, log([("ann", -1.0, 5.0)])], ignore_index=True)
    with pytest.raises(
        InputError, match=r"1 transaction\(s\) after now.*row 7 \(customer_id='ann'\)"
    ):
        summarize_purchases(late, now=NOW)


def test_drop_after_now_summarises_the_past_and_keeps_the_customer() -> None:
    late = pd.concat([HAND, log([("ann", -1.0, 5.0), ("fay", -2.0, 9.0)])], ignore_index=True)
    out = summarize_purchases(late, now=NOW, drop_after_now=True)
    pd.testing.assert_frame_equal(out.drop(index="fay"), summarize_purchases(HAND, now=NOW))
    assert out.loc["fay", "purchase_count"] == 0
    assert math.isnan(out.loc["fay", "days_since_last_purchase"])


def test_custom_column_names() -> None:
    renamed = HAND.rename(columns={"customer_id": "cust", "purchased_at": "ts", "amount": "eur"})
    out = summarize_purchases(renamed, now=NOW, customer="cust", at="ts", amount="eur")
    pd.testing.assert_frame_equal(out, summarize_purchases(HAND, now=NOW))


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (lambda f: f.drop(columns="amount"), SchemaError, r"missing required column.*'amount'"),
        (lambda f: f.assign(amount=[1.0, np.nan, 1, 1, 1, 1, 1]), SchemaError, r"'amount'.*row 1"),
        (lambda f: f.assign(amount=[1.0, np.inf, 1, 1, 1, 1, 1]), SchemaError, r"'amount'.*finite"),
        (lambda f: f.assign(amount=["1"] * 7), SchemaError, r"'amount' must be numeric"),
        (
            lambda f: f.assign(customer_id=["a", None, "b", "b", "c", "d", "d"]),
            SchemaError,
            r"'customer_id'.*no customer id.*row 1\b",
        ),
        (
            lambda f: f.assign(purchased_at=f["purchased_at"].where(f.index != 3)),
            SchemaError,
            r"'purchased_at'.*row 3",
        ),
        (lambda f: f.assign(purchased_at="2024-01-01"), SchemaError, r"'purchased_at'.*timezone"),
    ],
)
def test_bad_input_names_the_column(change: object, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        summarize_purchases(change(HAND.copy()), now=NOW)  # type: ignore[operator]


def test_not_a_frame() -> None:
    with pytest.raises(SchemaError, match="DataFrame"):
        summarize_purchases([("a", NOW, 1.0)], now=NOW)  # type: ignore[arg-type]


def test_mixed_type_ids_keep_first_appearance_order() -> None:
    mixed = log([(7, 3.0, 1.0), ("7", 2.0, 2.0), (7, 1.0, 3.0)])
    out = summarize_purchases(mixed, now=NOW)
    assert list(out.index) == [7, "7"]
    assert out["total_spend"].tolist() == [4.0, 2.0]


# -- properties ---------------------------------------------------------------------------

amounts = st.sampled_from([-25.0, -0.5, 0.0, 0.01, 3.5, 10.0, 99.99]) | st.floats(-1e4, 1e4)
rows = st.lists(st.tuples(st.sampled_from("abcdefg"), st.floats(0.0, 400.0), amounts), max_size=40)


@given(rows, st.randoms(use_true_random=False))
def test_invariants_and_permutation(data: list[tuple[str, float, float]], rnd: object) -> None:
    frame = log(data)  # type: ignore[arg-type]
    out = summarize_purchases(frame, now=NOW)
    # every customer in = one row out
    assert sorted(out.index) == sorted(set(frame["customer_id"]))
    positive = frame[frame["amount"] > 0]
    assert out["purchase_count"].sum() == len(positive)
    net = frame.groupby("customer_id")["amount"].sum().reindex(out.index)
    np.testing.assert_allclose(out["total_spend"], np.maximum(net, 0.0), rtol=1e-9, atol=1e-9)
    assert (out["total_spend"] >= 0).all()
    never = out["purchase_count"] == 0
    assert out.loc[never, "days_since_last_purchase"].isna().all()
    bought = out[~never]
    assert (bought["days_since_last_purchase"] >= 0).all()
    assert (bought["days_since_last_purchase"] <= bought["days_since_first_purchase"]).all()
    # row order does not matter
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 2**31))  # type: ignore[attr-defined]
    again = summarize_purchases(shuffled, now=NOW)
    pd.testing.assert_frame_equal(again, out, check_exact=False, rtol=1e-9, atol=1e-9)


@given(rows, st.lists(st.sampled_from("abcdefghijk"), unique=True, max_size=11))
def test_customers_list_gives_exactly_one_row_each(
    data: list[tuple[str, float, float]], extra: list[str]
) -> None:
    frame = log(data)  # type: ignore[arg-type]
    wanted = list(dict.fromkeys([*extra, *sorted(set(frame["customer_id"]))]))
    out = summarize_purchases(frame, now=NOW, customers=wanted)
    assert list(out.index) == wanted
    plain = summarize_purchases(frame, now=NOW)
    pd.testing.assert_frame_equal(out.loc[plain.index], plain, check_index_type=len(plain) > 0)
    assert (out.drop(index=plain.index)["purchase_count"] == 0).all()


# -- repeat_purchase_summary ----------------------------------------------------------------


def test_repeat_summary_hand_computed() -> None:
    frame = log(
        [
            ("ann", 14.0, 10.0),
            ("ann", 14.0 - 1 / 24, 5.0),  # same day: one occasion worth 15
            ("ann", 7.0, 30.0),
            ("ann", 3.5, 50.0),
            ("ann", 1.0, -80.0),  # returns are ignored here
            ("bob", 20.0, 12.0),
            ("cat", 2.0, 0.0),
        ]
    )
    out = repeat_purchase_summary(frame, now=NOW, unit_days=7.0)
    assert out["frequency"].tolist() == [2, 0, 0]
    assert out.loc["ann", "recency"] == pytest.approx((14.0 - 3.5) / 7.0)
    assert out.loc["ann", "T"] == pytest.approx(2.0)
    assert out.loc["ann", "monetary_value"] == pytest.approx(40.0)
    assert out.loc["bob", "recency"] == 0.0
    assert out.loc["bob", "T"] == pytest.approx(20.0 / 7.0)
    assert out.loc["bob", "monetary_value"] == 0.0
    assert math.isnan(out.loc["cat", "T"]) and math.isnan(out.loc["cat", "recency"])


def test_repeat_summary_days_follow_the_columns_time_zone() -> None:
    # 23:00 and 01:00 UTC are different UTC days but the same day in New York.
    base = pd.Timestamp("2024-03-20 23:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "purchased_at": pd.DatetimeIndex([base, base + pd.Timedelta(hours=2)]),
            "amount": [1.0, 1.0],
        }
    )
    assert repeat_purchase_summary(frame, now=NOW)["frequency"].iat[0] == 1
    local = frame.assign(purchased_at=frame["purchased_at"].dt.tz_convert("America/New_York"))
    assert repeat_purchase_summary(local, now=NOW)["frequency"].iat[0] == 0


@pytest.mark.parametrize("unit", [0.0, -7.0, math.nan, math.inf, "7", True])
def test_repeat_summary_rejects_bad_unit(unit: object) -> None:
    with pytest.raises(InputError, match=r"unit_days must be (a number|a finite number|> 0); got"):
        repeat_purchase_summary(HAND, now=NOW, unit_days=unit)  # type: ignore[arg-type]


@given(rows)
def test_repeat_summary_invariants(data: list[tuple[str, float, float]]) -> None:
    frame = log(data)  # type: ignore[arg-type]
    out = repeat_purchase_summary(frame, now=NOW)
    plain = summarize_purchases(frame, now=NOW)
    assert list(out.index) == list(plain.index)
    positive = frame[frame["amount"] > 0]
    day = positive["purchased_at"].dt.floor("D")
    occasions = day.groupby(positive["customer_id"]).nunique().reindex(out.index, fill_value=0)
    assert (out["frequency"] == np.maximum(occasions - 1, 0)).all()
    cohort = out[out["T"].notna()]
    assert (cohort["recency"] <= cohort["T"]).all()
    np.testing.assert_allclose(
        cohort["T"], plain.loc[cohort.index, "days_since_first_purchase"], rtol=1e-12
    )
    assert (out.loc[out["T"].isna(), "frequency"] == 0).all()
    assert (out.loc[out["frequency"] == 0, "monetary_value"] == 0).all()
    assert (out.loc[out["frequency"] > 0, "monetary_value"] > 0).all()
