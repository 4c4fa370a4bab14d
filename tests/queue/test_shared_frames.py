"""One frame preparation for both queues: same errors, same entries, same snapshot (skills)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = pz.Policy(
    weights={"urgency": 1.0, "follower_reach": 0.5},
    rules=[
        pz.rules.MaxWait(minutes=30),
        pz.rules.GroupShare(group="channel", shares={"email": 0.3}),
    ],
)


@pytest.fixture(params=["triage", "shared"])
def make_queue(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[pz.Policy], Any]]:
    """A factory of empty queues of one kind (the shared one in a SQLite file)."""
    opened: list[pz.SharedQueue] = []

    def make(policy: pz.Policy) -> Any:
        if request.param == "triage":
            return pz.TriageQueue(policy)
        q = pz.SharedQueue(policy, f"sqlite:///{tmp_path}/q.db", name=uuid.uuid4().hex)
        opened.append(q)
        return q

    yield make
    for q in opened:
        q.close()


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "query_id": ["a", "b", "c"],
            "customer_id": ["x", "y", "z"],
            "received_at": pd.to_datetime(
                ["2026-03-02 09:00", "2026-03-02 09:05", "2026-03-02 09:10"], utc=True
            ),
            "channel": ["chat", "email", "twitter"],
            "urgency": [0.2, 0.9, 0.5],
            "skills": ["es", "", "EN, billing"],
            "followers": [10, 20_000, 300],
            "lifetime_value": [0.0, 1200.0, 50.0],
            "purchase_count": [0, 4, 1],
            "total_spend": [0.0, 900.0, 20.0],
            "days_since_last_purchase": [np.nan, 12.0, 300.0],
        }
    )


def _naive(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(received_at=f["received_at"].dt.tz_localize(None))


BAD: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "missing column": lambda f: f.drop(columns=["customer_id"]),
    "duplicate id": lambda f: f.assign(query_id=["a", "a", "c"]),
    "naive time": _naive,
    "unknown channel": lambda f: f.assign(channel=["chat", "fax", "email"]),
    "bad skills": lambda f: f.assign(skills=["es", 5, ""]),
    "bad urgency": lambda f: f.assign(urgency=[0.2, 7.0, 0.5]),
}


def _error(make: Callable[[pz.Policy], Any], frame: pd.DataFrame) -> tuple[type, str]:
    q = make(POLICY)
    with pytest.raises(pz.PrioritizeError) as err:
        q.push_frame(frame)
    assert len(q) == 0  # nothing added
    return type(err.value), str(err.value)


@pytest.mark.parametrize("bad", sorted(BAD))
def test_a_bad_frame_raises_the_same_error_on_both_queues(bad: str, tmp_path: Path) -> None:
    frame = BAD[bad](_frame())
    triage = _error(lambda p: pz.TriageQueue(p), frame)
    with pz.SharedQueue(POLICY, f"sqlite:///{tmp_path}/q.db") as q:
        shared = _error(lambda p: q, frame)
    assert triage == shared
    assert triage[0] in (pz.SchemaError, pz.InputError)


def test_snapshot_shows_each_querys_required_skills(make_queue: Callable[..., Any]) -> None:
    q = make_queue(POLICY)
    assert q.push_frame(_frame()) == 3
    q.push(
        pz.Query(query_id="d", customer_id="w", received_at=T0, channel="chat", skills="ES"),
        pz.Customer(customer_id="w"),
    )
    snap = q.snapshot(now=T0 + timedelta(minutes=20))
    assert list(snap.columns)[-1] == "skills" and snap["skills"].dtype == object
    got = dict(zip(snap["query_id"], snap["skills"], strict=True))
    assert got == {
        "a": frozenset({"es"}),
        "b": frozenset(),
        "c": frozenset({"en", "billing"}),
        "d": frozenset({"es"}),
    }
    empty = make_queue(pz.policies.fifo()).snapshot()
    assert list(empty.columns) == list(snap.columns) and len(empty) == 0


@settings(max_examples=15)
@given(pst.query_frames(min_rows=1, max_rows=15), st.data())
def test_both_queues_hold_the_same_entries_for_a_frame(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    sets = st.frozensets(st.sampled_from(["es", "en", "billing"]), max_size=2)
    frame = frame.assign(skills=[data.draw(sets) for _ in range(len(frame))])
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=45)
    triage = pz.TriageQueue(POLICY)
    triage.push_frame(frame)
    with pz.SharedQueue(POLICY, "sqlite:///:memory:") as shared:
        shared.push_frame(frame)
        a, b = triage.snapshot(now=now), shared.snapshot(now=now)
    pd.testing.assert_frame_equal(a, b)
    assert np.all(
        a["skills"].to_numpy()
        == frame.set_index("query_id").loc[a["query_id"], "skills"].to_numpy()
    )
