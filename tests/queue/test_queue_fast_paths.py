"""The queue's fast paths give what the general forms give.

* the served-id memory: pops only log their ids, filed at the next check;
  whether a push is refused equals a model that files every pop at once;
* ``push`` sets the slots of its :class:`Entry` itself: the entry equals
  ``Entry(query, customer, base, group, policy, skills, prefer)``;
* ``Entry.score`` clamps ``now`` to the arrival (a query stamped after the
  pop's ``now`` waited 0 minutes), as the pop did before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.queue._entry import Entry

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ANYONE = pz.Customer(customer_id="c", followers=1200, lifetime_value=300.0)


def _query(qid: str, minutes: int = 0, channel: str = "chat") -> pz.Query:
    return pz.Query(
        query_id=qid, customer_id="c", received_at=T0 + timedelta(minutes=minutes), channel=channel
    )


# (push an id | pop), the memory's size
operations = st.lists(st.one_of(st.sampled_from("abcdefg"), st.just(None)), max_size=60)


@given(operations, st.integers(0, 5))
def test_a_push_is_refused_exactly_when_its_id_was_among_the_last_remember_served(
    ops: list[str | None], remember: int
) -> None:
    q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE}, remember=remember)
    served: list[str] = []  # the model: every pop filed at once
    waiting: set[str] = set()
    for op in ops:
        if op is None:
            entry = q.try_pop(T0)
            if entry is None:
                assert not waiting
                continue
            waiting.discard(entry.query_id)
            served.append(entry.query_id)
        elif op in waiting:
            with pytest.raises(pz.InputError, match="already in the queue"):
                q.push(_query(op))
        elif remember and op in served[-remember:]:
            with pytest.raises(pz.InputError, match="already served"):
                q.push(_query(op))
        else:
            q.push(_query(op))
            waiting.add(op)
        assert set(q) == waiting


@given(
    st.sampled_from(sorted(pz.policies.PRESETS)),
    st.sampled_from(["chat", "email", "twitter"]),
    st.integers(-30, 30),
    st.sampled_from([frozenset(), frozenset({"es"})]),
    st.booleans(),
)
def test_the_entry_push_builds_equals_the_constructed_one(
    preset: str, channel: str, minutes: int, skills: frozenset[str], grouped: bool
) -> None:
    policy = pz.policies.PRESETS[preset]()
    if grouped:
        policy = policy.with_changes(
            rules=[*policy.rules, pz.rules.GroupShare(group="channel", shares={"email": 0.5})]
        )
    query = _query("a", minutes, channel).model_copy(update={"skills": skills})
    q = pz.TriageQueue(policy, customers={"c": ANYONE})
    q.push(query)
    now = T0
    got = q.pop(now, agent=skills)
    base = policy.score_value(query, ANYONE)
    group = channel if grouped else None
    want = Entry(query, ANYONE, base, group, policy, skills)
    want._now, want.reason = now, got.reason
    for name in (
        "query",
        "query_id",
        "_qid",
        "customer",
        "_base",
        "group",
        "_policy",
        "skills",
        "prefer",
        "reason",
    ):
        assert getattr(got, name) == getattr(want, name), name
    assert got.score == want.score
    assert repr(got) == repr(want)
    # scored at its arrival when that is after ``now`` (another clock): waited 0
    later = max(now, query.received_at)
    assert got.score == policy.score(query, ANYONE, now=later)
