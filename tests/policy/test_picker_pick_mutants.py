"""Tests written against the survivors of the sixth session's mutation run of
``Picker.pick``, ``_pick_line``, ``_pick_view_lanes``, ``_select`` and ``_pick_lanes``
(policy/_order.py; benchmarks/MUTATION.md lists them with the equivalent ones).

The lean path (no rule, no skill) sweeps its one line after a pick once removals have
left many stale entries behind; no test reached that sweep: the stale entries a
picker holds would then grow past :meth:`Picker._stale_limit`, a bound no pick shows
(these tests read the lines, as tests/policy/test_picker_sweep.py does).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from test_picker_sweep import _bound, _floor, _stale_held

from prioritize.policy import Picker, Policy, _order


def test_a_lean_pick_after_many_removals_sweeps_the_line() -> None:
    # 200 queries, the 100 last by key removed: each removal leaves its entry behind,
    # counted (100 stale, 100 waiting: just within the limit, not swept). The next pick
    # serves the best query and leaves 99 waiting: 100 stale entries are then more than
    # the limit allows, and that pick must sweep them.
    picker: Picker[int] = Picker(Policy(), per_minute=1.0)
    for i in range(200):
        picker.push(i, float(200 - i), 0.0, i)
    for i in range(100, 200):
        assert picker.remove(i) == i
    assert _stale_held(picker) == 100 <= picker._stale_limit()
    assert picker.pick(1.0) == (0, "score")
    assert len(picker.waiting) == 99
    assert _stale_held(picker) <= picker._stale_limit()
    assert _stale_held(picker) <= picker._stale  # each stale entry held is counted
    assert [picker.pick(1.0) for _ in range(99)] == [(i, "score") for i in range(1, 100)]
    assert picker.pick(1.0) is None


def test_a_lean_pick_that_empties_the_line_sweeps_what_removals_left() -> None:
    # With no floor (_COMPACT_AT 0), the limit on stale entries is the waiting queries'
    # entries: none once the line is empty. A removal behind the best query leaves one
    # stale entry (within the limit while one query waits); the pick that empties the
    # line must sweep it, without dividing by the zero queries left.
    with _floor(0):
        picker: Picker[str] = Picker(Policy(), per_minute=1.0)
        picker.push("best", 3.0, 1.0, "best")
        picker.push("gone", 0.0, 2.0, "gone")
        assert picker.remove("gone") == "gone"
        assert _stale_held(picker) == 1 <= picker._stale_limit()
        assert picker.pick(3.0) == ("best", "score")
        assert _stale_held(picker) == 0
        assert picker.pick(3.0) is None


@given(
    st.sampled_from([0, 2, 5]),  # _COMPACT_AT
    st.lists(st.tuples(st.sampled_from([0.0, 1.0, 2.0, 3.0]), st.booleans()), max_size=40),
)
def test_the_lean_line_keeps_its_stale_entries_within_the_limit(
    floor: int, queries: list[tuple[float, bool]]
) -> None:
    # No rule, no skill: the one line of the lean path. Queries pushed, some removed,
    # then the line picked empty: after every removal and pick the line holds at most
    # the limit's stale entries, each one counted, and picks serve by key (ties:
    # arrival, id) as a plain sort does.
    picker: Picker[int] = Picker(Policy(), per_minute=1.0)
    with _floor(floor):
        for i, (key, _) in enumerate(queries):
            picker.push(i, key, float(i), i)
        for i, (_, removed) in enumerate(queries):
            if removed:
                assert picker.remove(i) == i
                _check(picker)
        kept = sorted((-key, i) for i, (key, removed) in enumerate(queries) if not removed)
        for _, i in kept:
            assert picker.pick(float(len(queries))) == (i, "score")
            _check(picker)
        assert picker.pick(float(len(queries))) is None


def _check(picker: Picker[Any]) -> None:
    if picker._untracked:
        return  # no removal yet: every entry is live, and no push number is kept
    held = _stale_held(picker)
    assert held <= _bound(picker, _order._COMPACT_AT)
    assert held <= picker._stale
