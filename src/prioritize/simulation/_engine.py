"""The discrete-event core: arrivals, service starts and completions on plain lists.

Everything that can be computed before the run is: the policy's scores do not
depend on which other queries wait (batch independence) and linear aging keeps
the heap key static, so each query's place in the serving order is one integer
``prio`` (0 = served first) ranked once with
:func:`prioritize.policy.rank_order`. The waiting line is then a heap of ints.

Time is in float minutes since the first arrival. Queries are indexed
``0..n-1`` in arrival order (ties by ``query_id``), which is also the
"oldest first" order that ``MaxWait`` uses.

Abandonment needs no event: a query whose patience runs out leaves nothing
behind (it frees no agent), so whether it left is decided exactly when an
agent would take it: a query still waiting at ``t`` with ``abandon_at < t``
(waited strictly longer than its patience) gave up at ``abandon_at``.

Events at the same instant are handled in this order: staffing changes, then
arrivals, then completions. An agent who becomes free takes the first query
in the policy's order immediately.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from heapq import heappop, heappush, heapreplace

from prioritize.policy import ShareLedger

__all__ = ["PlainPicker", "RulesPicker", "run_fixed_plain", "run_general"]

_SHIFT = 0
_COMPLETE = 1
_NAN = float("nan")
_INF = float("inf")


def run_fixed_plain(
    arrival: Sequence[float],
    service: Sequence[float],
    abandon_at: Sequence[float],
    prio: Sequence[int],
    by_prio: Sequence[int],
    agents: int,
) -> tuple[list[float], list[int]]:
    """``agents`` always on duty, no ``MaxWait`` and no ``GroupShare``: the fast path.

    Returns the start time of every query (NaN: abandoned) and its agent (-1).
    The only events are completions, at most ``agents`` of them pending, kept
    in a heap of ``(finish, agent)``; arrivals are read in order from the list.
    """
    n = len(arrival)
    start = [_NAN] * n
    agent = [-1] * n
    waiting: list[int] = []
    busy: list[tuple[float, int]] = []
    idle = list(range(agents))
    # A last arrival at infinity drains the queue with the same completion loop.
    for j, t in enumerate([*arrival, _INF]):
        # A completion at exactly ``t`` comes after the arrival (see module docstring).
        while busy and busy[0][0] < t:
            free_at, a = busy[0]
            while waiting:
                k = by_prio[heappop(waiting)]
                if abandon_at[k] < free_at:
                    continue
                start[k] = free_at
                agent[k] = a
                heapreplace(busy, (free_at + service[k], a))
                break
            else:
                heappop(busy)
                idle.append(a)
        if j == n:
            break
        if idle:
            a = idle.pop()
            start[j] = t
            agent[j] = a
            heappush(busy, (t + service[j], a))
        else:
            heappush(waiting, prio[j])
    return start, agent


class PlainPicker:
    """The policy's order and nothing else: one heap of ``prio`` ints."""

    __slots__ = ("abandon_at", "by_prio", "heap", "prio", "waiting")

    def __init__(
        self, prio: Sequence[int], by_prio: Sequence[int], abandon_at: Sequence[float]
    ) -> None:
        self.prio = prio
        self.by_prio = by_prio
        self.abandon_at = abandon_at
        self.heap: list[int] = []
        self.waiting = 0

    def push(self, j: int) -> None:
        heappush(self.heap, self.prio[j])
        self.waiting += 1

    def pick(self, t: float) -> int:
        """The query an agent free at ``t`` takes (-1: none waiting)."""
        heap, by_prio, abandon_at = self.heap, self.by_prio, self.abandon_at
        while heap:
            k = by_prio[heappop(heap)]
            self.waiting -= 1
            if abandon_at[k] < t:
                continue
            return k
        return -1


class RulesPicker:
    """The policy's order under ``MaxWait`` and/or ``GroupShare``.

    ``MaxWait``: a heap of ``(overdue_at, j)``; at a service start the entries
    past their limit move to an "overdue" heap ordered by arrival, which is
    served first. ``GroupShare``: one ``prio`` heap per group, and the
    :class:`~prioritize.policy.ShareLedger` picks the group. A query leaves
    the other heaps lazily: ``gone[j]`` marks it started or abandoned.
    """

    __slots__ = (
        "abandon_at",
        "by_prio",
        "due",
        "gone",
        "group_of",
        "heaps",
        "ledger",
        "main",
        "overdue",
        "overdue_at",
        "prio",
        "waiting",
    )

    def __init__(
        self,
        prio: Sequence[int],
        by_prio: Sequence[int],
        abandon_at: Sequence[float],
        overdue_at: Sequence[float] | None,
        groups: tuple[Sequence[str], ShareLedger[str]] | None,
    ) -> None:
        self.prio = prio
        self.by_prio = by_prio
        self.abandon_at = abandon_at
        self.overdue_at = overdue_at
        self.gone = bytearray(len(prio))
        self.main: list[int] = []
        self.group_of: Sequence[str] = ()
        self.ledger: ShareLedger[str] | None = None
        self.heaps: dict[str, list[int]] = {}
        if groups is not None:
            self.group_of, self.ledger = groups
            self.heaps = {g: [] for g in sorted(set(self.group_of))}
        self.due: list[tuple[float, int]] = []
        self.overdue: list[int] = []
        self.waiting = 0

    def push(self, j: int) -> None:
        heap = self.main if self.ledger is None else self.heaps[self.group_of[j]]
        heappush(heap, self.prio[j])
        if self.overdue_at is not None:
            heappush(self.due, (self.overdue_at[j], j))
        self.waiting += 1

    def _take(self, j: int) -> int:
        self.gone[j] = 1
        self.waiting -= 1
        return j

    def _live_top(self, heap: list[int], t: float) -> int:
        gone, by_prio, abandon_at = self.gone, self.by_prio, self.abandon_at
        while heap:
            j = by_prio[heap[0]]
            if gone[j]:
                heappop(heap)
            elif abandon_at[j] < t:
                heappop(heap)
                self._take(j)
            else:
                return heap[0]
        return -1

    def _backlogged(self, t: float) -> set[str]:
        return {g for g, heap in self.heaps.items() if self._live_top(heap, t) >= 0}

    def _pick_overdue(self, t: float) -> int:
        assert self.overdue_at is not None
        due, overdue, gone = self.due, self.overdue, self.gone
        while due and due[0][0] < t:  # waited strictly longer than the limit
            j = heappop(due)[1]
            if not gone[j]:
                heappush(overdue, j)
        while overdue:
            j = heappop(overdue)
            if gone[j]:
                continue
            if self.abandon_at[j] < t:
                self._take(j)
                continue
            if self.ledger is not None:
                self.ledger.record(self._backlogged(t), self.group_of[j])
            return self._take(j)
        return -1

    def pick(self, t: float) -> int:
        """The query an agent free at ``t`` takes (-1: none waiting)."""
        if self.overdue_at is not None:
            j = self._pick_overdue(t)
            if j >= 0:
                return j
        if self.ledger is not None:
            best: dict[str, int] = {}
            for g, heap in self.heaps.items():
                top = self._live_top(heap, t)
                if top >= 0:
                    best[g] = top
            if not best:
                return -1
            heap = self.heaps[self.ledger.pick(best)]
        else:
            heap = self.main
            if self._live_top(heap, t) < 0:
                return -1
        return self._take(self.by_prio[heappop(heap)])


def run_general(
    arrival: Sequence[float],
    service: Sequence[float],
    picker: PlainPicker | RulesPicker,
    staffing: Iterator[tuple[float, int]],
) -> tuple[list[float], list[int]]:
    """Any picker, agents on duty varying over time.

    ``staffing`` yields ``(time, agents on duty from then on)``, the first at
    or before the first arrival; it may be endless. When it drops, idle agents
    leave at once and busy ones when their current query is done
    (non-preemptive); when it rises, new agents (lowest free seat number
    first) start on waiting queries at once. Returns start times (NaN:
    abandoned) and agents (-1) like :func:`run_fixed_plain`.
    """
    n = len(arrival)
    start = [_NAN] * n
    agent = [-1] * n
    events: list[tuple[float, int, int]] = []
    idle: list[int] = []
    seats: list[int] = []  # seats free to staff, lowest first
    state = [0, 0, 0]  # on duty, target on duty, busy
    next_seat = 0

    def serve(a: int, t: float) -> None:
        j = picker.pick(t)
        if j < 0:
            idle.append(a)
        else:
            start[j] = t
            agent[j] = a
            state[2] += 1
            heappush(events, (t + service[j], _COMPLETE, a))

    def staff(target: int, t: float) -> None:
        nonlocal next_seat
        state[1] = target
        while state[0] < target:
            if seats:
                a = heappop(seats)
            else:
                a, next_seat = next_seat, next_seat + 1
            state[0] += 1
            serve(a, t)
        while state[0] > target and idle:
            heappush(seats, idle.pop())
            state[0] -= 1

    first = next(staffing)
    staff(first[1], first[0])
    upcoming = next(staffing, None)
    if upcoming is not None:
        heappush(events, (upcoming[0], _SHIFT, upcoming[1]))
    i = 0
    while i < n or state[2] or picker.waiting:
        if events:
            te, kind, x = events[0]
            if i < n and (arrival[i] < te or (arrival[i] == te and kind == _COMPLETE)):
                t = arrival[i]
            else:
                heappop(events)
                if kind == _COMPLETE:
                    state[2] -= 1
                    if state[0] > state[1]:  # staffing dropped while busy: leave now
                        state[0] -= 1
                        heappush(seats, x)
                    else:
                        serve(x, te)
                else:
                    staff(x, te)
                    upcoming = next(staffing, None)
                    if upcoming is not None:
                        heappush(events, (upcoming[0], _SHIFT, upcoming[1]))
                continue
        elif i < n:
            t = arrival[i]
        else:  # pragma: no cover - a finite staffing that ends with queries waiting
            raise RuntimeError("staffing ended with queries still waiting")
        # Through the picker even when an agent is idle, so that GroupShare
        # books this service start like any other (as TriageQueue push + pop).
        picker.push(i)
        if idle:
            serve(idle.pop(), t)
        i += 1
    return start, agent
