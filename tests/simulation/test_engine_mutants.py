"""The event loop against a naive reference on fixed scenarios, for ``make mutate``'s engine group.

benchmarks/MUTATION.md lists the engine mutants. The properties of
test_simulation_engine.py go through :func:`~prioritize.simulate` (pandas in and out,
a few examples under the ``mutate`` profile); here the loops of
:mod:`prioritize.simulation._engine` are driven directly, on a few hundred small
seeded scenarios (the same ones on every run), with staffing that rises and drops,
patience, ``MaxWait``, ``GroupShare`` and retry rows, and checked against a
reference that counts agents instead of numbering seats:

- every start time (NaN: abandoned, or a retry that never happened);
- each agent serves one query at a time, and seat numbers never exceed the most
  agents ever on duty (seats are reused, the lowest free first);
- the fast path (:func:`run_fixed_plain`) equals the general loop.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

import pytest

from prioritize.policy import GroupShare, MaxWait, Policy, Rule, ShareLedger
from prioritize.simulation import _engine as engine

_SHARES = {"a": 0.5, "b": 0.25}


def _policy(rules: str) -> Policy:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares=_SHARES))
    return Policy(rules=chosen)


class _Scenario:
    """Rows in arrival order: arrival, service, patience deadline, static rank, limit, group."""

    def __init__(self, seed: int, *, retries: bool) -> None:
        rng = random.Random(seed)
        n = rng.randint(0, 18)
        self.n = n
        gaps = [rng.choice([0.0, 0.0, 1.0, 2.0, 3.0]) for _ in range(n)]
        self.arrival = [sum(gaps[: j + 1]) for j in range(n)]
        self.service = [rng.choice([1.0, 2.0, 4.0, 7.0]) for _ in range(n)]
        self.abandon = [a + rng.choice([1.0, 3.0, 6.0, math.inf]) for a in self.arrival]
        order = list(range(n))
        rng.shuffle(order)
        self.by_prio = order
        self.prio = [0] * n
        for p, j in enumerate(order):
            self.prio[j] = p
        self.limits = [rng.choice([1.0, 3.0, math.inf]) for _ in range(n)]
        self.groups = [rng.choice("abc") for _ in range(n)]
        # Staffing: (time, agents on duty), rising and dropping, ending with someone on.
        self.shifts = [(0.0, rng.randint(0, 3))]
        for _ in range(rng.randint(0, 5)):
            t = self.shifts[-1][0] + rng.choice([0.0, 1.0, 2.0, 5.0])
            self.shifts.append((t, rng.randint(0, 4)))
        self.shifts.append((self.shifts[-1][0] + rng.choice([1.0, 3.0]), rng.randint(1, 3)))
        # Retry rows: row j comes only if the earlier row pred[j] gave up.
        self.pred: list[int] | None = None
        if retries and n:
            self.pred = [rng.randrange(j) if j and rng.random() < 0.4 else -1 for j in range(n)]


def _reference(s: _Scenario, policy: Policy) -> tuple[list[float], list[bool]]:
    """Start times by counting agents (staffing changes, then arrivals, then completions),
    and which retry rows never came (their first attempt was answered, or never came)."""
    n = s.n
    start = [math.nan] * n
    never = [False] * n
    waiting: list[int] = []
    busy: list[float] = []  # finish times
    ledger = None if policy.group_share is None else ShareLedger(_SHARES)
    with_limits = policy.max_wait is not None
    on_duty = target = 0
    shifts = list(s.shifts)

    def serve(t: float) -> bool:
        waiting[:] = [j for j in waiting if not s.abandon[j] < t]
        if not waiting:
            return False
        overdue = [j for j in waiting if with_limits and t - s.arrival[j] > s.limits[j]]
        if overdue:
            chosen = min(overdue)
            if ledger is not None:
                ledger.record({s.groups[j] for j in waiting}, s.groups[chosen])
        elif ledger is None:
            chosen = min(waiting, key=lambda j: s.prio[j])
        else:
            best: dict[str, int] = {}
            for j in waiting:
                g = s.groups[j]
                best[g] = min(best.get(g, n), s.prio[j])
            chosen = s.by_prio[best[ledger.pick(best)]]
        waiting.remove(chosen)
        start[chosen] = t
        busy.append(t + s.service[chosen])
        return True

    i = 0
    while i < n or busy or waiting or shifts:
        ts = shifts[0][0] if shifts else math.inf
        ta = s.arrival[i] if i < n else math.inf
        tc = min(busy) if busy else math.inf
        if not shifts and i >= n and not busy:
            # Agents are idle only when nobody waits: the rest have given up.
            assert on_duty > len(busy) or not [j for j in waiting if s.abandon[j] == math.inf]
            break
        if ts <= ta and ts <= tc:
            _, target = shifts.pop(0)
            while on_duty < target:
                on_duty += 1
                if not serve(ts):
                    on_duty = target
            while on_duty > target and on_duty > len(busy):
                on_duty -= 1
        elif ta <= tc:
            p = -1 if s.pred is None else s.pred[i]
            if p >= 0 and (never[p] or not math.isnan(start[p])):
                never[i] = True
            else:
                waiting.append(i)
                if on_duty > len(busy):
                    serve(ta)
            i += 1
        else:
            busy.remove(tc)
            if on_duty > target:
                on_duty -= 1
            else:
                serve(tc)
    return start, never


def _run(s: _Scenario, policy: Policy) -> tuple[list[float], list[int]]:
    limits = s.limits if policy.max_wait is not None else None
    groups = s.groups if policy.group_share is not None else None
    by_prio = None if s.n % 2 else s.by_prio  # computed by waiting_line when not given
    picker, admit = engine.waiting_line(
        policy, s.prio, s.arrival, s.abandon, limits, groups, by_prio=by_prio
    )
    staffing: Iterator[tuple[float, int]] = iter(s.shifts)
    return engine.run_general(s.arrival, s.service, picker, admit, staffing, s.pred)


def _check_seats(s: _Scenario, start: list[float], agent: list[int]) -> None:
    peak = max(target for _, target in s.shifts)
    spans: dict[int, list[tuple[float, float]]] = {}
    for j in range(s.n):
        if math.isnan(start[j]):
            assert agent[j] in (-1, engine.NEVER)
            continue
        assert 0 <= agent[j] < peak, (agent[j], peak)
        spans.setdefault(agent[j], []).append((start[j], start[j] + s.service[j]))
    for taken in spans.values():
        taken.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(taken)), taken


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
@pytest.mark.parametrize("retries", [False, True])
def test_the_general_loop_follows_a_reference_that_counts_agents(rules: str, retries: bool) -> None:
    policy = _policy(rules)
    for seed in range(60):
        s = _Scenario(seed, retries=retries)
        start, agent = _run(s, policy)
        expected, never = _reference(s, policy)
        assert _same(start, expected), (seed, start, expected)
        assert [a == engine.NEVER for a in agent] == never, seed
        _check_seats(s, start, agent)


def test_the_fast_path_equals_the_general_loop_and_reuses_seats() -> None:
    for seed in range(80):
        s = _Scenario(seed, retries=False)
        agents = 1 + seed % 3
        s.shifts = [(0.0, agents)]
        fast = engine.run_fixed_plain(s.arrival, s.service, s.abandon, s.prio, s.by_prio, agents)
        assert _same(fast[0], _reference(s, Policy())[0]), seed
        general = _run(s, Policy())
        assert _same(fast[0], general[0]), seed
        assert fast[1] == general[1], seed
        _check_seats(s, *fast)


def test_a_huge_staffing_costs_what_everyone_answered_at_once_costs() -> None:
    # Seats are blocks: 10**9 agents on duty, dropping to 2 and rising again.
    arrival = [0.0, 0.0, 1.0, 5.0, 5.0, 5.0]
    service = [3.0, 3.0, 3.0, 1.0, 1.0, 1.0]
    never_leave = [math.inf] * 6
    prio = [0, 1, 2, 3, 4, 5]
    picker, admit = engine.waiting_line(Policy(), prio, arrival, never_leave, None, None)
    staffing = iter([(0.0, 10**9), (2.0, 2), (4.5, 10**9)])
    start, agent = engine.run_general(arrival, service, picker, admit, staffing)
    assert start == [0.0, 0.0, 1.0, 5.0, 5.0, 5.0]
    assert len(set(agent[:3])) == 3 and len(set(agent[3:])) == 3
    assert all(0 <= a < 10**9 for a in agent)
    fast = engine.run_fixed_plain(arrival, service, never_leave, prio, prio, 10**9)
    assert fast[0] == start
    assert len(set(fast[1][:3])) == 3


@pytest.mark.parametrize("rules", ["none", "both"])
@pytest.mark.parametrize("rise", [2, 3])
def test_a_rise_smaller_than_an_earlier_drop_takes_part_of_a_free_block(
    rules: str, rise: int
) -> None:
    # Four agents on duty and idle (one block of seats 0..3), all leave, then `rise` come
    # back while nobody waits: they take the lowest seats of the freed block, the rest of
    # it stays free for the rise to four, when five queries arrive at once.
    s = _Scenario(0, retries=False)
    s.n = 5
    s.arrival = [3.0] * 5
    s.service = [2.0, 2.0, 2.0, 4.0, 1.0]
    s.abandon = [math.inf] * 5
    s.prio = s.by_prio = [0, 1, 2, 3, 4]
    s.limits = [1.0] * 5
    s.groups = list("aabcb")
    s.shifts = [(0.0, 4), (1.0, 0), (2.0, rise), (2.5, 4), (6.0, 1)]
    policy = _policy(rules)
    start, agent = _run(s, policy)
    expected, _ = _reference(s, policy)
    assert _same(start, expected), (start, expected)
    assert start[:4] == [3.0] * 4 and start[4] == 5.0
    assert sorted(agent[:4]) == [0, 1, 2, 3]
    _check_seats(s, start, agent)


def test_a_rise_takes_free_seats_one_block_at_a_time() -> None:
    # Four agents free one by one (four one-seat blocks), all leave, three come back while
    # nobody waits (three blocks taken, each for one seat), then a fourth: four queries at
    # once are served by four different seats.
    s = _Scenario(0, retries=False)
    s.n = 8
    s.arrival = [0.0] * 4 + [8.0] * 4
    s.service = [1.0, 2.0, 3.0, 4.0] + [5.0] * 4
    s.abandon = [math.inf] * 8
    s.prio = s.by_prio = list(range(8))
    s.shifts = [(0.0, 4), (5.0, 0), (6.0, 3), (7.0, 4)]
    start, agent = _run(s, Policy())
    assert start == [0.0] * 4 + [8.0] * 4
    assert sorted(agent[4:]) == [0, 1, 2, 3]
    _check_seats(s, start, agent)


@pytest.mark.parametrize("rules", ["none", "both"])
def test_a_finite_staffing_that_ends_with_queries_waiting_is_an_error(rules: str) -> None:
    # One agent until minute 2, then nobody and no further change: the query of minute 3
    # would wait forever. The loop says so with its own message instead of reading an
    # arrival past the last (an IndexError).
    arrival, service, never_leave = [0.0, 3.0], [1.0, 1.0], [math.inf, math.inf]
    picker, admit = engine.waiting_line(
        _policy(rules), [0, 1], arrival, never_leave, [math.inf] * 2, ["a", "b"]
    )
    staffing = iter([(0.0, 1), (2.0, 0)])
    with pytest.raises(RuntimeError, match=r"^staffing ended with queries still waiting$"):
        engine.run_general(arrival, service, picker, admit, staffing)
