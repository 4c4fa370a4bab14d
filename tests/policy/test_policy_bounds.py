"""Bounded policy values keep every score finite and the queue's order equal to rank's."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import MAX_POINTS, MAX_POINTS_PER_HOUR

SIGNALS = ("crm_value", "purchase_history", "follower_reach", "urgency")
# The supported time axis: pandas' datetime64[ns], 1677-09-22 .. 2262-04-11.
FIRST = pd.Timestamp("1677-09-22", tz="UTC").value
LAST = pd.Timestamp("2262-04-10", tz="UTC").value


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weights": {"urgency": MAX_POINTS * 1.0001}}, "weights.urgency"),
        ({"rules": [{"kind": "aging", "points_per_hour": 1e308}]}, "points_per_hour"),
        ({"rules": [{"kind": "cap", "signal": "urgency", "max_points": 1e300}]}, "max_points"),
    ],
)
def test_values_past_the_bounds_are_rejected_naming_the_field(
    data: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        pz.Policy.model_validate(data)


@st.composite
def extreme_policies(draw: st.DrawFn) -> pz.Policy:
    at_bound = st.sampled_from([0.0, 1e-300, 1.0, MAX_POINTS])
    weights = {s: draw(at_bound) for s in SIGNALS}
    rules: list[dict[str, object]] = [
        {"kind": "aging", "points_per_hour": draw(st.sampled_from([0.0, 1.0, MAX_POINTS_PER_HOUR]))}
    ]
    if draw(st.booleans()):
        rules.append(
            {"kind": "cap", "signal": draw(st.sampled_from(SIGNALS)), "max_points": MAX_POINTS}
        )
    return pz.Policy.model_validate({"weights": weights, "rules": rules})


@st.composite
def extreme_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 8))
    big = st.sampled_from([0.0, 1.0, 1e15, 1e300, np.finfo(float).max])
    count = st.sampled_from([0, 1, 2**53, 2**62])
    frame = pz.synthetic.queries(n, seed=draw(st.integers(0, 3)))
    times = draw(st.lists(st.sampled_from([FIRST, 0, LAST, LAST - 1]), min_size=n, max_size=n))
    frame["received_at"] = pd.to_datetime(np.array(times, dtype=np.int64), utc=True)
    frame["followers"] = draw(st.lists(count, min_size=n, max_size=n))
    frame["purchase_count"] = draw(st.lists(count, min_size=n, max_size=n))
    frame["lifetime_value"] = draw(st.lists(big, min_size=n, max_size=n))
    frame["total_spend"] = draw(st.lists(big, min_size=n, max_size=n))
    frame["days_since_last_purchase"] = draw(st.lists(big, min_size=n, max_size=n))
    return frame.drop(columns=["handle_minutes", "patience_minutes"])


@given(extreme_policies(), extreme_frames())
def test_scores_finite_and_queue_order_is_rank_order(
    policy: pz.Policy, frame: pd.DataFrame
) -> None:
    now = frame["received_at"].max()
    scores = policy.score_frame(frame, now=now)
    assert np.isfinite(scores.to_numpy()).all()
    ranked = policy.rank(frame, now=now)["query_id"].tolist()
    q = pz.TriageQueue(policy)
    q.push_frame(frame)
    popped = [q.pop(now) for _ in range(len(frame))]
    assert [e.query_id for e in popped] == ranked
    assert all(math.isfinite(e.score.value) for e in popped)
