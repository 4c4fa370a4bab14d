"""The discrete-event core: arrivals, service starts and completions on plain lists.

Everything that can be computed before the run is: the policy's scores do not
depend on which other queries wait (batch independence) and linear aging keeps
the heap key static, so each query's place in the serving order is one integer
``prio`` (0 = served first) ranked once with
:func:`prioritize.policy.rank_order`. The waiting line is the policy's
serving-order core, :class:`prioritize.policy.Picker` in its rank mode
(:func:`waiting_line`): heaps of ``prio`` ints. With agents always on duty
and neither ``MaxWait`` nor ``GroupShare`` the order is ``prio`` alone, and
:func:`run_fixed_plain` keeps it in one heap of ints without the picker.

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

Memory and time grow with the agents ever busy at once, not with the head
count: idle agents are kept as blocks of consecutive seat numbers (an agent
who has never served is not materialised), so ``agents=10**9`` costs what
"everyone is answered at once" costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from heapq import heappop, heappush, heapreplace

from prioritize.policy import Picker, Policy, Rows

__all__ = ["NEVER", "run_fixed_plain", "run_general", "waiting_line"]

#: Agent of a potential retry row that never happened (its customer was answered).
NEVER = -2

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
    # Idle agents: ``idle`` (freed ones) on top of the ``fresh`` never used,
    # seats 0..fresh-1, the highest taken first (as a stack of range(agents)).
    idle: list[int] = []
    fresh = agents
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
        if idle or fresh:
            if idle:
                a = idle.pop()
            else:
                fresh -= 1
                a = fresh
            start[j] = t
            agent[j] = a
            heappush(busy, (t + service[j], a))
        else:
            heappush(waiting, prio[j])
    return start, agent


def waiting_line(
    policy: Policy,
    prio: Sequence[int],
    arrival: Sequence[float],
    abandon_at: Sequence[float],
    limits: Sequence[float] | None,
    groups: Sequence[str] | None,
    *,
    by_prio: Sequence[int] | None = None,
) -> tuple[Picker[int], Callable[[int], None]]:
    """The policy's serving-order core over row numbers (its rank mode), and its ``admit``.

    Rows ``j`` are in (arrival, ``query_id``) order, so ``j`` is the tie-break;
    ``prio[j]`` is the row's place in the policy's static order (from
    :func:`~prioritize.policy.rank_order`) and stands for its key, ``by_prio``
    its inverse (computed when not given). ``limits[j]`` is its ``MaxWait``
    limit in minutes, ``groups[j]`` its ``GroupShare`` group; a row still
    waiting after ``abandon_at[j]`` has given up (row ids are the handles).
    """
    if by_prio is None:
        inverse = [0] * len(prio)
        for j, p in enumerate(prio):
            inverse[p] = j
        by_prio = inverse
    rows = Rows(prio, by_prio, arrival, limits, groups)
    line: Picker[int] = Picker(policy, per_minute=1.0, expires=abandon_at, rows=rows)
    return line, line.admit


def run_general(
    arrival: Sequence[float],
    service: Sequence[float],
    picker: Picker[int],
    admit: Callable[[int], None],
    staffing: Iterator[tuple[float, int]],
    pred: Sequence[int] | None = None,
) -> tuple[list[float], list[int]]:
    """Any picker, agents on duty varying over time.

    ``staffing`` yields ``(time, agents on duty from then on)``, the first at
    or before the first arrival; it may be endless. When it drops, idle agents
    leave at once and busy ones when their current query is done
    (non-preemptive); when it rises, new agents (lowest free seat number
    first) start on waiting queries at once. Returns start times (NaN:
    abandoned) and agents (-1) like :func:`run_fixed_plain`.

    ``pred``: retry rows known in advance (see :mod:`~prioritize.simulation._teams`):
    row ``j`` with ``pred[j] >= 0`` arrives only if row ``pred[j]`` arrived and
    gave up; otherwise its agent is :data:`NEVER`.
    """
    n = len(arrival)
    start = [_NAN] * n
    agent = [-1] * n
    events: list[tuple[float, int, int]] = []
    # Seats as blocks [lo, hi) of consecutive numbers, so that a huge staffing
    # costs one block, not one entry per agent. ``idle``: a stack of blocks, an
    # agent taken from the top (the highest seat of the top block); ``seats``: a
    # heap of blocks free to staff, the lowest seat first.
    idle: list[list[int]] = []
    seats: list[tuple[int, int]] = []
    state = [0, 0, 0]  # on duty, target on duty, busy
    next_seat = 0

    def pop_idle() -> int:
        top = idle[-1]
        top[1] -= 1
        if top[1] == top[0]:
            idle.pop()
        return top[1]

    pick = picker.pick

    def serve(a: int, t: float) -> bool:
        """Agent ``a`` takes the next query at ``t``; False (and idle) if none waits."""
        found = pick(t)
        if found is None:
            idle.append([a, a + 1])
            return False
        j = found[0]
        start[j] = t
        agent[j] = a
        state[2] += 1
        heappush(events, (t + service[j], _COMPLETE, a))
        return True

    def staff(target: int, t: float) -> None:
        nonlocal next_seat
        state[1] = target
        while state[0] < target:
            if seats:
                lo, hi = heappop(seats)
                if hi - lo > 1:
                    heappush(seats, (lo + 1, hi))
                a = lo
            else:
                a, next_seat = next_seat, next_seat + 1
            state[0] += 1
            if not serve(a, t):
                break  # nobody waits: the rest join idle as blocks, lowest seats first
        while state[0] < target:
            if seats:
                lo, hi = heappop(seats)
            else:
                lo, hi = next_seat, next_seat + (target - state[0])
                next_seat = hi
            take = min(hi - lo, target - state[0])
            if take < hi - lo:
                heappush(seats, (lo + take, hi))
            idle.append([lo, lo + take])
            state[0] += take
        while state[0] > target and idle:
            top = idle[-1]
            take = min(top[1] - top[0], state[0] - target)
            heappush(seats, (top[1] - take, top[1]))
            top[1] -= take
            if top[1] == top[0]:
                idle.pop()
            state[0] -= take

    first = next(staffing)
    staff(first[1], first[0])
    upcoming = next(staffing, None)
    if upcoming is not None:
        heappush(events, (upcoming[0], _SHIFT, upcoming[1]))
    i = 0
    while i < n or state[2] or len(picker):
        if events:
            te, kind, x = events[0]
        elif i < n:
            te, kind, x = _INF, _SHIFT, 0
        else:  # pragma: no cover - a finite staffing that ends with queries waiting
            raise RuntimeError("staffing ended with queries still waiting")
        # The arrivals before the next event (at its time: before a completion), in a
        # tight loop while no agent is idle (a service start adds an event).
        while i < n and ((t := arrival[i]) < te or (t == te and kind == _COMPLETE)):
            if (
                pred is not None
                and (p := pred[i]) >= 0
                and (agent[p] == NEVER or start[p] == start[p])
            ):
                agent[i] = NEVER  # the customer was answered (or never came): no retry
                i += 1
                continue
            # Through the picker even when an agent is idle, so that GroupShare
            # books this service start like any other (as TriageQueue push + pop).
            admit(i)
            i += 1
            if idle:
                serve(pop_idle(), t)
                break
        else:
            if te == _INF:
                continue
            heappop(events)
            if kind == _COMPLETE:
                state[2] -= 1
                if state[0] > state[1]:  # staffing dropped while busy: leave now
                    state[0] -= 1
                    heappush(seats, (x, x + 1))
                else:
                    serve(x, te)
            else:
                staff(x, te)
                upcoming = next(staffing, None)
                if upcoming is not None:
                    heappush(events, (upcoming[0], _SHIFT, upcoming[1]))
    return start, agent
