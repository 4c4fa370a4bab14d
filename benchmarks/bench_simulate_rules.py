"""Benchmark: ``simulate``'s general path (MaxWait, GroupShare, shifts) against the old engine.

Run: ``python benchmarks/bench_simulate_rules.py [--n 50000] [--repeat 5]``.

Before one serving-order core, the simulator had int-heap pickers of its own
(``PlainPicker`` / ``RulesPicker``, frozen below as the baseline contender,
with the event loop they were driven by). The general path must be at least
as fast with the core's :class:`~prioritize.policy.Picker`.

Scenario: ``n`` synthetic queries over 7 days, 4 agents (or shifts), exponential
patience with mean ``--patience`` minutes (default 20: heavy abandonment).
Policies: ``balanced`` (MaxWait), ``balanced`` + ``GroupShare`` by follower
band, ``fifo`` + the same ``GroupShare``, and ``balanced`` on shifts (4 agents by day, 2 by night).
For each, in one run and interleaved (best of ``--repeat``, CPU time):

* the full ``simulate`` call with today's engine, and the same call with the
  old engine swapped in (same scoring, ranking and records);
* the engine alone (building the waiting line and the event loop) on the
  inputs ``simulate`` hands it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from heapq import heappop, heappush
from typing import Any

from _timing import best_of  # the benchmarks' one timer (a sibling module)

import prioritize as pz
from prioritize.policy import Policy, ShareLedger
from prioritize.simulation import _engine, _simulate

_SHIFT = 0
_COMPLETE = 1
_NAN = float("nan")


# --------------------------------------------------------------------------- the old engine
# Frozen from git 8b0324c:src/prioritize/simulation/_engine.py (the baseline; do not tune).
class PlainPicker:
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
        heap, by_prio, abandon_at = self.heap, self.by_prio, self.abandon_at
        while heap:
            k = by_prio[heappop(heap)]
            self.waiting -= 1
            if abandon_at[k] < t:
                continue
            return k
        return -1


class RulesPicker:
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
        while due and due[0][0] < t:
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


def old_run_general(
    arrival: Sequence[float],
    service: Sequence[float],
    picker: PlainPicker | RulesPicker,
    staffing: Iterator[tuple[float, int]],
) -> tuple[list[float], list[int]]:
    n = len(arrival)
    start = [_NAN] * n
    agent = [-1] * n
    events: list[tuple[float, int, int]] = []
    idle: list[int] = []
    seats: list[int] = []
    state = [0, 0, 0]
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
                    if state[0] > state[1]:
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
        else:
            raise RuntimeError("staffing ended with queries still waiting")
        picker.push(i)
        if idle:
            serve(idle.pop(), t)
        i += 1
    return start, agent


# ----------------------------------------------- the old engine behind today's engine calls
class OldLine:
    """The old picker, standing where ``simulate`` expects today's waiting line."""

    def __init__(self, picker: PlainPicker | RulesPicker) -> None:
        self.picker = picker


def old_waiting_line(
    policy: Policy,
    prio: Sequence[int],
    arrival: Sequence[float],
    abandon_at: Sequence[float],
    limits: Sequence[float] | None,
    groups: Sequence[str] | None,
    *,
    by_prio: Sequence[int],
) -> tuple[OldLine, None]:
    """Build the old picker from the inputs today's ``waiting_line`` receives."""
    if policy.max_wait is None and groups is None:
        return OldLine(PlainPicker(prio, by_prio, abandon_at)), None
    overdue_at = None if limits is None else [a + m for a, m in zip(arrival, limits, strict=True)]
    share = None
    if groups is not None and policy.group_share is not None:
        share = (groups, ShareLedger(policy.group_share.shares))
    return OldLine(RulesPicker(prio, by_prio, abandon_at, overdue_at, share)), None


def old_engine(
    arrival: Sequence[float],
    service: Sequence[float],
    line: OldLine,
    admit: None,
    staffing: Iterator[tuple[float, int]],
    pred: Sequence[int] | None = None,
) -> tuple[list[float], list[int]]:
    if pred is not None:  # retries came after the old engine: the scenario has none
        raise RuntimeError("the old engine has no retries")
    return old_run_general(arrival, service, line.picker, staffing)


class Swapped:
    """Within the block, ``simulate`` runs on the old engine."""

    def __enter__(self) -> None:
        self.saved = (_simulate.waiting_line, _simulate.run_general)
        _simulate.waiting_line = old_waiting_line  # type: ignore[assignment]
        _simulate.run_general = old_engine  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        _simulate.waiting_line, _simulate.run_general = self.saved


def engine_inputs(call: Callable[[], Any]) -> tuple[Any, tuple[Any, ...], list[Any]]:
    """What ``simulate`` hands ``waiting_line`` and ``run_general`` (the staffing it read)."""
    seen: dict[str, Any] = {}
    saved = (_simulate.waiting_line, _simulate.run_general)

    def line(*args: Any, **kwargs: Any) -> Any:
        seen["line"] = (args, kwargs)
        return saved[0](*args, **kwargs)

    def run(
        arrival: Any,
        service: Any,
        picker: Any,
        admit: Any,
        staffing: Iterator[Any],
        pred: Any = None,
    ) -> Any:
        changes: list[Any] = []
        seen["run"] = (arrival, service)
        seen["staffing"] = changes

        def recorded() -> Iterator[Any]:  # staffing may be endless: keep what the run reads
            for change in staffing:
                changes.append(change)
                yield change

        return saved[1](arrival, service, picker, admit, recorded(), pred)

    _simulate.waiting_line, _simulate.run_general = line, run  # type: ignore[assignment]
    try:
        call()
    finally:
        _simulate.waiting_line, _simulate.run_general = saved
    return seen["line"], seen["run"], seen["staffing"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--patience", type=float, default=20.0, help="mean patience, minutes")
    args = parser.parse_args()
    frame = pz.synthetic.queries(args.n, seed=0, days=7)
    balanced = pz.policies.balanced()
    share = pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.5, "100k+": 0.1})
    grouped = balanced.model_copy(update={"rules": (*balanced.rules, share)})
    grouped = pz.Policy.model_validate(grouped.model_dump())
    shifts = [
        pz.simulation.Shift(start="08:00", end="20:00", count=4, tz="UTC"),
        pz.simulation.Shift(start="20:00", end="08:00", count=2, tz="UTC"),
    ]
    fifo_share = pz.policies.fifo().model_copy(update={"rules": (share,)})
    fifo_share = pz.Policy.model_validate(fifo_share.model_dump())
    cases: list[tuple[str, Policy, Any]] = [
        ("MaxWait (balanced), 4 agents", balanced, 4),
        ("GroupShare + MaxWait, 4 agents", grouped, 4),
        ("GroupShare (fifo), 4 agents", fifo_share, 4),
        ("MaxWait (balanced), shifts", balanced, shifts),
    ]
    print(
        f"{args.n:,} queries over 7 days, mean patience {args.patience:g} min "
        f"(best of {args.repeat}, CPU time, contenders interleaved)\n"
    )
    print(
        f"{'':32s} {'simulate: old':>13s} {'new':>7s} {'new/old':>8s}   engine: old    new new/old"
    )
    for name, policy, agents in cases:

        def call(policy: Policy = policy, agents: Any = agents) -> Any:
            return pz.simulate(frame, policy, agents=agents, seed=0, patience=args.patience)

        def old_call(call: Callable[[], Any] = call) -> Any:
            with Swapped():
                return call()

        new_res, old_res = call(), old_call()
        same = new_res.records.equals(old_res.records)
        inputs = engine_inputs(call)

        def engine_new(inputs: Any = inputs) -> Any:
            (args, kwargs), (arrival, service), changes = inputs
            line, admit = _engine.waiting_line(*args, **kwargs)
            return _engine.run_general(arrival, service, line, admit, iter(changes))

        def engine_old(inputs: Any = inputs) -> Any:
            (args, kwargs), (arrival, service), changes = inputs
            line, admit = old_waiting_line(*args, **kwargs)
            return old_engine(arrival, service, line, admit, iter(changes))

        t_new, t_old, e_new, e_old = best_of([call, old_call, engine_new, engine_old], args.repeat)
        abandoned = new_res.records["abandoned"].mean()
        print(
            f"{name:32s} {t_old:12.3f}s {t_new:6.3f}s {t_new / t_old:7.2f}x"
            f"   {e_old:10.3f}s {e_new:6.3f}s {e_new / e_old:6.2f}x"
            f"   (abandoned {abandoned:.0%}{'' if same else ', RECORDS DIFFER'})"
        )
    print("\nGoal: new/old <= 1.00 (the general path no slower than the old int-heap pickers).")


if __name__ == "__main__":
    main()
