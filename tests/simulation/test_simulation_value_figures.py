"""Value figures that do not overstate: lifetime value of those who gave up, expected loss, exposure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError
from prioritize.simulation import (
    CHURN_AFTER_ABANDON,
    SUMMARY_FIELDS,
    compare,
    exposure_contributors,
    simulate,
    summarize,
)

FIFO = pz.policies.fifo()


def _records(n: int, seed: int, agents: int) -> pd.DataFrame:
    frame = pz.synthetic.queries(n, seed=seed, days=0.25, customer_ratio=0.5)
    return simulate(frame, FIFO, agents=agents, seed=seed).records


@given(
    n=st.integers(0, 150),
    seed=st.integers(0, 40),
    agents=st.integers(1, 3),
    churn=st.floats(0.0, 1.0),
)
def test_expected_loss_never_exceeds_the_lifetime_value_of_those_who_gave_up(
    n: int, seed: int, agents: int, churn: float
) -> None:
    rec = _records(n, seed, agents)
    s = summarize(rec, churn_after_abandon=churn)
    assert 0.0 <= s["expected_loss"] <= s["abandoned_lifetime_value"]
    assert s["expected_loss"] == pytest.approx(churn * s["abandoned_lifetime_value"])
    # each customer once, at their largest value: never more than the sum over queries
    gave_up = rec[rec["abandoned"]]
    per_customer = gave_up.groupby("customer_id")["lifetime_value"].max().sum()
    assert s["abandoned_lifetime_value"] == pytest.approx(per_customer)
    assert s["abandoned_lifetime_value"] <= gave_up["lifetime_value"].sum() + 1e-9
    if s["abandoned"]:
        whole = summarize(rec, churn_after_abandon=1.0)
        assert whole["expected_loss"] == whole["abandoned_lifetime_value"]


def test_churn_flows_from_simulate_and_compare() -> None:
    frame = pz.synthetic.queries(300, seed=5, days=0.25)
    default = simulate(frame, FIFO, agents=1, seed=0)
    assert default.churn_after_abandon == CHURN_AFTER_ABANDON
    half = simulate(frame, FIFO, agents=1, seed=0, churn_after_abandon=0.5)
    lost = half.summary["abandoned_lifetime_value"]
    assert lost > 0 and half.summary["expected_loss"] == pytest.approx(0.5 * lost)
    table = compare(frame, {"fifo": FIFO}, agents=1, churn_after_abandon=0.5)
    assert table.loc["fifo", "expected_loss"] == pytest.approx(0.5 * lost)
    for bad in (-0.1, 1.5, float("nan"), "0.2"):
        with pytest.raises(InputError, match="churn_after_abandon"):
            simulate(frame, FIFO, agents=1, churn_after_abandon=bad)  # type: ignore[arg-type]
    assert "value_at_risk" not in SUMMARY_FIELDS


@given(n=st.integers(0, 150), seed=st.integers(0, 40), top=st.integers(1, 500))
def test_exposure_contributors_make_up_public_exposure(n: int, seed: int, top: int) -> None:
    rec = _records(n, seed, 1)
    s = summarize(rec)
    table = exposure_contributors(rec, top=top)
    assert list(table.columns) == ["customer_id", "query_id", "followers", "share"]
    assert len(table) <= top and table["customer_id"].is_unique
    assert (np.diff(table["followers"].to_numpy()) <= 0).all()  # largest first
    everyone = exposure_contributors(rec, top=10_000)
    assert everyone["followers"].sum() == pytest.approx(s["public_exposure"])
    exposed = rec["is_public"] & (rec["abandoned"] | (rec["wait_minutes"] > 60))
    assert s["exposed_public_queries"] == int(exposed.sum())
    assert set(everyone["query_id"]) <= set(rec.loc[exposed, "query_id"])
    if s["public_exposure"] > 0:
        assert everyone["share"].sum() == pytest.approx(1.0)
        assert table["share"].iloc[0] == pytest.approx(
            table["followers"].iloc[0] / s["public_exposure"]
        )


def test_one_large_account_dominates_the_raw_sum_but_not_the_robust_count() -> None:
    rec = _records(400, 9, 1)
    rec.loc[rec.index[rec["is_public"] & rec["abandoned"]][0], "followers"] = 3_000_000
    s = summarize(rec)
    top = exposure_contributors(rec, top=1)
    assert top["followers"].iloc[0] == 3_000_000 and top["share"].iloc[0] > 0.5
    assert s["exposed_public_queries"] == summarize(_records(400, 9, 1))["exposed_public_queries"]
    with pytest.raises(InputError, match="top"):
        exposure_contributors(rec, top=0)
