"""Benchmark: ``simulate`` against SimPy and Ciw on one M/M/3 priority scenario, in one run.

Run: ``python benchmarks/bench_simulate.py [--n 100000]`` (needs the bench
extra: simpy, ciw).

The scenario: 3 agents, exponential service with rate 2 per hour (mean 30
minutes), two Poisson classes, urgent (urgency 1, 2 per hour) served before
routine (urgency 0, 3 per hour), non-preemptive, FIFO within a class; load
ρ = 5/6. Every contender simulates ``n`` arrivals to completion.

* ``simulate``: the full call (validating the frame, scoring, ranking,
  the event loop, building records and the summary) and the event loop alone;
* bare heapq: the smallest event loop one can write for this scenario (a heap
  of ``(time, kind, seq)`` events plus a waiting heap), the practical floor;
* SimPy: ``PriorityResource`` with one process per query, on the same
  arrival and service times;
* Ciw: the same network from its own exponential distributions.

Also prints each contender's per-class mean waits next to Cobham's formula,
and long runs of ``simulate`` alone (``--long-reps`` × ``--long``, default
4 × 1M queries) against it: mean deviation and its standard error.
"""

from __future__ import annotations

import argparse
import heapq
import math
from typing import Any

import numpy as np
import pandas as pd
from _timing import timed  # the benchmarks' one timer (a sibling module)

import prioritize as pz
from prioritize import staffing
from prioritize.simulation import _engine, simulate

LAMBDA = (3.0, 2.0)  # per hour: routine (class 0), urgent (class 1)
MU = 2.0  # per hour
AGENTS = 3


def scenario(n: int, seed: int) -> pd.DataFrame:
    """A canonical frame: merged Poisson arrivals, class by coin flip, exponential handle."""
    return pz.synthetic.poisson_queries(
        n,
        sum(LAMBDA),
        seed,
        mean_handle_minutes=60.0 / MU,
        urgent_share=LAMBDA[1] / sum(LAMBDA),
    )


def arrays(frame: pd.DataFrame) -> tuple[list[float], list[int], list[float]]:
    t0 = frame["received_at"].iloc[0]
    arrival = ((frame["received_at"] - t0).dt.total_seconds() / 60.0).tolist()
    klass = frame["urgency"].astype(int).tolist()
    return arrival, klass, frame["handle_minutes"].tolist()


def bare_heapq(arrival: list[float], klass: list[int], service: list[float]) -> list[float]:
    """The floor: (time, kind, seq) events and a (class, seq) waiting heap, nothing else."""
    n = len(arrival)
    wait = [0.0] * n
    events: list[tuple[float, int, int]] = [(arrival[0], 0, 0)] if n else []
    waiting: list[tuple[int, int]] = []
    free = AGENTS
    push, pop = heapq.heappush, heapq.heappop
    while events:
        t, kind, j = pop(events)
        if kind == 0:  # arrival
            if j + 1 < n:
                push(events, (arrival[j + 1], 0, j + 1))
            if free:
                free -= 1
                push(events, (t + service[j], 1, j))
            else:
                push(waiting, (-klass[j], j))
        elif waiting:  # completion: the agent takes the next query
            k = pop(waiting)[1]
            wait[k] = t - arrival[k]
            push(events, (t + service[k], 1, k))
        else:
            free += 1
    return wait


def simpy_run(arrival: list[float], klass: list[int], service: list[float]) -> list[float]:
    import simpy

    env = simpy.Environment()
    agents = simpy.PriorityResource(env, capacity=AGENTS)
    wait = [0.0] * len(arrival)

    def customer(j: int) -> Any:
        with agents.request(priority=1 - klass[j]) as req:
            yield req
            wait[j] = env.now - arrival[j]
            yield env.timeout(service[j])

    def source() -> Any:
        for j, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            env.process(customer(j))

    env.process(source())
    env.run()
    return wait


def ciw_run(n: int, seed: int) -> dict[int, float]:
    import ciw

    network = ciw.create_network(
        arrival_distributions={
            "routine": [ciw.dists.Exponential(LAMBDA[0] / 60.0)],
            "urgent": [ciw.dists.Exponential(LAMBDA[1] / 60.0)],
        },
        service_distributions={
            "routine": [ciw.dists.Exponential(MU / 60.0)],
            "urgent": [ciw.dists.Exponential(MU / 60.0)],
        },
        number_of_servers=[AGENTS],
        priority_classes={"urgent": 0, "routine": 1},
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(n, method="Arrive")
    recs = pd.DataFrame(sim.get_all_records())
    means = recs.groupby("customer_class")["waiting_time"].mean()
    return {0: float(means.get("routine", math.nan)), 1: float(means.get("urgent", math.nan))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of, for the fast ones")
    parser.add_argument(
        "--long", type=int, default=1_000_000, help="queries per long run against theory"
    )
    parser.add_argument("--long-reps", type=int, default=4, help="long runs (seeds)")
    args = parser.parse_args()
    n = args.n
    frame = scenario(n, args.seed)
    arrival, klass, service = arrays(frame)
    policy = pz.Policy(name="urgent_first", weights={"urgency": 1.0})
    print(f"M/M/{AGENTS}, two priority classes (λ = {LAMBDA[1]:g} urgent, {LAMBDA[0]:g} routine")
    print(f"per hour; μ = {MU:g} per hour), {n:,} queries\n")

    def ours() -> Any:
        return simulate(frame, policy, agents=AGENTS, seed=args.seed)

    def loop_only() -> Any:
        prio = sorted(range(n), key=lambda j: (-klass[j], j))
        rank = [0] * n
        for r, j in enumerate(prio):
            rank[j] = r
        inf = [math.inf] * n
        return lambda: _engine.run_fixed_plain(arrival, service, inf, rank, prio, AGENTS)

    rows: list[tuple[str, float, dict[int, float]]] = []
    t_ours, result = min((timed(ours) for _ in range(args.repeat)), key=lambda x: x[0])
    rec = result.records
    ours_w = rec.groupby(frame["urgency"].astype(int).to_numpy())["wait_minutes"].mean()
    rows.append(("prioritize.simulate (full call)", t_ours, ours_w.to_dict()))
    run = loop_only()
    t_loop = min(timed(run)[0] for _ in range(args.repeat))
    rows.append(("prioritize event loop alone", t_loop, ours_w.to_dict()))
    t_bare, bare_w = min(
        (timed(lambda: bare_heapq(arrival, klass, service)) for _ in range(args.repeat)),
        key=lambda x: x[0],
    )
    bw = pd.Series(bare_w).groupby(np.asarray(klass)).mean().to_dict()
    rows.append(("bare heapq event loop", t_bare, bw))
    t_simpy, simpy_w = timed(lambda: simpy_run(arrival, klass, service))
    sw = pd.Series(simpy_w).groupby(np.asarray(klass)).mean().to_dict()
    rows.append(("SimPy PriorityResource", t_simpy, sw))
    t_ciw, ciw_w = timed(lambda: ciw_run(n, args.seed))
    rows.append(("Ciw", t_ciw, ciw_w))

    urgent, routine = staffing.cobham_mean_waits([LAMBDA[1], LAMBDA[0]], 60.0 / MU, AGENTS)
    theory = {1: urgent, 0: routine}
    print(f"{'':34s} {'queries/s':>11s} {'vs SimPy':>9s} {'vs Ciw':>7s}   mean wait (min)")
    print(f"{'':34s} {'':>11s} {'':>9s} {'':>7s}   urgent  routine")
    for name, seconds, waits in rows:
        print(
            f"{name:34s} {n / seconds:11,.0f} {t_simpy / seconds:8.1f}x {t_ciw / seconds:6.1f}x"
            f"   {waits.get(1, math.nan):6.2f}  {waits.get(0, math.nan):7.2f}"
        )
    print(
        f"{'Cobham (theory)':34s} {'':>11s} {'':>9s} {'':>7s}   {theory[1]:6.2f}  {theory[0]:7.2f}"
    )
    if args.long and args.long_reps >= 2:  # a standard error needs two runs
        devs, rate = [], []
        for rep in range(args.long_reps):
            big = scenario(args.long, args.seed + 1 + rep)
            t_long, long_run = timed(lambda big=big: simulate(big, policy, agents=AGENTS))
            rate.append(args.long / t_long)
            cut = args.long // 100  # drop a 1 % warm-up
            waits = long_run.records["wait_minutes"].to_numpy()[cut:]
            urgent = big["urgency"].to_numpy()[cut:] == 1.0
            devs.append(
                [waits[urgent].mean() / theory[1] - 1, waits[~urgent].mean() / theory[0] - 1]
            )
        dev = 100 * np.array(devs)
        mean, se = dev.mean(axis=0), dev.std(axis=0, ddof=1) / np.sqrt(len(dev))
        print(
            f"\nLong runs, {args.long_reps} x {args.long:,} queries ({np.mean(rate):,.0f}/s), "
            f"mean wait vs Cobham: urgent {mean[0]:+.1f} % (se {se[0]:.1f}), "
            f"routine {mean[1]:+.1f} % (se {se[1]:.1f})"
        )
    print(
        f"\nGoal: simulate >= 12x SimPy and >= 20x Ciw. simulate reaches "
        f"{t_simpy / t_ours:.1f}x / {t_ciw / t_ours:.1f}x; "
        f"the bare loop {t_simpy / t_bare:.1f}x SimPy."
    )


if __name__ == "__main__":
    main()
