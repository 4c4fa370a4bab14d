"""Policies, simulation results and queue snapshots cross process boundaries (pickle)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import prioritize as pz
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _declared() -> pz.Policy:
    return pz.Policy(
        name="declared",
        weights={"urgency": 0.4, "churn_risk": 0.3, "vip": 0.3},
        rules=[pz.rules.Aging(points_per_hour=0.5), pz.rules.MaxWait(minutes=120)],
        signals={
            "custom": {
                "churn_risk": {"input": "churn", "normaliser": "identity"},
                "vip": {
                    "input": "ltv_tier",
                    "normaliser": {"kind": "tiers", "thresholds": [5000], "levels": [1.0]},
                },
            }
        },
    )


DECLARED = _declared()
POLICIES = {name: factory() for name, factory in pz.policies.PRESETS.items()} | {
    "declared": DECLARED
}


def _frame(n: int = 12) -> pd.DataFrame:
    frame = pz.synthetic.queries(n, seed=3)
    rng = np.random.default_rng(0)
    return frame.assign(churn=rng.random(n), ltv_tier=rng.choice([0.0, 4999.0, 5000.0, 8e4], n))


def _roundtrip(obj: object) -> object:
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("name", list(POLICIES))
def test_a_scored_policy_pickles_to_an_equal_policy_that_scores_the_same(name: str) -> None:
    policy = POLICIES[name]
    frame = _frame()
    now = frame["received_at"].max() + pd.Timedelta(minutes=30)
    before = policy.score_frame(frame, now=now)  # fills the plan and the urgency cache
    query = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="twitter",
                     text="still broken!!")  # fmt: skip
    customer = pz.Customer(
        customer_id="c", followers=5000, attributes={"ltv_tier": 6000.0, "churn": 0.5}
    )
    scored = policy.score(query, customer, now=T0 + timedelta(hours=1))
    back = _roundtrip(policy)
    assert isinstance(back, pz.Policy) and back == policy
    pd.testing.assert_frame_equal(back.score_frame(frame, now=now), before)
    again = back.score(query, customer, now=T0 + timedelta(hours=1))
    assert again.value == scored.value and again.contributions == scored.contributions
    assert back.rank(frame, now=now.to_pydatetime()).equals(policy.rank(frame, now=now))


def test_the_pickle_holds_configuration_not_the_compiled_plan() -> None:
    fresh = pickle.dumps(_declared())
    policy = _declared()
    policy.score_frame(_frame())  # compiles nothing new, but fills the urgency cache
    policy.score(pz.Query(query_id="q", customer_id="c", received_at=T0, channel="chat",
                          text="urgent!"),
                 pz.Customer(customer_id="c", attributes={"churn": 0.1, "ltv_tier": 1.0}))  # fmt: skip
    data = pickle.dumps(policy)
    assert b"_plan" not in data and b"Plan" not in data
    # Exactly the pickle of the same configuration never used: no cache travels.
    assert data == fresh


@given(policy=pst.policies())
@settings(max_examples=25, deadline=None)
def test_any_policy_round_trips(policy: pz.Policy) -> None:
    back = _roundtrip(policy)
    assert back == policy
    assert back.signal_names == policy.signal_names
    assert back.aging_rate_per_minute == policy.aging_rate_per_minute


def test_simulation_results_pickle() -> None:
    frame = pz.synthetic.queries(60, seed=1, days=1)
    result = pz.simulate(frame, pz.policies.balanced(), agents=2, seed=0)
    _ = result.summary
    back = _roundtrip(result)
    assert isinstance(back, pz.SimulationResult)
    pd.testing.assert_frame_equal(back.records, result.records)
    pd.testing.assert_series_equal(back.summary, result.summary)


def test_queue_snapshots_pickle_and_rebuild_the_same_queue() -> None:
    policy = POLICIES["declared"]
    frame = _frame(8)
    queue = pz.TriageQueue(policy)
    queue.push_frame(frame)
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=5)
    snap = queue.snapshot(now=now)
    back = _roundtrip(snap)
    pd.testing.assert_frame_equal(back, snap)
    # The policy travels too: a queue rebuilt from the frame in another process
    # serves in the same order.
    other = pz.TriageQueue(_roundtrip(policy))
    other.push_frame(_roundtrip(frame))
    assert list(other.snapshot(now=now)["query_id"]) == list(snap["query_id"])


class TieredPolicy(pz.Policy):
    """A subclass with a field of its own (module level, so it pickles)."""

    team: str = "support"


def test_subclassed_policies_pickle_as_their_class() -> None:
    policy = TieredPolicy(name="t", team="vip", weights={"urgency": 1.0})
    back = _roundtrip(policy)
    assert type(back) is TieredPolicy and back == policy and back.team == "vip"
