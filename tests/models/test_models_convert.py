"""frame_to_objects: a canonical frame as (Query, Customer) pairs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given

import prioritize as pz
from prioritize.models import frame_to_objects
from prioritize.testing import strategies as pst


@given(pst.query_frames(max_rows=20), pst.policies())
def test_objects_score_like_their_rows(frame: pd.DataFrame, policy: pz.Policy) -> None:
    pairs = list(frame_to_objects(frame))
    assert [q.query_id for q, _ in pairs] == list(frame["query_id"].astype(str))
    expected = policy.score_frame(frame)["score"].to_numpy()
    got = [policy.score(q, c).value for q, c in pairs]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    for (query, customer), received in zip(pairs, frame["received_at"], strict=True):
        assert query.customer_id == customer.customer_id
        assert query.received_at == received.to_pydatetime()


def test_optional_columns_and_empty_cells_take_the_defaults() -> None:
    frame = pz.synthetic.queries(3, seed=0)
    frame = frame.drop(columns=[c for c in ("text", "is_public") if c in frame.columns])
    frame["urgency"] = [0.5, np.nan, None]
    frame["patience_minutes"] = [np.nan, 10.0, np.nan]
    frame.loc[1, "days_since_last_purchase"] = np.nan
    (q0, _), (q1, c1), (q2, _) = frame_to_objects(frame)
    assert q0.urgency == 0.5 and q1.urgency is None and q2.urgency is None
    assert q0.patience_minutes is None and q1.patience_minutes == 10.0
    assert q0.text == ""
    assert (
        q0.is_public
        == pz.Query(
            query_id="x", customer_id="c", received_at=q0.received_at, channel=q0.channel
        ).is_public
    )
    assert c1.days_since_last_purchase is None
    assert not math.isnan(q0.received_at.timestamp())


def test_a_bad_row_is_named() -> None:
    frame = pz.synthetic.queries(4, seed=1)
    frame.loc[2, "followers"] = -5
    bad_id = frame.loc[2, "query_id"]
    with pytest.raises(pz.SchemaError, match=rf"row 2 \(query_id '{bad_id}'\).*followers"):
        list(frame_to_objects(frame))
    frame = pz.synthetic.queries(4, seed=1)
    frame["channel"] = frame["channel"].astype(object)
    frame.loc[1, "channel"] = "pigeon"
    with pytest.raises(pz.SchemaError, match=r"row 1 .*pigeon"):
        list(frame_to_objects(frame))


def test_a_missing_column_is_named() -> None:
    frame = pz.synthetic.queries(2, seed=1).drop(columns=["lifetime_value"])
    with pytest.raises(pz.SchemaError, match="lifetime_value"):
        list(frame_to_objects(frame))


def test_attributes_carry_columns_into_the_customer_or_the_query() -> None:
    frame = pz.synthetic.queries(3, seed=2)
    frame["churn"] = [0.5, np.nan, 1.0]
    frame["incident"] = [True, False, True]
    frame["plan"] = ["gold", "silver", None]
    pairs = list(
        frame_to_objects(
            frame, attributes={"churn": "customer", "plan": "customer", "incident": "query"}
        )
    )
    c0, c1, c2 = (c for _, c in pairs)
    assert c0.attributes == {"churn": 0.5, "plan": "gold"}
    assert c1.attributes == {"plan": "silver"}  # an empty cell is left out
    assert c2.attributes == {"churn": 1.0}
    assert [q.attributes for q, _ in pairs] == [
        {"incident": True},
        {"incident": False},
        {"incident": True},
    ]
    assert all(c.attributes == {} for _, c in frame_to_objects(frame))  # none by default


def test_attributes_are_checked() -> None:
    frame = pz.synthetic.queries(2, seed=1)
    with pytest.raises(pz.SchemaError, match="churn"):
        list(frame_to_objects(frame, attributes={"churn": "customer"}))
    frame["churn"] = 0.5
    with pytest.raises(pz.InputError, match="'customer' or 'query'"):
        list(frame_to_objects(frame, attributes={"churn": "agent"}))  # type: ignore[dict-item]


def test_the_segment_column_is_the_customers_segment() -> None:
    # a CRM segment is a group label (GroupShare(group="segment"), the reports):
    # carried as a string, an empty cell left None, never dropped
    frame = pz.synthetic.queries(4, seed=1).assign(segment=["vip", None, 3, np.nan])
    segments = [c.segment for _, c in frame_to_objects(frame)]
    assert segments == ["vip", None, "3", None]
    assert all(c.segment is None for _, c in frame_to_objects(frame.drop(columns="segment")))


@given(pst.query_frames(min_rows=1, max_rows=12))
def test_a_queue_groups_a_frame_by_its_segment_as_its_pairs(frame: pd.DataFrame) -> None:
    # push_frame of a frame with a segment column serves like pushing each pair with
    # the customer's segment set (GroupShare reads it; it was dropped before)
    labels = ["vip" if i % 3 == 0 else "std" for i in range(len(frame))]
    policy = pz.Policy(rules=[pz.rules.GroupShare(group="segment", shares={"vip": 0.5})])
    by_frame, by_pairs = pz.TriageQueue(policy), pz.TriageQueue(policy)
    by_frame.push_frame(frame.assign(segment=labels))
    for (query, customer), label in zip(frame_to_objects(frame), labels, strict=True):
        by_pairs.push(query, customer.model_copy(update={"segment": label}))
    now = frame["received_at"].max().to_pydatetime()
    snap = by_frame.snapshot(now=now)
    assert dict(zip(snap["query_id"], snap["group"], strict=True)) == dict(
        zip(frame["query_id"].astype(str), labels, strict=True)
    )
    served = [[q.pop(now).query_id for _ in range(len(frame))] for q in (by_frame, by_pairs)]
    assert served[0] == served[1]
