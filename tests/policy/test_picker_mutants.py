"""Tests written against the mutants of ``Picker``, ``_Line`` and ``_Bucket`` that
``make mutate`` found alive (policy/_order.py; benchmarks/MUTATION.md lists them).

The properties of tests/policy/test_policy_skills.py and test_policy_lines.py compare
the picker's paths with each other; with the 15 examples of the ``mutate`` profile they
rarely reach a time that runs back on a skilled line, a query expiring exactly at a
pick, a compaction while preferences are pending, or a long run where stale entries
must be swept. Here a few hundred fixed scenarios (a seeded generator: the same ones
on every run) check every pick, peek and removal against a brute-force model of the
rule, in both modes, for clocks in minutes, in seconds and as datetimes; and long runs
check that the lines stay bounded. That last check reads the picker's internals (the
entries its lines hold): memory that grows without bound is a bug no pick shows. The
steady-line cases under GroupShare (agents, every, prefer) and the agent past
``max_views`` found a real leak (stale entries never counted, so never swept), fixed in
``Picker`` since: every stale entry held must be counted (``_counted``).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from prioritize.policy import GroupShare, MaxWait, Picker, Policy, Rows, Rule, ShareLedger
from prioritize.policy._order import _COMPACT_AT

SKILLS = ("a", "b", "c")
SHARES = {"a": 0.6, "b": 0.3}
_BASE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class _FewViews(Picker[int]):
    """Merged views for the first two agent skill sets, bucket scans for the others."""

    max_views = 2


def _policy(rules: str) -> Policy:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares=SHARES))
    return Policy(rules=chosen)


class _Clock:
    """Times in one of the picker's units, from a count of quarter minutes."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.per_minute: Any = {"min": 1.0, "sec": 60.0, "dt": timedelta(minutes=1)}[unit]

    def at(self, quarters: float) -> Any:
        if self.unit == "dt":
            return _BASE + timedelta(seconds=15 * quarters)
        return quarters / 4 * (60.0 if self.unit == "sec" else 1.0)

    def span(self, minutes: float) -> Any:
        if self.unit == "dt":
            return timedelta(minutes=minutes)
        return minutes * (60.0 if self.unit == "sec" else 1.0)


class _Model:
    """The serving rule by brute force: eligible queries, then MaxWait (oldest overdue
    first), then the GroupShare ledger between the groups with an eligible query, then
    the key (ties: arrival, id). Preferences drop at ``arrival + timeout``; a query past
    ``expires`` is never served; MaxWait's clock never runs back."""

    def __init__(self, rules: str, clock: _Clock, timeout: Any, expires: Any) -> None:
        self.max_wait = rules in ("max_wait", "both")
        self.ledger = ShareLedger(SHARES) if rules in ("group_share", "both") else None
        self.clock = clock
        self.timeout = timeout
        self.expires = expires
        self.now: Any = None  # MaxWait's clock
        self.lapsed: set[int] = set()  # preferences dropped (at a pick or peek past them)
        # id -> (key, arrival, limit, group, required, pending preferred)
        self.waiting: dict[int, tuple[float, Any, float, str, frozenset[str], frozenset[str]]] = {}

    def push(
        self, i: int, key: float, at: Any, limit: float, group: str, need: Any, wish: Any
    ) -> None:
        self.waiting[i] = (key, at, limit, group, need, wish - need)
        self.lapsed.discard(i)

    def expired(self, i: int, t: Any) -> bool:
        return self.expires is not None and self.expires[i] < t

    def serve(self, t: Any, agent: frozenset[str] | None, remove: bool) -> tuple[int, str] | None:
        if self.max_wait:
            self.now = t = t if self.now is None or t > self.now else self.now
        fits = []
        for i, (_, at, _, _, need, wish) in self.waiting.items():
            if self.timeout is not None and at + self.timeout <= t:
                self.lapsed.add(i)
            if self.expired(i, t):
                continue
            if agent is None or (need <= agent and (wish <= agent or i in self.lapsed)):
                fits.append(i)
        if not fits:
            return None
        w = self.waiting
        per_minute = self.clock.per_minute
        overdue = [i for i in fits if self.max_wait and (t - w[i][1]) / per_minute > w[i][2]]
        token = {i: (-w[i][0], w[i][1], i) for i in fits}
        groups = {w[i][3] for i in fits}
        if overdue:
            best, reason = min(overdue, key=lambda i: (w[i][1], i)), "overdue"
        elif self.ledger is not None:
            heads = {g: min(token[i] for i in fits if w[i][3] == g) for g in groups}
            chosen = self.ledger.choose(heads)
            best = heads[chosen][2]
            reason = "score" if heads[chosen] == min(heads.values()) else "group_share"
        else:
            best, reason = min(fits, key=token.__getitem__), "score"
        if remove:
            if self.ledger is not None:
                self.ledger.record(groups, w[best][3])
            del w[best]
        return best, reason


def _held(picker: Picker[Any]) -> int:
    """Entries held by the picker's lines (its buckets', its views', every view a bucket
    files into), pending preferences and its id tables: the memory it keeps."""
    lines = {id(line): line for line in _lines(picker)}
    total = len(picker._relax) + len(picker._seq) + len(picker._group) + len(picker._extra)
    return total + sum(len(line) for line in lines.values())


def _counted(picker: Picker[Any]) -> None:
    """Every stale entry its lines hold (an entry whose push number is not its id's
    current one) is counted in ``_stale``, so that a sweep comes for it."""
    if picker._ranked or picker._untracked:
        return  # no sweeps in rank mode; untracked, every entry is live
    lines = {id(line): line for line in _lines(picker)}
    live = picker._seq.get
    stale = sum(live(e[-2]) != e[-1] for line in lines.values() for e in line.entries())
    assert stale <= picker._stale


def _lines(picker: Picker[Any]) -> list[Any]:
    buckets = {id(b): b for b in picker._all}
    for b in list(buckets.values()):
        for v in b.views:
            buckets[id(v)] = v
    for v in picker._views.values():
        buckets[id(v)] = v
    return [
        line
        for b in buckets.values()
        for line in (b.main, *b.heaps.values(), *(b.by_limit or {}).values())
    ]


def _bounded(picker: Picker[Any]) -> None:
    # Stale entries are swept once they outnumber twice the waiting queries (and
    # _COMPACT_AT), per line copy: a generous multiple of that, independent of the run.
    _counted(picker)
    views = len({id(v) for v in picker._views.values()})
    copies = 2 if picker._by_limit is not None else 1
    limit = 2 * copies * (views + 1) * (len(picker.waiting) + _COMPACT_AT)
    assert _held(picker) <= limit
    assert set(picker._group) <= set(picker.waiting)
    assert set(picker._extra) <= set(picker.waiting)


def _tuple_scenario(seed: int, steps: int = 90, *, check_size: bool = False, **fixed: Any) -> None:
    """One scenario of pushes (new ids and ids served or removed before), picks and
    peeks by agents, removals; ``fixed`` sets some of its drawn settings."""
    rng = random.Random(seed)
    rules = fixed.get("rules") or rng.choice(["none", "max_wait", "group_share", "both"])
    unit = rng.choice(["min", "sec", "dt"])
    clock = _Clock(unit)
    skilled = fixed.get("skilled", rng.random() < 0.75)
    timeout = rng.choice([None, clock.span(1.0), clock.span(2.5), clock.span(1e6)])
    use_expires = fixed.get("expires", rng.random() < 0.3)
    back = not use_expires and rng.random() < 0.4  # the clock may run back
    expires: dict[int, Any] = {}
    kind = fixed.get("kind") or rng.choice([Picker, Picker, _FewViews])
    picker: Picker[int] = kind(
        _policy(rules),
        per_minute=clock.per_minute,
        expires=expires if use_expires else None,
        skills_timeout=timeout,
    )
    model = _Model(rules, clock, timeout, expires if use_expires else None)
    agents = [None, frozenset(), frozenset("a"), frozenset("ab"), frozenset("abc"), frozenset("bc")]

    def sets() -> frozenset[str]:
        return (
            frozenset(rng.sample(SKILLS, rng.choice([0, 0, 1, 1, 2]))) if skilled else frozenset()
        )

    gone: list[int] = []
    quarter = 0
    next_id = 0
    # An anchor: the first query, never overdue and last by key, holds its lines' heads.
    anchor = fixed.get("anchor", rng.random() < 0.5)
    for step in range(steps):
        quarter += rng.choice([0, 0, 1, 1, 2, 4])
        if back and rng.random() < 0.1:
            quarter -= rng.choice([2, 6])
        t = clock.at(quarter)
        what = rng.choice(["push", "push", "push", "pick", "pick", "pick", "peek", "remove"])
        if step == 0 or what == "push":
            again = gone and rng.random() < 0.3
            i = gone.pop(rng.randrange(len(gone))) if again else next_id
            next_id += 0 if again else 1
            key = rng.choice([0.0, 0.0, 0.5, 1.0, 2.0])
            at = clock.at(quarter - rng.choice([0, 0, 0, 1, 3, 8]))
            limit = rng.choice([1.0, 2.5, 4.0, math.inf])
            if step == 0 and anchor:
                key, limit = -100.0, math.inf
            group = rng.choice("abc")
            need, wish = sets(), sets()
            if use_expires and i not in expires:
                expires[i] = at + clock.span(rng.choice([0.5, 2.0, 6.0]))
            picker.push(i, key, at, i, limit, group, need, wish)
            model.push(i, key, at, limit, group, need, wish)
        elif what == "remove":
            if not model.waiting:
                continue
            i = rng.choice(sorted(model.waiting))
            got = picker.remove(i)
            if model.expired(i, t):  # dropped lazily: gone or still there
                assert got in (i, None)
            else:
                assert got == i
            del model.waiting[i]
            gone.append(i)
        else:
            agent = rng.choice(agents) if skilled else None
            if what == "peek":
                assert picker.peek(t, agent) == model.serve(t, agent, False)
            else:
                found = picker.pick(t, agent)
                assert found == model.serve(t, agent, True)
                if found is not None:
                    gone.append(found[0])
        if not use_expires:
            assert len(picker) == len(model.waiting)
        _counted(picker)
        if check_size and step % 10 == 0:
            _bounded(picker)
    end = clock.at(quarter + 10_000)
    while (found := picker.pick(end)) is not None:
        assert found == model.serve(end, None, True)
    assert model.serve(end, None, True) is None


@pytest.mark.parametrize("block", range(8))
def test_tuple_mode_serves_as_the_rule_says(block: int) -> None:
    for seed in range(block * 40, block * 40 + 40):
        _tuple_scenario(seed)


def _rank_scenario(seed: int) -> None:
    rng = random.Random(seed)
    rules = rng.choice(["none", "max_wait", "group_share", "both"])
    clock = _Clock(rng.choice(["min", "sec"]))
    n = rng.randint(1, 30)
    key = [rng.choice([0.0, 0.5, 1.0, 2.0]) for _ in range(n)]
    arrival = [0.0] * n
    for j in range(1, n):
        arrival[j] = arrival[j - 1] + clock.at(rng.choice([0, 0, 1, 2, 4]))
    limits = [rng.choice([1.0, 2.5, math.inf]) for _ in range(n)]
    groups = [rng.choice("abc") for _ in range(n)]
    give = rng.choice(["none", "skills", "prefer", "both"])

    def sets() -> frozenset[str]:
        return frozenset(rng.sample(SKILLS, rng.choice([0, 1, 1, 2])))

    need = [sets() for _ in range(n)] if give in ("skills", "both") else None
    wish = [sets() for _ in range(n)] if give in ("prefer", "both") else None
    timeout = rng.choice([None, clock.span(1.0), clock.span(2.5)])
    use_expires = rng.random() < 0.3
    expires = [a + clock.span(rng.choice([0.5, 2.0, 6.0])) for a in arrival]
    rank_of = sorted(range(n), key=lambda j: (-key[j], arrival[j], j))
    rank = [0] * n
    for r, j in enumerate(rank_of):
        rank[j] = r
    table = Rows(rank, rank_of, arrival, limits, groups, need, wish)
    kind = rng.choice([Picker, _FewViews])
    picker: Picker[int] = kind(
        _policy(rules),
        per_minute=clock.per_minute,
        expires=expires if use_expires else None,
        rows=table,
        skills_timeout=timeout,
    )
    model = _Model(rules, clock, timeout, expires if use_expires else None)
    nothing: frozenset[str] = frozenset()
    agents = [None, nothing, frozenset("a"), frozenset("ab"), frozenset("abc")]
    t = 0.0
    for j in range(n + n):
        if j < n:
            t = max(t, arrival[j])
            picker.admit(j)
            model.push(
                j, key[j], arrival[j], limits[j], groups[j],
                nothing if need is None else need[j], nothing if wish is None else wish[j],
            )  # fmt: skip
        t += clock.at(rng.choice([0, 1, 2]))
        what = rng.choice(["pick", "pick", "peek", "remove"])
        agent = rng.choice(agents) if give != "none" else None
        if what == "remove":
            row = rng.randrange(n)
            got = picker.remove(row)
            if row in model.waiting and not model.expired(row, t):
                assert got == row
                del model.waiting[row]
            elif row not in model.waiting:
                assert got is None
        elif what == "peek":
            assert picker.peek(t, agent) == model.serve(t, agent, False)
        else:
            assert picker.pick(t, agent) == model.serve(t, agent, True)
        if not use_expires:
            assert len(picker) == len(model.waiting)
    t += clock.span(1e6)
    while (found := picker.pick(t)) is not None:
        assert found == model.serve(t, None, True)
    assert model.serve(t, None, True) is None


@pytest.mark.parametrize("block", range(4))
def test_rank_mode_serves_as_the_rule_says(block: int) -> None:
    for seed in range(block * 60, block * 60 + 60):
        _rank_scenario(seed)


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
@pytest.mark.parametrize("skilled", [False, True])
@pytest.mark.parametrize("expires", [False, True])
def test_lines_stay_bounded_over_a_long_run(rules: str, skilled: bool, expires: bool) -> None:
    seed = 10_000 + 4 * ["none", "max_wait", "group_share", "both"].index(rules)
    seed += 2 * skilled + expires
    _tuple_scenario(seed, steps=600, check_size=True, rules=rules, skilled=skilled,
                    expires=expires, anchor=True, kind=Picker)  # fmt: skip


def test_rank_mode_without_the_rows_a_rule_needs_says_so() -> None:
    rows = Rows([0], [0], [0.0])
    for rules in ("max_wait", "group_share"):
        with pytest.raises(ValueError, match=r"^rank mode: the policy's GroupShare/MaxWait need"):
            Picker(_policy(rules), per_minute=1.0, rows=rows)


def test_an_arrival_with_nanoseconds_is_overdue_by_its_own_wait() -> None:
    # Datetimes use the lane's cut (the first overdue microsecond, one comparison); a
    # pandas Timestamp may fall between two microseconds and is tested by its wait.
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    span = timedelta(minutes=1, microseconds=1)  # overdue_span(1.0, one minute)
    arrival = pd.Timestamp(t - span) + pd.Timedelta(nanoseconds=500)  # waited 1.0000000083
    picker: Picker[str] = Picker(_policy("max_wait"), per_minute=timedelta(minutes=1))
    picker.push("late", 0.0, arrival, "late", 1.0)
    picker.push("new", 1.0, t, "new", 1.0)
    assert picker.pick(t) == ("late", "overdue")
    exact: Picker[str] = Picker(_policy("max_wait"), per_minute=timedelta(minutes=1))
    exact.push("late", 0.0, t - span, "late", 1.0)  # the first overdue microsecond
    exact.push("soon", 0.0, t - span + timedelta(microseconds=1), "soon", 1.0)
    exact.push("new", 1.0, t, "new", 1.0)
    assert exact.pick(t) == ("late", "overdue")
    assert exact.pick(t) == ("new", "score")


def test_a_picker_drained_through_many_views_sweeps_its_stale_entries() -> None:
    # MaxWait alone, an agent's view: each pick leaves the query's entries in its bucket
    # and in the 31 other views behind (counted stale), and the pick that empties the
    # line sweeps them: nothing divides by the number of waiting queries.
    picker: Picker[int] = Picker(_policy("max_wait"), per_minute=1.0)
    x = frozenset("x")
    picker.push(0, 0.0, 0.0, 0, 5.0, skills=x)
    picker.push(9, 0.0, 0.0, 9, 5.0, skills=frozenset("y"))  # a bucket no agent may take
    agents = [x | {f"s{k}"} for k in range(31)]
    for agent in agents:  # a view each
        assert picker.peek(1.0, agent) == (0, "score")
    picker.push(1, 0.0, 0.5, 1, 5.0, skills=x)
    assert picker.remove(9) == 9
    assert picker.pick(1.0, agents[0]) == (0, "score")
    assert picker.pick(1.0, agents[0]) == (1, "score")
    assert picker.pick(1.0, agents[0]) is None


@pytest.mark.parametrize(
    ("rules", "variant"),
    [
        (rules, variant)
        for rules in ("none", "max_wait", "group_share", "both")
        for variant in ("plain", "agents", "views", "buckets", "every", "fifo", "prefer", "expires")
    ],
)
def test_a_steady_line_keeps_its_memory_bounded(rules: str, variant: str) -> None:
    # A line that never grows (one or two queries waiting besides an anchor that is
    # never served: last by key, never overdue, first in its lane) through thousands of
    # pushes and picks, removals, preferences that drop, queries that expire: every
    # stale entry behind the anchor must be counted and swept at some point.
    expires: dict[int, float] = {}
    picker: Picker[int] = Picker(
        _policy(rules),
        per_minute=1.0,
        expires=expires if variant in ("expires", "buckets", "fifo") else None,
        skills_timeout=1.0 if variant == "prefer" else None,
    )
    a, b, c = frozenset("a"), frozenset("b"), frozenset("c")
    nothing: frozenset[str] = frozenset()
    anchored = {"agents": b, "views": b, "buckets": a, "fifo": b}.get(variant, nothing)
    picker.push(-1, -100.0, 0.0, -1, math.inf, "c", anchored)
    expires.update(dict.fromkeys(range(-1, 12_000), math.inf))
    t = 1.0
    for i in range(0, 6000, 2):
        t += 1.0
        if variant in ("agents", "views", "buckets"):
            # "views": with removals; "buckets": no merged view (none with ``expires``,
            # and no agent asks), the anchor in a bucket of its own: a sweep must reach
            # every bucket.
            picker.push(i, 1.0, t, i, math.inf, "ab"[i % 4 // 2], a)
            if variant != "agents":
                picker.push(i + 1, 0.0, t, i + 1, math.inf, "ab"[i % 4 // 2], a)
                assert picker.remove(i + 1) == i + 1
            if i == 200 and variant != "buckets":
                picker.push(-2, -100.0, t, -2, math.inf, "c", c)  # a new bucket: views again
            agent = a if i % 3 and variant != "buckets" else None
            assert picker.pick(t, agent) == (i, "score")
        elif variant == "prefer":
            picker.push(i, 1.0, t - 1.0, i, math.inf, "ab"[i % 4 // 2], nothing, a)
            assert picker.pick(t, nothing) == (i, "score")  # its preference dropped at t
        elif variant == "expires":
            expires[i] = t - 0.5
            picker.push(i, 2.0, t - 1.0, i, math.inf, "ab"[i % 4 // 2])  # expired
            picker.push(i + 1, 1.0, t, i + 1, math.inf, "b")
            picker.push(6000 + i, 0.0, t, 6000 + i, math.inf, "b")
            assert picker.remove(6000 + i) == 6000 + i
            assert picker.pick(t) == (i + 1, "score")
        elif variant == "every":
            # Plain picks through the view of every query, each taking its entry out of
            # its bucket's run (or counting it there).
            picker.push(i, 1.0, t, i, 2.5, "ab"[i % 4 // 2], a)
            assert picker.pick(t) == (i, "score")
        elif variant == "fifo":
            # No view of every query (``expires``): agent a's view is its bucket's only
            # one, and a pick in arrival order leaves nothing behind in either.
            # A query removed before it (by key) is left in the bucket's heap, counted.
            picker.push(i, 1.0, t, i, 2.5, "ab"[i % 4 // 2], a)
            picker.push(6000 + i, 2.0, t, 6000 + i, 2.5, "b", a)
            assert picker.remove(6000 + i) == 6000 + i
            assert picker.pick(t, a) == (i, "score")
        else:
            picker.push(i, 1.0, t, i, math.inf, "ab"[i % 4 // 2])
            picker.push(i + 1, 0.0, t, i + 1, math.inf, "ab"[i % 4 // 2])
            assert picker.remove(i + 1) == i + 1
            assert picker.pick(t) == (i, "score")
        if i % 1000 == 0:
            _bounded(picker)
    _bounded(picker)


def test_a_pick_through_the_view_of_every_query_leaves_its_bucket_whole() -> None:
    # MaxWait alone: a plain pick reads the view of every query and takes the served
    # entry out of its bucket only when it heads that bucket's sorted run; the bucket's
    # other queries stay filed there, for the view an agent gets later.
    a = frozenset("a")
    picker: Picker[str] = Picker(_policy("max_wait"), per_minute=1.0)
    picker.push("q1", 0.0, 0.0, "q1", 100.0, skills=a)
    picker.push("q2", 1.0, 1.0, "q2", 100.0, skills=a)  # before q1 by key: the heap
    picker.push("q3", 0.0, 2.0, "q3", 100.0, skills=frozenset("b"))  # agent a's own view
    assert picker.pick(3.0) == ("q2", "score")
    assert picker.pick(3.0, a) == ("q1", "score")
    assert picker.pick(3.0, a) is None


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
@pytest.mark.parametrize("skills", [frozenset(), frozenset("a")])
def test_a_query_whose_patience_ends_at_the_pick_is_served(
    rules: str, skills: frozenset[str]
) -> None:
    # ``expires[id] < t`` drops a query; at ``t == expires[id]`` it is still served, on
    # every path (the first picks of a plain line keep no push numbers).
    picker: Picker[str] = Picker(_policy(rules), per_minute=1.0, expires={"a": 5.0, "b": 4.0})
    picker.push("a", 1.0, 0.0, "a", 100.0, "a", skills)
    picker.push("b", 2.0, 0.0, "b", 100.0, "b", skills)
    assert picker.pick(5.0, skills) == ("a", "score")
    assert picker.pick(5.0, skills) is None


def test_an_agent_past_max_views_keeps_the_line_bounded() -> None:
    # Agent b has no view of its own (max_views 2: every query's and agent a's): its
    # picks read the buckets through _select, leaving each query's entry in the view of
    # every query behind (8,009 entries held after 10,000 picks in the original).
    a, b = frozenset("a"), frozenset("b")
    picker: Picker[int] = _FewViews(Policy(), per_minute=1.0)
    picker.push(-1, -100.0, 0.0, -1, skills=frozenset("c"))
    picker.push(-2, -100.0, 0.0, -2, skills=a)
    assert picker.peek(0.5, a) == (-2, "score")  # agent a's view
    for i in range(3000):
        picker.push(i, 1.0, 1.0 + i, i, skills=b)
        assert picker.pick(1.0 + i, b) == (i, "score")
    _bounded(picker)
