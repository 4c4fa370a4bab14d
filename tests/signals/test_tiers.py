"""The tier (step) normaliser: "VIP customers (lifetime value of 5,000 or more) get +0.3"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.signals import SCALAR, VECTOR, Tiers

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VIP = pz.Policy(
    name="vip_bonus",
    weights={"urgency": 0.7, "vip": 0.3},
    signals={
        "custom": {
            "vip": {
                "input": "lifetime_value_eur",
                "normaliser": {"kind": "tiers", "thresholds": [5000], "levels": [1.0]},
            }
        }
    },
)


def test_readme_example_vip_customers_get_point_three() -> None:
    query = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="email", urgency=0.5)
    ordinary = pz.Customer(customer_id="c", attributes={"lifetime_value_eur": 4999.99})
    vip = pz.Customer(customer_id="c", attributes={"lifetime_value_eur": 5000})
    assert VIP.score(query, ordinary).value == pytest.approx(0.35)
    assert VIP.score(query, vip).value == pytest.approx(0.35 + 0.3)


def test_levels_step_at_each_threshold_inclusive() -> None:
    tiers = Tiers(thresholds=[1000, 5000, 20000], levels=[0.25, 0.6, 1.0])
    values = [-1.0, 0.0, 999.99, 1000.0, 4999.0, 5000.0, 19999.0, 20000.0, 1e9]
    expected = [0.0, 0.0, 0.0, 0.25, 0.25, 0.6, 0.6, 1.0, 1.0]
    assert [tiers.apply(v, SCALAR) for v in values] == expected
    assert tiers.apply(np.array(values), VECTOR).tolist() == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"thresholds": [5000, 1000], "levels": [0.5, 1.0]}, "thresholds must ascend strictly"),
        ({"thresholds": [1000, 1000], "levels": [0.5, 1.0]}, "thresholds must ascend strictly"),
        ({"thresholds": [1000], "levels": [1.5]}, "less than or equal to 1"),
        ({"thresholds": [1000], "levels": [-0.1]}, "greater than or equal to 0"),
        ({"thresholds": [1000, 2000], "levels": [1.0]}, "one level per threshold"),
        ({"thresholds": [], "levels": []}, "at least 1 item"),
        ({"thresholds": [float("inf")], "levels": [1.0]}, "finite number"),
        ({"thresholds": [1.0], "levels": [1.0], "extra": 1}, "Extra inputs"),
    ],
)
def test_bad_tiers_are_validation_errors_naming_the_key(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Tiers.model_validate(spec)
    # Inside a policy, the location names the signal.
    with pytest.raises(ValidationError, match=r"signals\.custom\.vip"):
        pz.Policy(
            weights={"vip": 1.0},
            signals={"custom": {"vip": {"input": "x", "normaliser": {"kind": "tiers", **spec}}}},
        )


@st.composite
def tier_tables(draw: st.DrawFn) -> Tiers:
    thresholds = draw(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6, unique=True)
    )
    levels = draw(st.lists(st.floats(0, 1), min_size=len(thresholds), max_size=len(thresholds)))
    return Tiers(thresholds=sorted(thresholds), levels=levels)


@given(tiers=tier_tables(), xs=st.lists(st.floats(-2e6, 2e6, allow_nan=False), max_size=30))
def test_scalar_equals_vector_and_the_value_is_the_level_of_the_highest_threshold_reached(
    tiers: Tiers, xs: list[float]
) -> None:
    vector = tiers.apply(np.array(xs, dtype=float), VECTOR)
    for x, v in zip(xs, vector, strict=True):
        s = tiers.apply(x, SCALAR)
        assert s == v
        reached = [lvl for t, lvl in zip(tiers.thresholds, tiers.levels, strict=True) if x >= t]
        assert s == (reached[-1] if reached else 0.0)
        assert 0.0 <= s <= 1.0


@given(
    tiers=tier_tables(), xs=st.lists(st.floats(-2e6, 2e6, allow_nan=False), min_size=1, max_size=8)
)
def test_one_query_scores_as_its_row_in_a_frame(tiers: Tiers, xs: list[float]) -> None:
    policy = pz.Policy(
        weights={"tier": 1.0},
        signals={"custom": {"tier": {"input": "x", "normaliser": tiers.model_dump()}}},
    )
    frame = pz.synthetic.queries(len(xs), seed=0).assign(x=xs)
    column = policy.score_frame(frame)["tier"].to_numpy()
    for x, got in zip(xs, column, strict=True):
        q = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="chat", urgency=0.0)
        c = pz.Customer(customer_id="c", attributes={"x": x})
        assert policy.score(q, c).contributions["tier"] == got


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_tiers_round_trip_through_files(tmp_path: Path, suffix: str) -> None:
    policy = VIP.with_changes(
        signals={
            "custom": {
                "vip": {
                    "input": "lifetime_value_eur",
                    "normaliser": {
                        "kind": "tiers",
                        "thresholds": [1000, 5000.5, 20000],
                        "levels": [0.2, 0.6, 1.0],
                    },
                }
            }
        }
    )
    loaded = pz.Policy.from_file(policy.to_file(tmp_path / f"vip{suffix}"))
    assert loaded == policy
    frame = pz.synthetic.queries(6, seed=2).assign(
        lifetime_value_eur=[0.0, 1000.0, 5000.49, 5000.5, 19999.0, 1e6]
    )
    pd.testing.assert_frame_equal(loaded.score_frame(frame), policy.score_frame(frame))
    assert policy.score_frame(frame)["vip"].tolist() == pytest.approx(
        [0.0, 0.3 * 0.2, 0.3 * 0.2, 0.3 * 0.6, 0.3 * 0.6, 0.3 * 1.0]
    )
