"""Eligibility by skills in the serving-order core (Picker): both modes, one rule."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from prioritize.policy import GroupShare, MaxWait, Picker, Policy, Rows, Rule

SKILLS = ("a", "b", "c")
_sets = st.frozensets(st.sampled_from(SKILLS), max_size=2)


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0.0, 0.5, 1.0]),  # key
            st.integers(0, 4),  # arrival gap
            st.sampled_from([1.0, 3.0, math.inf]),  # MaxWait limit
            st.sampled_from(["a", "b", "c"]),  # group
            st.sampled_from([2.0, 6.0, math.inf]),  # patience
            _sets,  # required
            _sets,  # preferred
        ),
        max_size=40,
    ),
    steps=st.lists(
        st.tuples(st.sampled_from(["pick", "peek", "remove"]), st.integers(0, 3), st.none() | _sets)
    ),
    rules=st.sampled_from(["none", "max_wait", "group_share", "both"]),
    timeout=st.none() | st.sampled_from([0.5, 2.0, 5.0]),
)
def test_rank_mode_serves_as_the_tuple_mode_with_skills(
    rows: list[tuple[float, int, float, str, float, frozenset[str], frozenset[str]]],
    steps: list[tuple[str, int, frozenset[str] | None]],
    rules: str,
    timeout: float | None,
) -> None:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares={"a": 0.5, "b": 0.25}))
    policy = Policy(rules=chosen)
    n = len(rows)
    arrival = np.cumsum([r[1] for r in rows]).astype(float).tolist()
    key = [r[0] for r in rows]
    limits = [r[2] for r in rows]
    groups = [r[3] for r in rows]
    expires = [a + r[4] for a, r in zip(arrival, rows, strict=True)]
    need = [r[5] for r in rows]
    wish = [r[6] for r in rows]
    rank_of = sorted(range(n), key=lambda j: (-key[j], arrival[j], j))
    rank = [0] * n
    for r, j in enumerate(rank_of):
        rank[j] = r
    tuples: Picker[int] = Picker(policy, per_minute=1.0, expires=expires, skills_timeout=timeout)
    table = Rows(rank, rank_of, arrival, limits, groups, skills=need, prefer=wish)
    ranked: Picker[int] = Picker(
        policy, per_minute=1.0, expires=expires, rows=table, skills_timeout=timeout
    )
    plan = iter(steps)
    t = 0.0
    for j in range(n + len(steps)):
        if j < n:
            t = arrival[j]
            tuples.push(j, key[j], arrival[j], j, limits[j], groups[j], need[j], wish[j])
            ranked.admit(j)
        step = next(plan, None)
        if step is None:
            continue
        what, later, agent = step
        t += later
        if what == "remove":
            row = j % max(n, 1)
            assert tuples.remove(row) == ranked.remove(row)
        elif what == "peek":
            assert tuples.peek(t, agent) == ranked.peek(t, agent)
        else:
            found = tuples.pick(t, agent)
            assert ranked.pick(t, agent) == found
            if found is not None and agent is not None:
                row = found[0]
                assert need[row] <= agent
                assert wish[row] <= agent or (timeout is not None and t >= arrival[row] + timeout)
        assert len(tuples) == len(ranked)
    while (found := tuples.pick(t)) is not None:
        assert ranked.pick(t) == found
    assert ranked.pick(t) is None


@given(
    st.lists(st.tuples(_sets, st.sampled_from([0.0, 0.5, 1.0])), max_size=30),
    st.lists(st.none() | _sets, max_size=40),
)
def test_a_picker_without_rules_serves_each_agent_its_best_eligible_query(
    queries: list[tuple[frozenset[str], float]], agents: list[frozenset[str] | None]
) -> None:
    picker: Picker[int] = Picker(Policy(), per_minute=1.0)
    for i, (skills, key) in enumerate(queries):
        picker.push(i, key, float(i), i, skills=skills)
    waiting = set(range(len(queries)))
    for agent in agents:
        found = picker.pick(10.0, agent)
        fits = [i for i in waiting if agent is None or queries[i][0] <= agent]
        if not fits:
            assert found is None
            continue
        best = min(fits, key=lambda i: (-queries[i][1], i))
        assert found == (best, "score")
        waiting.remove(best)
    assert len(picker) == len(waiting)
