"""sweep with a process pool: policies and frames travel by pickle, results equal the serial run."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

import prioritize as pz


def _day(seed: int) -> pd.DataFrame:
    """A module-level frame function: what a process pool can pickle."""
    return pz.synthetic.queries(120, seed=seed, days=1)


def test_process_pool_sweep_equals_serial_sweep() -> None:
    policy = pz.policies.balanced()  # rules, caps, aging: a compiled plan that must not travel
    grid = {"follower_reach": [0.0, 0.4], "agents": [2, 3]}
    serial = pz.sweep(_day, policy, grid=grid, seeds=[0, 1])
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        parallel = pz.sweep(_day, policy, grid=grid, seeds=[0, 1], executor=pool)
    pd.testing.assert_frame_equal(parallel, serial)
    assert len(serial) == 8
