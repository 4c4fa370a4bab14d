"""Ranks of a frame, and each query's rank if it alone were different.

A query's serving position under :meth:`Policy.rank` is set by its order key
(:func:`~prioritize.policy.heap_key` of its score without aging), its
``MaxWait`` overdue flag, then arrival and ``query_id``. Scores are
batch-independent, so "this query alone changes, the others stay as they
are" needs only its new key: its new rank is found by binary search among the
others' sorted keys, O(n log n) for every query at once instead of one
re-ranking per query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.checks import check_instance
from prioritize._internal.frames import read_received_ns
from prioritize.policy import Policy, heap_key, order_keys, serving_order, tiebreak_rank

__all__ = ["Snapshot", "check_policy", "resolve_now", "snapshot"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def check_policy(policy: Any) -> Policy:
    """``policy`` itself, or an :class:`InputError` saying what was passed instead."""
    return check_instance("policy", policy, Policy)


def resolve_now(frame: pd.DataFrame, now: datetime | None) -> datetime | None:
    """``now``, or the latest arrival in ``frame`` (every query is then waiting)."""
    if now is not None or len(frame) == 0:
        return now
    latest = int(read_received_ns(frame).max())
    latest_at: datetime = pd.Timestamp(latest, unit="ns", tz="UTC").to_pydatetime()
    return latest_at


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A ranked frame, by row position: scores, order keys, overdue flags and ranks."""

    policy: Policy
    now: datetime | None
    scores: pd.DataFrame  # score_frame output, same index as the frame
    received_ns: IntArray
    key: FloatArray
    overdue: npt.NDArray[np.bool_]
    rank: IntArray  # 1 = served first, by row position
    tiebreak: IntArray  # position in (received_at, query_id) order

    def keys_for(self, scores: pd.DataFrame) -> FloatArray:
        """Order keys of the same queries with other scores (same arrivals)."""
        base = scores["score"].to_numpy() - scores["aging"].to_numpy()
        key: FloatArray = np.asarray(
            heap_key(base, self.received_ns, self.policy.aging_rate_per_minute), dtype=np.float64
        )
        return key

    def ranks_all(self, key: FloatArray) -> IntArray:
        """Ranks when every query has its key in ``key`` at once."""
        rank = np.empty(len(key), dtype=np.int64)
        rank[serving_order(key, self.overdue, self.tiebreak)] = np.arange(1, len(key) + 1)
        return rank

    def ranks_each(self, key: FloatArray) -> IntArray:
        """Each query's rank if it alone had its key in ``key`` (others unchanged).

        An overdue query keeps its rank: ``MaxWait`` serves it by arrival
        whatever its score, and changing a score never changes who is overdue.
        """
        rank = self.rank.copy()
        live = np.flatnonzero(~self.overdue)
        if live.size == 0:
            return rank
        n = len(key)
        order = live[np.lexsort((self.tiebreak[live], -self.key[live]))]
        neg = -self.key[order]  # ascending: the serving order of the queries not overdue
        block = np.concatenate([[0], np.cumsum(neg[1:] != neg[:-1])]).astype(np.int64)
        # (block of equal keys, tie-break) as one strictly increasing integer.
        packed = block * n + self.tiebreak[order]
        new_neg = -key[live]
        lo = np.searchsorted(neg, new_neg, side="left")
        hi = np.searchsorted(neg, new_neg, side="right")
        ahead = lo.astype(np.int64)
        tied = hi > lo
        if tied.any():
            target = block[lo[tied]] * n + self.tiebreak[live[tied]]
            ahead[tied] = np.searchsorted(packed, target, side="left")
        # The query's own old entry was counted when it stood ahead of its new place.
        ahead -= self.key[live] > key[live]
        rank[live] = int(self.overdue.sum()) + 1 + ahead
        return rank


def snapshot(frame: pd.DataFrame, policy: Policy, *, now: datetime | None = None) -> Snapshot:
    """Score and rank ``frame`` at ``now`` exactly as :meth:`Policy.rank` does.

    ``now=None`` scores each query at its own arrival, as in :meth:`Policy.rank`.
    """
    scores = policy.score_frame(frame, now=now)
    received = read_received_ns(frame)
    base = scores["score"].to_numpy() - scores["aging"].to_numpy()
    keys = order_keys(frame, policy, base=base, received_ns=received, now=now)
    tiebreak = tiebreak_rank(received, keys.query_id)
    n = len(frame)
    rank = np.empty(n, dtype=np.int64)
    rank[serving_order(keys.key, keys.overdue, tiebreak)] = np.arange(1, n + 1)
    return Snapshot(
        policy=policy,
        now=now,
        scores=scores,
        received_ns=received,
        key=keys.key,
        overdue=keys.overdue,
        rank=rank,
        tiebreak=tiebreak,
    )


def stat(values: npt.NDArray[Any], how: str) -> float:
    """One summary figure of ``values``: ``mean``, ``median``, ``p90`` or ``max``; NaN if empty."""
    if values.size == 0:
        return float("nan")
    if how == "mean":
        return float(values.mean())
    if how == "median":
        return float(np.median(values))
    if how == "p90":
        return float(np.percentile(values, 90.0))
    if how == "max":
        return float(values.max())
    raise ValueError(f"unknown statistic {how!r}")
