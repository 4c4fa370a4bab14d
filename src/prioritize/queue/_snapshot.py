"""The waiting queries of a TriageQueue as a frame, in serving order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from prioritize._internal.times import minutes_between, timestamp_ns
from prioritize.policy import (
    Policy,
    deadline_minutes,
    heap_key,
    is_overdue,
    serving_order,
    tiebreak_rank,
)
from prioritize.queue._entry import Entry

__all__ = ["COLUMNS", "snapshot_frame"]

COLUMNS = [
    "query_id", "customer_id", "channel", "received_at", "waited_minutes", "score",
    "base_score", "overdue", "overdue_at", "due_at", "group", "skills",
]  # fmt: skip


def snapshot_frame(
    policy: Policy, entries: Sequence[Entry], arrivals: Sequence[int], now: datetime | None
) -> pd.DataFrame:
    """One row per entry, in serving order at ``now`` (``None``: the newest arrival).

    ``arrivals`` are the entries' arrival nanoseconds. The interleaving of
    ``GroupShare`` is not shown (it depends on the pops to come); ``skills``
    is each query's required skill set (a frozenset, empty: anyone may take
    it), as a frame's ``skills`` column holds it.
    """
    if not entries:
        return pd.DataFrame(columns=COLUMNS)
    received = np.asarray(arrivals, dtype=np.int64)
    if now is None:
        now_ns = int(received.max())
        now = pd.Timestamp(now_ns, tz="UTC")  # exact to the nanosecond
    else:
        now_ns = timestamp_ns(now)
    # Live queue: a query stamped after ``now`` (another clock) has waited 0 minutes.
    waited = np.maximum(minutes_between(now_ns, received), 0.0)
    ids = np.array([e.query_id for e in entries], dtype=object)
    channels = np.array([e.query.channel.value for e in entries], dtype=object)
    base = np.array([e._base for e in entries], dtype=np.float64)
    overdue = np.asarray(is_overdue(waited, deadline_minutes(policy, channels)), dtype=bool)
    key = np.asarray(heap_key(base, received, policy.aging_rate_per_minute), dtype=np.float64)
    order = serving_order(key, overdue, tiebreak_rank(received, ids))
    rows = []
    for i in order.tolist():
        at = entries[i].query.received_at
        entry = entries[i]._at(now if now >= at else at, "score")
        rows.append(
            (
                entry.query_id,
                entry.query.customer_id,
                channels[i],
                entry.query.received_at,
                waited[i],
                entry.score.value,
                base[i],
                bool(overdue[i]),
                entry.overdue_at,
                entry.due_at,
                entry.group,
                entry.skills,
            )
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for name in ("received_at", "overdue_at", "due_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
