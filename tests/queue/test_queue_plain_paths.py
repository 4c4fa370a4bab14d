"""The queue's plain paths serve what the picker's general paths serve.

A push without skills or group goes through :meth:`Picker.push_plain`, and a pop
by any agent through the function of :meth:`Picker.plain_pick` (``_pick_lanes``
itself under ``MaxWait`` alone, until the first push with skills). A queue whose
picker has neither shortcut (``push_plain`` is ``push``, ``plain_pick`` is
``pick``) is the reference: fed the same pushes (ids reused, skills appearing
midway), removals, peeks and pops (by any agent and by agents with skills),
both give the same answers in the same order, under every rule combination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import Picker, Reason
from prioritize.queue import _triage

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
C = pz.Customer(customer_id="c", followers=10, lifetime_value=5.0)

RULES: dict[str, list[Any]] = {
    "none": [],
    "aging": [pz.rules.Aging(points_per_hour=3.0)],
    "max_wait": [pz.rules.MaxWait(minutes=30, per_channel={"email": 90})],
    "aging_max_wait": [pz.rules.Aging(points_per_hour=3.0), pz.rules.MaxWait(minutes=45)],
    "group_share": [pz.rules.GroupShare(group="channel", shares={"chat": 0.5})],
    "all": [
        pz.rules.Aging(points_per_hour=1.0),
        pz.rules.MaxWait(minutes=30),
        pz.rules.GroupShare(group="channel", shares={"email": 0.4}),
    ],
}
SKILLS = [frozenset(), frozenset(), frozenset({"es"}), frozenset({"en", "es"})]
AGENTS = [None, None, frozenset({"es"}), frozenset({"en"})]


class GeneralPicker(Picker[Any]):
    """The reference: every push through :meth:`Picker.push`, every pick through
    :meth:`Picker.pick` (no shortcut)."""

    def push_plain(
        self, handle: Any, key: float, arrival: Any, tiebreak: Any, limit: float = float("inf")
    ) -> None:
        self.push(handle, key, arrival, tiebreak, limit)

    def plain_pick(self) -> Callable[[Any], tuple[Any, Reason] | None]:
        return self.pick


@contextmanager
def general_picker() -> Iterator[None]:
    """TriageQueues made inside use :class:`GeneralPicker`."""
    made = _triage.Picker
    _triage.Picker = GeneralPicker  # type: ignore[misc]
    try:
        yield
    finally:
        _triage.Picker = made  # type: ignore[misc]


# One step: ("push", id, minute, urgency, channel, skills) | ("remove", id)
# | ("pop", minute, agent) | ("peek", minute, agent)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("push"),
            st.integers(0, 9),
            st.integers(0, 120),
            st.sampled_from([0.0, 0.25, 0.5, 1.0]),  # ties: arrival, then id, decide
            st.sampled_from(["chat", "email"]),
            st.integers(0, len(SKILLS) - 1),
        ),
        st.tuples(st.just("remove"), st.integers(0, 9)),
        st.tuples(st.just("pop"), st.integers(0, 400), st.integers(0, len(AGENTS) - 1)),
        st.tuples(st.just("peek"), st.integers(0, 400), st.integers(0, len(AGENTS) - 1)),
    ),
    max_size=50,
)


def _run(q: pz.TriageQueue, ops: list[tuple[Any, ...]]) -> list[Any]:
    out: list[Any] = []
    for op in ops:
        if op[0] == "push":
            _, k, minute, urgency, channel, s = op
            qid = f"q{(k * 7) % 10}"  # ids out of arrival order: the id tie-break counts
            if qid in q:
                out.append(("removed", q.remove(qid).query_id))
            query = pz.Query(
                query_id=qid,
                customer_id="c",
                received_at=T0 + timedelta(minutes=minute),
                channel=channel,
                urgency=urgency,
                skills=SKILLS[s],
            )
            try:
                q.push(query, C)
            except pz.InputError:  # served already (remembered)
                out.append(("refused", qid))
        elif op[0] == "remove":
            out.append(("discard", q.discard(f"q{op[1]}")))
        else:
            _, minute, a = op
            now, agent = T0 + timedelta(minutes=minute), AGENTS[a]
            e = q.peek(now, agent=agent) if op[0] == "peek" else q.try_pop(now, agent=agent)
            out.append(None if e is None else (op[0], e.query_id, e.reason))
        out.append(len(q))
    later = T0 + timedelta(minutes=500)
    out.extend((e.query_id, e.reason) for e in iter(lambda: q.try_pop(later), None))
    return out


@pytest.mark.parametrize("rules", sorted(RULES))
@given(ops=steps, remember=st.sampled_from([0, 3]))
def test_the_plain_paths_serve_as_the_general_paths(
    rules: str, ops: list[tuple[Any, ...]], remember: int
) -> None:
    policy = pz.Policy(weights={"urgency": 1.0}, rules=RULES[rules])
    fast = pz.TriageQueue(policy, remember=remember)
    with general_picker():
        general = pz.TriageQueue(policy, remember=remember)
    assert type(general._picker) is GeneralPicker and type(fast._picker) is Picker
    assert _run(fast, ops) == _run(general, ops)


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 3)),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(sorted(RULES)),
)
def test_a_pushed_batch_serves_as_single_pushes(
    rows: list[tuple[int, float, int]], rules: str
) -> None:
    """push_many files its queries through the same plain and general paths as push."""
    policy = pz.Policy(weights={"urgency": 1.0}, rules=RULES[rules])
    pairs = [
        (
            pz.Query(
                query_id=f"q{(i * 7) % 31}",
                customer_id="c",
                received_at=T0 + timedelta(minutes=minute),
                channel="chat" if i % 3 else "email",
                urgency=urgency,
                skills=SKILLS[s],
            ),
            C,
        )
        for i, (minute, urgency, s) in enumerate(rows)
    ]
    pairs = list({q.query_id: (q, c) for q, c in pairs}.values())
    batch, single = pz.TriageQueue(policy), pz.TriageQueue(policy)
    batch.push_many(pairs)
    with general_picker():
        general = pz.TriageQueue(policy)
    for q, c in pairs:
        single.push(q, c)
        general.push(q, c)
    now = T0 + timedelta(minutes=40)
    served = [
        [(e.query_id, e.reason) for e in iter(lambda q=q: q.try_pop(now), None)]  # type: ignore[misc]
        for q in (batch, single, general)
    ]
    assert served[0] == served[1] == served[2]
