"""Benchmark: the band figures a report reads, against the former mean replicates, in one run.

Run: ``python benchmarks/bench_bands.py [--n 20000] [--repeat 5]``.

One simulated run of ``--n`` queries (balanced, synthetic stream) is read by
``band_figures``, ``band_ratio_tests`` and ``band_changes`` (against the fifo
run of the same stream), each timed two ways, interleaved (best of
``--repeat``, process CPU time): as the library computes a mean's bootstrap
replicates now (groups of up to ``EXACT_MEAN_MAX`` queries resampled exactly,
larger ones the normal limit clipped to the values' range) and with the former
normal limit for every group (whose lower end went below zero for a skewed
small band). The simulation's own time is printed beside them for scale.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np
from _timing import best_of, timed  # the one interleaved best-of timer (run from benchmarks/)

import prioritize as pz
from prioritize.fairness import _bands, band_changes, band_figures, band_ratio_tests


def normal_limit(values: Any, *, replicates: int, rng: np.random.Generator) -> Any:
    """The former mean replicates: N(mean, sd / sqrt(n)) for every group, unclipped."""
    n = int(values.size)
    if n == 0:
        return np.full(replicates, np.nan)
    return rng.normal(values.mean(), values.std() / math.sqrt(n), size=replicates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = pz.synthetic.queries(args.n, seed=1)
    agents = pz.staffing.agents_for(frame, target=0.8, within_minutes=5).agents
    sim_seconds, run = timed(
        lambda: pz.simulate(frame, pz.policies.balanced(), agents=agents, seed=1)
    )
    before = pz.simulate(frame, pz.policies.fifo(), agents=agents, seed=1)
    cases = {
        "band_figures": lambda: band_figures(run.records, seed=0),
        "band_ratio_tests": lambda: band_ratio_tests(run.records, seed=0),
        "band_changes": lambda: band_changes(run.records, before.records, seed=0),
    }
    now = _bands.mean_replicates

    def former(fn: Any) -> Any:
        def call() -> Any:
            _bands.mean_replicates = normal_limit
            try:
                return fn()
            finally:
                _bands.mean_replicates = now

        return call

    print(f"{args.n:,} queries, {agents} agents; simulate took {sim_seconds * 1e3:.0f} ms")
    print(f"best of {args.repeat}, interleaved (process time)\n")
    print(f"{'reading':18} {'former':>10} {'now':>10} {'now/former':>11}")
    for name, fn in cases.items():
        old, new = best_of([former(fn), fn], args.repeat)
        print(f"{name:18} {old * 1e3:8.1f}ms {new * 1e3:8.1f}ms {new / old:10.2f}x")


if __name__ == "__main__":
    main()
