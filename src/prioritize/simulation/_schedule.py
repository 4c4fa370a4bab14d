"""Staffing over time: shifts merged into a step function of agents on duty.

A :class:`~prioritize.Shift` (the model lives in :mod:`prioritize.models`)
repeats every listed weekday in its own time zone. :func:`capacity_changes`
turns a list into the instants (UTC nanoseconds) at which the number of
agents on duty changes; it is lazy and endless, because a simulation runs
until its last query is answered.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from prioritize.models import DAYS, Shift

__all__ = ["DAYS", "Shift", "capacity_changes"]

_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS
_CHUNK_DAYS = 7


def _utc_date(ns: int) -> date:
    return datetime.fromtimestamp(ns // _NS, tz=UTC).date()


def capacity_changes(shifts: Sequence[Shift], start_ns: int) -> Iterator[tuple[int, int]]:
    """Agents on duty over time: ``(time_ns, agents)`` from ``start_ns`` on, endlessly.

    The first item is ``(start_ns, agents on duty at start_ns)``; then one item
    at every instant where a shift starts or ends (the count may be unchanged
    when one shift hands over to the next). Shifts are generated a week at a
    time, so the iterator never ends and never holds more than a few weeks.
    """
    pending: list[tuple[int, int]] = []
    lo = start_ns - 2 * _DAY_NS  # shifts last at most a day; catch one already running
    agents = 0
    started = False
    while True:
        hi = lo + _CHUNK_DAYS * _DAY_NS
        # Local dates differ from UTC dates by at most a day.
        first, last = _utc_date(lo) - timedelta(days=1), _utc_date(hi) + timedelta(days=1)
        for shift in shifts:
            for b, e in shift.intervals(first, last):
                if lo <= b < hi:
                    heapq.heappush(pending, (b, shift.count))
                    heapq.heappush(pending, (e, -shift.count))
        # Every change before ``hi`` is known now: later chunks only add starts >= hi.
        while pending and pending[0][0] < hi:
            t = pending[0][0]
            if t > start_ns and not started:
                started = True
                yield start_ns, agents
            while pending and pending[0][0] == t:
                agents += heapq.heappop(pending)[1]
            if t > start_ns:
                yield t, agents
        if not started and hi > start_ns:
            started = True
            yield start_ns, agents
        lo = hi
