"""Tests written against the mutants of queue/_triage.py and _entry.py left alive by the
run of 2026-11-30 on the current code (benchmarks/MUTATION.md lists them).

``push_many`` and ``push_frame`` file each query as ``push`` does (its group for
``GroupShare``, its required and preferred skills, its base score, the policy that
scores it), with routes and without; the message of a batch holding ids already
waiting; a queue that remembers no served id; the two messages of an empty pop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import frame_to_objects
from prioritize.policy import GroupShare, MaxWait
from prioritize.queue import QueueEmpty
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
VIP = pz.Customer(customer_id="v", lifetime_value=50_000.0)
STD = pz.Customer(customer_id="s", lifetime_value=10.0)
CUSTOMERS = {"v": VIP, "s": STD}
VIP_BAND, STD_BAND = "10k+", "<100"
# GroupShare on a band of a customer's field: the vip queries score low but are owed
# half the pops.
POLICY = pz.Policy(
    weights={"urgency": 1.0},
    rules=[GroupShare(group="value_band", shares={VIP_BAND: 0.5}), MaxWait(minutes=30.0)],
)
ROUTES = pz.Routes(
    [pz.Route(when={"customer_id": "v"}, require={"en"}, prefer={"billing"})],
    skills_timeout_minutes=10,
)
# (query_id, customer_id, minutes after T0, urgency, skills)
ROWS = [
    ("s0", "s", 0, 0.9, ""),
    ("s1", "s", 1, 0.8, "es"),
    ("s2", "s", 2, 0.7, ""),
    ("s3", "s", 3, 0.6, "es"),
    ("v0", "v", 4, 0.1, ""),
    ("v1", "v", 5, 0.2, "es"),
    ("v2", "v", 6, 0.0, ""),
    ("s4", "s", 7, 0.5, ""),
]
# Pops at T0 + minutes, by an agent with these skills (None: any agent).
POPS: list[tuple[int, set[str] | None]] = [
    (8, {"en", "es"}),  # no billing: the vip queries (preferring it) are not for it yet
    (8, None),
    (9, {"en", "es", "billing"}),
    (9, set()),
    (12, {"en"}),  # v0 and v2 waited past the 10 min timeout: billing dropped
    (12, None),
    (40, {"en", "es"}),  # overdue now
    (40, None),
]


def _queries() -> list[pz.Query]:
    return [
        pz.Query(
            query_id=qid,
            customer_id=cid,
            received_at=T0 + timedelta(minutes=minutes),
            channel="chat",
            urgency=urgency,
            skills=skills,
        )
        for qid, cid, minutes, urgency, skills in ROWS
    ]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "query_id": [r[0] for r in ROWS],
            "customer_id": [r[1] for r in ROWS],
            "received_at": [T0 + timedelta(minutes=r[2]) for r in ROWS],
            "channel": "chat",
            "followers": 0,
            "lifetime_value": [CUSTOMERS[r[1]].lifetime_value for r in ROWS],
            "purchase_count": 0,
            "total_spend": 0.0,
            "days_since_last_purchase": 0.0,
            "urgency": [r[3] for r in ROWS],
            "skills": [r[4] for r in ROWS],
        }
    )


def _fill(q: pz.TriageQueue, how: str) -> pz.TriageQueue:
    if how == "push":
        for query in _queries():
            q.push(query)
    elif how == "push_many":
        q.push_many([(query, None) for query in _queries()])
    else:
        assert q.push_frame(_frame()) == len(ROWS)
    return q


def _filled(how: str, routes: pz.Routes | None) -> pz.TriageQueue:
    return _fill(pz.TriageQueue(POLICY, CUSTOMERS, routes=routes), how)


def _served(q: pz.TriageQueue) -> tuple[list[Any], pd.DataFrame]:
    snap = q.snapshot(now=T0 + timedelta(minutes=8))
    seen = []
    for minutes, agent in POPS:
        now = T0 + timedelta(minutes=minutes)
        entry = q.try_pop(now, agent=agent)
        if entry is None:
            seen.append(None)
            continue
        seen.append(
            (
                entry.query_id,
                entry.reason,
                entry.group,
                entry.skills,
                entry.prefer,
                entry.score.value,
                entry.explain(),
            )
        )
    return seen, snap


@pytest.mark.parametrize("routed", [False, True])
@pytest.mark.parametrize("how", ["push_many", "push_frame"])
def test_batches_file_each_query_as_push_does(how: str, routed: bool) -> None:
    routes = ROUTES if routed else None
    expected, expected_snap = _served(_filled("push", routes))
    got, snap = _served(_filled(how, routes))
    assert got == expected
    pd.testing.assert_frame_equal(snap, expected_snap)
    # What push gives, by hand: the groups, the skills, and GroupShare's interleaving.
    band = {"v": VIP_BAND, "s": STD_BAND}
    assert snap["group"].tolist() == [band[r[1]] for r in sorted(ROWS, key=_rank)]
    ids = [None if e is None else e[0] for e in got]
    if routed:
        assert ids[0] == "s0"  # no billing: not a vip query
        assert {e[0]: (e[3], e[4]) for e in got if e is not None}["v0"] == ({"en"}, {"billing"})
    else:
        assert ids[:2] == ["s0", "v1"]  # the vip group owed its share at the second pop
        assert ids[3] != "s1" and ids[3] != "s3"  # an agent without skills takes no "es"
    served = [e for e in got if e is not None]
    assert {e[2] for e in served} == {VIP_BAND, STD_BAND}
    assert any(e[1] == "group_share" for e in served)


def _rank(row: tuple[str, str, int, float, str]) -> tuple[float, int]:
    return (-row[3], row[2])


_SKILLS = st.frozensets(st.sampled_from(["es", "en", "billing"]), max_size=2)
# Built once (a policy compiles its scorer): presets, and GroupShare on a band of a
# customer's field (the customer is needed to label a query), with MaxWait and aging.
_POLICIES = [
    pz.policies.fifo(),
    pz.policies.balanced(),
    *(
        pz.Policy(
            weights={"urgency": 1.0, "crm_value": 0.5},
            rules=[
                GroupShare(group=band, shares={"<1k": 0.4, "<100": 0.3}),
                MaxWait(minutes=60.0, per_channel={"email": 240.0}),
                pz.rules.Aging(points_per_hour=0.5),
            ],
        )
        for band in ("value_band", "follower_band")
    ),
]


@given(
    policy=st.sampled_from(_POLICIES),
    frame=pst.query_frames(min_rows=1, max_rows=8),
    routed=st.booleans(),
    data=st.data(),
)
def test_batches_serve_as_pushes_one_by_one(
    policy: pz.Policy, frame: pd.DataFrame, routed: bool, data: st.DataObject
) -> None:
    # Routes on a column carried in the query's attributes: push_many and push_frame
    # serve what pushes one by one serve, to the same agents at the same times.
    frame = frame.assign(
        skills=data.draw(st.lists(_SKILLS, min_size=len(frame), max_size=len(frame))),
        language=data.draw(
            st.lists(st.sampled_from(["es", "en"]), min_size=len(frame), max_size=len(frame))
        ),
    )
    routes = None
    if routed:
        timeout = data.draw(st.none() | st.integers(1, 300), label="timeout")
        routes = pz.Routes(
            [
                pz.Route(when={"language": "es"}, require={"es"}, prefer={"billing"}),
                pz.Route(when={"language": "en"}, prefer={"en"}),
            ],
            skills_timeout_minutes=timeout,
        )
    pairs = list(frame_to_objects(frame, attributes={"language": "query"}))
    queues = [pz.TriageQueue(policy, routes=routes) for _ in range(3)]
    for query, customer in pairs:
        queues[0].push(query, customer)
    queues[1].push_many(pairs)
    queues[2].push_frame(frame)
    clock = frame["received_at"].max().to_pydatetime()
    snaps = [q.snapshot(now=clock) for q in queues]
    for snap in snaps[1:]:
        pd.testing.assert_frame_equal(snap, snaps[0])
    for _ in range(2 * len(frame)):
        clock += timedelta(minutes=data.draw(st.integers(0, 200), label="minutes"))
        agent = data.draw(st.none() | _SKILLS, label="agent")
        served = [q.try_pop(clock, agent=agent) for q in queues]
        seen = [
            None
            if e is None
            else (e.query_id, e.reason, e.group, e.skills, e.prefer, e.score.value, e.explain())
            for e in served
        ]
        assert seen[1] == seen[0] and seen[2] == seen[0]
    assert len(queues[1]) == len(queues[2]) == len(queues[0])


def test_a_batch_of_ids_already_waiting_names_the_first_five() -> None:
    q = _filled("push", None)
    message = "query(ies) already in the queue: ['s0', 's1', 's2', 's3', 'v0']"
    with pytest.raises(pz.InputError) as many:
        q.push_many([(query, None) for query in _queries()])
    assert str(many.value) == message
    with pytest.raises(pz.InputError) as frame:
        q.push_frame(_frame())
    assert str(frame.value) == message
    assert len(q) == len(ROWS)


@pytest.mark.parametrize("how", ["push", "push_many", "push_frame"])
def test_a_queue_remembering_no_served_id_takes_them_again(how: str) -> None:
    q = pz.TriageQueue(POLICY, CUSTOMERS, remember=0)
    for _ in range(2):
        assert len(_fill(q, how)) == len(ROWS)
        while q.try_pop(T0 + timedelta(hours=1)) is not None:
            pass
        assert len(q) == 0


def test_an_empty_pop_says_whether_the_queue_is_empty_or_the_agent_lacks_skills() -> None:
    q = pz.TriageQueue(pz.policies.fifo(), CUSTOMERS)
    for agent in (None, {"es"}, pz.AgentGroup("g", agents=1, skills={"es"})):
        with pytest.raises(QueueEmpty) as empty:
            q.pop(T0, agent=agent)
        assert str(empty.value) == "pop from an empty TriageQueue"
    q.push(pz.Query(query_id="a", customer_id="s", received_at=T0, channel="chat", skills="fr"))
    for agent in ({"es", "de"}, pz.AgentGroup("g", agents=1, skills={"de", "es"})):
        with pytest.raises(QueueEmpty) as none_for_it:
            q.pop(T0, agent=agent)
        assert str(none_for_it.value) == (
            "no waiting query that an agent with skills ['de', 'es'] may take"
        )
    assert q.pop(T0).query_id == "a"


def test_push_frame_groups_by_the_frames_segment_column() -> None:
    # a frame's segment column is the customers' segment (it was dropped: a SchemaError)
    policy = pz.Policy(rules=[GroupShare(group="segment", shares={"vip": 0.5})])
    frame = _frame().assign(segment=["vip" if r[1] == "v" else "std" for r in ROWS])
    q = pz.TriageQueue(policy)
    q.push_frame(frame)
    snap = q.snapshot(now=T0)
    assert dict(zip(snap["query_id"], snap["group"], strict=True)) == dict(
        zip(frame["query_id"], frame["segment"], strict=True)
    )


@pytest.mark.parametrize("routes", ["es", [pz.Route(require={"es"})], ROUTES.routes])
def test_routes_that_are_not_routes_are_named(routes: object) -> None:
    with pytest.raises(pz.InputError) as err:
        pz.TriageQueue(POLICY, routes=routes)  # type: ignore[arg-type]
    kind = type(routes).__name__
    assert str(err.value) == f"routes must be a prioritize.Routes; got {kind}"
