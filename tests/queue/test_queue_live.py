"""The live queue under real clocks, nanosecond arrivals and re-pushed ids (issue 15)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ANYONE = pz.Customer(customer_id="c")


def _query(qid: str, at: datetime, channel: str = "chat") -> pz.Query:
    return pz.Query(query_id=qid, customer_id="c", received_at=at, channel=channel)


def test_now_before_an_arrival_means_waited_zero() -> None:
    q = pz.TriageQueue(pz.policies.balanced(), customers={"c": ANYONE})
    q.push(_query("a", T0))
    early = T0 - timedelta(milliseconds=3)
    assert q.peek(early).score.value == q.peek(T0).score.value  # type: ignore[union-attr]
    snap = q.snapshot(now=early)
    assert snap["waited_minutes"].tolist() == [0.0]
    entry = q.pop(early)
    assert entry.query_id == "a"
    assert entry.score.value == pz.policies.balanced().score(_query("a", T0), ANYONE).value
    # Scoring one query at a now before its arrival stays an error.
    with pytest.raises(pz.InputError, match="after now="):
        pz.policies.balanced().score(_query("a", T0), ANYONE, now=early)


def test_threads_with_real_clocks_lose_nothing() -> None:
    """Producers stamp now(), consumers pop(now()): nothing lost, duplicated or raised."""
    policy = pz.policies.balanced()
    q = pz.TriageQueue(policy, customers={"c": ANYONE})
    producers, consumers, seconds = 4, 4, 2.0
    pushed = [0] * producers
    popped: list[list[str]] = [[] for _ in range(consumers)]
    errors: list[BaseException] = []
    done = threading.Event()

    def produce(k: int) -> None:
        try:
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                q.push(_query(f"p{k}-{pushed[k]}", datetime.now(UTC)))
                pushed[k] += 1
                if pushed[k] % 64 == 0:
                    time.sleep(0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def consume(k: int) -> None:
        try:
            while not (done.is_set() and len(q) == 0):
                entry = q.try_pop(datetime.now(UTC))
                if entry is None:
                    time.sleep(0.0005)
                    continue
                entry.score  # noqa: B018 - the score at the pop must be computable
                popped[k].append(entry.query_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(producers)]
    readers = [threading.Thread(target=consume, args=(k,)) for k in range(consumers)]
    for t in readers + threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in readers:
        t.join(timeout=60)
    assert not errors, errors[:3]
    served = [qid for ids in popped for qid in ids]
    assert len(served) == len(set(served)) == sum(pushed) > 1_000
    assert len(q) == 0


def test_sub_microsecond_arrivals() -> None:
    frame = pz.synthetic.queries(6, seed=2)
    base = frame["received_at"].min()
    frame["received_at"] = base + pd.to_timedelta(np.arange(6) * 250, unit="ns")
    policy = pz.policies.fifo()
    q = pz.TriageQueue(policy)
    q.push_frame(frame)
    newest = frame["received_at"].max()
    snap = q.snapshot()
    assert snap["received_at"].tolist() == frame["received_at"].tolist()
    assert snap["query_id"].tolist() == policy.rank(frame, now=newest)["query_id"].tolist()
    assert q.pop(newest).query_id == frame["query_id"].iloc[0]
    assert q.snapshot(now=newest)["waited_minutes"].min() == 0.0


def test_a_served_id_cannot_be_pushed_again() -> None:
    q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE}, remember=2)
    for qid in "abc":
        q.push(_query(qid, T0))
    assert q.pop(T0).query_id == "a"
    with pytest.raises(pz.InputError, match=r"'a' was already served.*last 2 served"):
        q.push(_query("a", T0))
    with pytest.raises(pz.InputError, match="'a' was already served"):
        q.push_many([(_query("z", T0), None), (_query("a", T0), None)])
    assert "z" not in q
    frame = pz.synthetic.queries(2, seed=0)
    frame["query_id"] = ["y", "a"]
    with pytest.raises(pz.InputError, match="'a' was already served"):
        q.push_frame(frame)
    assert len(q) == 2
    # remove: not served, so it may come back
    q.remove("b")
    q.push(_query("b", T0))
    # bounded memory: after two more pops "a" is forgotten
    q.pop(T0)
    q.pop(T0)
    q.push(_query("a", T0))
    assert "a" in q


def test_remember_zero_and_bad_values() -> None:
    q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE}, remember=0)
    q.push(_query("a", T0))
    q.pop(T0)
    q.push(_query("a", T0))
    for bad in (-1, 1.5, True):
        with pytest.raises(pz.InputError, match="remember"):
            pz.TriageQueue(pz.policies.fifo(), remember=bad)  # type: ignore[arg-type]


@given(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=12))
def test_push_many_is_all_or_nothing(ids: list[str]) -> None:
    q = pz.TriageQueue(pz.policies.fifo(), customers={"c": ANYONE})
    q.push(_query("a", T0))
    batch = [(_query(i, T0), None) for i in ids]
    clean = len(set(ids)) == len(ids) and "a" not in ids
    if clean:
        q.push_many(batch)
        assert len(q) == 1 + len(ids)
    else:
        with pytest.raises(pz.InputError):
            q.push_many(batch)
        assert list(q) == ["a"]
