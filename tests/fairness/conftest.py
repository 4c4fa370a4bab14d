"""Builders shared by the fairness tests: hand-written records and a tiny work-conserving queue."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

T0 = pd.Timestamp("2026-03-02 09:00", tz="UTC")
BANDS = ["<1k", "1k-10k", "10k-100k", "100k+"]


def _at(minutes: Any) -> pd.Series:
    """Minutes after T0 as tz-aware timestamps (NaN -> NaT)."""
    values = np.asarray(minutes, dtype=np.float64)
    return pd.Series(T0 + pd.to_timedelta(values, unit="min"))


def build_records(
    received: Sequence[float],
    started: Sequence[float] | None = None,
    finished: Sequence[float] | None = None,
    *,
    wait: Sequence[float] | None = None,
    abandoned: Sequence[bool] | None = None,
    **columns: Any,
) -> pd.DataFrame:
    """A records frame from times in minutes after T0 (NaN start = never served).

    ``wait`` defaults to start - arrival for served queries (it must be given
    for the others); ``abandoned`` defaults to "never served".
    """
    arrival = np.asarray(received, dtype=np.float64)
    n = arrival.size
    start = np.full(n, np.nan) if started is None else np.asarray(started, dtype=np.float64)
    finish = np.full(n, np.nan) if finished is None else np.asarray(finished, dtype=np.float64)
    waits = start - arrival if wait is None else np.asarray(wait, dtype=np.float64)
    gave_up = np.isnan(start) if abandoned is None else np.asarray(abandoned, dtype=bool)
    frame = pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(n)],
            "received_at": _at(arrival),
            "started_at": _at(start),
            "finished_at": _at(finish),
            "wait_minutes": waits,
            "abandoned": gave_up,
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def serve(
    arrival: Sequence[float],
    service: Sequence[float],
    patience: Sequence[float],
    agents: int,
    priority: Sequence[float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A work-conserving schedule: ``agents`` agents, waiting queries served by
    (priority, arrival, id); a query leaves unserved at arrival + patience.

    Returns start, finish (NaN if never served) and the wait of each query.
    """
    n = len(arrival)
    order = sorted(range(n), key=lambda i: (arrival[i], i))
    start = np.full(n, np.nan)
    finish = np.full(n, np.nan)
    busy: list[float] = []
    waiting: list[tuple[float, float, int]] = []
    free = agents
    k = 0
    while k < n or busy:
        next_arrival = arrival[order[k]] if k < n else math.inf
        if busy and busy[0] <= next_arrival:
            now = heapq.heappop(busy)
            free += 1
        else:
            now = next_arrival
            i = order[k]
            k += 1
            heapq.heappush(waiting, (priority[i], arrival[i], i))
        while free and waiting:
            _, a, i = heapq.heappop(waiting)
            if a + patience[i] < now:  # it had already left
                continue
            start[i] = now
            finish[i] = now + service[i]
            free -= 1
            heapq.heappush(busy, finish[i])
    wait = np.where(np.isnan(start), np.asarray(patience, dtype=np.float64), start - arrival)
    return start, finish, wait


@pytest.fixture(scope="session")
def records_of() -> Callable[..., pd.DataFrame]:
    return build_records


@pytest.fixture(scope="session")
def schedule() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return serve


@pytest.fixture(scope="session")
def bands() -> list[str]:
    return list(BANDS)
