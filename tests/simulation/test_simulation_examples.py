"""Hand-computed runs: the boundaries of MaxWait and patience, GroupShare credit, summary figures."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize.policy import GroupShare, MaxWait, Policy
from prioritize.simulation import band_ratios, simulate, summarize
from prioritize.testing.strategies import EPOCH


def tiny_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical frame from short rows: id, minute, handle, and optional fields."""
    data = []
    for r in rows:
        data.append(
            {
                "query_id": r["id"],
                "customer_id": r.get("customer", "C-" + r["id"]),
                "received_at": EPOCH + timedelta(minutes=r["at"]),
                "channel": r.get("channel", "chat"),
                "followers": r.get("followers", 0),
                "lifetime_value": r.get("value", 0.0),
                "purchase_count": 0,
                "total_spend": 0.0,
                "days_since_last_purchase": np.nan,
                "urgency": r.get("urgency", 0.0),
                "is_public": r.get("public", False),
                "handle_minutes": float(r["handle"]),
                "patience_minutes": float(r.get("patience", 1e6)),
            }
        )
    frame = pd.DataFrame(data)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def start_minutes(result: pz.simulation.SimulationResult) -> dict[str, float]:
    rec = result.records
    minutes = (rec["started_at"] - pd.Timestamp(EPOCH)).dt.total_seconds() / 60.0
    return dict(zip(rec["query_id"], minutes.to_numpy(na_value=np.nan), strict=True))


URGENT = Policy(weights={"urgency": 1.0})


def test_waiting_exactly_the_max_wait_is_not_overdue(check: Any) -> None:
    # B has waited exactly 5 minutes at t=10: not overdue, so urgent C goes first.
    frame = tiny_frame(
        [
            {"id": "A", "at": 0, "handle": 10},
            {"id": "B", "at": 5, "handle": 1, "urgency": 0.0},
            {"id": "C", "at": 6, "handle": 1, "urgency": 1.0},
        ]
    )
    result = simulate(frame, URGENT.with_changes(rules=(MaxWait(minutes=5),)), agents=1)
    check(frame, result, 1)
    assert start_minutes(result) == {"A": 0.0, "C": 10.0, "B": 11.0}
    # One minute less of patience for the limit and B is overdue, served first.
    result = simulate(frame, URGENT.with_changes(rules=(MaxWait(minutes=4),)), agents=1)
    assert start_minutes(result) == {"A": 0.0, "B": 10.0, "C": 11.0}


def test_waiting_exactly_the_patience_is_served(check: Any) -> None:
    frame = tiny_frame(
        [
            {"id": "A", "at": 0, "handle": 10},
            {"id": "B", "at": 0, "handle": 1, "patience": 10},  # waits exactly 10: served
            {"id": "C", "at": 2, "handle": 1, "patience": 9},  # waits exactly 9: served
            {"id": "D", "at": 3, "handle": 1, "patience": 8.5},  # would wait 9: gives up
        ]
    )
    result = simulate(frame, pz.policies.fifo(), agents=1)
    check(frame, result, 1)
    starts = start_minutes(result)
    assert {k: starts[k] for k in "ABC"} == {"A": 0.0, "B": 10.0, "C": 11.0}
    rec = result.records.set_index("query_id")
    assert rec["abandoned"].tolist() == [False, False, False, True]
    assert rec.loc["D", "wait_minutes"] == 8.5
    assert math.isnan(starts["D"])


def test_overdue_starts_earn_group_share_credit(check: Any) -> None:
    # Two overdue chat starts (t=30, 31) each book 0.5 credit for the backlogged
    # email group (ShareLedger.record), so at t=32 email holds 1.5 >= 1 and its
    # routine query E goes before the urgent chat query C3.
    chat = {"channel": "chat", "urgency": 1.0}
    frame = tiny_frame(
        [
            {"id": "X", "at": 0, "handle": 30, **chat},
            {"id": "C1", "at": 1, "handle": 1, **chat},
            {"id": "C2", "at": 2, "handle": 1, **chat},
            {"id": "C3", "at": 24, "handle": 1, **chat},
            {"id": "E", "at": 25, "handle": 1, "channel": "email", "urgency": 0.0},
            {"id": "C4", "at": 26, "handle": 1, **chat},
        ]
    )
    rules = (MaxWait(minutes=10), GroupShare(group="channel", shares={"email": 0.5}))
    result = simulate(frame, URGENT.with_changes(rules=rules), agents=1)
    check(frame, result, 1)
    starts = start_minutes(result)
    assert starts == {"X": 0.0, "C1": 30.0, "C2": 31.0, "C3": 33.0, "E": 32.0, "C4": 34.0}


def test_group_share_without_credit_follows_the_score(check: Any) -> None:
    # No MaxWait: from t=30 the backlogged email group earns 0.5 per start. At
    # t=30 its credit is 0.5 < 1, so urgent C1 goes; at t=31 it reaches 1.0 and
    # routine E goes before the urgent C2 and C3.
    chat = {"channel": "chat", "urgency": 1.0}
    frame = tiny_frame(
        [
            {"id": "X", "at": 0, "handle": 30, **chat},
            {"id": "C1", "at": 1, "handle": 1, **chat},
            {"id": "C2", "at": 2, "handle": 1, **chat},
            {"id": "C3", "at": 3, "handle": 1, **chat},
            {"id": "E", "at": 4, "handle": 1, "channel": "email", "urgency": 0.0},
        ]
    )
    rules = (GroupShare(group="channel", shares={"email": 0.5}),)
    result = simulate(frame, URGENT.with_changes(rules=rules), agents=1)
    check(frame, result, 1)
    assert start_minutes(result) == {"X": 0.0, "C1": 30.0, "E": 31.0, "C2": 32.0, "C3": 33.0}


def test_a_start_on_an_idle_agent_resets_group_credit(check: Any) -> None:
    # Every service start books GroupShare, also a query that finds an idle agent
    # (as TriageQueue push + pop would). Email ends the first busy period with
    # 0.8 credit; Y's start at t=20, when email has no backlog, resets it to 0,
    # so at t=30 email has 0.9 < 1 and urgent C2 goes before routine E2.
    chat = {"channel": "chat", "urgency": 1.0}
    email = {"channel": "email", "urgency": 0.0}
    frame = tiny_frame(
        [
            {"id": "X", "at": 0, "handle": 10, **chat},
            {"id": "E1", "at": 1, "handle": 1, **email},
            {"id": "C1", "at": 2, "handle": 1, **chat},
            {"id": "Y", "at": 20, "handle": 10, **chat},
            {"id": "E2", "at": 21, "handle": 1, **email},
            {"id": "C2", "at": 22, "handle": 1, **chat},
            {"id": "C3", "at": 23, "handle": 1, **chat},
        ]
    )
    rules = (GroupShare(group="channel", shares={"email": 0.9}),)
    result = simulate(frame, URGENT.with_changes(rules=rules), agents=1)
    check(frame, result, 1)
    assert start_minutes(result) == {
        "X": 0.0,
        "E1": 11.0,
        "C1": 10.0,
        "Y": 20.0,
        "E2": 31.0,
        "C2": 30.0,
        "C3": 32.0,
    }


def test_summary_figures_by_hand(check: Any) -> None:
    # One agent, FIFO. A 0-10; B waits 10 (served 10-20); C (public, 5k followers,
    # value 300) arrives at 1 with patience 3: abandons, waited 3. D (public, 50k
    # followers) arrives at 2 and waits 18 (served at 20). E is the same customer
    # as C, abandons too; counted once in value at risk (largest value, 300).
    frame = tiny_frame(
        [
            {"id": "A", "at": 0, "handle": 10},
            {"id": "B", "at": 0, "handle": 10},
            {
                "id": "C",
                "at": 1,
                "handle": 5,
                "patience": 3,
                "public": True,
                "followers": 5_000,
                "value": 300.0,
                "customer": "K",
            },
            {"id": "D", "at": 2, "handle": 5, "public": True, "followers": 50_000},
            {"id": "E", "at": 3, "handle": 5, "patience": 4, "value": 200.0, "customer": "K"},
        ]
    )
    result = simulate(frame, pz.policies.fifo(), agents=1)
    check(frame, result, 1)
    s = result.summary
    assert (s["arrived"], s["served"], s["abandoned"]) == (5, 3, 2)
    assert s["abandon_rate"] == 0.4
    assert s["mean_wait_minutes"] == pytest.approx((0 + 10 + 18) / 3)
    assert s["max_wait_minutes"] == 18.0
    assert s["p50_wait_minutes"] == 10.0
    assert s["within_5_min"] == 0.2
    assert s["within_60_min"] == 0.6
    assert s["within_patience"] == 0.6
    assert s["abandoned_lifetime_value"] == 300.0  # customer K gave up twice, counted once
    assert s["expected_loss"] == pytest.approx(0.2 * 300.0)  # the default churn probability
    assert s["public_exposure"] == 5_000.0  # C abandoned on a public post; D waited < 60
    assert s["exposed_public_queries"] == 1
    # bands: followers <1k (A, B, E), 1k-10k (C), 10k-100k (D)
    wait_ratio, four_fifths = band_ratios(result.records, group="follower_band")
    assert wait_ratio == pytest.approx(5.0 / 18.0)  # <1k mean (0+10)/2 vs 18
    assert four_fifths == 0.0  # C's band answered nobody; D's band everyone
    assert s["wait_ratio_follower_band"] == wait_ratio
    pd.testing.assert_series_equal(summarize(result.records, name="fifo"), s)


def test_public_exposure_counts_long_public_waits() -> None:
    frame = tiny_frame(
        [
            {"id": "A", "at": 0, "handle": 70},
            {"id": "B", "at": 0, "handle": 1, "public": True, "followers": 1_234},
            {"id": "C", "at": 0, "handle": 1, "public": False, "followers": 99_999},
        ]
    )
    s = simulate(frame, pz.policies.fifo(), agents=1).summary
    assert s["public_exposure"] == 1_234.0
    assert s["exposed_public_queries"] == 1
    assert s["abandoned_lifetime_value"] == 0.0 and s["expected_loss"] == 0.0


def test_is_public_defaults_to_the_channel() -> None:
    frame = tiny_frame(
        [{"id": "A", "at": 0, "handle": 1, "channel": "twitter"}, {"id": "B", "at": 0, "handle": 1}]
    ).drop(columns=["is_public"])
    rec = simulate(frame, pz.policies.fifo(), agents=1).records
    assert rec["is_public"].tolist() == [True, False]


def test_score_at_start_includes_aging() -> None:
    frame = tiny_frame(
        [
            {"id": "A", "at": 0, "handle": 60, "urgency": 0.2},
            {"id": "B", "at": 0, "handle": 1, "urgency": 0.1},
        ]
    )
    policy = Policy(weights={"urgency": 1.0}, rules=(pz.rules.Aging(points_per_hour=0.5),))
    rec = simulate(frame, policy, agents=1).records.set_index("query_id")
    assert rec.loc["A", "score_at_start"] == pytest.approx(0.2)
    assert rec.loc["B", "score_at_start"] == pytest.approx(0.1 + 0.5)
