"""Cobham's non-preemptive priority waits: one class, M/G/1, conservation, merging classes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.staffing import cobham_mean_waits, erlang_c, mean_wait_minutes, offered_load


@st.composite
def classes(draw: st.DrawFn) -> tuple[list[float], float, int]:
    """(per-class arrivals per hour, handle minutes, agents) with total load below agents."""
    agents = draw(st.integers(min_value=1, max_value=60))
    handle = draw(st.floats(min_value=0.5, max_value=20.0))
    utilisation = draw(st.floats(min_value=0.01, max_value=0.97))
    shares = draw(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
    shares[draw(st.integers(0, len(shares) - 1))] += 0.05  # some class has arrivals
    total = sum(shares)
    rate = utilisation * agents * 60.0 / handle
    return [rate * s / total for s in shares], handle, agents


@given(
    st.floats(min_value=1.0, max_value=2000.0),
    st.floats(min_value=0.5, max_value=10.0),
    st.integers(0, 10),
)
def test_one_class_is_erlang_c(arrivals: float, handle: float, extra: int) -> None:
    agents = math.floor(offered_load(arrivals, handle)) + 1 + extra
    (wait,) = cobham_mean_waits([arrivals], handle, agents)
    assert wait == pytest.approx(mean_wait_minutes(arrivals, handle, agents), rel=1e-13)


def test_single_agent_matches_mg1_priority_formula() -> None:
    # M/G/1 non-preemptive priority: W_k = R / ((1 - s_{k-1})(1 - s_k)) with mean residual
    # work R = sum_i lambda_i E[S^2] / 2 = lambda h^2 for exponential service (E[S^2] = 2h^2).
    handle = 2.0
    per_minute = [0.1, 0.15, 0.05]  # loads 0.2, 0.3, 0.1
    residual = sum(per_minute) * handle**2
    s = [0.2, 0.5, 0.6]
    expected = [
        residual / (1 - 0.0) / (1 - s[0]),
        residual / (1 - s[0]) / (1 - s[1]),
        residual / (1 - s[1]) / (1 - s[2]),
    ]
    got = cobham_mean_waits([r * 60 for r in per_minute], handle, 1)
    assert got == pytest.approx(expected, rel=1e-13)


def test_two_classes_by_hand() -> None:
    # 2 agents, 1-minute handling, 30 + 60 per hour: a = 1.5, C(2, 1.5) = 9/14 (by hand:
    # B = 1.125 / 3.625 = 9/29; C = 2B / (0.5 + 1.5B) = 9/14). Base wait C·h/c = 9/28 minutes.
    base = 9 / 28
    hi, lo = cobham_mean_waits([30.0, 60.0], 1.0, 2)
    assert erlang_c(90.0, 1.0, 2) == pytest.approx(9 / 14, rel=1e-14)
    assert hi == pytest.approx(base / (1 - 0.25), rel=1e-14)
    assert lo == pytest.approx(base / ((1 - 0.25) * (1 - 0.75)), rel=1e-14)


@given(classes())
def test_conservation_law(spec: tuple[list[float], float, int]) -> None:
    # with a common service rate the order of service does not change the mean wait
    rates, handle, agents = spec
    waits = cobham_mean_waits(rates, handle, agents)
    total = sum(rates)
    weighted = sum(r * w for r, w in zip(rates, waits, strict=True)) / total
    assert weighted == pytest.approx(mean_wait_minutes(total, handle, agents), rel=1e-10)


@given(classes())
def test_higher_priority_never_waits_longer(spec: tuple[list[float], float, int]) -> None:
    rates, handle, agents = spec
    waits = cobham_mean_waits(rates, handle, agents)
    assert all(w >= 0.0 for w in waits)
    assert waits == sorted(waits)


@given(classes(), st.data())
def test_merging_adjacent_classes_keeps_their_mean_and_the_others(
    spec: tuple[list[float], float, int], data: st.DataObject
) -> None:
    rates, handle, agents = spec
    if len(rates) < 2:
        return
    k = data.draw(st.integers(min_value=0, max_value=len(rates) - 2))
    merged = [*rates[:k], rates[k] + rates[k + 1], *rates[k + 2 :]]
    split_waits = cobham_mean_waits(rates, handle, agents)
    merged_waits = cobham_mean_waits(merged, handle, agents)
    pair = rates[k] + rates[k + 1]
    if pair > 0:
        mean_pair = (rates[k] * split_waits[k] + rates[k + 1] * split_waits[k + 1]) / pair
        assert merged_waits[k] == pytest.approx(mean_pair, rel=1e-10)
    others_split = split_waits[:k] + split_waits[k + 2 :]
    others_merged = merged_waits[:k] + merged_waits[k + 1 :]
    assert others_merged == pytest.approx(others_split, rel=1e-12)


def test_class_without_arrivals_still_has_a_wait() -> None:
    waits = cobham_mean_waits([0.0, 60.0, 0.0], 1.0, 2)
    assert waits[0] < waits[1] < waits[2]
    assert cobham_mean_waits([0.0, 0.0], 1.0, 1) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("rates", "handle", "agents", "message"),
    [
        ([], 1.0, 1, r"at least one class"),
        ("60", 1.0, 1, r"sequence of rates"),
        (60.0, 1.0, 1, r"sequence of rates"),
        ([30.0, -1.0], 1.0, 1, r"arrivals_per_hour\[1\] must be >= 0; got -1.0"),
        ([30.0, math.nan], 1.0, 1, r"arrivals_per_hour\[1\] must be a finite number"),
        ([30.0], 0.0, 1, r"handle_minutes must be > 0"),
        ([30.0], 1.0, 0, r"agents must be a whole number >= 1"),
        ([30.0, 40.0], 1.0, 1, r"unstable: offered load 1.16667 Erlangs"),
    ],
)
def test_bad_arguments(rates: object, handle: float, agents: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        cobham_mean_waits(rates, handle, agents)
