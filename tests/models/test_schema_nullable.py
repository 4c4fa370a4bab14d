"""One frame check for every entry point: nullable dtypes, missing flags, huge durations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize.models import canonical_frame

POLICY = pz.policies.balanced()


def _entry_points() -> dict[str, Callable[[pd.DataFrame], Any]]:
    return {
        "score_frame": POLICY.score_frame,
        "rank": POLICY.rank,
        "simulate": lambda f: pz.simulate(f, POLICY, agents=2, seed=0),
        "push_frame": lambda f: pz.TriageQueue(POLICY).push_frame(f),
    }


def _nullable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["days_since_last_purchase"] = pd.array(
        [None, *frame["days_since_last_purchase"].iloc[1:]], dtype="Float64"
    )
    out["urgency"] = pd.array([0.5, None, *frame["urgency"].iloc[2:]], dtype="Float64")
    out["followers"] = frame["followers"].astype("Int64")
    out["purchase_count"] = frame["purchase_count"].astype("UInt32")
    out["is_public"] = frame["is_public"].astype("boolean")
    out["text"] = frame["text"].astype("string")
    out.loc[0, "text"] = pd.NA  # urgency given in row 0: no text needed there
    out["query_id"] = frame["query_id"].astype("string")
    out["channel"] = frame["channel"].astype(object).astype("category")
    return out


def test_nullable_dtypes_are_accepted_alike_by_every_entry_point() -> None:
    frame = pz.synthetic.queries(40, seed=5)
    plain = frame.copy()
    plain.loc[0, "days_since_last_purchase"] = np.nan
    plain.loc[0, "urgency"] = 0.5
    plain.loc[1, "urgency"] = np.nan
    plain.loc[0, "text"] = ""
    nullable = _nullable(frame)
    canon, _ = canonical_frame(nullable)
    assert canon["days_since_last_purchase"].dtype == np.float64
    assert canon["followers"].dtype == np.int64
    assert canon["is_public"].dtype == np.bool_
    pd.testing.assert_frame_equal(POLICY.score_frame(nullable), POLICY.score_frame(plain))
    assert POLICY.rank(nullable)["query_id"].tolist() == POLICY.rank(plain)["query_id"].tolist()
    q = pz.TriageQueue(POLICY)
    assert q.push_frame(nullable) == len(q) == 40
    now = frame["received_at"].max()
    assert [q.pop(now).query_id for _ in range(40)] == POLICY.rank(plain, now=now)[
        "query_id"
    ].tolist()
    a = pz.simulate(nullable, POLICY, agents=2, seed=0).records
    b = pz.simulate(plain, POLICY, agents=2, seed=0).records
    pd.testing.assert_series_equal(a["wait_minutes"], b["wait_minutes"])


def test_an_already_canonical_frame_is_not_copied() -> None:
    frame = pz.synthetic.queries(10, seed=1)
    assert canonical_frame(frame)[0] is frame


@pytest.mark.parametrize("name", list(_entry_points()))
@pytest.mark.parametrize(
    ("column", "values", "pattern"),
    [
        (
            "is_public",
            pd.array([True, None, False, True], dtype="boolean"),
            r"column 'is_public'.*True or False.*row 1",
        ),
        ("query_id", ["a", "", "c", "d"], r"column 'query_id'.*non-empty id.*row 1"),
        (
            "urgency",
            pd.array([0.1, None, 0.2, 0.3], dtype="Float64"),
            r"column 'text'.*row 1",
        ),
        (
            "handle_minutes",
            [1.0, 1e9, 2.0, 1e12],
            r"column 'handle_minutes'.*time axis.*row 1.*row 3",
        ),
        ("patience_minutes", [1.0, 2.0, 1e15, 4.0], r"column 'patience_minutes'.*time axis.*row 2"),
        ("followers", pd.array([1, None, 2, 3], dtype="Int64"), r"column 'followers'.*row 1"),
    ],
)
def test_bad_values_raise_the_same_error_everywhere(
    name: str, column: str, values: Any, pattern: str
) -> None:
    frame = pz.synthetic.queries(4, seed=0)
    frame["received_at"] = pd.Timestamp("2200-01-01", tz="UTC") + pd.to_timedelta(
        np.arange(4), unit="min"
    )
    if column == "urgency":
        frame = frame.drop(columns="text")
        frame["text"] = pd.array(["x", None, "y", "z"], dtype="string")
    frame[column] = values
    with pytest.raises(pz.SchemaError, match=pattern):
        _entry_points()[name](frame)


def test_duplicate_column_names_are_named() -> None:
    frame = pz.synthetic.queries(3, seed=0)
    frame = pd.concat([frame, frame[["followers"]]], axis=1)
    with pytest.raises(pz.SchemaError, match=r"several columns named \['followers'\]"):
        POLICY.score_frame(frame)


def test_huge_handle_minutes_never_reach_the_records() -> None:
    # 1e9 minutes (1,900 years) from 2026 runs past the time axis: rejected by row.
    frame = pz.synthetic.queries(3, seed=0)
    frame["handle_minutes"] = [1.0, 1e9, 1.0]
    with pytest.raises(pz.SchemaError, match=r"'handle_minutes'.*row 1"):
        pz.simulate(frame, POLICY, agents=1)


def test_queued_handle_times_past_the_time_axis_are_an_error() -> None:
    # Each fits alone (190 years), but one agent finishes the third after 2262.
    frame = pz.synthetic.queries(3, seed=0).drop(columns="patience_minutes")
    frame["handle_minutes"] = 1e8
    with pytest.raises(pz.InputError, match=r"finished_at would run past the time axis.*row"):
        pz.simulate(frame, pz.policies.fifo(), agents=1)
    records = pz.simulate(frame, pz.policies.fifo(), agents=3).records
    assert (records["finished_at"] > records["started_at"]).all()
