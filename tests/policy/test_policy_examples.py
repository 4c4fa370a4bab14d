"""Example-based tests: exact numbers, explanations, presets, config I/O."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from pydantic import ValidationError

import prioritize as pz
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def make(followers: int = 0, value: float = 0.0, urgency: float | None = 0.5, text: str = ""):
    q = pz.Query(
        query_id="q1",
        customer_id="c1",
        received_at=T0,
        channel="twitter",
        text=text,
        urgency=urgency,
    )
    c = pz.Customer(customer_id="c1", followers=followers, lifetime_value=value)
    return q, c


def test_score_is_weighted_sum_with_documented_normalisers() -> None:
    p = pz.Policy(weights={"follower_reach": 0.5, "urgency": 0.5, "crm_value": 1.0})
    q, c = make(followers=10_000, value=100.0, urgency=0.4)
    s = p.score(q, c)
    reach = math.log1p(10_000) / math.log1p(1_000_000)
    value = math.log1p(100.0) / math.log1p(10_000)
    assert s.value == pytest.approx(0.5 * reach + 0.5 * 0.4 + value, abs=1e-12)
    assert s.signals["follower_reach"] == pytest.approx(reach)
    assert s.contributions["aging"] == 0.0
    assert s.contributions["purchase_history"] == 0.0
    assert "purchase_history" not in s.signals  # zero weight: not even computed


def test_signals_saturate_at_one() -> None:
    p = pz.Policy(weights={"follower_reach": 1.0, "crm_value": 1.0})
    q, c = make(followers=50_000_000, value=1e9)
    assert p.score(q, c).value == 2.0


def test_purchase_history_rfm() -> None:
    p = pz.Policy(weights={"purchase_history": 1.0})
    q, _ = make()
    never = pz.Customer(customer_id="c1")
    assert p.score(q, never).value == 0.0
    c = pz.Customer(
        customer_id="c1", purchase_count=19, total_spend=4999.0, days_since_last_purchase=90.0
    )
    expected = (
        0.4 * 0.5 + 0.4 * (math.log(20) / math.log(21)) + 0.2 * (math.log(5000) / math.log(5001))
    )
    assert p.score(q, c).value == pytest.approx(expected, abs=1e-12)


def test_aging_points_and_now() -> None:
    p = pz.Policy(weights={"urgency": 1.0}, rules=[pz.rules.Aging(points_per_hour=0.5)])
    q, c = make(urgency=0.2)
    s = p.score(q, c, now=T0 + timedelta(minutes=90))
    assert s.waited_minutes == 90.0
    assert s.contributions["aging"] == pytest.approx(0.75)
    assert s.value == pytest.approx(0.95)
    assert any(r.startswith("aging") for r in s.rules)
    assert p.score(q, c).value == pytest.approx(0.2)  # now=None: at arrival


def test_cap_acts_and_is_explained() -> None:
    p = pz.policies.balanced()
    q, c = make(followers=2_000_000, urgency=1.0)
    s = p.score(q, c)
    assert s.contributions["follower_reach"] == 0.1
    assert any(r.startswith("cap(follower_reach") for r in s.rules)
    text = s.explain()
    assert text.startswith("q1: score ") and "urgency 0.400" in text and "cap(" in text


def test_explain_without_signals_says_arrival_order() -> None:
    q, c = make()
    assert "arrival order" in pz.policies.fifo().score(q, c).explain()


def test_urgency_from_text_when_not_given() -> None:
    p = pz.Policy(weights={"urgency": 1.0})
    q, c = make(urgency=None, text="Still waiting for my REFUND!!")
    s = p.score(q, c)
    assert s.value == pytest.approx(pz.signals.text_urgency(q.text))
    assert s.value > 0.8


def test_query_after_now_is_an_error_naming_it() -> None:
    p = pz.policies.balanced()
    q, c = make()
    with pytest.raises(pz.InputError, match="'q1'.*after now"):
        p.score(q, c, now=T0 - timedelta(seconds=1))


def test_naive_now_is_an_error() -> None:
    q, c = make()
    with pytest.raises(pz.InputError, match="timezone-aware"):
        pz.policies.fifo().score(q, c, now=datetime(2026, 3, 2, 10))


def test_customer_mismatch_is_an_error() -> None:
    q, _ = make()
    with pytest.raises(pz.InputError, match="customer 'c1' but was scored with customer 'x'"):
        pz.policies.fifo().score(q, pz.Customer(customer_id="x"))


def test_presets_have_documented_weights_and_rules() -> None:
    et = pz.policies.equal_treatment()
    assert et.weights == pz.Weights(urgency=1.0)
    assert et.aging is not None and et.aging.points_per_hour == 0.5
    assert et.max_wait is not None and et.max_wait.minutes == 1440
    iw = pz.policies.influencer_weighted()
    assert iw.weights.follower_reach == 0.6 and not iw.rules
    bal = pz.policies.balanced()
    assert sum(bal.weights.model_dump().values()) == pytest.approx(1.0)
    for make_preset in pz.policies.PRESETS.values():
        p = make_preset()
        assert (p.__doc__ and make_preset.__doc__ and "Weights" in make_preset.__doc__) or (
            make_preset is pz.policies.fifo
        )
        assert p == make_preset()  # values, compare equal


def test_policy_is_frozen_and_with_changes_returns_new() -> None:
    p = pz.policies.balanced()
    with pytest.raises(ValidationError):
        p.name = "x"  # type: ignore[misc]
    q = p.with_changes(weights={"follower_reach": 0.0})
    assert q.weights.follower_reach == 0.0 and q.weights.urgency == 0.4
    assert p.weights.follower_reach == 0.2


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"weights": {"followers": 1.0}}, ("weights", "followers"), "Extra inputs"),
        ({"weights": {"urgency": -1}}, ("weights", "urgency"), "greater than or equal to 0"),
        ({"weights": {"urgency": float("nan")}}, ("weights", "urgency"), "finite number"),
        ({"rules": [{"kind": "nope"}]}, ("rules", 0), "does not match any of the expected tags"),
        (
            {"rules": [{"kind": "cap", "signal": "x", "max_points": 1}]},
            ("rules", 0, "cap", "signal"),
            "Input should be",
        ),
        (
            {"rules": [{"kind": "blind", "signals": []}]},
            ("rules", 0, "blind", "signals"),
            "at least 1",
        ),
        (
            {"rules": [{"kind": "aging", "points_per_hour": -1}]},
            ("rules", 0, "aging", "points_per_hour"),
            "greater than or equal",
        ),
        (
            {"rules": [{"kind": "max_wait", "minutes": 0}]},
            ("rules", 0, "max_wait", "minutes"),
            "greater than 0",
        ),
        (
            {"rules": [{"kind": "max_wait", "minutes": 5, "per_channel": {"pigeon": 3}}]},
            ("rules", 0, "max_wait", "per_channel", "pigeon", "[key]"),
            "Input should be",
        ),
        (
            {
                "rules": [
                    {"kind": "group_share", "group": "channel", "shares": {"a": 0.7, "b": 0.6}}
                ]
            },
            ("rules", 0, "group_share"),
            "at most 1",
        ),
        (
            {
                "rules": [
                    {"kind": "aging", "points_per_hour": 1},
                    {"kind": "aging", "points_per_hour": 2},
                ]
            },
            (),
            "at most one 'aging'",
        ),
        ({"signals": {"purchase": {"recency_weight": 0.9}}}, ("signals", "purchase"), "must be 1"),
        (
            {"signals": {"urgency": {"phrases": {"refund": 1.0}}}},
            ("signals", "urgency", "phrases"),
            "2 to 4 words",
        ),
        ({"colour": "red"}, ("colour",), "Extra inputs"),
    ],
)
def test_bad_config_names_the_key(data: dict, loc: tuple, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        pz.Policy.model_validate(data)
    errors = info.value.errors(include_url=False)
    assert any(tuple(e["loc"])[: len(loc)] == loc and message in e["msg"] for e in errors), errors
    assert isinstance(info.value, ValueError)


@given(pst.policies())
def test_config_round_trip(policy: pz.Policy) -> None:
    assert pz.Policy.model_validate(policy.model_dump()) == policy
    assert pz.Policy.model_validate_json(policy.model_dump_json()) == policy


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("name", list(pz.policies.PRESETS))
def test_file_round_trip(tmp_path: Path, suffix: str, name: str) -> None:
    policy = pz.policies.PRESETS[name]()
    policy = policy.with_changes(
        rules=(
            *[r for r in policy.rules if r.kind != "max_wait"],
            pz.rules.MaxWait(minutes=30, per_channel={"twitter": 60, "email": 1440}),
            pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.5, "100k+": 0.1}),
        )
    )
    path = policy.to_file(tmp_path / f"p{suffix}")
    assert pz.Policy.from_file(path) == policy


def test_example_policy_file_loads() -> None:
    p = pz.Policy.from_file(EXAMPLES / "balanced.toml")
    assert p.weights == pz.policies.balanced().weights
    assert p.rules == pz.policies.balanced().rules


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("weights = {urgency = }\n")
    with pytest.raises(pz.ConfigError, match="bad.toml: not valid TOML"):
        pz.Policy.from_file(bad)
    other = tmp_path / "p.yaml"
    other.write_text("x: 1")
    with pytest.raises(pz.ConfigError, match="use .toml or .json"):
        pz.Policy.from_file(other)
    unknown = tmp_path / "u.json"
    unknown.write_text(json.dumps({"rules": [{"kind": "vip_first"}]}))
    with pytest.raises(ValidationError, match="vip_first"):
        pz.Policy.from_file(unknown)


def test_max_wait_per_channel_in_rank() -> None:
    frame = pz.synthetic.queries(200, seed=3, days=0.5)
    p = pz.Policy(
        weights={"follower_reach": 1.0},
        rules=[pz.rules.MaxWait(minutes=10_000, per_channel={"email": 60})],
    )
    now = frame["received_at"].max().to_pydatetime()
    ranked = p.rank(frame, now=now)
    waited = (now - ranked["received_at"]).dt.total_seconds() / 60
    channel = frame.loc[ranked.index, "channel"].astype(str)
    expect_overdue = (channel == "email") & (waited > 60)
    assert (ranked["overdue"] == expect_overdue).all()
    assert expect_overdue.any()
    n = int(expect_overdue.sum())
    assert ranked["overdue"].iloc[:n].all()


def test_score_frame_on_synthetic_matches_scalar_spot_check() -> None:
    frame = pz.synthetic.queries(300, seed=5)
    p = pz.policies.balanced()
    now = frame["received_at"].max().to_pydatetime()
    scores = p.score_frame(frame, now=now)
    assert list(scores.columns) == [
        "score",
        "crm_value",
        "purchase_history",
        "follower_reach",
        "urgency",
        "negativity",
        "aging",
    ]
    row = frame.iloc[17]
    q = pz.Query(
        query_id=row.query_id,
        customer_id=row.customer_id,
        received_at=row.received_at.to_pydatetime(),
        channel=row.channel,
        urgency=row.urgency,
    )
    days = row.days_since_last_purchase
    c = pz.Customer(
        customer_id=row.customer_id,
        followers=int(row.followers),
        lifetime_value=row.lifetime_value,
        purchase_count=int(row.purchase_count),
        total_spend=row.total_spend,
        days_since_last_purchase=None if np.isnan(days) else days,
    )
    assert p.score(q, c, now=now).value == pytest.approx(scores["score"].iloc[17], abs=1e-9)
