"""The audit report: variance shares, rank shifts per attribute, gaming and simulated waits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import prioritize as pz
from prioritize.audit import AUDIT_CHANGES, AuditReport, audit, gaming, variance_share
from prioritize.testing import strategies as pst

CONTRIBUTIONS = [
    "crm_value",
    "purchase_history",
    "follower_reach",
    "urgency",
    "negativity",
    "aging",
]


@settings(max_examples=40)
@given(pst.policies(), pst.query_frames(min_rows=2, max_rows=15))
def test_variance_shares_sum_to_one(policy, frame) -> None:
    now = frame["received_at"].max().to_pydatetime()
    shares = variance_share(policy.score_frame(frame, now=now))
    assert list(shares.index) == CONTRIBUTIONS
    if not shares.isna().all():
        # five contributions on two near-equal rows: rounding of cov/var, not a bias
        assert shares.sum() == pytest.approx(1.0, abs=1e-6)
        for name in policy.blind_signals:
            assert shares[name] == 0


def test_variance_share_hand_example() -> None:
    # Two uncorrelated contributions: shares are their variance fractions.
    scores = pd.DataFrame(dict.fromkeys(CONTRIBUTIONS, np.zeros(4)))
    scores["urgency"] = [0.0, 1.0, 0.0, 1.0]  # variance 0.25
    scores["crm_value"] = [0.0, 0.0, 2.0, 2.0]  # variance 1.0, uncorrelated with urgency
    scores["score"] = scores[CONTRIBUTIONS].sum(axis=1)
    shares = variance_share(scores)
    assert shares["urgency"] == pytest.approx(0.2)
    assert shares["crm_value"] == pytest.approx(0.8)
    # Perfectly opposed contributions: the covariance is split equally, so a
    # share can be negative, and the shares still sum to 1.
    scores["aging"] = -0.5 * scores["crm_value"]
    scores["score"] = scores[CONTRIBUTIONS].sum(axis=1)
    shares = variance_share(scores)
    assert shares["aging"] < 0 and shares.sum() == pytest.approx(1.0)


def test_variance_share_all_equal_is_nan() -> None:
    frame = pz.synthetic.queries(20, seed=1)
    assert variance_share(pz.policies.fifo().score_frame(frame)).isna().all()


def test_report_of_a_blind_policy() -> None:
    frame = pz.synthetic.queries(80, seed=11, days=0.1)
    report = audit(frame, pz.policies.equal_treatment())
    assert isinstance(report, AuditReport)
    assert report.queries == 80 and report.policy == "equal_treatment"
    assert report.now == frame["received_at"].max().to_pydatetime()
    shares = report.signal_variance_share
    assert shares[["crm_value", "purchase_history", "follower_reach"]].eq(0).all()
    assert shares["urgency"] + shares["aging"] == pytest.approx(1.0)
    assert shares["urgency"] > 0
    table = report.rank_shift
    assert list(table.index) == list(AUDIT_CHANGES)
    assert (table.loc[["followers", "lifetime_value", "purchase_history"], "moved"] == 0).all()
    assert table.loc["urgency", "moved"] > 0
    assert report.simulation is None and report.disparities == {}


def test_report_text_and_frames_with_simulation() -> None:
    frame = pz.synthetic.queries(150, seed=12, days=0.25)
    report = audit(frame, pz.policies.influencer_weighted(), simulate=True, agents=3, seed=1)
    assert report.rank_shift.loc["followers", "mean_rank_shift"] > 0
    assert report.gaming.summary.loc["followers_x10", "mean_rank_gain"] > 0
    frames = report.to_frames()
    for name in ("signal_variance_share", "rank_shift", "gaming", "simulation_summary"):
        assert isinstance(frames[name], pd.DataFrame)
    for group in ("follower_band", "value_band"):
        table = frames[f"disparity_{group}"]
        assert list(table.columns) == [
            "count",
            "mean_wait_answered",  # deliberately renamed: one definition of a wait by group
            "p90_wait_answered",
            "within_60_min",
            "abandon_rate",
        ]
        assert table["count"].sum() == 150
        records = report.simulation.records
        answered = records[~records["abandoned"]]
        waits = answered.groupby(group, observed=True)["wait_minutes"].mean()
        np.testing.assert_allclose(table["mean_wait_answered"], waits.loc[table.index.astype(str)])
    text = report.to_text()
    for part in ("'influencer_weighted'", "follower_reach", "followers_x10", "By follower_band:"):
        assert part in text
    assert "derive_urgency=True" in text  # urgency is given: text gaming is not measurable


def test_report_can_audit_the_text_lexicon() -> None:
    frame = pz.synthetic.queries(40, seed=3, days=0.1)
    policy = pz.policies.equal_treatment()
    report = audit(frame, policy, derive_urgency=True)
    expected = gaming(frame, policy, derive_urgency=True).summary
    pd.testing.assert_frame_equal(report.gaming.summary, expected)
    assert (report.gaming.summary.loc[["caps", "urgent_word"], "applicable"] == 40).all()
    # Only the gaming part derives urgency: the counterfactuals keep the given one.
    given = audit(frame, policy)
    for label, result in given.counterfactuals.items():
        pd.testing.assert_frame_equal(result.queries, report.counterfactuals[label].queries)


def test_report_of_fifo_says_arrival_decides() -> None:
    report = audit(pz.synthetic.queries(20, seed=2, days=0.05), pz.policies.fifo())
    assert "arrival order alone decides" in report.to_text()
    assert math.isnan(report.signal_variance_share["urgency"])


def test_bad_simulation_arguments() -> None:
    frame = pz.synthetic.queries(10, seed=1)
    with pytest.raises(pz.InputError, match="needs agents"):
        audit(frame, pz.policies.balanced(), simulate=True)
    with pytest.raises(pz.InputError, match="only apply with simulate=True"):
        audit(frame, pz.policies.balanced(), agents=2)
    with pytest.raises(pz.InputError, match="agents"):
        audit(frame, pz.policies.balanced(), simulate=True, agents=0)
