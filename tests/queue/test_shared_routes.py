"""SharedQueue(routes=...): preferred skills and their timeout, routes as the queue's identity."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROUTES = pz.Routes([pz.Route(require={"es"}, prefer={"billing"})], skills_timeout_minutes=10)


def _query(qid: str, minutes: float = 0, **kw: object) -> pz.Query:
    kw.setdefault("channel", "chat")
    return pz.Query(
        query_id=qid,
        customer_id="c",
        received_at=T0 + timedelta(minutes=minutes),
        **kw,  # type: ignore[arg-type]
    )


C = pz.Customer(customer_id="c")


def test_preferred_skills_are_dropped_after_the_timeout(db_url: str) -> None:
    """As TriageQueue's test of the same name: exactly at the timeout, not a microsecond before."""
    with pz.SharedQueue(pz.policies.fifo(), db_url, name=uuid.uuid4().hex, routes=ROUTES) as q:
        q.push(_query("a"), C)
        es = pz.AgentGroup("es", agents=1, skills={"es"})
        assert q.peek(T0 + timedelta(minutes=9, seconds=59, microseconds=999_999), agent=es) is None
        assert q.claim(T0 + timedelta(minutes=9), agent="es") is None
        assert q.peek(T0 + timedelta(minutes=1), agent={"es", "billing"}) is not None
        entry = q.pop(T0 + timedelta(minutes=10), agent=es)  # exactly the timeout: dropped
        assert entry.query_id == "a" and entry.skills == {"es"} and entry.prefer == {"billing"}
        with pytest.raises(pz.queue.QueueEmpty, match=r"skills \['es'\]"):
            q.pop(T0 + timedelta(minutes=11), agent=es)


def test_without_a_timeout_a_preference_never_lapses(db_url: str) -> None:
    routes = pz.Routes([pz.Route(when={"channel": "chat"}, prefer={"vip"})])
    with pz.SharedQueue(pz.policies.fifo(), db_url, name=uuid.uuid4().hex, routes=routes) as q:
        q.push_many([(_query("a"), C), (_query("b", 1, channel="email"), C)])
        later = T0 + timedelta(days=30)
        assert q.pop(later, agent=set()).query_id == "b"  # no route: anyone
        assert q.peek(later, agent="es") is None
        assert q.claim(later, agent={"vip"}).query_id == "a"  # type: ignore[union-attr]


def test_a_query_needs_its_own_skills_and_its_route_s(db_url: str) -> None:
    """Routes add to the query's own skills (Query.skills, the skills column), as TriageQueue."""
    frame = pz.synthetic.queries(4, seed=1)
    frame["skills"] = ["fr", "", "fr", ""]
    frame["language"] = ["es", "es", None, "en"]
    routes = pz.Routes([pz.Route(when={"language": "es"}, require={"es"}, prefer={"billing"})])
    model = pz.TriageQueue(pz.policies.fifo(), routes=routes)
    model.push_frame(frame)
    with pz.SharedQueue(pz.policies.fifo(), db_url, name=uuid.uuid4().hex, routes=routes) as q:
        q.push_frame(frame)
        snap = q.snapshot()
        want = model.snapshot()
        assert list(snap["skills"]) == list(want["skills"])
        now = frame["received_at"].max().to_pydatetime()
        for agent in ({"es", "fr", "billing"}, {"es", "billing"}, None, None):
            got, expected = q.try_pop(now, agent=agent), model.try_pop(now, agent=agent)
            assert (got and (got.query_id, got.skills, got.prefer)) == (
                expected and (expected.query_id, expected.skills, expected.prefer)
            )


def test_other_routes_are_refused_unless_rekeyed(db_url: str) -> None:
    name = uuid.uuid4().hex
    policy = pz.policies.fifo()
    with pz.SharedQueue(policy, db_url, name=name, routes=ROUTES) as q:
        q.push_many([(_query("a"), C), (_query("b", 1, skills={"en"}), C)])
    other = pz.Routes([pz.Route(require={"fr"})], skills_timeout_minutes=10)
    for routes, said in ((other, "other routes"), (None, "other routes")):
        with pytest.raises(pz.SharedQueueError, match=f"made with {said}.*rekey=True") as err:
            pz.SharedQueue(policy, db_url, name=name, routes=routes)
        assert name in str(err.value)
    with pytest.raises(pz.SharedQueueError, match="another policy and other routes"):
        pz.SharedQueue(pz.policies.balanced(), db_url, name=name, routes=other)
    with pz.SharedQueue(policy, db_url, name=name, routes=ROUTES) as q:  # the same: accepted
        assert len(q) == 2
    with pz.SharedQueue(policy, db_url, name=name, routes=other, rekey=True) as q:
        now = T0 + timedelta(minutes=1)
        assert q.peek(now, agent={"es", "billing"}) is None  # now both need fr
        got = q.pop(now, agent="fr,en")
        assert (got.query_id, got.skills, got.prefer) == ("a", {"fr"}, frozenset())
    with pz.SharedQueue(policy, db_url, name=name, routes=other) as q:  # the queue's routes now
        assert q.pop(T0, agent="en, fr").skills == {"en", "fr"}


def test_routes_errors_as_the_triage_queue(db_url: str) -> None:
    with pytest.raises(pz.InputError, match=r"routes must be a prioritize\.Routes"):
        pz.SharedQueue(pz.policies.fifo(), db_url, routes={"es": "es"})  # type: ignore[arg-type]
    routes = pz.Routes([pz.Route(when={"language": "es"}, require={"es"})])
    frame = pz.synthetic.queries(3, seed=0)
    with pz.SharedQueue(pz.policies.fifo(), db_url, name=uuid.uuid4().hex, routes=routes) as q:
        with pytest.raises(pz.SchemaError, match="language") as err:
            q.push_frame(frame)
        with pytest.raises(type(err.value), match=re.escape(str(err.value))):
            pz.TriageQueue(pz.policies.fifo(), routes=routes).push_frame(frame)
        assert len(q) == 0
        es = _query("a", attributes={"language": "es"})
        q.push(es, C)
        assert q.peek(T0, agent=set()) is None and q.peek(T0, agent={"es"}) is not None
        with pytest.raises(pz.InputError, match="agent="):
            q.claim(T0, agent=[3])  # type: ignore[list-item]
