"""SharedQueue's GroupShare ledger under hostile input, against TriageQueue (the reference).

The PostgreSQL claim under ``GroupShare`` is the serving rule written a second time,
in SQL (``SharedQueue._ledger_sql``), its ledger booked as JSON text by the server;
SQLite's claim books it in Python. These tests drive both backends with what that
second copy could get wrong, and compare every claim (id and reason) and the stored
credits after it with a :class:`TriageQueue` fed the same operations (its
:class:`~prioritize.policy.ShareLedger` is the reference ledger):

* group labels hostile as JSON or SQL text (quotes, backslashes, ``}``/``:``/``,``,
  unicode, the empty string, a long label, labels that look like numbers);
* many listed groups, tiny shares, shares summing to less than 1, a listed group
  never present, thousands of claims (the credits' text round trip exact);
* agents with skills (a group is backlogged if it has a query the agent may take),
  routes with a preference and its timeout, release, lease expiry and remove
  between claims (a query back at its place), peek before each claim.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Labels that a JSON or SQL text could mangle, or confuse with another.
HOSTILE = [
    "",
    '"',
    "'",
    "\\",
    '\\"',
    "\\u00e9",
    "\x1f\x7f",
    "}",
    "{",
    ":",
    ",",
    '{"a": 1}',
    '", "b": 1, "c',
    "a\tb\nc",
    "\u2028",
    "é",
    "e\u0301",
    "😀",
    "\ud7ff",
    "3",
    "3.0",
    " 3",
    "null",
    "NaN",
    "%s",
    "%(q)s",
    ":q",
    "$1",
    "?",
    "x" * 3000,
]
AGENTS: list[frozenset[str] | None] = [
    None,
    frozenset(),
    frozenset({"es"}),
    frozenset({"fr"}),
    frozenset({"es", "fr"}),
    frozenset({"es", "billing"}),
]
SKILLS = [frozenset(), frozenset({"es"}), frozenset({"fr"})]


def stored_credit(q: pz.SharedQueue) -> dict[str, float]:
    db = q._db
    with db.tx(write=False):
        text = db.run("SELECT credit FROM pz_queue WHERE id = ?", (q._queue_id,)).fetchone()[0]
    return {group: float(value) for group, value in json.loads(text or "{}").items()}


def model_credit(model: pz.TriageQueue) -> dict[str, float]:
    ledger = model._picker._ledger
    assert ledger is not None
    return dict(ledger.credit)


def _shares(draw: st.DrawFn, labels: list[str]) -> dict[str, float]:
    kind = draw(st.sampled_from(["even", "tiny", "small", "binary"]))
    n = len(labels)
    if kind == "even":
        return {g: 1 / n for g in labels}
    if kind == "tiny":
        return {g: (1e-9 if i else 1 - 1e-9 * (n - 1)) for i, g in enumerate(labels)}
    if kind == "small":  # summing to less than 1
        return {g: draw(st.sampled_from([0.01, 0.1 / n, 0.3 / n, 1e-9])) for g in labels}
    return {g: draw(st.sampled_from([1 / 2 ** (n.bit_length() + 1), 1 / 2**n])) for g in labels}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6, unique=True))
    shares = _shares(draw, labels)
    present = [*labels, "unlisted", "3.00"]
    if draw(st.booleans()):  # a listed group never present
        present = present[1:]
    n = draw(st.integers(1, 25))
    queries = [
        (
            draw(st.sampled_from(present)),
            draw(st.integers(0, 5)),  # urgency step
            draw(st.sampled_from(range(len(SKILLS)))),
            draw(st.booleans()),  # chat (email otherwise)
            draw(st.integers(0, 3)),  # minutes after the previous one
        )
        for _ in range(n)
    ]
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["claim", "claim", "pop", "release", "complete", "remove"]),
                st.sampled_from(range(len(AGENTS))),
                st.integers(0, 20),  # minutes to wait before
                st.booleans(),  # PostgreSQL: the claim by the Python rule (as a fallback)
            ),
            min_size=1,
            max_size=40,
        )
    )
    return {
        "shares": shares,
        "queries": queries,
        "ops": ops,
        "max_wait": draw(st.booleans()),
        "routes": draw(st.booleans()),
        "urgent": draw(st.booleans()),
    }


def _policy(shares: dict[str, float], max_wait: bool, urgent: bool) -> pz.Policy:
    rules: list[Any] = [pz.rules.GroupShare(group="region", shares=shares)]
    if max_wait:
        rules.append(pz.rules.MaxWait(minutes=15, per_channel={"email": 40}))
    weights = {"follower_reach": 1.0, "urgency": 5.0 if urgent else 0.3}
    return pz.Policy(weights=weights, rules=rules)


ROUTES = pz.Routes(
    [pz.Route(when={"channel": "chat"}, prefer={"billing"})], skills_timeout_minutes=10
)


def run_scenario(db_url: str, s: dict[str, Any]) -> None:
    policy = _policy(s["shares"], s["max_wait"], s["urgent"])
    routes = ROUTES if s["routes"] else None
    pairs = []
    clock = T0
    for i, (label, urgency, skills, chat, gap) in enumerate(s["queries"]):
        clock += timedelta(minutes=gap)
        query = pz.Query(
            query_id=f"q{i:03d}",
            customer_id=f"c{i}",
            received_at=clock,
            channel="chat" if chat else "email",
            urgency=urgency / 5,
            skills=SKILLS[skills],
            attributes={"region": label},
        )
        pairs.append((query, pz.Customer(customer_id=f"c{i}", followers=10 ** (i % 6))))
    model = pz.TriageQueue(policy, routes=routes, remember=0)  # released: pushed again
    model.push_many(pairs)
    by_id = {query.query_id: (query, customer) for query, customer in pairs}
    leased: dict[str, tuple[str, datetime]] = {}  # id -> (token, until)
    q = pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex, routes=routes, lease_minutes=30)
    try:
        q.push_many(pairs)
        sql = q._ledger_in_sql
        for op, agent_at, wait, *python in s["ops"]:
            # A claim of the fallback (many skill sets, a lane cut not exact in SQL) reads and
            # writes the credits the one-statement claim wrote and reads: either may follow.
            q._ledger_in_sql = sql and not (python and python[0])
            clock += timedelta(minutes=wait)
            agent = AGENTS[agent_at]
            # A lease run out: back at its place (the reference: pushed again as it was).
            for qid, (_, until) in sorted(leased.items()):
                if until < clock:
                    del leased[qid]
                    model.push(*by_id[qid])
            if op in ("claim", "pop"):
                want = model.peek(clock, agent=agent)
                seen = q.peek(clock, agent=agent)
                assert (seen and (seen.query_id, seen.reason)) == (
                    want and (want.query_id, want.reason)
                )
                want = model.try_pop(clock, agent=agent)
                got = (
                    q.claim(clock, agent=agent) if op == "claim" else q.try_pop(clock, agent=agent)
                )
                assert (got and (got.query_id, got.reason)) == (
                    want and (want.query_id, want.reason)
                ), op
                if isinstance(got, pz.queue.LeasedEntry):
                    leased[got.query_id] = (got.token, clock + timedelta(minutes=30))
                stored = stored_credit(q)
                assert {g: stored.get(g, 0.0) for g in s["shares"]} == model_credit(model)
            elif leased and op in ("release", "complete"):
                qid = sorted(leased)[agent_at % len(leased)]
                token, _ = leased.pop(qid)
                if op == "release":
                    q.release(qid, token)
                    model.push(*by_id[qid])
                else:
                    q.complete(qid, token)
            elif op == "remove" and (waiting := sorted(x for x in model if x in q)):
                # (a lease run out but not claimed again stays leased for remove)
                qid = waiting[agent_at % len(waiting)]
                assert q.remove(qid) == model.remove(qid)
    finally:
        q.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_hostile_labels_skills_leases_agree_with_triage_queue(
    db_url: str, scenario: dict[str, Any]
) -> None:
    run_scenario(db_url, scenario)


def test_twenty_groups_thousands_of_claims_keep_exact_credits(db_url: str) -> None:
    """Credits that are no short decimal (1/3, 1/7, 0.1, ...) after 2 000 claims."""
    labels = [HOSTILE[i] for i in range(20)]
    shares = {g: [1 / 3, 1 / 7, 0.1, 1e-9][i % 4] / 5 for i, g in enumerate(labels)}
    queries = [(labels[i % 20], i % 6, 0, bool(i % 2), 0) for i in range(2_000)]
    ops = [("pop", 0, 1)] * 2_000
    run_scenario(
        db_url,
        {
            "shares": shares,
            "queries": queries,
            "ops": ops,
            "max_wait": False,
            "routes": False,
            "urgent": False,
        },
    )


def test_shares_summing_past_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 1"):
        pz.rules.GroupShare(group="region", shares={"a": 0.6, "b": 0.6})


def _labelled(qid: str, label: str) -> tuple[pz.Query, pz.Customer]:
    query = pz.Query(
        query_id=qid, customer_id="c", received_at=T0, channel="chat", attributes={"region": label}
    )
    return query, pz.Customer(customer_id="c")


def test_a_label_the_database_cannot_store_is_refused_clearly(db_url: str) -> None:
    """PostgreSQL's text holds no NUL, neither database a lone surrogate: a clear InputError
    when the queue is opened (a listed group) or at push (a query's label), not the driver's
    error at every claim; SQLite keeps a NUL, as a TriageQueue does."""
    postgres = db_url.startswith("postgresql")
    for label in ["a\x00b", "\ud800"]:
        policy = _policy({label: 0.5, "x": 0.5}, False, False)
        if postgres or label == "\ud800":
            with pytest.raises(pz.InputError, match="GroupShare group"):
                pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex)
            continue
        with pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex) as q:
            q.push_many([_labelled("a", "x"), _labelled("b", label)])
            model = pz.TriageQueue(policy)
            model.push_many([_labelled("a", "x"), _labelled("b", label)])
            for _ in range(2):
                got, want = q.pop(T0), model.pop(T0)
                assert (got.query_id, got.reason) == (want.query_id, want.reason)
    # a query's label (not listed) with a NUL: refused at push on PostgreSQL, nothing added
    policy = _policy({"x": 0.5}, False, False)
    with pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex) as q:
        if postgres:
            with pytest.raises(pz.InputError, match="query 'b'.*group label 'a.x00b'.*NUL"):
                q.push_many([_labelled("a", "x"), _labelled("b", "a\x00b")])
            assert len(q) == 0
        q.push(*_labelled("a", "x"))
        assert q.pop(T0).query_id == "a"


def test_many_skill_sets_mix_the_fallback_and_the_one_statement(db_url: str) -> None:
    """20 listed groups, 25 skill sets: an agent who may take every set needs more than one
    statement (the Python rule, also on PostgreSQL), one with a few sets the one statement;
    alternating, each reads the credits the other wrote."""
    labels = HOSTILE[:20]
    shares = {g: 1 / 21 for g in labels}
    policy = _policy(shares, True, False)
    pairs = []
    for i in range(300):
        query = pz.Query(
            query_id=f"q{i:03d}",
            customer_id="c",
            received_at=T0 + timedelta(seconds=10 * i),
            channel="chat" if i % 3 else "email",
            urgency=(i * 7 % 10) / 10,
            skills={f"s{i % 25}"},
            attributes={"region": [*labels, "other"][i % 21]},
        )
        pairs.append((query, pz.Customer(customer_id="c", followers=i)))
    model = pz.TriageQueue(policy)
    model.push_many(pairs)
    with pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex) as q:
        q.push_many(pairs)
        clock = T0 + timedelta(minutes=20)
        few = frozenset({"s0", "s1", "s2"})
        while len(model):
            for agent in (None, few):
                clock += timedelta(minutes=1)
                want = model.try_pop(clock, agent=agent)
                got = q.try_pop(clock, agent=agent)
                assert (got and (got.query_id, got.reason)) == (
                    want and (want.query_id, want.reason)
                )
                stored = stored_credit(q)
                assert {g: stored.get(g, 0.0) for g in shares} == model_credit(model)
        assert len(q._plan(None, True).chunks) > 1 and len(q._plan(few, True).chunks) == 1


def test_a_query_whose_text_no_json_holds_is_refused_clearly(db_url: str) -> None:
    """A lone surrogate in a message: the query's row holds it as JSON, which cannot hold
    it; an InputError naming the query, nothing added (pydantic's serialization error
    before), and the batch's other queries not added either."""
    with pz.SharedQueue(pz.policies.fifo(), db_url, name=uuid.uuid4().hex) as q:
        good = pz.Query(query_id="a", customer_id="c", received_at=T0, channel="chat")
        bad = pz.Query(
            query_id="b", customer_id="c", received_at=T0, channel="chat", text="hi \ud800"
        )
        customer = pz.Customer(customer_id="c")
        with pytest.raises(pz.InputError, match="query 'b' cannot be stored as JSON"):
            q.push_many([(good, customer), (bad, customer)])
        assert len(q) == 0
        q.push(good, customer)
        assert q.pop(T0).query_id == "a"
