"""The canonical frame: every bad input raises SchemaError naming column, rows, expectation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize._internal.times import aware_ns, timestamp_ns
from prioritize.models import follower_band, validate_frame, value_band
from prioritize.testing import strategies as pst


def frame(n: int = 4) -> pd.DataFrame:
    return pz.synthetic.queries(n, seed=1)


def test_synthetic_frame_is_canonical() -> None:
    f = frame(50)
    cols = validate_frame(f)
    assert len(cols.followers) == 50


def test_missing_columns_are_listed() -> None:
    f = frame().drop(columns=["followers", "channel"])
    with pytest.raises(
        pz.SchemaError, match=r"missing required column\(s\) \['channel', 'followers'\]"
    ):
        pz.policies.fifo().score_frame(f)


def test_not_a_frame() -> None:
    with pytest.raises(pz.SchemaError, match="expected a pandas DataFrame, got dict"):
        validate_frame({"query_id": []})


@pytest.mark.parametrize(
    ("column", "value", "pattern"),
    [
        (
            "followers",
            -3,
            r"column 'followers': 1 row has a bad value; expected an integer >= 0: row 2 \(query_id='Q0000002'\) = -3",
        ),
        ("followers", 2.5, r"column 'followers'.*expected a whole number"),
        ("lifetime_value", np.nan, r"column 'lifetime_value'.*NaN/missing is not allowed"),
        ("lifetime_value", np.inf, r"column 'lifetime_value'.*finite"),
        ("total_spend", -0.01, r"column 'total_spend'.*>= 0"),
        ("purchase_count", -1, r"column 'purchase_count'.*>= 0"),
        ("days_since_last_purchase", -2.0, r"column 'days_since_last_purchase'.*>= 0"),
        ("urgency", 1.5, r"column 'urgency'.*<= 1"),
        ("urgency", -0.1, r"column 'urgency'.*>= 0"),
        ("handle_minutes", 0.0, r"column 'handle_minutes'.*> 0"),
        ("patience_minutes", -1.0, r"column 'patience_minutes'.*> 0"),
        (
            "channel",
            "pigeon",
            r"column 'channel'.*expected one of \[.*'twitter'.*row 2 \(query_id='Q0000002'\) = 'pigeon'",
        ),
        (
            "query_id",
            "Q0000001",
            r"column 'query_id': 2 rows have a bad value; expected unique ids",
        ),
        ("customer_id", None, r"column 'customer_id'.*non-empty id"),
    ],
)
def test_bad_values_name_column_and_row(column: str, value: object, pattern: str) -> None:
    f = frame()
    if column == "channel":
        f["channel"] = f["channel"].astype(object)
    if column in ("followers", "purchase_count") and isinstance(value, float):
        f[column] = f[column].astype(float)
    if column == "customer_id":
        f[column] = f[column].astype(object)
    f.loc[2, column] = value
    with pytest.raises(pz.SchemaError, match=pattern):
        pz.policies.balanced().score_frame(f)


def test_many_bad_rows_are_counted_and_truncated() -> None:
    f = frame(20)
    f["followers"] = -1
    with pytest.raises(pz.SchemaError, match=r"20 rows have.*\(20 rows in all\)"):
        validate_frame(f)


def test_wrong_dtypes() -> None:
    f = frame()
    f["followers"] = f["followers"].astype(str)
    with pytest.raises(pz.SchemaError, match="column 'followers' must be numeric; got dtype"):
        validate_frame(f)
    f = frame()
    f["is_public"] = "yes"
    # a str column (pandas 3) is refused by dtype, an object column (pandas 2.2) by its rows
    with pytest.raises(
        pz.SchemaError, match="'is_public'.*(must be boolean|expected True or False)"
    ):
        validate_frame(f)
    f = frame()
    f.loc[1, "text"] = None
    f["urgency"] = np.nan
    with pytest.raises(pz.SchemaError, match="column 'text'.*a string"):
        validate_frame(f)


def test_naive_and_string_timestamps() -> None:
    f = frame()
    f["received_at"] = f["received_at"].dt.tz_localize(None)
    with pytest.raises(pz.SchemaError, match="naive datetimes; expected timezone-aware"):
        validate_frame(f)
    f["received_at"] = f["received_at"].astype(str)
    with pytest.raises(pz.SchemaError, match=r"pd.to_datetime\(frame\['received_at'\], utc=True\)"):
        validate_frame(f)
    f = frame()
    f.loc[1, "received_at"] = pd.NaT
    with pytest.raises(pz.SchemaError, match="'received_at'.*NaT"):
        validate_frame(f)


def test_other_timezones_are_converted() -> None:
    f = frame()
    g = f.copy()
    g["received_at"] = g["received_at"].dt.tz_convert("America/New_York")
    p = pz.policies.balanced()
    now = f["received_at"].max().to_pydatetime()
    pd.testing.assert_frame_equal(p.score_frame(f, now=now), p.score_frame(g, now=now))


def test_urgency_needs_text_or_values() -> None:
    f = frame().drop(columns=["text"])
    f.loc[0, "urgency"] = np.nan
    with pytest.raises(
        pz.SchemaError, match="'urgency' column without missing values, or a 'text'"
    ):
        validate_frame(f)
    g = frame().drop(columns=["urgency"])
    scores = pz.policies.equal_treatment().score_frame(g)
    assert (scores["urgency"] > 0).any()


def test_query_after_now_names_ids() -> None:
    f = frame()
    now = f["received_at"].iloc[1].to_pydatetime()
    with pytest.raises(
        pz.InputError,
        match=r"2 query\(ies\) were received after now=.*: "
        r"row 2 \(query_id='Q0000002'\), row 3 \(query_id='Q0000003'\)$",
    ):
        pz.policies.balanced().score_frame(f, now=now)
    late = frame(12)  # the one bad-rows description: five shown, then how many in all
    with pytest.raises(
        pz.InputError, match=r"row 6 \(query_id='Q0000006'\), … \(10 rows in all\)$"
    ):
        pz.policies.balanced().score_frame(late, now=late["received_at"].iloc[1].to_pydatetime())


def test_rows_in_equal_rows_out_with_any_index() -> None:
    f = frame(30)
    f.index = pd.Index([f"r{i}" for i in range(30)])
    out = pz.policies.balanced().score_frame(f)
    pd.testing.assert_index_equal(out.index, f.index)
    ranked = pz.policies.balanced().rank(f)
    assert sorted(ranked.index) == sorted(f.index)


@given(pst.query_frames(urgency="text"))
def test_generated_frames_validate(f: pd.DataFrame) -> None:
    validate_frame(f)


def test_entities_validate() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        pz.Query(query_id="q", customer_id="c", received_at=datetime(2026, 1, 1), channel="email")
    with pytest.raises(ValidationError, match="channel"):
        pz.Query(
            query_id="q",
            customer_id="c",
            received_at=datetime(2026, 1, 1, tzinfo=UTC),
            channel="fax",
        )
    with pytest.raises(ValidationError, match="followers"):
        pz.Customer(customer_id="c", followers=-1)
    with pytest.raises(ValidationError, match="urgency"):
        pz.Query(
            query_id="q",
            customer_id="c",
            received_at=datetime(2026, 1, 1, tzinfo=UTC),
            channel="email",
            urgency=1.2,
        )
    assert (
        pz.Customer(customer_id="c", days_since_last_purchase=float("nan")).days_since_last_purchase
        is None
    )
    q = pz.Query(
        query_id="q",
        customer_id="c",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        channel="web_form",
    )
    assert q.channel is pz.Channel.WEB_FORM


def test_bands_are_documented_edges() -> None:
    fb = follower_band([0, 999, 1000, 9999, 10_000, 100_000, 5_000_000])
    assert list(fb) == ["<1k", "<1k", "1k-10k", "1k-10k", "10k-100k", "100k+", "100k+"]
    vb = value_band([0, 99.99, 100, 1000, 10_000])
    assert list(vb) == ["<100", "<100", "100-1k", "1k-10k", "10k+"]


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=13))]
        ),
    ),
    st.integers(0, 999),
)
def test_arrival_nanoseconds_match_pandas(at: datetime, nanos: int) -> None:
    stamp = pd.Timestamp(at) + pd.Timedelta(nanoseconds=nanos)
    for value, expected in ((at, pd.Timestamp(at).value), (stamp, stamp.value)):
        assert timestamp_ns(value) == expected
        assert aware_ns(value) == expected
