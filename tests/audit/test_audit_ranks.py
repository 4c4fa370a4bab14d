"""The O(n log n) "this query alone changes" ranks equal brute-force re-ranking."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.audit import snapshot
from prioritize.testing import strategies as pst


def _rank_of(policy: pz.Policy, frame: pd.DataFrame, now, query_id: str) -> int:
    ranked = policy.rank(frame, now=now)
    return int(ranked.loc[ranked["query_id"] == query_id, "rank"].iloc[0])


def _now(frame: pd.DataFrame, later: int):
    return frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)


@settings(max_examples=40)
@given(
    pst.policies(),
    pst.query_frames(max_rows=8, urgency="given"),
    st.integers(0, 3000),
    st.data(),
)
def test_snapshot_ranks_equal_policy_rank(policy, frame, later, data) -> None:
    now = _now(frame, later)
    view = snapshot(frame, policy, now=now)
    ranked = policy.rank(frame, now=now)
    expected = ranked.set_index("query_id")["rank"].loc[frame["query_id"]].to_numpy()
    np.testing.assert_array_equal(view.rank, expected)
    pd.testing.assert_frame_equal(view.scores, policy.score_frame(frame, now=now))


@settings(max_examples=40)
@given(
    pst.policies(),
    pst.query_frames(max_rows=7, urgency="given"),
    st.integers(0, 3000),
    st.data(),
)
def test_each_and_all_ranks_equal_brute_force(policy, frame, later, data) -> None:
    """Including ties (equal keys), MaxWait overdue rows and zero-weight policies."""
    now = _now(frame, later)
    n = len(frame)
    # Few distinct values, so that equal keys (ties) are common.
    new_urgency = data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n, max_size=n))
    view = snapshot(frame, policy, now=now)
    changed = frame.assign(urgency=new_urgency)
    key = view.keys_for(policy.score_frame(changed, now=now))
    each = view.ranks_each(key)
    for i in range(n):
        alone = frame.copy()
        alone.iloc[i, alone.columns.get_loc("urgency")] = new_urgency[i]
        assert each[i] == _rank_of(policy, alone, now, frame["query_id"].iat[i])
    everyone = policy.rank(changed, now=now).set_index("query_id")["rank"]
    np.testing.assert_array_equal(view.ranks_all(key), everyone.loc[frame["query_id"]].to_numpy())


def test_overdue_query_keeps_its_rank() -> None:
    frame = pz.synthetic.queries(30, seed=4, days=1)
    policy = pz.policies.balanced()  # MaxWait 240 min: most of a day's queries are overdue
    now = frame["received_at"].max().to_pydatetime()
    view = snapshot(frame, policy, now=now)
    assert view.overdue.any() and not view.overdue.all()
    each = view.ranks_each(view.key + 100.0)  # every query far more urgent
    np.testing.assert_array_equal(each[view.overdue], view.rank[view.overdue])
    # A query not overdue that becomes the best goes straight after the overdue ones.
    assert set(each[~view.overdue]) == {int(view.overdue.sum()) + 1}
