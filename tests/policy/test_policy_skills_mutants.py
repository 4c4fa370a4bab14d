"""Tests written against the mutants ``make mutate`` found alive on the skills paths of Picker.

benchmarks/MUTATION.md lists them: the rank mode's filing by skills (``admit``,
``_enter``), the preference timeout (``_relax_due``), ``remove`` in rank mode and
``_Line``'s length. The hypothesis properties of tests/policy/test_policy_skills.py
check the same rule, but with the 15 examples of the ``mutate`` profile they rarely
reach a pick at exactly a preference's timeout or a removal of a row still filed
twice; here a few hundred fixed scenarios (a seeded generator: the same ones on
every run) compare the rank mode with the tuple mode step by step.
"""

from __future__ import annotations

import math
import random

import pytest

from prioritize.policy import GroupShare, MaxWait, Picker, Policy, Rows, Rule
from prioritize.policy._order import _Line

SKILLS = ("a", "b", "c")


def _policy(rules: str) -> Policy:
    chosen: list[Rule] = []
    if rules in ("max_wait", "both"):
        chosen.append(MaxWait(minutes=3.0))
    if rules in ("group_share", "both"):
        chosen.append(GroupShare(group="channel", shares={"a": 0.5, "b": 0.25}))
    return Policy(rules=chosen)


def _skills(rng: random.Random) -> frozenset[str]:
    return frozenset(rng.sample(SKILLS, rng.choice([0, 0, 1, 1, 2])))


def _replay(seed: int, rules: str, timeout: float | None) -> None:
    """One scenario: rows arrive, agents pick, peek and remove; both modes agree."""
    rng = random.Random(seed)
    n = rng.randint(1, 25)
    key = [rng.choice([0.0, 0.5, 1.0]) for _ in range(n)]
    arrival = [0.0] * n
    for j in range(1, n):
        arrival[j] = arrival[j - 1] + rng.choice([0, 0, 1, 2])
    limits = [rng.choice([1.0, 3.0, math.inf]) for _ in range(n)]
    groups = [rng.choice("abc") for _ in range(n)]
    expires = [a + rng.choice([2.0, 6.0, math.inf]) for a in arrival]
    need = [_skills(rng) for _ in range(n)]
    wish = [_skills(rng) for _ in range(n)]
    rank_of = sorted(range(n), key=lambda j: (-key[j], arrival[j], j))
    rank = [0] * n
    for r, j in enumerate(rank_of):
        rank[j] = r
    table = Rows(rank, rank_of, arrival, limits, groups, need, wish)
    policy = _policy(rules)
    tuples: Picker[int] = Picker(policy, per_minute=1.0, expires=expires, skills_timeout=timeout)
    ranked: Picker[int] = Picker(
        policy, per_minute=1.0, expires=expires, rows=table, skills_timeout=timeout
    )
    t = 0.0
    j = 0
    while j < n or rng.random() < 0.9:
        if j < n and (t >= arrival[j] or rng.random() < 0.5):
            t = max(t, arrival[j])
            tuples.push(j, key[j], arrival[j], j, limits[j], groups[j], need[j], wish[j])
            ranked.admit(j)
            j += 1
            continue
        t += rng.choice([0, 0.5, 1, 2])
        agent = None if rng.random() < 0.25 else _skills(rng) | _skills(rng)
        what = rng.choice(["pick", "pick", "peek", "remove"])
        if what == "remove":
            row = rng.randrange(n + 2)  # not admitted yet, gone, or no such row
            assert ranked.remove(row) == tuples.remove(row), (seed, row)
        elif what == "peek":
            assert ranked.peek(t, agent) == tuples.peek(t, agent), (seed, t, agent)
        else:
            found = tuples.pick(t, agent)
            assert ranked.pick(t, agent) == found, (seed, t, agent)
            if found is not None and agent is not None:
                row = found[0]
                assert need[row] <= agent
                assert wish[row] <= agent or (timeout is not None and t >= arrival[row] + timeout)
        assert len(ranked) == len(tuples), seed
    while (found := tuples.pick(t)) is not None:
        assert ranked.pick(t) == found, seed
    assert ranked.pick(t) is None
    assert len(ranked) == len(tuples) == 0


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
@pytest.mark.parametrize("timeout", [None, 1.0, 2.0])
def test_rank_mode_with_skills_serves_as_the_tuple_mode_on_fixed_scenarios(
    rules: str, timeout: float | None
) -> None:
    for seed in range(30):
        _replay(seed, rules, timeout)


def _one_row_picker(
    need: frozenset[str], wish: frozenset[str], policy: Policy, timeout: float | None = 2.0
) -> Picker[int]:
    rows = Rows([0], [0], [0.0], [3.0], ["a"], [need], [wish])
    picker: Picker[int] = Picker(policy, per_minute=1.0, rows=rows, skills_timeout=timeout)
    picker.admit(0)
    return picker


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
def test_rank_mode_preference_drops_at_the_timeout_exactly(rules: str) -> None:
    es, billing = frozenset({"es"}), frozenset({"billing"})
    picker = _one_row_picker(es, billing, _policy(rules))
    assert picker.peek(1.5, es) is None
    assert picker.peek(1.5, es | billing) == (0, "score")
    assert picker.peek(1.5, billing) is None
    assert picker.pick(2.0, es) == (0, "score")  # at arrival + timeout: dropped
    assert len(picker) == 0
    assert picker.pick(2.0) is None


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
def test_rank_mode_preference_without_timeout_never_drops(rules: str) -> None:
    es, billing = frozenset({"es"}), frozenset({"billing"})
    picker = _one_row_picker(es, billing, _policy(rules), timeout=None)
    assert picker.peek(1e9, es) is None
    found = picker.pick(1e9, es | billing)
    assert found is not None and found[0] == 0


@pytest.mark.parametrize("rules", ["none", "max_wait", "group_share", "both"])
def test_rank_mode_remove_with_skills(rules: str) -> None:
    es, billing = frozenset({"es"}), frozenset({"billing"})
    picker = _one_row_picker(es, billing, _policy(rules))
    assert picker.remove(1) is None  # no such row
    assert picker.remove(0) == 0
    assert len(picker) == 0
    assert picker.remove(0) is None  # removed already
    assert picker.pick(5.0, es | billing) is None
    assert picker.pick(5.0) is None
    # A row not admitted yet is not waiting.
    rows = Rows([0, 1], [0, 1], [0.0, 1.0], [3.0, 3.0], ["a", "b"], [es, es], [billing, es])
    later: Picker[int] = Picker(_policy(rules), per_minute=1.0, rows=rows, skills_timeout=2.0)
    later.admit(0)
    assert later.remove(1) is None
    assert len(later) == 1
    # Removed after its preference dropped (filed in two buckets): gone from both.
    assert later.peek(2.0, es) == (0, "score")
    assert later.remove(0) == 0
    assert later.pick(2.0, es) is None
    assert later.pick(2.0, es | billing) is None
    assert len(later) == 0


def test_line_length_counts_the_run_and_the_heap() -> None:
    line = _Line([(3,), (1,)])
    assert len(line) == 2
    line.add((5,))  # past the run's end: appended to the run
    line.add((0,))  # not: to the heap
    assert len(line) == 4
    assert line.first() == (0,)
    assert [line.drop() for _ in range(4)] == [(0,), (1,), (3,), (5,)]
    assert len(line) == 0
    assert not line
    assert len(_Line()) == 0
