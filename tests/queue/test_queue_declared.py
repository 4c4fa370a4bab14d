"""push_frame carries the inputs of the signals a policy declares: entries score like the frame."""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.testing import strategies as pst

DECLARED = pz.Policy(
    name="declared",
    weights={"urgency": 0.3, "churn_risk": 0.4, "incident": 0.3},
    rules=[pz.rules.Aging(points_per_hour=0.5)],
    signals={
        "custom": {
            "churn_risk": {"input": "churn", "normaliser": "identity"},
            "incident": {"input": "has_incident", "on": "query", "normaliser": "boolean"},
        }
    },
)


@settings(max_examples=40)
@given(pst.query_frames(max_rows=6, policy=DECLARED), st.integers(0, 600))
def test_push_frame_entries_score_like_score_frame(frame: pd.DataFrame, later: int) -> None:
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    expected = DECLARED.score_frame(frame, now=now).set_index(frame["query_id"])
    q = pz.TriageQueue(DECLARED)
    assert q.push_frame(frame) == len(frame)
    while len(q):
        entry = q.pop(now)
        row = expected.loc[entry.query_id]
        assert math.isclose(entry.score.value, row["score"], rel_tol=1e-9, abs_tol=1e-9)
        for name in DECLARED.signal_names:
            assert math.isclose(
                entry.score.contributions[name], row[name], rel_tol=1e-9, abs_tol=1e-9
            )


def test_push_frame_without_the_column_of_an_unweighted_signal() -> None:
    policy = DECLARED.with_changes(weights={"churn_risk": 0.0, "incident": 0.0})
    frame = pz.synthetic.queries(5, seed=4)
    now = frame["received_at"].max().to_pydatetime()
    expected = policy.score_frame(frame, now=now).set_index(frame["query_id"])["score"]
    q = pz.TriageQueue(policy)
    q.push_frame(frame)
    while len(q):
        entry = q.pop(now)
        assert math.isclose(entry.score.value, expected[entry.query_id], abs_tol=1e-12)
