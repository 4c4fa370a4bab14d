"""TriageQueue.pop/peek/try_pop(now, agent=...): the best waiting query this agent may take."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import frame_to_objects, group_labels
from prioritize.policy import ShareLedger
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SKILLS = ("es", "en", "billing")
_sets = st.frozensets(st.sampled_from(SKILLS), max_size=2)


def _skills_frame(frame: pd.DataFrame, data: st.DataObject) -> pd.DataFrame:
    frame = frame.copy()
    frame["skills"] = [data.draw(_sets, label="skills") for _ in range(len(frame))]
    frame["language"] = data.draw(
        st.lists(st.sampled_from(["es", "en"]), min_size=len(frame), max_size=len(frame))
    )
    return frame


@st.composite
def _policies(draw: st.DrawFn) -> pz.Policy:
    policy = draw(pst.policies())
    if draw(st.booleans()):
        share = pz.rules.GroupShare(
            group="channel", shares={"twitter": draw(st.floats(0.1, 0.6)), "email": 0.3}
        )
        policy = policy.with_changes(rules=[*policy.rules, share])
    return policy


def _eligible(
    agent: frozenset[str] | None,
    required: dict[str, frozenset[str]],
    preferred: dict[str, frozenset[str]],
    waited: dict[str, float],
    timeout: float | None,
) -> list[str]:
    if agent is None:
        return list(required)
    return [
        i
        for i in required
        if required[i] <= agent
        and (preferred[i] <= agent or (timeout is not None and waited[i] >= timeout))
    ]


@given(
    policy=_policies(),
    frame=pst.query_frames(min_rows=1, max_rows=20),
    routed=st.booleans(),
    by_frame=st.booleans(),
    timeout=st.none() | st.integers(1, 600),
    data=st.data(),
)
def test_pop_with_an_agent_is_the_first_eligible_query_in_policy_order(
    policy: pz.Policy,
    frame: pd.DataFrame,
    routed: bool,
    by_frame: bool,
    timeout: int | None,
    data: st.DataObject,
) -> None:
    frame = _skills_frame(frame, data)
    routes = None
    if routed:
        routes = pz.Routes(
            [
                pz.Route(
                    when={"language": "es", "channel": "twitter"},
                    require={"es"},
                    prefer={"billing"},
                ),
                pz.Route(when={"language": "en"}, prefer={"en"}),
            ],
            skills_timeout_minutes=timeout,
        )
    q = pz.TriageQueue(policy, routes=routes)
    if by_frame:
        q.push_frame(frame)
    else:
        for query, customer in frame_to_objects(frame, attributes={"language": "query"}):
            q.push(query, customer)
    ids = frame["query_id"].tolist()
    if routes is None:
        need = dict(zip(ids, frame["skills"], strict=True))
        wish = dict.fromkeys(ids, frozenset[str]())
    else:
        required, preferred = routes.resolve_frame(frame)
        need, wish = dict(zip(ids, required, strict=True)), dict(zip(ids, preferred, strict=True))
    share = policy.group_share
    ledger = None if share is None else ShareLedger(share.shares)
    group = (
        {} if share is None else dict(zip(ids, group_labels(frame, group=share.group), strict=True))
    )
    received = dict(zip(ids, frame["received_at"], strict=True))
    indexed = frame.set_index("query_id", drop=False)
    clock = frame["received_at"].max().to_pydatetime()
    waiting = set(ids)
    for _ in range(3 * len(ids)):
        if not waiting:
            break
        clock += timedelta(minutes=data.draw(st.integers(0, 400), label="minutes"))
        agent = data.draw(st.none() | _sets, label="agent")
        waited = {i: (clock - received[i]).total_seconds() / 60 for i in waiting}
        live = {i: need[i] for i in waiting}
        eligible = _eligible(agent, live, wish, waited, routes and routes.skills_timeout_minutes)
        peeked = q.peek(clock, agent=agent)
        entry = q.try_pop(clock, agent=agent)
        if not eligible:
            assert entry is None and peeked is None
            continue
        assert entry is not None and peeked is not None
        order = policy.rank(indexed.loc[sorted(eligible)].reset_index(drop=True), now=clock)
        first = order["query_id"].iloc[0]
        overdue = bool(order["overdue"].iloc[0]) if "overdue" in order else False
        if ledger is None or overdue:
            expected, reason = first, "overdue" if overdue else "score"
        else:
            position = {qid: k for k, qid in enumerate(order["query_id"])}
            best: dict[str, int] = {}
            for i in eligible:
                best[group[i]] = min(best.get(group[i], len(position)), position[i])
            chosen = ledger.choose(best)
            expected = order["query_id"].iloc[best[chosen]]
            reason = "score" if expected == first else "group_share"
        if ledger is not None:
            ledger.record({group[i] for i in eligible}, group[expected])
        assert (entry.query_id, entry.reason) == (expected, reason)
        assert (peeked.query_id, peeked.reason) == (expected, reason)
        assert need[expected] <= (agent if agent is not None else need[expected])
        waiting.remove(expected)
    assert len(q) == len(waiting)


@given(frame=pst.query_frames(min_rows=1, max_rows=30), data=st.data())
def test_no_query_ever_goes_to_an_agent_lacking_a_required_skill(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    frame = _skills_frame(frame, data)
    q = pz.TriageQueue(pz.policies.balanced())
    q.push_frame(frame)
    need = dict(zip(frame["query_id"], frame["skills"], strict=True))
    now = frame["received_at"].max().to_pydatetime() + timedelta(days=2)
    while len(q):
        agent = data.draw(
            _sets | st.builds(lambda s: pz.AgentGroup("g", agents=1, skills=s), _sets)
        )
        skills = agent.skills if isinstance(agent, pz.AgentGroup) else agent
        entry = q.try_pop(now, agent=agent)
        if entry is None:
            assert all(not need[i] <= skills for i in q)
            q.pop(now)  # someone else takes the best one
        else:
            assert need[entry.query_id] <= skills
            assert entry.skills == need[entry.query_id]


@given(frame=pst.query_frames(min_rows=1, max_rows=30), data=st.data())
def test_agent_groups_given_again_are_the_skills_they_name(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    # The queue keeps the last AgentGroup's skills: the same objects given in turn
    # (and skill names between them) serve what their skill sets would.
    frame = _skills_frame(frame, data)
    pool = [
        pz.AgentGroup(f"g{i}", agents=1, skills=s)
        for i, s in enumerate(data.draw(st.lists(_sets, min_size=2, max_size=3), label="agents"))
    ]
    by_group, by_names = pz.TriageQueue(pz.policies.fifo()), pz.TriageQueue(pz.policies.fifo())
    by_group.push_frame(frame)
    by_names.push_frame(frame)
    now = frame["received_at"].max().to_pydatetime()
    while len(by_group):
        agent = data.draw(st.sampled_from([*pool, None, frozenset({"es"})]), label="agent")
        skills = agent.skills if isinstance(agent, pz.AgentGroup) else agent
        got = by_group.try_pop(now, agent=agent)
        want = by_names.try_pop(now, agent=skills)
        assert (got and got.query_id) == (want and want.query_id)
        if got is None:
            by_group.pop(now)
            by_names.pop(now)


def test_preferred_skills_are_dropped_after_the_timeout() -> None:
    routes = pz.Routes([pz.Route(require={"es"}, prefer={"billing"})], skills_timeout_minutes=10)
    q = pz.TriageQueue(pz.policies.fifo(), routes=routes)
    c = pz.Customer(customer_id="c")
    q.push(pz.Query(query_id="a", customer_id="c", received_at=T0, channel="chat"), c)
    es = pz.AgentGroup("es", agents=1, skills={"es"})
    assert q.peek(T0 + timedelta(minutes=9, seconds=59), agent=es) is None
    assert q.peek(T0 + timedelta(minutes=10), agent={"es", "billing"}) is not None
    entry = q.pop(T0 + timedelta(minutes=10), agent=es)  # exactly the timeout: dropped
    assert entry.query_id == "a" and entry.skills == {"es"} and entry.prefer == {"billing"}
    with pytest.raises(pz.queue.QueueEmpty):
        q.pop(T0 + timedelta(minutes=11), agent=es)


def test_agent_forms_and_errors() -> None:
    q = pz.TriageQueue(pz.policies.fifo())
    c = pz.Customer(customer_id="c")
    q.push(pz.Query(query_id="a", customer_id="c", received_at=T0, channel="chat", skills="ES"), c)
    assert q.peek(T0, agent=[]) is None
    assert q.peek(T0, agent="es") is not None  # one comma-separated string, like the column
    assert q.peek(T0, agent=(" Es ",)) is not None
    with pytest.raises(pz.InputError, match="agent"):
        q.peek(T0, agent=[3])  # type: ignore[list-item]
    with pytest.raises(pz.InputError, match="agent"):
        q.pop(T0, agent=5)  # type: ignore[arg-type]
    assert q.pop(T0).query_id == "a"  # a plain pop: any agent


def test_routes_need_their_columns_at_push() -> None:
    routes = pz.Routes([pz.Route(when={"language": "es"}, require={"es"})])
    q = pz.TriageQueue(pz.policies.fifo(), routes=routes)
    frame = pz.synthetic.queries(3, seed=0)
    with pytest.raises(pz.SchemaError, match="language"):
        q.push_frame(frame)
    assert len(q) == 0
    c = pz.Customer(customer_id="c")
    es = pz.Query(
        query_id="a", customer_id="c", received_at=T0, channel="chat", attributes={"language": "es"}
    )
    q.push(es, c)
    assert q.peek(T0, agent=set()) is None and q.peek(T0, agent={"es"}) is not None


def test_threads_with_agents_lose_and_duplicate_nothing() -> None:
    frame = pz.synthetic.queries(600, seed=4)
    rng = np.random.default_rng(4)
    frame["skills"] = [frozenset(rng.choice(SKILLS, rng.integers(0, 2))) for _ in range(len(frame))]
    q = pz.TriageQueue(pz.policies.balanced())
    now = frame["received_at"].max().to_pydatetime()
    agents = [frozenset(SKILLS), frozenset({"es", "en"}), frozenset({"billing"}), None]
    outs: list[list[str]] = [[] for _ in agents]

    def consume(k: int) -> None:
        misses = 0
        while misses < 200:
            entry = q.try_pop(now, agent=agents[k])
            if entry is None:
                misses += 1
            else:
                outs[k].append(entry.query_id)

    q.push_frame(frame)
    threads = [threading.Thread(target=consume, args=(k,)) for k in range(len(agents))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served = [i for out in outs for i in out]
    assert len(served) == len(set(served)) == len(frame) and len(q) == 0
    need = dict(zip(frame["query_id"], frame["skills"], strict=True))
    for agent, out in zip(agents, outs, strict=True):
        if agent is not None:
            assert all(need[i] <= agent for i in out)
