"""``agents_for``: the least team meeting a target at a stream's own load, and why."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError, staffing


@given(
    n=st.integers(1, 3_000),
    seed=st.integers(0, 20),
    target=st.floats(0.5, 0.95),
    within=st.sampled_from([5.0, 15.0, 60.0]),
    patience=st.sampled_from([None, "none", 20.0, "survey"]),
)
def test_agents_for_is_agents_needed_at_the_streams_load(
    n: int, seed: int, target: float, within: float, patience: object
) -> None:
    frame = pz.synthetic.queries(n, seed=seed, days=2)
    choice = staffing.agents_for(frame, target=target, within_minutes=within, patience=patience)
    span = (frame["received_at"].max() - frame["received_at"].min()).total_seconds() / 60
    rate = n * 60.0 / max(span, 60.0)
    handle = float(frame["handle_minutes"].mean())
    assert choice.arrivals_per_hour == pytest.approx(rate)
    assert choice.handle_minutes == pytest.approx(handle)
    assert choice.load == pytest.approx(rate * handle / 60.0)
    mean_patience = pz.simulation.Patience.of(patience).mean_minutes(frame)
    assert choice.patience_minutes == mean_patience
    needed = staffing.agents_needed(
        rate, handle, target=target, within_minutes=within, patience_minutes=mean_patience
    )
    assert choice.agents == max(1, needed)
    assert choice.method == ("Erlang C" if patience == "none" else "Erlang A")
    text = str(choice)
    assert text.startswith(f"{choice.agents} agent")
    assert f"{choice.method} staffing for {target:.0%} within {within:g} min" in text
    assert f"{choice.load:.1f} agents" in text


def test_the_readme_week_needs_about_seventeen_agents() -> None:
    frame = pz.synthetic.queries(20_000, seed=0)
    choice = staffing.agents_for(frame, patience="none")
    assert 16.5 < choice.load < 18 and choice.agents > choice.load
    meets = staffing.service_level(
        choice.arrivals_per_hour, choice.handle_minutes, choice.agents, within_minutes=60
    )
    fewer = staffing.service_level(
        choice.arrivals_per_hour, choice.handle_minutes, choice.agents - 1, within_minutes=60
    )
    assert meets >= 0.8 > fewer


def test_no_handle_column_uses_the_default_model_mean() -> None:
    frame = pz.synthetic.queries(500, seed=1).drop(columns=["handle_minutes"])
    choice = staffing.agents_for(frame)
    channels = frame["channel"].to_numpy(dtype=object)
    medians = [pz.synthetic.HANDLE_MEDIAN_MINUTES[c] for c in channels]
    expected = sum(medians) / len(medians) * math.exp(pz.synthetic.HANDLE_SIGMA**2 / 2)
    assert choice.handle_minutes == pytest.approx(expected)


def test_bad_arguments() -> None:
    frame = pz.synthetic.queries(50, seed=1)
    with pytest.raises(InputError, match="target"):
        staffing.agents_for(frame, target=1.5)
    with pytest.raises(InputError, match="within_minutes"):
        staffing.agents_for(frame, within_minutes=-1)
    with pytest.raises(InputError, match="patience"):
        staffing.agents_for(frame, patience="often")
    empty = staffing.agents_for(frame.iloc[:0])
    assert empty.agents == 1 and empty.arrivals_per_hour == 0.0
