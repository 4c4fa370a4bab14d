"""``breakdown`` on the team engine's records, against the closed forms of ``staffing``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize.simulation import SINGLE_POOL, breakdown
from prioritize.staffing import independent_pools

HANDLE = 10.0
RATES = {"es": 12.0, "en": 30.0}  # per hour: loads 2 and 5 Erlangs
TEAM = pz.Team(
    [pz.AgentGroup("es", agents=3, skills={"es"}), pz.AgentGroup("en", agents=6, skills={"en"})]
)
N = 6_000
REPLICATIONS = 8
Z = 4.0


def _stream(seed: int) -> pd.DataFrame:
    total = sum(RATES.values())
    frame = pz.synthetic.poisson_queries(N, total, seed, mean_handle_minutes=HANDLE)
    rng = np.random.default_rng(10_000 + seed)
    frame["skills"] = np.where(rng.random(len(frame)) < RATES["es"] / total, "es", "en")
    return frame


def test_disjoint_pools_match_erlang_c_per_group() -> None:
    runs = []
    for seed in range(REPLICATIONS):
        result = pz.simulate(_stream(seed), pz.policies.fifo(), agents=TEAM, seed=seed)
        groups = breakdown(result, group="agent_group")
        queues = breakdown(result, group="skills")
        assert int(groups["served"].sum()) == len(result.records)
        assert (groups["occupancy"] <= 1).all()
        runs.append(
            [
                *groups.loc[["es", "en"], "occupancy"],
                *queues.loc[["es", "en"], "mean_wait_answered"],
            ]
        )
    values = np.array(runs)
    mean = values.mean(axis=0)
    se = values.std(axis=0, ddof=1) / np.sqrt(REPLICATIONS)
    theory = independent_pools(RATES, HANDLE, agents=TEAM, within_minutes=5)
    expected = np.array(
        [*theory.loc[["es", "en"], "occupancy"], *theory.loc[["es", "en"], "mean_wait_minutes"]]
    )
    assert (se <= 0.1 * expected).all(), (se, expected)
    # occupancy: the last departures drain an emptying system, so a run's occupancy
    # sits a little below the steady state; allow that sliver beside the noise
    assert (np.abs(mean - expected) <= Z * se + np.array([0.01, 0.01, 0, 0])).all(), (
        mean,
        expected,
    )


def test_one_group_with_every_skill_is_the_single_pool() -> None:
    frame = _stream(0).iloc[:1500]
    one = pz.Team([pz.AgentGroup("all", agents=5, skills={"es", "en"})])
    team_run = breakdown(
        pz.simulate(frame, pz.policies.fifo(), agents=one, seed=1), group="agent_group"
    )
    pool_run = breakdown(
        pz.simulate(frame.drop(columns="skills"), pz.policies.fifo(), agents=5, seed=1),
        group="agent_group",
    )
    for column in ("served", "busy_minutes", "on_duty_minutes", "occupancy"):
        assert team_run.loc["all", column] == pytest.approx(pool_run.loc[SINGLE_POOL, column])
