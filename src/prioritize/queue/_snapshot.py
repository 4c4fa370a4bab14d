"""The waiting queries of a TriageQueue as a frame, in serving order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.times import NS_PER_MINUTE, timestamp_ns
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
    "base_score", "overdue", "overdue_at", "due_at", "group",
]  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def snapshot_frame(
    policy: Policy, entries: Sequence[Entry], arrivals: Sequence[int], now: datetime | None
) -> pd.DataFrame:
    """One row per entry, in serving order at ``now`` (``None``: the newest arrival).

    ``arrivals`` are the entries' arrival nanoseconds. The interleaving of
    ``GroupShare`` is not shown (it depends on the pops to come).
    """
    if not entries:
        return pd.DataFrame(columns=COLUMNS)
    received = np.asarray(arrivals, dtype=np.int64)
    if now is None:
        newest = int(received.max())
        now = _EPOCH + timedelta(microseconds=newest // 1_000)
        now_ns = newest
    else:
        now_ns = timestamp_ns(now)
    waited = (now_ns - received) / NS_PER_MINUTE
    if (waited < 0).any():
        late = entries[int(np.argmax(received))]
        raise InputError(
            f"now={now.isoformat()} is earlier than the arrival of waiting query {late.query_id!r}"
        )
    ids = np.array([e.query_id for e in entries], dtype=object)
    channels = np.array([e.query.channel.value for e in entries], dtype=object)
    base = np.array([e._base for e in entries], dtype=np.float64)
    overdue = np.asarray(is_overdue(waited, deadline_minutes(policy, channels)), dtype=bool)
    key = np.asarray(heap_key(base, received, policy.aging_rate_per_minute), dtype=np.float64)
    order = serving_order(key, overdue, tiebreak_rank(received, ids))
    rows = []
    for i in order.tolist():
        entry = entries[i]._at(now, "score")
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
            )
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for name in ("received_at", "overdue_at", "due_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
