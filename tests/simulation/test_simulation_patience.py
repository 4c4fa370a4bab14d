"""``patience=``: every form accepted, applied per channel, reproducible, and always stated."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError, staffing
from prioritize.simulation import (
    SURVEY_PATIENCE_MINUTES,
    Exponential,
    Patience,
    compare,
    simulate,
    summarize,
    sweep,
)

FIFO = pz.policies.fifo()
NOT_MODELLED = "abandonment not modelled"

#: Every form of ``patience=`` (the frame of :func:`_stream` has a patience column).
FORMS = st.one_of(
    st.none(),
    st.floats(min_value=0.5, max_value=500.0),
    st.just(math.inf),
    st.fixed_dictionaries(
        {"default": st.floats(min_value=0.5, max_value=500.0)},
        optional={
            "chat": st.floats(min_value=0.5, max_value=500.0),
            "email": st.just(math.inf),
        },
    ),
    st.sampled_from(["survey", "none", "Survey", " none "]),
    st.floats(min_value=0.5, max_value=100.0).map(Exponential),
)


def _stream(n: int, seed: int) -> pd.DataFrame:
    return pz.synthetic.queries(n, seed=seed, days=0.25)


@given(
    patience=FORMS,
    n=st.integers(min_value=0, max_value=120),
    agents=st.integers(1, 4),
    seed=st.integers(0, 50),
)
def test_every_form_conserves_queries(
    patience: Any, n: int, agents: int, seed: int, check: Any
) -> None:
    frame = _stream(n, seed)
    result = simulate(frame, FIFO, agents=agents, seed=seed, patience=patience)
    check(frame, result, agents)  # rows in = records out, served + abandoned = arrived, ...
    s = result.summary
    waiting = 0  # a run ends when every query is served or has given up
    assert s["served"] + s["abandoned"] + waiting == s["arrived"] == n
    line = result.abandonment
    assert line.startswith(("abandonment: ", NOT_MODELLED)) and "\n" not in line
    # the frame has a patience column: a drawn patience= says it replaces it
    form = Patience.of(patience).form
    replaced = (
        "the patience model given (patience=, --patience) replaces the frame's patience_minutes"
        in line
    )
    assert replaced == (form in ("exponential", "channels", "survey"))
    assert line.startswith(NOT_MODELLED) == (form == "none")


@given(
    n=st.integers(min_value=0, max_value=80),
    agents=st.integers(1, 3),
    seed=st.integers(0, 50),
    none=st.sampled_from(["none", math.inf, "NONE"]),
)
def test_none_gives_up_nobody_and_says_so(n: int, agents: int, seed: int, none: Any) -> None:
    frame = _stream(n, seed)
    result = simulate(frame, FIFO, agents=agents, seed=seed, patience=none)
    s = result.summary
    assert s["abandoned"] == 0 and s["served"] == n
    assert s["abandoned_lifetime_value"] == 0.0 and s["expected_loss"] == 0.0
    assert result.abandonment.startswith(NOT_MODELLED)
    assert "0 by construction" in result.abandonment


def test_without_column_or_argument_abandonment_is_not_modelled_and_said() -> None:
    frame = _stream(200, 3).drop(columns=["patience_minutes"])
    result = simulate(frame, FIFO, agents=1, seed=0)
    assert result.summary["abandoned"] == 0
    assert result.abandonment.startswith(NOT_MODELLED)
    assert "no patience_minutes column, no patience=" in result.abandonment
    with_column = simulate(_stream(200, 3), FIFO, agents=1, seed=0)
    assert with_column.abandonment == (
        "abandonment: each query's own patience_minutes from the frame"
    )
    assert with_column.summary["abandoned"] > 0


@given(
    tiny=st.floats(min_value=1e-3, max_value=0.5),
    seed=st.integers(0, 30),
    n=st.integers(min_value=20, max_value=120),
)
def test_per_channel_patience_is_applied_per_channel(tiny: float, seed: int, n: int) -> None:
    # Two agents for a quarter-day of queries that need about three: many wait.
    frame = _stream(n, seed)
    patience = {"chat": tiny, "default": math.inf}
    rec = simulate(frame, FIFO, agents=1, seed=seed, patience=patience).records
    chat = (rec["channel"] == "chat").to_numpy()
    assert np.isfinite(rec.loc[chat, "patience_minutes"]).all()
    assert np.isinf(rec.loc[~chat, "patience_minutes"]).all()
    assert not rec.loc[~chat, "abandoned"].any()  # the patient channels never give up
    # every chat query that had to wait longer than its (tiny) patience gave up
    late = chat & (rec["wait_minutes"] > rec["patience_minutes"]).to_numpy()
    assert rec.loc[late, "abandoned"].all()
    if chat.any() and rec.loc[chat, "abandoned"].any():
        assert rec.loc[chat, "abandoned"].mean() > rec.loc[~chat, "abandoned"].mean()


def test_channel_means_are_the_drawn_means() -> None:
    frame = pz.synthetic.queries(20_000, seed=2, days=30)
    rec = simulate(frame, FIFO, agents=40, seed=1, patience="survey").records
    for channel, values in rec.groupby("channel", observed=True)["patience_minutes"]:
        mean = SURVEY_PATIENCE_MINUTES[str(channel)]
        se = mean / math.sqrt(len(values))  # exponential: sd = mean
        assert abs(values.mean() - mean) < 4 * se, channel


def test_a_missing_channel_is_named_unless_there_is_a_default() -> None:
    frame = _stream(300, 0)
    with pytest.raises(InputError, match=r"no mean for channel\(s\) \[.*'email'.*\].*'default'"):
        simulate(frame, FIFO, agents=2, patience={"chat": 5.0})
    result = simulate(frame, FIFO, agents=2, patience={"chat": 5.0, "default": 60.0})
    assert "chat 5 minutes" in result.abandonment and "default 1 hour" in result.abandonment


@pytest.mark.parametrize(
    ("patience", "message"),
    [
        (0, "patience must be > 0"),
        (-3.0, "patience must be > 0"),
        (math.nan, "patience must be a finite number"),
        (True, "patience must be one of"),
        ("sometimes", "patience must be one of"),
        ({}, "empty mapping"),
        ({"chat": 0.0}, r"patience\['chat'\] must be > 0"),
        ({1: 5.0}, "channel names must be strings"),
        ([5.0], "patience must be one of"),
    ],
)
def test_bad_patience_is_a_clear_error(patience: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        simulate(_stream(10, 0), FIFO, agents=1, patience=patience)
    with pytest.raises(InputError, match=message):
        compare(_stream(10, 0), {"fifo": FIFO}, agents=1, patience=patience)


@given(
    patience=FORMS,
    seed=st.integers(0, 2**32),
    n=st.integers(min_value=1, max_value=100),
)
def test_the_seed_makes_drawn_patience_reproducible(patience: Any, seed: int, n: int) -> None:
    frame = _stream(n, 1)
    first = simulate(frame, FIFO, agents=2, seed=seed, patience=patience).records
    again = simulate(frame, FIFO, agents=2, seed=seed, patience=patience).records
    pd.testing.assert_frame_equal(first, again)
    # patience has its own stream: another handle-time model leaves it unchanged
    other = simulate(frame, FIFO, agents=2, seed=seed, patience=patience, handle=3.0).records
    np.testing.assert_array_equal(first["patience_minutes"], other["patience_minutes"])


def test_another_seed_draws_other_patience() -> None:
    frame = _stream(50, 1)
    a = simulate(frame, FIFO, agents=2, seed=0, patience=30.0).records["patience_minutes"]
    b = simulate(frame, FIFO, agents=2, seed=1, patience=30.0).records["patience_minutes"]
    assert not np.array_equal(a, b)


def test_exponential_patience_matches_erlang_a() -> None:
    # M/M/c+M: Poisson arrivals, exponential handle times, patience=<mean minutes>.
    agents, handle, mean_patience, load = 4, 10.0, 15.0, 1.05
    rate = load * agents * 60.0 / handle
    n, warmup, runs = 5_000, 400, 8
    frame = pz.synthetic.poisson_queries(n, rate, 7, mean_handle_minutes=handle)
    rates = []
    for seed in range(runs):  # one stream, independent patience draws per seed
        data = (
            frame
            if seed == 0
            else pz.synthetic.poisson_queries(n, rate, 100 + seed, mean_handle_minutes=handle)
        )
        result = simulate(data, FIFO, agents=agents, seed=seed, patience=mean_patience)
        rates.append(summarize(result.records.iloc[warmup:])["abandon_rate"])
    mean, se = float(np.mean(rates)), float(np.std(rates, ddof=1) / math.sqrt(runs))
    theory = staffing.erlang_a(rate, handle, agents, mean_patience).abandon_probability
    assert se < 0.1 * theory  # precise enough to mean something
    assert abs(mean - theory) <= 4 * se, (mean, theory, se)


def test_compare_and_sweep_tables_carry_the_line() -> None:
    frame = _stream(150, 4)
    table = compare(frame, {"fifo": FIFO}, agents=2, patience="survey")
    assert table.attrs["abandonment"].startswith("abandonment: survey patience per channel")
    reps = compare(
        lambda s: _stream(100, s), {"fifo": FIFO}, agents=2, replications=2, patience="none"
    )
    assert reps.attrs["abandonment"].startswith(NOT_MODELLED)
    grid = sweep(frame, FIFO, grid={"patience": [5.0, "none"]}, agents=2)
    assert grid["abandonment"].str.startswith("abandonment: exponential").tolist() == [
        True,
        False,
    ]
    assert grid["abandonment"].iloc[1].startswith(NOT_MODELLED)
    assert grid.attrs["abandonment"] == " | ".join(grid["abandonment"])


def test_patience_of_reads_every_form_once() -> None:
    assert Patience.of(None).form == "frame"
    assert Patience.of(15).means == {"default": 15.0}
    assert Patience.of(" Survey ").means == dict(SURVEY_PATIENCE_MINUTES)
    assert Patience.of(math.inf).form == "none"
    same = Patience.of({"chat": 5})
    assert Patience.of(same) is same
    assert Patience.of(Exponential(3.0)).model == Exponential(3.0)
