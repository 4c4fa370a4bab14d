"""Retries with a drawn delay and less patience: accounting, pairing and common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.simulation import Exponential, LogNormal, simulate

DELAYS: list[Any] = [
    20.0,
    {"kind": "exponential", "mean_minutes": 20.0},
    {"kind": "lognormal", "median_minutes": 5.0, "sigma": 1.5},
    {"kind": "constant", "minutes": 0.5},
    Exponential(3.0),
    LogNormal(10.0, 0.5),
]


def _frame(n: int, seed: int) -> pd.DataFrame:
    """A day of ``n`` queries with handle times scaled to about 1.4 agents of work."""
    frame = pz.synthetic.queries(n, seed=seed, days=1)
    frame["handle_minutes"] *= 200 / n
    return frame


def _previous(rec: pd.DataFrame) -> pd.DataFrame:
    """For each retry row, the attempt before it (by query id)."""
    later = rec[rec["attempt"] > 1]
    before = [
        q if a == 2 else f"{q}#{a - 1}"
        for q, a in zip(later["first_query_id"], later["attempt"], strict=True)
    ]
    return rec.set_index("query_id").loc[before]


def _delays(rec: pd.DataFrame, attempt: int | None = None) -> pd.Series:
    """Minutes from the previous attempt giving up to each retry, by first query id."""
    later = rec[rec["attempt"] > 1]
    prev = _previous(rec)
    gave_up = prev["received_at"] + pd.to_timedelta(prev["patience_minutes"], unit="min")
    minutes = (later["received_at"].to_numpy() - gave_up.to_numpy()) / pd.Timedelta(minutes=1)
    out = pd.Series(minutes.astype(np.float64), index=later["first_query_id"].to_numpy())
    return out if attempt is None else out[later["attempt"].to_numpy() == attempt]


def _check_people(frame: pd.DataFrame, result: pz.SimulationResult, factor: float) -> None:
    rec, s = result.records, result.summary
    n = len(frame)
    # every attempt is served or abandoned (the run ends with nobody waiting)
    assert s["arrived"] == len(rec) == s["served"] + s["abandoned"]
    assert int(rec["abandoned"].sum()) + int((~rec["abandoned"]).sum()) == len(rec)
    # people: one per frame row; retries: the rows after the first attempts
    assert s["people"] == n == rec["first_query_id"].nunique()
    assert s["retries"] == len(rec) - n == int((rec["attempt"] > 1).sum())
    answered = rec.groupby("first_query_id")["abandoned"].min()  # False: some attempt answered
    assert s["people_unanswered"] == int(answered.sum())
    # a retry follows an abandoned attempt, at least a second after it gave up, with the
    # first attempt's patience times the factor and the same handle time
    later = rec[rec["attempt"] > 1]
    assert _previous(rec)["abandoned"].all()
    assert (_delays(rec) * 60 >= 1.0 - 1e-3).all()
    first = rec.set_index("query_id").loc[later["first_query_id"]]
    np.testing.assert_allclose(
        later["patience_minutes"].to_numpy(), first["patience_minutes"].to_numpy() * factor
    )
    np.testing.assert_array_equal(
        later["handle_minutes"].to_numpy(), first["handle_minutes"].to_numpy()
    )


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    probability=st.sampled_from([0.3, 1.0]),
    delay=st.sampled_from(DELAYS),
    factor=st.sampled_from([1.0, 0.5, 0.25, 2.0]),
    team=st.booleans(),
)
def test_attempts_and_people_add_up(
    seed: int, probability: float, delay: Any, factor: float, team: bool
) -> None:
    frame = _frame(200, seed)
    retry = pz.Retry(probability=probability, after_minutes=delay, patience_factor=factor)
    agents: Any = 2
    if team:
        agents = pz.Team([pz.AgentGroup("a", agents=1), pz.AgentGroup("b", agents=1)])
    result = simulate(frame, pz.policies.balanced(), agents=agents, seed=seed, retry=retry,
                      patience=3.0)  # fmt: skip
    assert result.summary["retries"] > 0
    _check_people(frame, result, factor)


def test_the_default_is_unchanged() -> None:
    """A constant given as a number, as a spec, or with patience_factor=1: the same records."""
    frame = _frame(600, 3)
    runs = [
        simulate(frame, pz.policies.balanced(), agents=2, seed=4, patience=5.0, retry=retry)
        for retry in (
            pz.Retry(probability=0.7, after_minutes=20),
            pz.Retry(probability=0.7, after_minutes={"kind": "constant", "minutes": 20}),
            pz.Retry(probability=0.7, after_minutes=pz.simulation.Constant(20.0)),
            pz.Retry(probability=0.7, after_minutes=20.0, patience_factor=1.0),
        )
    ]
    assert runs[0].summary["retries"] > 50
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0].records, other.records)


def test_drawn_delays_follow_the_model() -> None:
    frame = _frame(3_000, 5)
    retry = pz.Retry(probability=1.0, after_minutes={"kind": "exponential", "mean_minutes": 30})
    result = simulate(frame, pz.policies.fifo(), agents=1, seed=1, patience=1.0, retry=retry)
    minutes = _delays(result.records).to_numpy()
    assert 1_000 < len(minutes) < 20_000
    # exponential, mean 30: mean within ~4 standard errors, and spread like one
    se = 30 / np.sqrt(len(minutes))
    assert abs(minutes.mean() - 30) < 4 * se
    assert 0.55 < np.mean(minutes < 30) < 0.70  # P(X < mean) = 1 - 1/e = 0.632
    assert len(np.unique(np.round(minutes, 6))) > 0.9 * len(minutes)  # drawn, not constant


def test_less_patient_retries_give_up_sooner() -> None:
    frame = _frame(1_500, 2)
    runs = {
        factor: simulate(
            frame, pz.policies.fifo(), agents=2, seed=0, patience=2.0,
            retry=pz.Retry(probability=1.0, after_minutes=15, patience_factor=factor),
        ).records
        for factor in (1.0, 0.5)
    }  # fmt: skip
    for factor, rec in runs.items():
        later = rec[rec["attempt"] > 1]
        first = rec.set_index("query_id").loc[later["first_query_id"], "patience_minutes"]
        np.testing.assert_allclose(later["patience_minutes"], first.to_numpy() * factor)
    # the same first attempts (their records do not depend on later retries' patience only
    # through the queue); the retries of less patient customers give up more often
    rate = {f: r.loc[r["attempt"] > 1, "abandoned"].mean() for f, r in runs.items()}
    assert rate[0.5] > rate[1.0]


@pytest.mark.parametrize("delay", DELAYS[1:3])
def test_policies_see_the_same_retry_draws(delay: Any) -> None:
    """Common random numbers: a customer's willingness and delay do not depend on the policy."""
    frame = _frame(2_000, 5)
    retry = pz.Retry(probability=0.6, after_minutes=delay, patience_factor=0.5)
    runs = [
        simulate(frame, p, agents=2, seed=9, patience=3.0, retry=retry).records
        for p in (pz.policies.fifo(), pz.policies.influencer_weighted())
    ]
    delays = [_delays(rec, attempt=2) * 60 for rec in runs]
    both = delays[0].index.intersection(delays[1].index)
    assert len(both) > 30
    np.testing.assert_allclose(delays[0][both], delays[1][both], atol=1e-3)
    # and the same seed twice: the same records
    again = simulate(frame, pz.policies.fifo(), agents=2, seed=9, patience=3.0, retry=retry)
    pd.testing.assert_frame_equal(runs[0], again.records)


def test_retry_files_hold_the_delay_spec(tmp_path: Path) -> None:
    spec = {"kind": "lognormal", "median_minutes": 15.0, "sigma": 1.0}
    retry = pz.Retry(probability=0.5, after_minutes=spec, patience_factor=0.5)
    assert pz.Retry.from_file(retry.to_file(tmp_path / "r.toml")) == retry
    model = pz.Retry(probability=0.5, after_minutes=Exponential(20.0))
    loaded = pz.Retry.from_file(model.to_file(tmp_path / "m.json"))
    assert loaded.after_minutes == {"kind": "exponential", "mean_minutes": 20.0}

    class Custom:
        def draw(self, channels: Any, rng: np.random.Generator) -> Any:
            return np.full(len(channels), 5.0)

    with pytest.raises(ValueError, match="cannot be written"):
        pz.Retry(probability=0.5, after_minutes=Custom()).to_file(tmp_path / "c.toml")


@pytest.mark.parametrize(
    ("after", "words"),
    [
        ({"kind": "gamma", "mean_minutes": 3}, "kind"),
        ({"kind": "exponential"}, "mean_minutes"),
        ({"kind": "exponential", "mean_minutes": 3, "sigma": 1}, "sigma"),
        ({"kind": "lognormal", "median_minutes": 3, "sigma": -1}, "after_minutes.sigma"),
        ({"kind": "exponential", "mean_minutes": float("nan")}, "mean_minutes"),
        ("soon", "after_minutes must be"),
        (0, "after_minutes"),
    ],
)
def test_bad_delays_are_named(after: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        pz.Retry(probability=0.5, after_minutes=after)


@pytest.mark.parametrize("factor", [0, -1, float("inf")])
def test_patience_factor_must_be_positive_and_finite(factor: float) -> None:
    with pytest.raises(ValidationError, match="patience_factor"):
        pz.Retry(probability=0.5, after_minutes=5, patience_factor=factor)


def test_a_model_drawing_bad_delays_is_named() -> None:
    class Broken:
        def draw(self, channels: Any, rng: np.random.Generator) -> Any:
            return np.full(len(channels), -1.0)

    retry = pz.Retry(probability=1.0, after_minutes=Broken())
    with pytest.raises(pz.InputError, match="retry after_minutes"):
        simulate(_frame(50, 1), pz.policies.fifo(), agents=1, patience=1.0, retry=retry)


def test_deeper_chains_keep_the_delays_drawn() -> None:
    from prioritize.simulation._simulate import _Delays

    channels = np.array(["chat", "email", "twitter"], dtype=object)
    retry = pz.Retry(probability=1.0, after_minutes=LogNormal(10.0, 1.0), channel="email")
    delays = _Delays(retry, channels, np.random.default_rng(3))
    first = delays.block(8).copy()
    deeper = delays.block(16)
    np.testing.assert_array_equal(deeper[:, :8], first)
    assert deeper.shape == (3, 16) and len(np.unique(deeper)) == 48
    assert (deeper >= 1 / 60).all()
    constant = _Delays(
        pz.Retry(probability=1.0, after_minutes=7), channels, np.random.default_rng(3)
    )
    np.testing.assert_array_equal(constant.block(8), np.full((3, 8), 7.0))
