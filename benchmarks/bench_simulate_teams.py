"""Benchmark: ``simulate`` with a team (a W-design) against SimPy and the single pool, in one run.

Run: ``python benchmarks/bench_simulate_teams.py [--n 100000]`` (needs the bench
extra: simpy).

The scenario, a W-design: two skills ``a`` and ``b``; queries of type A need
``a`` (λ_A per hour), type B need ``b`` (λ_B); three groups: specialists in
``a``, specialists in ``b`` and generalists with both. Exponential handle
times, FIFO (so the policy's order is first come, first served among the
queries an agent may take), ``longest_idle`` assignment of an arriving query
(FCFS-ALIS in the queueing literature). Every contender simulates the same
``n`` arrivals with the same handle times to completion.

* ``simulate`` with the team: the full call (validating the frame, scoring,
  ranking, the team engine, records and summary);
* ``simulate`` with ``agents=`` the same head count as one pool, on the same
  stream (the single-pool engine; the goal is the team within 2× of it);
* SimPy, as it models skill-based routing: a ``FilterStore`` of agents and
  one process per query (FCFS among the waiting queries an agent may take,
  the longest idle agent a query may take); and a hand-tuned SimPy model
  with one process per agent instead. Their waits must equal ours
  (asserted), so all do the same work.

Contenders are interleaved and timed best of ``--repeat`` (CPU time of this
process: ``_timing.timed``); ratios are printed.
"""

from __future__ import annotations

import argparse
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _timing import timed  # the benchmarks' one timer (a sibling module)

import prioritize as pz
from prioritize.simulation import simulate

RATES = (8.0, 5.0)  # per hour: type A, type B
MEAN_HANDLE = 30.0  # minutes
GROUPS = (("a", 3, ("a",)), ("b", 2, ("b",)), ("ab", 3, ("a", "b")))  # name, agents, skills


def scenario(n: int, seed: int) -> pd.DataFrame:
    """Merged Poisson arrivals of the two types, exponential handle times, a skills column."""
    frame = pz.synthetic.poisson_queries(n, sum(RATES), seed, mean_handle_minutes=MEAN_HANDLE)
    rng = np.random.default_rng(seed + 1)
    frame["skills"] = np.where(rng.random(n) < RATES[0] / sum(RATES), "a", "b")
    return frame


def team() -> pz.Team:
    return pz.Team([pz.AgentGroup(name, agents=k, skills=set(s)) for name, k, s in GROUPS])


def simpy_store(arrival: list[float], kind: list[int], service: list[float]) -> list[float]:
    """The W-design as SimPy models skill-based routing: a FilterStore of agents.

    One process per query asks the store for an agent with its skill. The
    store serves pending requests in the order they were made (a freed agent
    goes to the oldest waiting query it may take: FCFS) and gives a new
    request the first matching agent in the order they were put back (the
    longest idle: ALIS).
    """
    import simpy

    env = simpy.Environment()
    agents = simpy.FilterStore(env)
    for g, (_, count, skills) in enumerate(GROUPS):
        for _ in range(count):
            agents.items.append((g, frozenset(skills)))
    wait = [0.0] * len(arrival)
    need = ("a", "b")

    def customer(j: int) -> Any:
        skill = need[kind[j]]
        agent = yield agents.get(lambda a: skill in a[1])
        wait[j] = env.now - arrival[j]
        yield env.timeout(service[j])
        yield agents.put(agent)

    def source() -> Any:
        for j, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            env.process(customer(j))

    env.process(source())
    env.run()
    return wait


def simpy_agents(arrival: list[float], kind: list[int], service: list[float]) -> list[float]:
    """The same routing in SimPy hand-tuned: one process per agent, not per query."""
    import simpy

    env = simpy.Environment()
    wait = [0.0] * len(arrival)
    waiting: tuple[deque[int], deque[int]] = (deque(), deque())  # per type, arrival order
    # Idle agents per group, longest idle first; an idle agent waits on its own event.
    idle: list[deque[int]] = [deque() for _ in GROUPS]
    wake: dict[int, Any] = {}
    group_of: list[int] = []
    for g, (_, count, _) in enumerate(GROUPS):
        group_of += [g] * count
    types_of = [tuple(ord(s) - ord("a") for s in skills) for _, _, skills in GROUPS]
    groups_for = [tuple(g for g, t in enumerate(types_of) if k in t) for k in (0, 1)]
    since = [0.0] * len(group_of)

    def agent(a: int) -> Any:
        g = group_of[a]
        while True:
            lines = [waiting[k] for k in types_of[g] if waiting[k]]
            if lines:
                j = min(lines, key=lambda q: q[0]).popleft()
            else:
                since[a] = env.now
                idle[g].append(a)
                wake[a] = env.event()
                j = yield wake[a]
            wait[j] = env.now - arrival[j]
            yield env.timeout(service[j])

    def source() -> Any:
        for j, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            heads = [idle[g][0] for g in groups_for[kind[j]] if idle[g]]
            if heads:
                a = min(heads, key=lambda x: (since[x], x))
                idle[group_of[a]].popleft()
                wake.pop(a).succeed(j)
            else:
                waiting[kind[j]].append(j)

    for a in range(len(group_of)):
        env.process(agent(a))
    env.process(source())
    env.run()
    return wait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="best of, interleaved")
    args = parser.parse_args()
    n = args.n
    frame = scenario(n, args.seed)
    t0 = frame["received_at"].iloc[0]
    arrival = ((frame["received_at"] - t0).dt.total_seconds() / 60.0).tolist()
    kind = (frame["skills"] == "b").astype(int).tolist()
    service = frame["handle_minutes"].tolist()
    fifo = pz.policies.fifo()
    w_team = team()
    heads = sum(k for _, k, _ in GROUPS)
    load = [r * MEAN_HANDLE / 60.0 for r in RATES]
    print(
        f"W-design: skills a, b; groups {', '.join(f'{n_}={k}{set(s)}' for n_, k, s in GROUPS)};"
        f"\noffered load A {load[0]:.2f}, B {load[1]:.2f} agents of {heads}; {n:,} queries\n"
    )

    contenders: dict[str, Callable[[], Any]] = {
        "simulate, team (W-design)": lambda: simulate(frame, fifo, agents=w_team, seed=0),
        "simulate, one pool (same heads)": lambda: simulate(frame, fifo, agents=heads, seed=0),
        "SimPy FilterStore, same routing": lambda: simpy_store(arrival, kind, service),
        "SimPy agent processes (tuned)": lambda: simpy_agents(arrival, kind, service),
    }
    best = dict.fromkeys(contenders, float("inf"))
    out: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, fn in contenders.items():
            seconds, out[name] = timed(fn)
            best[name] = min(best[name], seconds)

    ours = out["simulate, team (W-design)"].records
    for name in ("SimPy FilterStore, same routing", "SimPy agent processes (tuned)"):
        np.testing.assert_allclose(ours["wait_minutes"], out[name], atol=1e-6, err_msg=name)
    waits = ours.groupby("skills")["wait_minutes"].mean()
    share = ours["agent_group"].value_counts(normalize=True).sort_index()
    t_team, t_pool, t_simpy, t_tuned = (best[k] for k in contenders)
    print(f"{'':34s} {'seconds':>8s} {'queries/s':>11s}")
    for name, seconds in best.items():
        print(f"{name:34s} {seconds:8.3f} {n / seconds:11,.0f}")
    print(
        f"\nmean wait (min): A {waits['a']:.2f}, B {waits['b']:.2f} (SimPy: the same, asserted); "
        f"one pool {out['simulate, one pool (same heads)'].records['wait_minutes'].mean():.2f}"
    )
    print("service starts by group: " + ", ".join(f"{g} {v:.1%}" for g, v in share.items()))
    print(
        f"\nteam vs SimPy FilterStore: {t_simpy / t_team:.1f}x faster (goal >= 6x); "
        f"vs SimPy tuned: {t_tuned / t_team:.1f}x; "
        f"team vs one pool: {t_team / t_pool:.2f}x the time (goal <= 2x)"
    )


if __name__ == "__main__":
    main()
