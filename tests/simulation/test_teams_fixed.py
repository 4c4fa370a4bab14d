"""The team engine's specialised loop (fixed staffing, no rule) gives the general loop's records."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import Aging, MaxWait, Policy
from prioritize.simulation import Exponential, _simulate, _teams, simulate

SKILLS = ("a", "b", "c")
#: Plain policies (no MaxWait, no GroupShare): the order is the static rank alone.
PLAIN = {
    "fifo": pz.policies.fifo(),
    "influencer_weighted": pz.policies.influencer_weighted(),
    "aging": Policy(
        name="aging", weights={"follower_reach": 1.0}, rules=(Aging(points_per_hour=30.0),)
    ),
}


def _stream(n: int, seed: int, groups: list[frozenset[str]]) -> pd.DataFrame:
    """Arrivals on whole minutes (ties), each needing a subset of some group's skills."""
    frame = pz.synthetic.queries(n, seed=seed, days=1)
    frame["received_at"] = frame["received_at"].dt.floor("min")
    rng = np.random.default_rng(seed)
    needs = []
    for _ in range(n):
        skills = sorted(groups[rng.integers(len(groups))])
        keep = rng.random(len(skills)) < 0.6
        needs.append(",".join(s for s, k in zip(skills, keep, strict=True) if k))
    frame["skills"] = needs
    return frame


class _Spy:
    """Counts the runs of the specialised loop (so a test knows which path it compared)."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = _teams._run_fixed

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


def _both(
    frame: pd.DataFrame, policy: Policy, **kwargs: Any
) -> tuple[pz.SimulationResult, pz.SimulationResult, int]:
    """The run through the specialised loop (if it applies) and through the general loop."""
    spy = _Spy()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_teams, "_run_fixed", spy)
        fast = simulate(frame, policy, **kwargs)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_simulate, "run_team", functools.partial(_teams.run_team, specialise=False))
        general = simulate(frame, policy, **kwargs)
    return fast, general, spy.calls


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    groups=st.lists(
        st.tuples(st.integers(1, 3), st.sets(st.sampled_from(SKILLS), min_size=1)),
        min_size=2,
        max_size=4,
    ),
    select=st.sampled_from(["longest_idle", "fewest_skills"]),
    name=st.sampled_from(sorted(PLAIN)),
    patience=st.sampled_from([None, 3.0, 30.0]),
    handle=st.sampled_from([None, 5.0]),
)
def test_the_specialised_loop_gives_the_general_loops_records(
    seed: int,
    groups: list[tuple[int, set[str]]],
    select: str,
    name: str,
    patience: float | None,
    handle: float | None,
    check: Any,
) -> None:
    """Random teams and streams (ties in arrivals and, with a fixed handle time, in
    completions; abandonment; overlapping skills): the same records, row for row."""
    skill_sets = [frozenset(s) for _, s in groups]
    frame = _stream(250, seed, skill_sets)
    team = pz.Team(
        [pz.AgentGroup(f"g{i}", agents=k, skills=s) for i, (k, s) in enumerate(groups)],
        select=select,
    )
    model = None if patience is None else Exponential(patience)
    fast, general, calls = _both(
        frame, PLAIN[name], agents=team, seed=seed, patience=model, handle=handle
    )
    assert calls == 1
    check(frame, fast)
    pd.testing.assert_frame_equal(fast.records, general.records)
    pd.testing.assert_series_equal(fast.summary, general.summary)


@pytest.mark.parametrize(
    "case",
    ["random", "max_wait", "shifts", "capacity", "retry", "lapsing preference"],
)
def test_other_runs_take_the_general_loop(case: str) -> None:
    """Only the common case is specialised; the others still agree (they are one loop)."""
    frame = _stream(200, 1, [frozenset({"a"}), frozenset({"a", "b"})])
    policy = PLAIN["fifo"]
    groups = [
        pz.AgentGroup("a", agents=2, skills={"a"}),
        pz.AgentGroup("ab", agents=2, skills={"a", "b"}),
    ]
    kwargs: dict[str, Any] = {"seed": 0}
    if case == "random":
        kwargs["agents"] = pz.Team(groups, select="random")
    elif case == "max_wait":
        policy = Policy(name="mw", weights={"follower_reach": 1.0}, rules=(MaxWait(minutes=5),))
    elif case == "shifts":
        shifts = [pz.Shift(start="00:00", end="12:00", count=2)]
        shifts.append(pz.Shift(start="12:00", end="00:00", count=3))
        groups[1] = pz.AgentGroup("ab", agents=shifts, skills={"a", "b"})
    elif case == "capacity":
        groups[1] = pz.AgentGroup("ab", agents=2, skills={"a", "b"}, capacity={"chat": 2})
    elif case == "retry":
        kwargs["retry"] = pz.Retry(probability=0.5, after_minutes=10)
        kwargs["patience"] = Exponential(5.0)
    else:
        frame = frame.drop(columns="skills")
        routes = pz.Routes(
            [pz.Route(when={"channel": "chat"}, require={"a"}, prefer={"b"})],
            skills_timeout_minutes=2.0,
        )
        kwargs["routes"] = routes
    kwargs.setdefault("agents", pz.Team(groups))
    fast, general, calls = _both(frame, policy, **kwargs)
    assert calls == 0
    pd.testing.assert_frame_equal(fast.records, general.records)
