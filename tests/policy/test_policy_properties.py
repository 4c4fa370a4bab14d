"""Property tests: every guarantee a weight or rule makes, scalar == vectorised."""

from __future__ import annotations

import math
from datetime import timedelta
from itertools import pairwise

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.signals import SIGNALS
from prioritize.testing import strategies as pst

PRESETS = list(pz.policies.PRESETS.values())


def _customer_from_row(row: pd.Series) -> pz.Customer:
    days = row["days_since_last_purchase"]
    return pz.Customer(
        customer_id=row["customer_id"],
        followers=int(row["followers"]),
        lifetime_value=float(row["lifetime_value"]),
        purchase_count=int(row["purchase_count"]),
        total_spend=float(row["total_spend"]),
        days_since_last_purchase=None if pd.isna(days) else float(days),
    )


def _query_from_row(row: pd.Series) -> pz.Query:
    u = row.get("urgency", np.nan)
    return pz.Query(
        query_id=row["query_id"],
        customer_id=row["customer_id"],
        received_at=row["received_at"].to_pydatetime(),
        channel=row["channel"],
        text=row["text"],
        urgency=None if pd.isna(u) else float(u),
        is_public=bool(row["is_public"]),
    )


@given(pst.policies(), pst.query_frames(urgency="mixed"), st.integers(0, 600))
def test_scalar_equals_vectorised(policy: pz.Policy, frame: pd.DataFrame, later: int) -> None:
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    scores = policy.score_frame(frame, now=now)
    assert list(scores.index) == list(frame.index)
    for idx, row in frame.iterrows():
        s = policy.score(_query_from_row(row), _customer_from_row(row), now=now)
        assert math.isclose(s.value, scores.at[idx, "score"], rel_tol=1e-9, abs_tol=1e-9)
        for name in (*SIGNALS, "aging"):
            assert math.isclose(
                s.contributions[name], scores.at[idx, name], rel_tol=1e-9, abs_tol=1e-9
            )
        assert math.isclose(s.value, sum(s.contributions.values()), abs_tol=1e-9)


@given(pst.policies(), pst.query_frames(min_rows=2), st.data())
def test_batch_independence(policy: pz.Policy, frame: pd.DataFrame, data: st.DataObject) -> None:
    """A row's score does not depend on the other rows of the frame."""
    now = frame["received_at"].max().to_pydatetime()
    full = policy.score_frame(frame, now=now)
    keep = data.draw(
        st.lists(st.sampled_from(list(frame.index)), min_size=1, unique=True), label="subset"
    )
    part = policy.score_frame(frame.loc[keep], now=now)
    pd.testing.assert_frame_equal(part, full.loc[keep], rtol=0, atol=0)


@given(pst.policies(), pst.query_frames(), st.sampled_from(SIGNALS), st.data())
def test_blind_signal_never_matters(
    policy: pz.Policy, frame: pd.DataFrame, signal: str, data: st.DataObject
) -> None:
    blinded = policy.with_changes(rules=(*policy.rules, pz.rules.Blind(signals=(signal,))))
    changed = frame.copy()
    column = {
        "follower_reach": "followers",
        "crm_value": "lifetime_value",
        "purchase_history": "purchase_count",
        "urgency": "urgency",
        "negativity": "text",
    }[signal]
    n = len(frame)
    if column == "urgency":
        # tone given, so the new text changes only the urgency
        frame = frame.assign(tone_score=0.0)
        changed = frame.copy()
        changed["urgency"] = data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
        changed["text"] = "URGENT!! still waiting, refund"
    elif column == "text":
        # urgency given, so the new text changes only the tone
        frame = frame.assign(urgency=0.5)
        text = data.draw(st.sampled_from(["WORST SERVICE EVER!!! 😡", "thank you ❤️"]))
        changed = frame.assign(text=text)
    elif column == "lifetime_value":
        changed[column] = data.draw(st.lists(st.floats(0, 1e7), min_size=n, max_size=n))
    else:
        changed[column] = data.draw(st.lists(st.integers(0, 10**7), min_size=n, max_size=n))
        if signal == "purchase_history":
            changed["total_spend"] = changed["total_spend"] * 3 + 1
            changed["days_since_last_purchase"] = 0.0
    now = frame["received_at"].max().to_pydatetime()
    a = blinded.score_frame(frame, now=now)
    b = blinded.score_frame(changed, now=now)
    assert (a[signal] == 0).all()
    pd.testing.assert_series_equal(a["score"], b["score"])
    pd.testing.assert_index_equal(
        blinded.rank(frame, now=now).index, blinded.rank(changed, now=now).index
    )


@given(
    pst.policies(),
    pst.query_frames(min_rows=1, max_rows=1),
    st.sampled_from(["followers", "lifetime_value"]),
    st.floats(0, 1e7),
    st.floats(0, 0.5),
)
def test_cap_bounds_difference(
    policy: pz.Policy, frame: pd.DataFrame, column: str, new: float, cap: float
) -> None:
    signal = {"followers": "follower_reach", "lifetime_value": "crm_value"}[column]
    capped = policy.with_changes(rules=(*policy.rules, pz.rules.Cap(signal=signal, max_points=cap)))
    other = frame.copy()
    other[column] = round(new) if column == "followers" else new
    a = capped.score_frame(frame)["score"].iloc[0]
    b = capped.score_frame(other)["score"].iloc[0]
    assert abs(a - b) <= cap + 1e-12


def _monotone_in(policy: pz.Policy, frame: pd.DataFrame, column: str, factor: float) -> None:
    more = frame.copy()
    more[column] = (frame[column] * factor + 1).astype(frame[column].dtype)
    a = policy.score_frame(frame)["score"]
    b = policy.score_frame(more)["score"]
    assert (b >= a - 1e-12).all()


@given(pst.query_frames(), st.floats(1.0, 1000.0))
def test_influencer_weighted_non_decreasing_in_followers(frame: pd.DataFrame, f: float) -> None:
    _monotone_in(pz.policies.influencer_weighted(), frame, "followers", f)


@given(pst.query_frames(), st.floats(1.0, 1000.0))
def test_value_weighted_non_decreasing_in_value(frame: pd.DataFrame, f: float) -> None:
    _monotone_in(pz.policies.value_weighted(), frame, "lifetime_value", f)


@given(pst.policies(), pst.query_frames(urgency="given"), st.floats(0, 1))
def test_urgency_never_lowers_a_score(policy: pz.Policy, frame: pd.DataFrame, up: float) -> None:
    more = frame.copy()
    more["urgency"] = np.minimum(frame["urgency"] + up, 1.0)
    assert (policy.score_frame(more)["score"] >= policy.score_frame(frame)["score"]).all()


@given(pst.query_frames(), st.integers(0, 10_000))
def test_equal_treatment_and_fifo_are_blind_to_who(frame: pd.DataFrame, seed: int) -> None:
    rng = np.random.default_rng(seed)
    other = frame.copy()
    other["followers"] = rng.integers(0, 10**7, len(frame))
    other["lifetime_value"] = rng.uniform(0, 1e6, len(frame))
    other["purchase_count"] = rng.integers(0, 100, len(frame))
    other["total_spend"] = rng.uniform(0, 1e5, len(frame))
    now = frame["received_at"].max().to_pydatetime()
    for policy in (pz.policies.equal_treatment(), pz.policies.fifo()):
        pd.testing.assert_frame_equal(
            policy.score_frame(frame, now=now), policy.score_frame(other, now=now)
        )
        pd.testing.assert_index_equal(
            policy.rank(frame, now=now).index, policy.rank(other, now=now).index
        )


@given(pst.query_frames())
def test_fifo_is_arrival_order(frame: pd.DataFrame) -> None:
    ranked = pz.policies.fifo().rank(frame, now=frame["received_at"].max().to_pydatetime())
    expected = frame.sort_values(["received_at", "query_id"]).index
    pd.testing.assert_index_equal(ranked.index, expected)


def _sorted_by_arrival_then_id(rows: pd.DataFrame) -> bool:
    pairs = list(zip(rows["received_at"], rows["query_id"], strict=True))
    return all(a < b for a, b in pairwise(pairs))


@given(
    pst.policies(),
    pst.query_frames(),
    st.integers(0, 3000),
    st.integers(-30, 30),
    st.booleans(),
)
def test_rank_is_sorted_by_score_then_arrival(
    policy: pz.Policy, frame: pd.DataFrame, later: int, shift: int, aging: bool
) -> None:
    if not aging:  # no aging: every twin below ties with its original exactly
        policy = policy.with_changes(rules=[r for r in policy.rules if r.kind != "aging"])
    # Twins: the same evidence under another id, arriving ``shift`` minutes apart
    # (0: the same instant, so the id decides).
    twins = frame.assign(
        query_id=frame["query_id"] + "~twin",
        received_at=frame["received_at"] + pd.Timedelta(minutes=shift),
    )
    frame = pd.concat([frame, twins], ignore_index=True)
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    ranked = policy.rank(frame, now=now)
    assert list(ranked["rank"]) == list(range(1, len(frame) + 1))
    assert sorted(ranked.index) == sorted(frame.index)
    overdue = ranked["overdue"].to_numpy()
    # overdue first (nobody starves), oldest first
    assert not (np.diff(overdue.astype(int)) > 0).any()
    first = ranked[ranked["overdue"]]
    assert _sorted_by_arrival_then_id(first)
    rest = ranked[~ranked["overdue"]]
    key = rest["score"].to_numpy()
    # scores at one `now` are non-increasing (up to float noise of the static key)
    assert (np.diff(key) <= 1e-9).all()
    # then arrival, then id: rows of exactly equal score (without aging: every twin
    # and its original) are in (arrival, id) order
    if not aging:
        for _, tied in rest.groupby("score", sort=False):
            assert _sorted_by_arrival_then_id(tied), tied[["query_id", "received_at"]]
        ids = set(rest["query_id"])
        pairs = sum(1 for i in ids if not i.endswith("~twin") and i + "~twin" in ids)
        assert rest.duplicated("score").sum() >= pairs


@given(pst.policies(), st.data())
def test_aging_keeps_order_fixed_over_time(policy: pz.Policy, data: st.DataObject) -> None:
    """With linear aging the relative order of the same waiting queries never changes."""
    policy = policy.with_changes(rules=tuple(r for r in policy.rules if r.kind != "max_wait"))
    frame = data.draw(pst.query_frames(min_rows=2))
    now = frame["received_at"].max().to_pydatetime()
    later = now + timedelta(minutes=data.draw(st.integers(1, 100_000)))
    pd.testing.assert_index_equal(
        policy.rank(frame, now=now).index, policy.rank(frame, now=later).index
    )


@given(st.floats(0.01, 5.0), st.floats(0.0, 0.99), st.integers(1, 10_000))
def test_aging_overtakes_eventually(rate: float, gap: float, minutes: int) -> None:
    """An older query overtakes a newer one with a higher base score once it has waited long enough."""
    policy = pz.Policy(weights={"urgency": 1.0}, rules=[pz.rules.Aging(points_per_hour=rate)])
    t0 = pst.EPOCH
    frame = pd.DataFrame(
        {
            "query_id": ["old", "new"],
            "customer_id": ["a", "b"],
            "received_at": pd.to_datetime([t0, t0 + timedelta(minutes=minutes)], utc=True),
            "channel": ["email", "email"],
            "followers": [0, 0],
            "lifetime_value": [0.0, 0.0],
            "purchase_count": [0, 0],
            "total_spend": [0.0, 0.0],
            "days_since_last_purchase": [np.nan, np.nan],
            "urgency": [0.0, gap],
        }
    )
    head_start = minutes / 60 * rate
    now = t0 + timedelta(minutes=minutes)
    first = policy.rank(frame, now=now)["query_id"].iloc[0]
    assert first == ("old" if head_start >= gap else "new")


@given(pst.policies(), pst.customers(), pst.queries(customer_id="C1"))
def test_score_value_equals_score(
    policy: pz.Policy, customer: pz.Customer, query: pz.Query
) -> None:
    assert policy.score_value(query, customer) == policy.score(query, customer).value
