"""Runs several test files read: one run under two names, where every figure is equal."""

from __future__ import annotations

import prioritize as pz
from prioritize.simulation import SimulationResult


def same_run_twice() -> dict[str, SimulationResult]:
    """One run read under two names (``fifo`` and ``again``): every figure and change is equal.

    Nearly everyone gives up (patience 0.001 min), so every four-fifths verdict is "too few to
    tell" and some follower bands have no answered query (no median wait to change).
    """
    frame = pz.synthetic.queries(300, seed=1, days=0.2)
    run = pz.simulate(frame, pz.policies.fifo(), agents=1, patience=0.001, seed=0)
    return {"fifo": run, "again": run}
