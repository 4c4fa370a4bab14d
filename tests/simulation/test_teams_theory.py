"""Teams against queueing theory: independent pools, the pooled queue, FCFS-ALIS.

As ``test_simulation_theory.py``: independent replications (seeds 0..R-1), a
warm-up dropped from each, the replication mean within a few standard errors
of the closed form, and the standard error small enough to mean something.
Sizes are chosen to run in a few seconds each.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import prioritize as pz
from prioritize import staffing
from prioritize.simulation import simulate

HANDLE = 10.0  # minutes
N = 6_000
WARMUP = 500
REPLICATIONS = 12
Z = 4.0


def stream(n: int, rates: dict[str, float], seed: int) -> pd.DataFrame:
    """Poisson arrivals split at random by skill: independent Poisson streams per skill."""
    frame = pz.synthetic.poisson_queries(n, sum(rates.values()), seed, mean_handle_minutes=HANDLE)
    rng = np.random.default_rng(10_000 + seed)
    p = np.array(list(rates.values())) / sum(rates.values())
    frame["skills"] = rng.choice(list(rates), n, p=p)
    return frame


def replicate(measure: Callable[[int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    runs = np.array([measure(seed) for seed in range(REPLICATIONS)])
    return runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(REPLICATIONS)


def assert_matches(mean: np.ndarray, se: np.ndarray, theory: np.ndarray, max_rel_se: float) -> None:
    assert (se <= max_rel_se * np.abs(theory)).all(), (se, theory)
    assert (np.abs(mean - theory) <= Z * se).all(), (mean, theory, (mean - theory) / se)


def by_skill(result: Any, skills: list[str]) -> np.ndarray:
    rec = result.records.iloc[WARMUP:]
    out = []
    for s in skills:
        waits = rec.loc[rec["skills"] == s, "wait_minutes"]
        out += [waits.mean(), (waits > 0).mean()]
    return np.array(out)


def test_disjoint_groups_are_independent_erlang_c_pools(check: Any) -> None:
    rates = {"es": 0.75 * 3 * 60 / HANDLE, "en": 0.7 * 2 * 60 / HANDLE}
    team = pz.Team(
        [pz.AgentGroup("es", agents=3, skills={"es"}), pz.AgentGroup("en", agents=2, skills={"en"})]
    )

    def measure(seed: int) -> np.ndarray:
        frame = stream(N, rates, seed)
        result = simulate(frame, pz.policies.fifo(), agents=team)
        check(frame, result)
        rec = result.records
        assert (rec.loc[rec["skills"] == "es", "agent_group"].dropna() == "es").all()
        assert (rec.loc[rec["skills"] == "en", "agent_group"].dropna() == "en").all()
        return by_skill(result, ["es", "en"])

    mean, se = replicate(measure)
    theory = []
    for skill, agents in (("es", 3), ("en", 2)):
        theory += [
            staffing.mean_wait_minutes(rates[skill], HANDLE, agents),
            staffing.erlang_c(rates[skill], HANDLE, agents),
        ]
    assert_matches(mean, se, np.array(theory), max_rel_se=0.08)


@pytest.mark.parametrize("select", ["longest_idle", "random"])
def test_full_flexibility_is_the_pooled_erlang_c(select: str, check: Any) -> None:
    rates = {"es": 12.0, "en": 12.0}  # 24 per hour on 5 agents of 10 minutes: load 0.8
    team = pz.Team(
        [
            pz.AgentGroup("x", agents=2, skills={"es", "en"}),
            pz.AgentGroup("y", agents=3, skills={"es", "en", "billing"}),
        ],
        select=select,
    )

    def measure(seed: int) -> np.ndarray:
        frame = stream(N, rates, seed)
        result = simulate(frame, pz.policies.fifo(), agents=team, seed=seed)
        check(frame, result)
        waits = result.records["wait_minutes"].iloc[WARMUP:]
        return np.array([waits.mean(), (waits > 0).mean()])

    mean, se = replicate(measure)
    total = sum(rates.values())
    theory = np.array(
        [staffing.mean_wait_minutes(total, HANDLE, 5), staffing.erlang_c(total, HANDLE, 5)]
    )
    assert_matches(mean, se, theory, max_rel_se=0.06)


def test_random_and_longest_idle_give_identical_agents_the_same_waits() -> None:
    """Among identical agents which free one takes a query changes who, never when.

    (In M/M/N an idle-order rule and random assignment give the same waits;
    here the sample paths are equal, query by query, while the agents differ.)
    """
    frame = stream(3_000, {"es": 10.0, "en": 14.0}, 3)
    groups = [pz.AgentGroup(f"g{i}", agents=2, skills={"es", "en"}) for i in range(3)]
    runs = {
        select: simulate(frame, pz.policies.balanced(), agents=pz.Team(groups, select=select))
        for select in ("longest_idle", "random", "fewest_skills")
    }
    first = runs["longest_idle"].records
    for rec in (r.records for r in runs.values()):
        np.testing.assert_array_equal(rec["wait_minutes"], first["wait_minutes"])
    who = [
        r.records[["agent_group", "agent"]].astype(str).agg("/".join, axis=1) for r in runs.values()
    ]
    assert (who[0] != who[1]).mean() > 0.3  # random really assigns other agents


# -- FCFS-ALIS: an N-design solved exactly ---------------------------------------------


def fcfs_alis_n_design(lam1: float, lam2: float, mu: float, cap: int) -> tuple[float, float]:
    """Mean waits of the N-design under FCFS-ALIS from its Markov chain (queue cut at ``cap``).

    Agent A takes type 1 only, agent B takes types 1 and 2. A free agent takes
    the oldest waiting query it may take (FCFS); an arriving query that finds
    both agents free goes to the one idle longer (ALIS). The state is
    (A busy, B busy, which of them became idle first, the waiting types in
    arrival order).
    """
    states: list[tuple[int, int, int, tuple[int, ...]]] = []
    for a, b in itertools.product((0, 1), repeat=2):
        firsts = (0, 1) if not a and not b else (0,)
        for first in firsts:
            for length in range(cap + 1):
                for queue in itertools.product((1, 2), repeat=length):
                    if queue and not b:
                        continue  # B free takes anything
                    if not a and 1 in queue:
                        continue  # A free takes type 1
                    states.append((a, b, first, queue))
    index = {s: i for i, s in enumerate(states)}
    rows, cols, vals = [], [], []

    def move(src: tuple[int, int, int, tuple[int, ...]], dst: Any, rate: float) -> None:
        rows.append(index[src])
        cols.append(index[dst])
        vals.append(rate)

    for s in states:
        a, b, first, queue = s
        for kind, lam in ((1, lam1), (2, lam2)):
            if kind == 1 and not a and not b:
                # first == 0: A idle longer; 1: B idle longer
                move(s, (1, 0, 0, ()) if first == 0 else (0, 1, 0, ()), lam)
            elif kind == 1 and not a:
                move(s, (1, b, 0, queue), lam)
            elif not b:
                move(s, (a, 1, 0, queue), lam)
            elif len(queue) < cap:
                move(s, (a, b, 0, (*queue, kind)), lam)
        if a:  # A finishes: the oldest type 1 waiting, or idle
            if 1 in queue:
                i = queue.index(1)
                move(s, (1, b, 0, queue[:i] + queue[i + 1 :]), mu)
            else:
                move(s, (0, b, 1 if not b else 0, queue), mu)  # B idle longer if idle
        if b:  # B finishes: the oldest waiting, or idle
            if queue:
                move(s, (a, 1, 0, queue[1:]), mu)
            else:
                move(s, (a, 0, 0, queue), mu)  # A idle longer, if idle
    size = len(states)
    q = sp.csr_matrix((vals, (rows, cols)), shape=(size, size))
    q = q - sp.diags(np.asarray(q.sum(axis=1)).ravel())
    a_mat = q.T.tolil()
    a_mat[0, :] = 1.0
    rhs = np.zeros(size)
    rhs[0] = 1.0
    pi = spla.spsolve(a_mat.tocsr(), rhs)
    n1 = sum(p * s[3].count(1) for p, s in zip(pi, states, strict=True))
    n2 = sum(p * s[3].count(2) for p, s in zip(pi, states, strict=True))
    return n1 / lam1, n2 / lam2  # Little's law, per type


def test_fcfs_alis_n_design_matches_its_markov_chain(check: Any) -> None:
    """Reproduces the FCFS-ALIS parallel-server model of the queueing literature.

    Model: Visschers, Adan & Weiss, "A product form solution to a system with
    multi-type jobs and multi-type servers", Queueing Systems 70 (2012)
    269-298, and Adan & Weiss, "A skill based parallel service system under
    FCFS-ALIS", Stochastic Systems 4 (2014) 250-299: waiting jobs are served
    first come first served among those a free server may take, an arriving
    job goes to the longest idle server that may take it. Our FIFO policy
    with ``select="longest_idle"`` is that model. For its smallest skill
    structure with a choice, the N-design (agent A: type 1; agent B: types 1
    and 2; λ1 = 2, λ2 = 1.5 per hour, exponential handle with mean 10
    minutes), the mean waits from the model's Markov chain are W1 = 0.753
    and W2 = 5.019 minutes (the chain cut at 10 waiting queries; 12 changes
    them by less than 1e-4). Asserted below, then matched by the simulation.
    """
    lam1, lam2, mu = 2.0 / 60, 1.5 / 60, 1.0 / HANDLE  # per minute
    w1, w2 = fcfs_alis_n_design(lam1, lam2, mu, cap=10)
    assert (round(w1, 3), round(w2, 3)) == (0.753, 5.019)
    team = pz.Team(
        [
            pz.AgentGroup("A", agents=1, skills={"t1"}),
            pz.AgentGroup("B", agents=1, skills={"t1", "t2"}),
        ]
    )

    def measure(seed: int) -> np.ndarray:
        frame = stream(N, {"t1": 2.0, "t2": 1.5}, seed)
        result = simulate(frame, pz.policies.fifo(), agents=team)
        check(frame, result)
        rec = result.records.iloc[WARMUP:]
        return np.array([rec.loc[rec["skills"] == s, "wait_minutes"].mean() for s in ("t1", "t2")])

    mean, se = replicate(measure)
    assert_matches(mean, se, np.array([w1, w2]), max_rel_se=0.08)
