"""The simulator against queueing theory: Erlang C, Cobham's priority formula, Erlang A.

Each check runs independent replications (seeds 0..R-1), drops a warm-up at
the start of each, and asserts that the replication mean lies within a few
standard errors of the closed form, and that the standard error is small
enough for the check to mean something. Sizes are chosen to run in seconds;
``benchmarks/bench_simulate.py`` runs a long one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import staffing
from prioritize.policy import Policy
from prioritize.simulation import simulate, summarize

AGENTS = 3
HANDLE = 10.0  # minutes
N = 6_000
WARMUP = 500
REPLICATIONS = 20
#: Allowed distance from theory, in standard errors of the replication mean.
Z = 4.0


def replicate(measure: Callable[[int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over replications of a vector of figures."""
    runs = np.array([measure(seed) for seed in range(REPLICATIONS)])
    return runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(REPLICATIONS)


def assert_matches(
    mean: np.ndarray, se: np.ndarray, theory: np.ndarray, max_relative_se: float
) -> None:
    assert (se <= max_relative_se * np.abs(theory)).all(), (se, theory)  # precise enough
    assert (np.abs(mean - theory) <= Z * se).all(), (mean, theory, (mean - theory) / se)


def after_warmup(result: Any) -> pd.DataFrame:
    rec = result.records
    return rec.iloc[WARMUP:]


def test_fifo_mmc_matches_erlang_c(check: Any) -> None:
    rate = 0.8 * AGENTS * 60.0 / HANDLE  # load 0.8 per agent
    fifo = pz.policies.fifo()

    def measure(seed: int) -> np.ndarray:
        frame = pz.synthetic.poisson_queries(N, rate, seed, mean_handle_minutes=HANDLE)
        result = simulate(frame, fifo, agents=AGENTS)
        check(frame, result, AGENTS)
        s = summarize(after_warmup(result))
        waited = (after_warmup(result)["wait_minutes"] > 0).mean()
        return np.array([s["mean_wait_minutes"], s["within_5_min"], waited])

    mean, se = replicate(measure)
    theory = np.array(
        [
            staffing.mean_wait_minutes(rate, HANDLE, AGENTS),
            staffing.service_level(rate, HANDLE, AGENTS, within_minutes=5.0),
            staffing.erlang_c(rate, HANDLE, AGENTS),
        ]
    )
    assert_matches(mean, se, theory, max_relative_se=0.05)


def test_two_priority_classes_match_cobham(check: Any) -> None:
    # Weights on urgency only (1 or 0), no aging: non-preemptive priority, FIFO within.
    rate = 0.8 * AGENTS * 60.0 / HANDLE
    urgent_share = 0.4
    policy = Policy(name="urgent_first", weights={"urgency": 1.0})

    def measure(seed: int) -> np.ndarray:
        frame = pz.synthetic.poisson_queries(
            N, rate, seed, mean_handle_minutes=HANDLE, urgent_share=urgent_share
        )
        result = simulate(frame, policy, agents=AGENTS)
        check(frame, result, AGENTS)
        rec = after_warmup(result)
        urgent = frame["urgency"].iloc[WARMUP:].to_numpy() == 1.0
        waits = rec["wait_minutes"].to_numpy()
        return np.array([waits[urgent].mean(), waits[~urgent].mean()])

    mean, se = replicate(measure)
    theory = np.array(
        staffing.cobham_mean_waits([urgent_share * rate, (1 - urgent_share) * rate], HANDLE, AGENTS)
    )
    assert theory[1] > 3 * theory[0]  # the classes really differ
    assert_matches(mean, se, theory, max_relative_se=0.08)


@pytest.mark.parametrize(("load", "patience"), [(1.0, 20.0), (0.85, 8.0)])
def test_exponential_patience_matches_erlang_a(load: float, patience: float, check: Any) -> None:
    rate = load * AGENTS * 60.0 / HANDLE
    fifo = pz.policies.fifo()

    def measure(seed: int) -> np.ndarray:
        frame = pz.synthetic.poisson_queries(
            N, rate, seed, mean_handle_minutes=HANDLE, mean_patience_minutes=patience
        )
        result = simulate(frame, fifo, agents=AGENTS)
        check(frame, result, AGENTS)
        rec = after_warmup(result)
        s = summarize(rec)
        # time in queue until answered or gone, over all offered queries
        return np.array([s["abandon_rate"], rec["wait_minutes"].mean(), s["within_5_min"]])

    mean, se = replicate(measure)
    a = staffing.erlang_a(rate, HANDLE, AGENTS, patience, within_minutes=5.0)
    theory = np.array([a.abandon_probability, a.mean_wait_minutes, a.service_level])
    assert_matches(mean, se, theory, max_relative_se=0.05)


def test_patience_model_replaces_the_column() -> None:
    # The same Erlang A check with the patience drawn by the simulator.
    rate = AGENTS * 60.0 / HANDLE
    frame = pz.synthetic.poisson_queries(N, rate, 0, mean_handle_minutes=HANDLE)
    runs = [
        summarize(
            simulate(
                frame,
                pz.policies.fifo(),
                agents=AGENTS,
                seed=s,
                patience=pz.simulation.Exponential(20.0),
            ).records.iloc[WARMUP:]
        )["abandon_rate"]
        for s in range(4)
    ]
    expected = staffing.erlang_a(rate, HANDLE, AGENTS, 20.0).abandon_probability
    assert abs(np.mean(runs) - expected) < 0.1 * expected
