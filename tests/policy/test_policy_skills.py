"""Eligibility by skills in the serving-order core (Picker): both modes, one rule."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from prioritize.policy import GroupShare, MaxWait, Picker, Policy, Rows, Rule, ShareLedger, _order

SKILLS = ("a", "b", "c")
_sets = st.frozensets(st.sampled_from(SKILLS), max_size=2)
#: Queries: key, arrival gap, MaxWait limit, group, patience, required, preferred skills.
_Row = tuple[float, int, float, str, float, frozenset[str], frozenset[str]]
_ROWS = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.5, 1.0]),
        st.integers(0, 4),
        st.sampled_from([1.0, 3.0, math.inf]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([2.0, 6.0, math.inf]),
        _sets,
        _sets,
    ),
    max_size=40,
)
_RULES = st.sampled_from(["none", "max_wait", "group_share", "both"])


def _policy(rules: str) -> Policy:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares={"a": 0.5, "b": 0.25}))
    return Policy(rules=chosen)


def _table(rows: list[_Row]) -> tuple[list[float], list[float], Rows]:
    """Arrivals, patience deadlines and the rank-mode rows of ``rows``."""
    n = len(rows)
    arrival = np.cumsum([r[1] for r in rows]).astype(float).tolist()
    expires = [a + r[4] for a, r in zip(arrival, rows, strict=True)]
    rank_of = sorted(range(n), key=lambda j: (-rows[j][0], arrival[j], j))
    rank = [0] * n
    for r, j in enumerate(rank_of):
        rank[j] = r
    limits, groups = [r[2] for r in rows], [r[3] for r in rows]
    need, wish = [r[5] for r in rows], [r[6] for r in rows]
    return arrival, expires, Rows(rank, rank_of, arrival, limits, groups, need, wish)


_Step = tuple[str, int, frozenset[str] | None]


def _events(arrival: list[float], steps: list[_Step]) -> Iterator[tuple[int, float, _Step | None]]:
    """``(j, t, None)`` as row ``j`` arrives, then ``(j, t, step)`` for the step after it
    (the clock moved on by the step's minutes); the steps left over after the last row."""
    plan = iter(steps)
    t = 0.0
    for j in range(len(arrival) + len(steps)):
        if j < len(arrival):
            t = arrival[j]
            yield j, t, None
        step = next(plan, None)
        if step is not None:
            t += step[1]
            yield j, t, step


@given(
    rows=_ROWS,
    steps=st.lists(
        st.tuples(st.sampled_from(["pick", "peek", "remove"]), st.integers(0, 3), st.none() | _sets)
    ),
    rules=_RULES,
    timeout=st.none() | st.sampled_from([0.5, 2.0, 5.0]),
)
def test_rank_mode_serves_as_the_tuple_mode_with_skills(
    rows: list[_Row],
    steps: list[_Step],
    rules: str,
    timeout: float | None,
) -> None:
    policy = _policy(rules)
    n = len(rows)
    arrival, expires, table = _table(rows)
    key, limits, groups = [r[0] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
    need, wish = [r[5] for r in rows], [r[6] for r in rows]
    tuples: Picker[int] = Picker(policy, per_minute=1.0, expires=expires, skills_timeout=timeout)
    ranked: Picker[int] = Picker(
        policy, per_minute=1.0, expires=expires, rows=table, skills_timeout=timeout
    )
    t = 0.0
    for j, t, step in _events(arrival, steps):
        if step is None:
            tuples.push(j, key[j], arrival[j], j, limits[j], groups[j], need[j], wish[j])
            ranked.admit(j)
            continue
        what, _, agent = step
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


@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["push", "push", "pick", "peek"]),
            st.integers(0, 3),  # minutes the clock moves
            st.sampled_from([0.0, 0.5, 1.0]),  # key
            st.sampled_from(["a", "b", "c"]),  # group
            _sets,  # required
            _sets,  # preferred
            st.none() | _sets,  # the agent of a pick
        ),
        max_size=60,
    ),
    limit=st.sampled_from([2.0, 5.0, 12.0]),
    timeout=st.none() | st.sampled_from([1.0, 3.0]),
)
def test_picks_follow_the_rule_among_eligible_queries(
    events: list[
        tuple[str, int, float, str, frozenset[str], frozenset[str], frozenset[str] | None]
    ],
    limit: float,
    timeout: float | None,
) -> None:
    # A brute-force model: MaxWait, then the GroupShare ledger between the groups with a
    # query this agent may take, then the key; preferred skills dropped at the timeout.
    shares = {"a": 0.5, "b": 0.3}
    rules: list[Rule] = [MaxWait(minutes=limit), GroupShare(group="channel", shares=shares)]
    picker: Picker[int] = Picker(Policy(rules=rules), per_minute=1.0, skills_timeout=timeout)
    ledger = ShareLedger(shares)
    waiting: dict[int, tuple[float, float, str, frozenset[str], frozenset[str]]] = {}
    t = 0.0
    for n, (what, later, key, group, need, wish, agent) in enumerate(events):
        t += later
        if what == "push":
            picker.push(n, key, t, n, limit, group, need, wish)
            waiting[n] = (key, t, group, need, wish - need)
            continue
        fits = [
            i
            for i, (_, at, _, req, pref) in waiting.items()
            if agent is None
            or (req <= agent and (pref <= agent or (timeout is not None and t >= at + timeout)))
        ]
        found = picker.pick(t, agent) if what == "pick" else picker.peek(t, agent)
        if not fits:
            assert found is None
            continue
        overdue = [i for i in fits if t - waiting[i][1] > limit]
        groups = {waiting[i][2] for i in fits}
        if overdue:
            best, reason = min(overdue, key=lambda i: (waiting[i][1], i)), "overdue"
        else:
            token = {i: (-waiting[i][0], waiting[i][1], i) for i in fits}
            heads = {g: min(token[i] for i in fits if waiting[i][2] == g) for g in groups}
            chosen = ledger.choose(heads)
            best = heads[chosen][2]
            reason = "score" if heads[chosen] == min(heads.values()) else "group_share"
        assert found == (best, reason)
        if what == "pick":
            ledger.record(groups, waiting[best][2])
            del waiting[best]
    assert len(picker) == len(waiting)


def _both_modes(
    policy: Policy,
    queries: list[tuple[float, float, str, frozenset[str], frozenset[str]]],
    **kw: float,
) -> list[Picker[int]]:
    """A tuple-mode and a rank-mode picker holding ``queries`` (key, arrival, group, skills, prefer)."""
    tuples: Picker[int] = Picker(policy, per_minute=1.0, **kw)  # type: ignore[arg-type]
    n = len(queries)
    rank_of = sorted(range(n), key=lambda j: (-queries[j][0], queries[j][1], j))
    rank = [rank_of.index(j) for j in range(n)]
    rows = Rows(
        rank,
        rank_of,
        [q[1] for q in queries],
        [2.0] * n,
        [q[2] for q in queries],
        skills=[q[3] for q in queries],
        prefer=[q[4] for q in queries],
    )
    ranked: Picker[int] = Picker(policy, per_minute=1.0, rows=rows, **kw)  # type: ignore[arg-type]
    for j, (key, at, group, need, wish) in enumerate(queries):
        tuples.push(j, key, at, j, 2.0, group, need, wish)
        ranked.admit(j)
    return [tuples, ranked]


def test_a_preference_drops_at_the_timeout_exactly() -> None:
    es, billing = frozenset({"es"}), frozenset({"billing"})
    for picker in _both_modes(Policy(), [(0.0, 0.0, "a", es, billing)], skills_timeout=3.0):
        assert picker.peek(2.999, es) is None
        assert picker.peek(2.999, es | billing) == (0, "score")
        assert picker.pick(3.0, es) == (0, "score")


def test_an_overdue_pick_books_the_groups_this_agent_may_take() -> None:
    # x (group b) is overdue at t=3 and served first; GroupShare then owes group a its
    # share only if a had a query that agent could take (a's credit reaches 1.0).
    policy = Policy(rules=[MaxWait(minutes=2.0), GroupShare(group="channel", shares={"a": 0.5})])
    es, none = frozenset({"es"}), frozenset[str]()
    queries = [(0.0, 0.0, "b", none, none), (0.0, 2.5, "a", es, none), (1.0, 2.5, "b", none, none)]
    for agent, second in ((es, (1, "group_share")), (none, (2, "score"))):
        for picker in _both_modes(policy, queries):
            assert picker.pick(3.0, agent) == (0, "overdue")
            assert picker.pick(3.0, es) == second


class _Scanning(Picker[int]):
    """The same picker reading the buckets one by one: no merged view per agent."""

    max_views = 0


class _FewViews(Picker[int]):
    """Merged views for the first two agent skill sets, bucket scans for the others."""

    max_views = 2


@given(
    rows=_ROWS,
    steps=st.lists(
        st.tuples(
            st.sampled_from(["pick", "pick", "peek", "remove"]),
            st.integers(0, 3),
            st.none() | st.frozensets(st.sampled_from(SKILLS)),
        )
    ),
    rules=_RULES,
    timeout=st.none() | st.sampled_from([0.5, 2.0, 5.0]),
    ranked=st.booleans(),
)
def test_merged_views_serve_as_reading_the_buckets(
    rows: list[_Row],
    steps: list[_Step],
    rules: str,
    timeout: float | None,
    ranked: bool,
) -> None:
    # The fast path (one merged view per agent skill set, kept up to date by every
    # filing) against the general one (the eligible buckets read one by one), and a
    # picker mixing both: the same picks, reasons, peeks and removals, in both modes.
    policy = _policy(rules)
    n = len(rows)
    arrival, expires, table = _table(rows)
    pickers: list[Picker[int]] = [
        kind(
            policy,
            per_minute=1.0,
            expires=expires,
            rows=table if ranked else None,
            skills_timeout=timeout,
        )
        for kind in (Picker, _Scanning, _FewViews)
    ]
    t = 0.0
    for j, t, step in _events(arrival, steps):
        if step is None:
            for picker in pickers:
                if ranked:
                    picker.admit(j)
                else:
                    key, _, limit, group, _, need, wish = rows[j]
                    picker.push(j, key, arrival[j], j, limit, group, need, wish)
            continue
        what, _, agent = step
        if what == "remove":
            row = j % max(n, 1)
            removed = [p.remove(row) for p in pickers]
            # (an expired query may be gone from one already: each drops them lazily)
            assert removed[1:] == removed[:-1] or expires[row] < t
            continue
        if what == "peek":
            found = [p.peek(t, agent) for p in pickers]
        else:
            found = [p.pick(t, agent) for p in pickers]
        assert found[1:] == found[:-1]
        # (len may differ meanwhile: each drops the expired queries it meets, lazily)
    while (found := [p.pick(t) for p in pickers])[0] is not None:
        assert found[1:] == found[:-1]
    assert found[1:] == found[:-1]
    assert [len(p) for p in pickers] == [0, 0, 0]


#: Steps of a view workout: push a new query (key, arrival before the clock, needs,
#: limit), pick by an agent, remove a waiting id, push a served or removed id again.
_Work = tuple[str, float, int, frozenset[str], float, frozenset[str] | None]
_WORK = st.lists(
    st.tuples(
        st.sampled_from(["push", "push", "push", "pick", "pick", "remove", "again"]),
        st.sampled_from([0.0, 0.0, 0.0, 0.5, 1.0]),  # key: many equal
        st.integers(0, 6),  # how long before the clock it arrived: out of order, equal
        _sets,
        st.sampled_from([2.0, 5.0, math.inf, math.inf]),
        st.none() | st.sampled_from([frozenset("a"), frozenset("ab"), frozenset("abc")]),
    ),
    min_size=30,
    max_size=90,
)


@given(
    work=_WORK,
    rules=_RULES,
    timeout=st.none() | st.sampled_from([1.0, 4.0]),
)
def test_a_pick_through_a_view_leaves_the_buckets_as_reading_them_would(
    work: list[_Work], rules: str, timeout: float | None
) -> None:
    # Tuple mode: a merged view's pick also takes the query's entries out of its bucket
    # where they come first (sorted runs, lanes by arrival). Pushes, picks by agents
    # with views and by None (the buckets), removes and re-pushes of served or removed
    # ids (their old entries stale), arrivals out of order and equal, keys equal: the
    # same picks as the pickers that read the buckets (all, or past two views).
    policy = _policy(rules)
    pickers: list[Picker[int]] = [
        kind(policy, per_minute=1.0, skills_timeout=timeout)
        for kind in (Picker, _Scanning, _FewViews)
    ]
    gone: list[int] = []  # ids served or removed, in that order
    t = 0.0
    for step, (what, key, before, need, limit, agent) in enumerate(work):
        t += 0.25
        waiting = sorted(pickers[1].waiting)
        if what == "remove" and waiting:
            j = waiting[step % len(waiting)]
            assert [p.remove(j) for p in pickers] == [j, j, j]
            gone.append(j)
        elif what == "again" and gone:
            j = gone.pop(step % len(gone))
            wish = need ^ frozenset("c")
            for p in pickers:
                p.push(j, key, t - before, j, limit, "ab"[step % 2], need, wish)
        elif what in ("push", "again"):
            for p in pickers:
                p.push(step + 100, key, t - before, step + 100, limit, "abc"[step % 3], need)
        else:
            found = [p.pick(t, agent) for p in pickers]
            assert found[1:] == found[:-1]
            if found[0] is not None:
                gone.append(found[0][0])
    # Drained at the last step's time (not every query overdue), then once the rest are.
    for end in (t, 1000.0):
        while (found := [p.pick(end) for p in pickers])[0] is not None:
            assert found[1:] == found[:-1]
        assert found[1:] == found[:-1]
    assert [len(p) for p in pickers] == [0, 0, 0]


def test_views_and_buckets_sorted_into_their_runs_serve_as_reading_the_buckets() -> None:
    # The views' and the plain line's heaps sorted into their runs at the picks that read
    # them (no floor): the same picks as the pickers that read the buckets.
    was = _order._SETTLE_AT
    _order._SETTLE_AT = 0
    try:
        test_a_pick_through_a_view_leaves_the_buckets_as_reading_them_would()
        test_merged_views_serve_as_reading_the_buckets()
    finally:
        _order._SETTLE_AT = was
