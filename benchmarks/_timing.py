"""The benchmarks' timers, defined once (import as ``from _timing import ...``).

The scripts run as ``python benchmarks/bench_x.py``, so this folder is first on
``sys.path`` and the import finds this module. The clock is this process's CPU
time (``time.process_time``): the work timed is single-threaded, and other
processes' load on a shared machine disturbs it far less than the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["best_of", "timed"]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of CPU time one call of ``fn`` takes, and what it returns."""
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def best_of(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best time of each function over ``repeat`` rounds, the functions interleaved.

    Interleaving puts every contender in the same quiet and noisy moments of a
    shared machine, so the ratios hold even when absolute times drift.
    """
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            seconds, _ = timed(fn)
            best[i] = min(best[i], seconds)
    return best
