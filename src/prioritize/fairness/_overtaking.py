"""Overtaking: how often, and by how much, one group's queries jump ahead of another's.

Query ``i`` *overtakes* query ``j`` when ``j`` arrived strictly before ``i``
and ``i`` started service while ``j`` was still waiting: ``a_j < a_i`` and
``s_i < l_j``, where ``l_j`` is when ``j`` stopped waiting (its start, or
when it abandoned, or the end of the records for a query still waiting).
Both were present at once: ``j`` waited from ``a_j`` to ``l_j``, and ``i``
arrived and started inside that span. A *pair* is an ``(i, j)`` where ``j``
was waiting when ``i`` arrived (``a_j < a_i < l_j``): the chances ``i`` had to
overtake. Under first-come-first-served nothing is overtaken; under a random
order about half the pairs are.

Counting is a 2-d dominance count (``a_j`` below one bound, ``l_j`` above
another), done for all queries at once in O(n log² n) with numpy: the arrival
prefix ``[0, P)`` splits into O(log n) aligned power-of-two blocks (as in a
Fenwick tree); each block's leave times are sorted once per level, and every
query finds its count in a block with one vectorised ``searchsorted``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from prioritize.fairness._columns import (
    FloatArray,
    GroupSpec,
    IntArray,
    encode_groups,
    read_events,
)

__all__ = ["overtaking"]


def _prefix_greater(
    keys: IntArray, weights: FloatArray, span: int, prefix: IntArray, bounds: IntArray
) -> tuple[IntArray, FloatArray]:
    """Count and weight-sum of points ``j < prefix[q]`` with ``keys[j] > bounds[q]``.

    ``keys`` and ``bounds`` are ranks in ``[0, span)``; ``prefix`` is in
    ``[0, len(keys)]``.
    """
    count = np.zeros(prefix.size, dtype=np.int64)
    total = np.zeros(prefix.size, dtype=np.float64)
    n = keys.size
    if n == 0:
        return count, total
    size = 1 << (n - 1).bit_length()
    # Padding sits past every prefix, so no query ever counts it; it only fills the rows.
    sorted_keys = np.concatenate([keys, np.zeros(size - n, dtype=np.int64)])
    sorted_weights = np.concatenate([weights, np.zeros(size - n)])
    for level in range(size.bit_length()):
        width = 1 << level
        if level:
            # Each row is two rows of the level below, already sorted: a stable sort
            # (timsort) merges the two runs in linear time.
            rows = sorted_keys.reshape(-1, width)
            order = np.argsort(rows, axis=1, kind="stable")
            sorted_keys = np.take_along_axis(rows, order, axis=1).ravel()
            sorted_weights = np.take_along_axis(
                sorted_weights.reshape(-1, width), order, axis=1
            ).ravel()
        active = np.flatnonzero((prefix >> level) & 1)
        if active.size == 0:
            continue
        offsets = np.repeat(np.arange(size // width, dtype=np.int64) * span, width)
        flat = sorted_keys + offsets
        running = np.concatenate([[0.0], np.cumsum(sorted_weights)])
        # Bit `level` of P set: the block of `width` points ending the prefix's high bits.
        block = (prefix[active] >> level) - 1
        first = np.searchsorted(flat, block * span + bounds[active], side="right")
        end = (block + 1) * width
        count[active] += end - first
        total[active] += running[end] - running[first]
    return count, total


def overtaking(records: Any, *, group: GroupSpec = "follower_band") -> pd.DataFrame:
    """How often queries of each group overtake earlier arrivals of each group.

    Parameters
    ----------
    records
        One row per query with ``received_at``, ``started_at`` (NaT if never
        served) and, for queries never served, ``wait_minutes`` (how long they
        waited before abandoning, or until the records end).
    group
        The group column, or a list of columns (as in :class:`DisparityFrame`).

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of groups with rows, indexed by
        ``(overtaker, overtaken)``, with columns

        * ``pairs``: pairs ``(i, j)`` where ``j`` was waiting when ``i``
          arrived (see the module notes);
        * ``overtakes``: those pairs where ``i`` started while ``j`` still
          waited;
        * ``rate``: ``overtakes / pairs`` (NaN when there are no pairs);
        * ``mean_jump_minutes``: the mean of ``a_i - a_j`` over overtakes,
          how much later the overtaker arrived (NaN when there are none).

        A group's overtaking of itself is on the diagonal. Arrivals at the
        same moment never overtake each other.
    """
    groups = encode_groups(records, group)
    events = read_events(records, departures=False)
    arrival = events.arrival
    start = np.where(events.served, events.start, np.inf)
    uniques, inverse = np.unique(
        np.concatenate([events.leave, start, arrival]), return_inverse=True
    )
    ranks = inverse.reshape(-1).astype(np.int64)
    n = arrival.size
    leave_rank, start_rank, arrival_rank = ranks[:n], ranks[n : 2 * n], ranks[2 * n :]
    bounds = np.concatenate([start_rank, arrival_rank])
    labels = groups.labels
    k = len(labels)
    pairs = np.zeros((k, k), dtype=np.int64)
    overtakes = np.zeros((k, k), dtype=np.int64)
    jumps = np.zeros((k, k), dtype=np.float64)
    for h in range(k):
        members = np.flatnonzero(groups.codes == h)
        members = members[np.argsort(arrival[members], kind="stable")]
        earlier = np.searchsorted(arrival[members], arrival, side="left").astype(np.int64)
        count, arrivals_sum = _prefix_greater(
            leave_rank[members],
            arrival[members],
            len(uniques),
            np.concatenate([earlier, earlier]),
            bounds,
        )
        passed, waiting = count[:n], count[n:]
        jump = passed * arrival - arrivals_sum[:n]
        overtakes[:, h] = np.bincount(groups.codes, weights=passed, minlength=k)
        pairs[:, h] = np.bincount(groups.codes, weights=waiting, minlength=k)
        jumps[:, h] = np.bincount(groups.codes, weights=jump, minlength=k)
    rate = np.where(pairs > 0, overtakes / np.maximum(pairs, 1), np.nan)
    mean_jump = np.where(overtakes > 0, jumps / np.maximum(overtakes, 1), np.nan)
    if isinstance(labels, pd.MultiIndex):  # several group columns: each label is a tuple
        labels = pd.Index(list(labels), tupleize_cols=False)
    index = pd.MultiIndex.from_product([labels, labels], names=["overtaker", "overtaken"])
    return pd.DataFrame(
        {
            "pairs": pairs.ravel(),
            "overtakes": overtakes.ravel(),
            "rate": rate.ravel(),
            "mean_jump_minutes": mean_jump.ravel(),
        },
        index=index,
    )
