"""Salesforce Case exports (CSV with API names) on a documented-shape sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError, SkippedRecordsWarning
from prioritize.adapters import salesforce
from prioritize.models import validate_frame

CASES = Path(__file__).parent / "data" / "salesforce" / "cases.csv"


def table() -> pd.DataFrame:
    return pd.read_csv(CASES, dtype=str, keep_default_na=False)


def read(source: object, **options: object) -> pd.DataFrame:
    with pytest.warns(SkippedRecordsWarning, match="deleted"):
        return salesforce.from_csv(source, **options)  # type: ignore[arg-type]


def test_cases_map_every_field() -> None:
    frame = read(CASES)
    validate_frame(frame)
    assert list(frame["query_id"]) == [
        "sf-5003t00001AbCdEAAV",
        "sf-5003t00001AbCdFAAV",
        "sf-5003t00001AbCdGAAV",
        "sf-5003t00001AbCdIAAV",
        "sf-5003t00001AbCdJAAV",
    ]
    # a Web-to-Case without a contact is known by its supplied e-mail (an identity key)
    assert list(frame["customer_id"])[:2] == [
        "salesforce:0033t00000XyZaBAAV",
        "email:grace.obi@example.ng",
    ]
    # no Origin: "other"
    assert list(frame["channel"].astype(str)) == ["phone", "web_form", "email", "chat", "other"]
    np.testing.assert_array_equal(frame["urgency"], [0.75, 0.25, 0.5, 1.0, np.nan])
    assert list(frame["status"]) == ["new", "new", "working", "escalated", "closed"]
    assert list(frame["is_closed"]) == [False, False, False, False, True]
    assert list(frame["case_number"]) == [
        "00001026",
        "00001027",
        "00001028",
        "00001030",
        "00001031",
    ]
    # both export spellings of CreatedDate: ".000Z" and ".000+0000"
    assert frame["received_at"].iloc[1] == pd.Timestamp("2025-02-03T09:52:10Z")
    assert frame["text"].iloc[2].endswith("INV-20931.\nOur number is DE123456789.")
    assert frame["requester_phone"].iloc[1] == "+234 803 555 0101"
    assert frame.attrs["skipped"] == {"deleted": 1}
    assert len(table()) == len(frame) + 1


def test_keep_reads_deleted_cases_and_a_frame_reads_like_the_file() -> None:
    assert len(salesforce.from_csv(CASES, keep={"deleted"})) == 6
    pd.testing.assert_frame_equal(read(table()), read(CASES), check_like=False)


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = read(CASES)
    policy = pz.policies.balanced()
    scores = policy.score_frame(frame).set_index(frame["query_id"])["score"]
    assert scores["sf-5003t00001AbCdIAAV"] > scores["sf-5003t00001AbCdFAAV"]  # Critical > Low
    assert sorted(policy.rank(frame)["query_id"]) == sorted(frame["query_id"])


def test_bad_cases_are_named_by_id_and_field() -> None:
    cases = table()
    cases.loc[0, "Origin"] = "Carrier Pigeon"
    cases.loc[1, "SuppliedEmail"] = ""
    cases.loc[2, "Priority"] = "Whenever"
    cases.loc[4, "IsClosed"] = "maybe"
    with pytest.raises(InputError) as caught:
        salesforce.from_csv(cases)
    message = str(caught.value)
    assert "case 5003t00001AbCdEAAV: missing or malformed Origin 'Carrier Pigeon'" in message
    assert "case 5003t00001AbCdFAAV: missing or malformed ContactId or SuppliedEmail" in message
    assert "case 5003t00001AbCdGAAV: missing or malformed Priority 'Whenever'" in message
    assert "case 5003t00001AbCdIAAV: missing or malformed IsClosed (true/false)" in message
    fixed = cases.drop(index=[1, 2, 4])
    mapped = read(fixed, channel_map={"Carrier Pigeon": "other"})
    assert mapped["channel"].iloc[0] == "other"


def test_local_times_need_tz_and_missing_columns_are_named() -> None:
    cases = table()
    cases["CreatedDate"] = "2025-02-03 10:14:22"
    with pytest.raises(SchemaError, match="CreatedDate: .*no time zone"):
        salesforce.from_csv(cases)
    local = read(cases, tz="Europe/Berlin")
    assert local["received_at"].iloc[0] == pd.Timestamp("2025-02-03T09:14:22Z")
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['Origin'\]"):
        salesforce.from_csv(table().drop(columns=["Origin"]))
