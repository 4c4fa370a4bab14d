"""Serving-order helpers the mutation run (policy group, ``_order`` outside ``Picker``) found
untested in tests/policy: limits without a ``MaxWait`` rule, and ``rank`` without ``now``."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

import prioritize as pz
from prioritize.models import Channel
from prioritize.policy import MaxWait, Policy, ShareLedger
from prioritize.policy._order import (
    channel_limits,
    deadline_minutes,
    limit_minutes,
    overdue_span,
    tiebreak_rank,
)


def test_without_max_wait_every_limit_is_infinite() -> None:
    policy = Policy()
    assert limit_minutes(policy, "chat") == math.inf
    assert channel_limits(policy) == {c.value: math.inf for c in Channel}
    assert deadline_minutes(policy, ["chat", "email"]).tolist() == [math.inf, math.inf]
    # and with one, each channel's own limit
    ruled = Policy(rules=[MaxWait(minutes=5.0, per_channel={"chat": 2.0})])
    assert limit_minutes(ruled, "chat") == 2.0
    assert deadline_minutes(ruled, ["chat", "email"]).tolist() == [2.0, 5.0]


def test_rank_without_now_finds_nobody_overdue() -> None:
    # MaxWait needs a `now` to tell who is overdue: without one, nobody is, and the order is
    # the order without the rule
    frame = pz.synthetic.queries(12, seed=4)
    ruled = Policy(rules=[MaxWait(minutes=0.001)]).rank(frame)
    plain = Policy().rank(frame)
    assert not ruled["overdue"].any()
    assert ruled["query_id"].tolist() == plain["query_id"].tolist()
    now = frame["received_at"].max().to_pydatetime()
    assert np.count_nonzero(Policy(rules=[MaxWait(minutes=0.001)]).rank(frame, now=now)["overdue"])


def test_tiebreak_rank_is_int64_positions_by_arrival_then_id() -> None:
    received = np.array([5, 3, 5, 3, 9], dtype=np.int64)
    ids = np.array(["b", "z", "a", "y", "c"], dtype=object)
    rank = tiebreak_rank(received, ids)
    assert rank.dtype == np.int64  # positions, as the signature says (Snapshot.tiebreak)
    assert rank.tolist() == [3, 1, 2, 0, 4]


def test_a_limit_of_a_billion_minutes_is_tested_without_a_cut() -> None:
    # MaxWait's lanes compare arrivals with `t − span` (overdue_span) only for limits
    # below 10⁹ minutes (~1900 years): beyond, `t − span` may leave the datetime range,
    # so the wait itself is compared. A clock in 1900 with a limit of exactly 10⁹ minutes:
    # nobody is overdue, and nothing overflows.
    assert overdue_span(1e9, timedelta(minutes=1)) is None
    span = overdue_span(1e9 - 1, timedelta(minutes=1))  # the first overdue microsecond
    assert span is not None
    assert timedelta(0) < span - timedelta(minutes=1e9 - 1) <= timedelta(microseconds=10)
    t0 = datetime(1900, 1, 1, tzinfo=UTC)
    queue = pz.TriageQueue(Policy(rules=[MaxWait(minutes=1e9)]))
    customer = pz.Customer(customer_id="c")
    for i, qid in enumerate(["a", "b"]):
        received = t0 + timedelta(minutes=i)
        query = pz.Query(query_id=qid, customer_id="c", received_at=received, channel="chat")
        queue.push(query, customer)
    first = queue.pop(t0 + timedelta(days=1))
    assert (first.query_id, first.reason) == ("a", "score")


def test_share_ledger_ties_go_to_the_best_query_and_the_served_group_pays_one_unit() -> None:
    ledger: ShareLedger[str] = ShareLedger({"a": 0.5, "b": 0.5})
    ledger.credit = {"a": 0.5, "b": 0.5}  # both owed exactly one unit at the next start
    assert ledger.choose({"a": 1, "b": 2}) == "a"
    assert ledger.choose({"a": 2, "b": 1}) == "b"
    # the served group pays one unit (never below 0); a listed group not waiting resets
    ledger.credit = {"a": 1.75, "b": 0.25}
    ledger.record({"a", "b"}, "a")
    assert ledger.credit == {"a": 1.25, "b": 0.75}
    ledger.record({"a"}, "a")
    assert ledger.credit == {"a": 0.75, "b": 0.0}
    ledger.record({"a", "b"}, "b")
    assert ledger.credit == {"a": 1.25, "b": 0.0}


def test_overdue_span_is_the_first_overdue_microsecond() -> None:
    # for datetimes: (t − arrival) / per_minute is overdue exactly from `span` on
    units = [timedelta(microseconds=1), timedelta(microseconds=7), timedelta(seconds=1)]
    units += [timedelta(minutes=1), timedelta(hours=1)]
    for per_minute in units:
        for limit in [0.0, 1e-9, 0.5, 1.0, 3.0, 7.25, 1234.5678, 1e6]:
            span = overdue_span(limit, per_minute)
            assert span is not None, (limit, per_minute)
            assert span / per_minute > limit
            assert not (span - timedelta(microseconds=1)) / per_minute > limit
    assert overdue_span(math.inf, timedelta(minutes=1)) is None
    assert overdue_span(1.0, 60.0) is None  # another unit (seconds as floats)
