"""Bad input gives a clear ValueError naming the problem; duration models draw what they say."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize.simulation import (
    ChannelLogNormal,
    Constant,
    Exponential,
    LogNormal,
    SurveyPatience,
    simulate,
)
from prioritize.synthetic import HANDLE_MEDIAN_MINUTES, HANDLE_SIGMA, patience_quantile


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pz.synthetic.queries(50, seed=0, days=0.1)


FIFO = pz.policies.fifo()


@pytest.mark.parametrize("agents", [0, -2, True, 2.5, "3", None])
def test_agents_must_be_a_positive_int_or_shifts(frame: pd.DataFrame, agents: Any) -> None:
    with pytest.raises(pz.InputError, match="agents"):
        simulate(frame, FIFO, agents=agents)


def test_missing_columns_are_named(frame: pd.DataFrame) -> None:
    with pytest.raises(pz.SchemaError, match=r"missing required column\(s\) \['channel'\]"):
        simulate(frame.drop(columns="channel"), FIFO, agents=2)
    with pytest.raises(pz.SchemaError, match="followers"):
        simulate(frame.drop(columns="followers"), FIFO, agents=2)


@pytest.mark.parametrize("column", ["handle_minutes", "patience_minutes"])
@pytest.mark.parametrize("value", [-1.0, 0.0, np.nan, np.inf])
def test_bad_handle_or_patience_values_are_named(
    frame: pd.DataFrame, column: str, value: float
) -> None:
    bad = frame.copy()
    bad.loc[3, column] = value
    with pytest.raises(pz.SchemaError, match=f"column '{column}'.*Q0000003"):
        simulate(bad, FIFO, agents=2)


def test_not_a_policy_or_not_a_frame(frame: pd.DataFrame) -> None:
    with pytest.raises(pz.InputError, match="policy must be a prioritize.Policy"):
        simulate(frame, "fifo", agents=2)  # type: ignore[arg-type]
    with pytest.raises(pz.SchemaError, match="expected a pandas DataFrame"):
        simulate(frame.to_dict(), FIFO, agents=2)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seed(frame: pd.DataFrame, seed: Any) -> None:
    with pytest.raises(pz.InputError, match="seed"):
        simulate(frame, FIFO, agents=2, seed=seed)


def test_group_share_column_must_exist(frame: pd.DataFrame) -> None:
    policy = FIFO.with_changes(
        rules=[{"kind": "group_share", "group": "segment", "shares": {"a": 1}}]
    )
    with pytest.raises(pz.SchemaError, match="cannot group by 'segment'"):
        simulate(frame, policy, agents=2)
    with_gaps = frame.assign(segment=["a", None] * 25)
    with pytest.raises(pz.SchemaError, match="'segment'.*missing labels"):
        simulate(with_gaps, policy, agents=2)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (0.0, "> 0"),
        (-3, "> 0"),
        (math.inf, "finite and > 0"),
        ("lognormal", "a number of minutes or a model"),
        (True, "a number of minutes or a model"),
    ],
)
def test_bad_handle_models(frame: pd.DataFrame, model: Any, message: str) -> None:
    with pytest.raises(pz.InputError, match=message):
        simulate(frame, FIFO, agents=2, handle=model)


def test_a_model_drawing_nonsense_is_caught(frame: pd.DataFrame) -> None:
    class Broken:
        def draw(self, channels: Any, rng: np.random.Generator) -> Any:
            return -np.ones(len(channels))

    class Short:
        def draw(self, channels: Any, rng: np.random.Generator) -> Any:
            return np.ones(3)

    with pytest.raises(pz.InputError, match="patience: .* not > 0"):
        simulate(frame, FIFO, agents=2, patience=Broken())
    with pytest.raises(pz.InputError, match=r"drew shape \(3,\); expected \(50,\)"):
        simulate(frame, FIFO, agents=2, handle=Short())


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: Exponential(0.0), "Exponential.mean_minutes"),
        (lambda: LogNormal(5.0, -1.0), "LogNormal.sigma"),
        (lambda: LogNormal(math.nan, 1.0), "LogNormal.median_minutes"),
        (lambda: Constant(-1.0), "Constant.minutes"),
        (lambda: ChannelLogNormal({"email": 0.0}), r"medians\['email'\]"),
        (lambda: ChannelLogNormal(default_median=-1.0), "default_median"),
    ],
)
def test_bad_model_parameters(factory: Any, message: str) -> None:
    with pytest.raises(pz.InputError, match=message):
        factory()


def test_unknown_channel_without_a_default_median() -> None:
    model = ChannelLogNormal(default_median=None)
    channels = np.array(["email", "tiktok"], dtype=object)
    with pytest.raises(pz.InputError, match="no median handle time for channel 'tiktok'"):
        model.draw(channels, np.random.default_rng(0))


def test_patience_infinity_means_nobody_gives_up(frame: pd.DataFrame, check: Any) -> None:
    result = simulate(frame, FIFO, agents=1, patience=math.inf)
    check(frame, result, 1)
    assert result.summary["abandoned"] == 0
    assert np.isinf(result.records["patience_minutes"]).all()


def test_without_patience_column_nobody_gives_up(frame: pd.DataFrame) -> None:
    result = simulate(frame.drop(columns="patience_minutes"), FIFO, agents=1)
    assert result.summary["abandoned"] == 0


def test_default_handle_model_is_the_synthetic_one() -> None:
    # No handle column: per-channel log-normal with the synthetic medians and sigma.
    frame = pz.synthetic.queries(20_000, seed=1, days=20).drop(columns="handle_minutes")
    rec = simulate(frame, FIFO, agents=40, seed=3).records
    logs = np.log(rec["handle_minutes"].to_numpy())
    for channel in ("email", "twitter", "chat"):
        mine = logs[(rec["channel"] == channel).to_numpy()]
        se = HANDLE_SIGMA / math.sqrt(mine.size)
        assert abs(np.median(mine) - math.log(HANDLE_MEDIAN_MINUTES[channel])) < 5 * se
        assert mine.std() == pytest.approx(HANDLE_SIGMA, rel=0.05)


def test_models_draw_their_distribution() -> None:
    rng = np.random.default_rng(0)
    channels = np.array(["chat"] * 40_000, dtype=object)
    exp = Exponential(12.0).draw(channels, rng)
    assert exp.mean() == pytest.approx(12.0, rel=0.03)
    logn = LogNormal(30.0, 0.7).draw(channels, rng)
    assert np.median(logn) == pytest.approx(30.0, rel=0.03)
    assert Constant(4.0).draw(channels, rng).tolist() == [4.0] * len(channels)
    survey = SurveyPatience().draw(channels, rng)
    assert (survey <= 5).mean() == pytest.approx(0.14, abs=0.01)
    assert (survey <= 60).mean() == pytest.approx(0.43, abs=0.01)
    assert np.median(survey) == pytest.approx(patience_quantile(0.5), rel=0.05)


def test_synthetic_poisson_queries_rejects_bad_rates() -> None:
    with pytest.raises(pz.InputError, match="arrivals_per_hour"):
        pz.synthetic.poisson_queries(10, 0.0)
    with pytest.raises(pz.InputError, match="urgent_share"):
        pz.synthetic.poisson_queries(10, 5.0, urgent_share=1.5)
    with pytest.raises(pz.InputError, match="mean_handle_minutes"):
        pz.synthetic.poisson_queries(10, 5.0, mean_handle_minutes=-1.0)


def test_a_generator_seed_is_used_and_a_model_replaces_the_column(frame: pd.DataFrame) -> None:
    a = simulate(frame, FIFO, agents=2, seed=np.random.default_rng(5), patience=Exponential(5.0))
    b = simulate(frame, FIFO, agents=2, seed=np.random.default_rng(5), patience=Exponential(5.0))
    pd.testing.assert_frame_equal(a.records, b.records)
    assert not np.allclose(a.records["patience_minutes"], frame["patience_minutes"])
    constant = simulate(frame, FIFO, agents=2, handle=Constant(5.0)).records
    assert (constant["handle_minutes"] == 5.0).all()
    assert (constant["handle_minutes"] != frame["handle_minutes"]).any()


def test_band_ratios_never_drop_a_row_without_a_group(frame: pd.DataFrame) -> None:
    from prioritize.simulation import band_ratios

    records = simulate(frame, FIFO, agents=2).records
    records["segment"] = ["a", None] * 25
    with pytest.raises(pz.SchemaError, match="'segment'.*25 rows"):
        band_ratios(records, group="segment")
    records["follower_band"] = "x"  # a column of that name wins over the computed band
    assert band_ratios(records, group="follower_band") == (1.0, 1.0)


def test_a_group_column_named_like_a_band_wins(frame: pd.DataFrame) -> None:
    labels = ["vip" if i % 5 == 0 else "rest" for i in range(len(frame))]

    def policy(group: str) -> pz.Policy:
        rule = {"kind": "group_share", "group": group, "shares": {"vip": 0.9}}
        return pz.policies.influencer_weighted().with_changes(rules=[rule])

    named_like_band = simulate(
        frame.assign(follower_band=labels), policy("follower_band"), agents=1
    )
    other_name = simulate(frame.assign(tier=labels), policy("tier"), agents=1)
    pd.testing.assert_series_equal(
        named_like_band.records["wait_minutes"], other_name.records["wait_minutes"]
    )
    assert named_like_band.records["follower_band"].tolist() == labels
