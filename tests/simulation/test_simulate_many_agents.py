"""Cost grows with the agents busy at once, not the head count (issue 15 item 14)."""

from __future__ import annotations

import time

import pytest

import prioritize as pz


@pytest.mark.parametrize(
    "policy",
    [pz.policies.fifo(), pz.policies.balanced()],  # the plain path and the picker's
    ids=["plain", "rules"],
)
def test_a_billion_agents_answer_everyone_at_once(policy: pz.Policy) -> None:
    frame = pz.synthetic.queries(300, seed=4)
    t0 = time.perf_counter()
    records = pz.simulate(frame, policy, agents=10**9, seed=0).records
    assert time.perf_counter() - t0 < 5.0
    assert (records["wait_minutes"] == 0).all()
    assert not records["abandoned"].any()
    assert records["agent"].max() < 10**9


def test_huge_shifts_cost_what_their_busy_agents_cost() -> None:
    # A billion agents by day, two at night: staffing rises and drops by 10**9 daily.
    frame = pz.synthetic.queries(300, seed=2, days=3)
    day = [
        pz.Shift(start="08:00", end="18:00", count=10**9, tz="UTC"),
        pz.Shift(start="18:00", end="08:00", count=2, tz="UTC"),
    ]
    t0 = time.perf_counter()
    records = pz.simulate(frame, pz.policies.balanced(), agents=day, seed=0).records
    assert time.perf_counter() - t0 < 5.0
    hours = records["received_at"].dt.hour
    by_day = records[(hours >= 8) & (hours < 17)]
    assert len(by_day) > 0
    assert (by_day["wait_minutes"] == 0).all()
    assert len(records) == 300
