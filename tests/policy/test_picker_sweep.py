"""How many stale entries :class:`Picker`'s lines may hold: one rule, :meth:`Picker._stale_limit`.

A query that leaves the line (picked, removed, found expired) leaves entries behind
in the lines that still hold it (its other line kind, its bucket, the merged views).
They are counted and swept once they pass ``_SWEEP_RATIO`` times the line entries the
waiting queries may hold (one per line kind in its bucket and in each merged view,
each view counted once however many agents share it), and ``_COMPACT_AT``. The
property: after every push, pick, peek and removal, on every path (rules, skills,
preferences that drop, expiry, agents past ``max_views``), the lines hold no more
stale entries than that, and every one of them is counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from test_picker_mutants import _lines  # every line, each view once

from prioritize.policy import GroupShare, MaxWait, Picker, Policy, Rule, _order


class _FewViews(Picker[int]):
    max_views = 2


@contextmanager
def _floor(size: int) -> Iterator[None]:
    """Sweeps from ``size`` stale entries on (64 in use): a few events reach them."""
    was = _order._COMPACT_AT
    _order._COMPACT_AT = size
    try:
        yield
    finally:
        _order._COMPACT_AT = was


def _stale_held(picker: Picker[Any]) -> int:
    live = picker._seq.get
    lines = {id(line): line for line in _lines(picker)}.values()  # a line once
    return sum(live(e[-2]) != e[-1] for line in lines for e in line.entries())


def _bound(picker: Picker[Any], floor: int) -> int:
    """The documented limit, from what the test sees: line kinds, distinct views, waiting."""
    kinds = 1 if picker._by_limit is None else 2
    views = len({id(v) for v in picker._views.values()})
    return max(floor, _order._SWEEP_RATIO * kinds * (1 + views) * len(picker.waiting))


_SKILLS = st.frozensets(st.sampled_from("ab"), max_size=2)
_AGENTS = st.sampled_from([None, frozenset(), frozenset("a"), frozenset("b"), frozenset("ab")])
_EVENTS = st.lists(
    st.one_of(
        st.tuples(
            st.just("push"),
            st.integers(0, 15),  # id
            st.sampled_from([0.0, 0.5, 1.0, 2.0]),  # key
            st.integers(-3, 0),  # arrival, minutes from the clock
            st.sampled_from([1.0, 3.0, math.inf]),  # MaxWait limit
            st.sampled_from("xyz"),  # group
            _SKILLS,  # required
            _SKILLS,  # preferred
        ),
        st.tuples(st.sampled_from(["pick", "pick", "peek"]), _AGENTS),
        st.tuples(st.just("remove"), st.integers(0, 15)),
        st.tuples(st.just("wait"), st.integers(1, 3)),
    ),
    max_size=120,
)


@given(
    st.sampled_from(["none", "max_wait", "group_share", "both"]),
    st.booleans(),  # expiry
    st.sampled_from([None, 1.0, 2.5]),  # skills_timeout
    st.sampled_from([Picker, _FewViews]),
    st.sampled_from([0, 3]),  # _COMPACT_AT
    _EVENTS,
)
def test_the_lines_never_hold_more_stale_entries_than_the_limit(
    rules: str,
    expiry: bool,
    timeout: float | None,
    kind: type[Picker[int]],
    floor: int,
    events: list[tuple[Any, ...]],
) -> None:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=2.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares={"x": 0.6, "y": 0.3}))
    expires: dict[int, float] = {}
    picker = kind(
        Policy(rules=chosen),
        per_minute=1.0,
        expires=expires if expiry else None,
        skills_timeout=timeout,
    )
    t = 0.0
    with _floor(floor):
        for event in events:
            if event[0] == "push":
                _, qid, key, offset, limit, group, need, wish = event
                if qid in picker.waiting:
                    continue
                expires[qid] = t + offset + 1.5
                picker.push(qid, key, t + offset, qid, limit, group, need, wish)
            elif event[0] == "remove":
                picker.remove(event[1])
            elif event[0] == "wait":
                t += event[1]
            elif event[0] == "pick":
                picker.pick(t, event[1])
            else:
                picker.peek(t, event[1])
            held = _stale_held(picker)
            assert held <= _bound(picker, floor)
            assert held <= picker._stale or picker._untracked


def test_agents_sharing_the_view_of_every_query_count_as_one_view() -> None:
    # Ten agents who may take every query read the view of every query: the lines hold
    # each query in its bucket and in that one view, and the limit counts it once.
    picker: Picker[int] = Picker(Policy(rules=[MaxWait(minutes=5.0)]), per_minute=1.0)
    picker.push(0, 0.0, 0.0, 0, 5.0, skills=frozenset("a"))
    agents = [frozenset({"a", f"s{k}"}) for k in range(10)]
    for agent in agents:
        assert picker.peek(1.0, agent) == (0, "score")
    for i in range(1, 200):
        picker.push(i, 0.0, 0.0, i, 5.0, skills=frozenset("a"))
    assert len(picker._views) == 11 and len({id(v) for v in picker._views.values()}) == 1
    assert picker._stale_limit() == max(_order._COMPACT_AT, 2 * 2 * 200)
