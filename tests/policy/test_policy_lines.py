"""The lines inside :class:`Picker` (a sorted run plus a heap) keep the serving order.

Pushes that arrive in order go to the run, the others to the heap; these tests
push in any order (arrivals earlier than the previous one, equal keys, ids
pushed again after a removal) and check every pick against a brute-force model
of the rule: overdue (waited strictly longer than its limit) oldest first, then
the largest key, ties by arrival then id.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from hypothesis import given
from hypothesis import strategies as st

from prioritize.policy import MaxWait, Picker, Policy, _order

# One event: (what, minutes the clock moves, key, arrival offset from the clock, limit, id).
steps = st.lists(
    st.tuples(
        st.sampled_from(["push", "push", "push", "pick", "peek", "remove"]),
        st.integers(0, 3),
        st.sampled_from([0.0, 0.0, 0.5, 1.0]),
        st.integers(-6, 1),
        st.sampled_from([2.0, 5.0, math.inf]),
        st.integers(0, 12),
    ),
    max_size=80,
)


@given(st.booleans(), steps)
def test_picks_follow_the_rule_whatever_the_arrival_order(
    max_wait: bool, events: list[tuple[str, int, float, int, float, int]]
) -> None:
    policy = Policy(rules=[MaxWait(minutes=1000.0)] if max_wait else [])
    picker: Picker[tuple[int, int]] = Picker(policy, per_minute=1.0)
    waiting: dict[int, tuple[float, float, float, tuple[int, int]]] = {}
    t = 0.0
    for n, (what, later, key, offset, limit, qid) in enumerate(events):
        t += later
        if what == "push":
            if qid in waiting:
                continue
            handle = (qid, n)  # a new handle per push
            arrival = t + offset
            picker.push(handle, key, arrival, qid, limit if max_wait else math.inf, None)
            waiting[qid] = (key, arrival, limit if max_wait else math.inf, handle)
        elif what == "remove":
            gone = picker.remove(qid)
            assert gone == (waiting.pop(qid)[3] if qid in waiting else None)
        else:
            found = picker.pick(t) if what == "pick" else picker.peek(t)
            if not waiting:
                assert found is None
                continue
            overdue = [i for i, (_, at, lim, _) in waiting.items() if t - at > lim]
            if overdue:
                best, reason = min(overdue, key=lambda i: (waiting[i][1], i)), "overdue"
            else:
                best = min(waiting, key=lambda i: (-waiting[i][0], waiting[i][1], i))
                reason = "score"
            assert found == (waiting[best][3], reason)
            if what == "pick":
                del waiting[best]
        assert len(picker) == len(waiting)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["push", "push", "pick"]),
            st.sampled_from([0.0, 0.0, 0.5, 1.0]),
            st.integers(-6, 1),
            st.integers(0, 12),
        ),
        max_size=40,
    ),
    st.sampled_from(["remove", "peek", "skilled push"]),
    steps,
)
def test_a_line_without_rules_keeps_its_order_when_it_starts_tracking_push_numbers(
    plain: list[tuple[str, float, int, int]],
    switch: str,
    events: list[tuple[str, int, float, int, float, int]],
) -> None:
    # Without rules, pushes and picks alone keep no push numbers (every entry is live);
    # the first remove, peek or query with skills builds them from the line. Ids picked
    # and pushed again, arrivals out of order, equal keys: before and after the switch,
    # every pick is the brute-force model's.
    picker: Picker[tuple[int, int]] = Picker(Policy(), per_minute=1.0)
    waiting: dict[int, tuple[float, float, tuple[int, int]]] = {}

    def push(n: int, key: float, arrival: float, qid: int, skills: frozenset[str]) -> None:
        if qid not in waiting:
            handle = (qid, n)  # a new handle per push
            picker.push(handle, key, arrival, qid, skills=skills)
            waiting[qid] = (key, arrival, handle)

    def pick(t: float, what: str = "pick") -> None:
        found = picker.pick(t) if what == "pick" else picker.peek(t)
        if not waiting:
            assert found is None
            return
        best = min(waiting, key=lambda i: (-waiting[i][0], waiting[i][1], i))
        assert found == (waiting[best][2], "score")
        if what == "pick":
            del waiting[best]

    t = 0.0
    for n, (what, key, offset, qid) in enumerate(plain):
        t += 0.5
        if what == "push":
            push(n, key, t + offset, qid, frozenset())
        else:
            pick(t)
    if switch == "remove":
        qid = min(waiting, default=0)
        assert picker.remove(qid) == (waiting.pop(qid)[2] if qid in waiting else None)
    elif switch == "peek":
        pick(t, "peek")
    else:
        push(len(plain), 0.5, t, 13, frozenset({"es"}))
    for n, (what, later, key, offset, _, qid) in enumerate(events, start=len(plain) + 1):
        t += later
        if what == "push":
            push(n, key, t + offset, qid, frozenset({"es"}) if n % 3 == 0 else frozenset())
        elif what == "remove":
            assert picker.remove(qid) == (waiting.pop(qid)[2] if qid in waiting else None)
        else:
            pick(t, what)
        assert len(picker) == len(waiting)
    while waiting:
        pick(t)
    assert picker.pick(t) is None


@contextmanager
def _threshold(name: str, size: int) -> Iterator[None]:
    """One of the line sizes of ``_order`` set to ``size`` for the block (64 in use)."""
    was = getattr(_order, name)
    setattr(_order, name, size)
    try:
        yield
    finally:
        setattr(_order, name, was)


def _settling_at(size: int) -> AbstractContextManager[None]:
    """Score lines sort their heap into their run past ``size`` entries."""
    return _threshold("_SETTLE_AT", size)


def test_lines_sorted_into_their_run_at_every_pick_keep_the_order() -> None:
    # The heap of a line is sorted into its run by the next pick once it holds more
    # entries than the run: with no floor, at almost every pick of these properties.
    with _settling_at(0):
        test_picks_follow_the_rule_whatever_the_arrival_order()
        test_a_line_without_rules_keeps_its_order_when_it_starts_tracking_push_numbers()


def _compacting_at(size: int) -> AbstractContextManager[None]:
    """Stale entries are compacted past ``size`` of them."""
    return _threshold("_COMPACT_AT", size)


def test_lines_compacted_at_every_chance_keep_the_order() -> None:
    # With no floor the lines are compacted as soon as the stale entries pass their
    # ratio: within these properties' few queries (one bucket, where only the kind of
    # lines holding many stale entries is compacted; with skills, every line).
    # (The other properties: modules beside this one, on the path as pytest imports them.)
    order = importlib.import_module("test_policy_order")
    skills = importlib.import_module("test_policy_skills")
    with _compacting_at(0):
        test_picks_follow_the_rule_whatever_the_arrival_order()
        order.test_rank_mode_serves_as_the_tuple_mode()  # GroupShare, expiry, removal
        skills.test_picks_follow_the_rule_among_eligible_queries()


def test_a_line_settles_its_heap_into_its_run() -> None:
    line = _order._Line()
    for entry in [5, 1, 9, 3, 7, 2]:
        line.add(entry)
    assert list(line.run) == [5, 9] and sorted(line.heap) == [1, 2, 3, 7]
    with _settling_at(1):
        line.settle()
    assert list(line.run) == [1, 2, 3, 5, 7, 9] and line.heap == []
    line.add(4)
    line.settle()  # 1 entry in the heap, 6 in the run: left as it is
    assert line.heap == [4] and [line.drop() for _ in range(7)] == [1, 2, 3, 4, 5, 7, 9]
