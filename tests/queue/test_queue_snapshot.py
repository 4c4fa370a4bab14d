"""TriageQueue.snapshot: its columns, types and values at ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COLUMNS = [
    "query_id", "customer_id", "channel", "received_at", "waited_minutes", "score",
    "base_score", "overdue", "overdue_at", "due_at", "group", "skills",
]  # fmt: skip


def test_empty_snapshot_has_the_columns() -> None:
    snap = pz.TriageQueue(pz.policies.balanced()).snapshot()
    assert list(snap.columns) == COLUMNS and len(snap) == 0


def test_snapshot_values_at_now() -> None:
    policy = pz.Policy(
        weights={"urgency": 1.0},
        rules=[pz.rules.Aging(points_per_hour=0.5), pz.rules.MaxWait(minutes=30)],
        service_levels={"chat": 20, "default": 60},
    )
    q = pz.TriageQueue(policy)
    c = pz.Customer(customer_id="c")
    q.push(pz.Query(query_id="a", customer_id="c", received_at=T0, channel="chat", urgency=0.2), c)
    later = T0 + timedelta(minutes=40)
    q.push(
        pz.Query(query_id="b", customer_id="c", received_at=later, channel="email", urgency=0.9), c
    )
    now = T0 + timedelta(minutes=50)
    snap = q.snapshot(now=now)
    assert list(snap.columns) == COLUMNS
    assert list(snap["query_id"]) == ["a", "b"]  # a is overdue (50 > 30 minutes)
    assert list(snap["overdue"]) == [True, False]
    assert snap["waited_minutes"].tolist() == [50.0, 10.0]
    assert snap["base_score"].tolist() == pytest.approx([0.2, 0.9])
    assert snap["score"].tolist() == pytest.approx([0.2 + 0.5 * 50 / 60, 0.9 + 0.5 * 10 / 60])
    for name in ("received_at", "overdue_at", "due_at"):
        assert isinstance(snap[name].dtype, pd.DatetimeTZDtype), name
        assert str(snap[name].dt.tz) == "UTC"
    assert snap["overdue_at"].tolist() == [
        pd.Timestamp(T0 + timedelta(minutes=30)),
        pd.Timestamp(later + timedelta(minutes=30)),
    ]
    assert snap["due_at"].tolist() == [
        pd.Timestamp(T0 + timedelta(minutes=20)),
        pd.Timestamp(later + timedelta(minutes=60)),
    ]
    assert list(snap["channel"]) == ["chat", "email"]


def test_push_many_and_push_frame_file_groups_and_customers() -> None:
    policy = pz.Policy(
        weights={"urgency": 1.0},
        rules=[
            pz.rules.Aging(points_per_hour=1.0),
            pz.rules.GroupShare(group="channel", shares={"email": 0.5}),
        ],
    )
    alice = pz.Customer(customer_id="alice")
    q = pz.TriageQueue(policy, customers={"alice": alice})
    items = [
        (
            pz.Query(
                query_id="m1", customer_id="alice", received_at=T0, channel="email", urgency=0.1
            ),
            None,
        ),
        (
            pz.Query(
                query_id="m2", customer_id="alice", received_at=T0, channel="chat", urgency=0.9
            ),
            alice,
        ),
    ]
    q.push_many(items)
    with pytest.raises(pz.InputError, match="'d' appears twice"):
        q.push_many(
            [(pz.Query(query_id="d", customer_id="alice", received_at=T0, channel="chat"), alice)]
            * 2
        )
    assert len(q) == 2 and "d" not in q
    now = T0 + timedelta(minutes=30)
    ahead = q.peek(now)
    assert ahead is not None and ahead.query_id == "m2" and ahead.group == "chat"
    assert ahead.score.value == pytest.approx(0.9 + 0.5)  # scored at now, not at arrival
    first, second = q.pop(now), q.pop(now)
    assert (first.query_id, first.group, first.customer) == ("m2", "chat", alice)
    assert (second.query_id, second.group) == ("m1", "email")
    assert second.customer is alice and second.score.value == pytest.approx(0.1 + 0.5)
