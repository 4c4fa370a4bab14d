"""Audits of a policy: who moves, who gains by gaming, what drives the order.

* :func:`counterfactual` — how many places each query would move if one
  attribute were different ("what if this customer had no followers?").
* :func:`gaming` — the places a customer gains by adding "!!!", writing in
  capitals, adding "urgent" or buying followers: which policy rewards gaming.
* :func:`audit` — a report: share of score variance per signal, rank shift
  per attribute, gaming, and (simulated) waits by follower and value band;
  ``to_text()`` and ``to_frames()``.
* :func:`snapshot` — ``snapshot(frame, policy, *, now=None)``: the frame
  scored and ranked exactly as :meth:`Policy.rank`, with each query's order
  key, so "this query alone were different" ranks come in O(n log n)
  (:class:`Snapshot`; the audits and the testing kit build on it).

Sign convention: a shift or gain is positive when it moves a query *ahead*
(served earlier). Ranks are :meth:`Policy.rank`'s order at ``now`` (default:
the latest arrival in the frame, so every query is waiting).
"""

from prioritize.audit._columns import COLUMN_SIGNALS, NUMERIC_COLUMNS, SIGNAL_COLUMNS
from prioritize.audit._counterfactual import SHIFT_STATS, CounterfactualResult, counterfactual
from prioritize.audit._gaming import (
    GAMING_STATS,
    MANIPULATIONS,
    GamingResult,
    Manipulation,
    gaming,
)
from prioritize.audit._ranks import Snapshot, snapshot
from prioritize.audit._report import AUDIT_CHANGES, AuditReport, audit, variance_share

__all__ = [
    "AUDIT_CHANGES",
    "COLUMN_SIGNALS",
    "GAMING_STATS",
    "MANIPULATIONS",
    "NUMERIC_COLUMNS",
    "SHIFT_STATS",
    "SIGNAL_COLUMNS",
    "AuditReport",
    "CounterfactualResult",
    "GamingResult",
    "Manipulation",
    "Snapshot",
    "audit",
    "counterfactual",
    "gaming",
    "snapshot",
    "variance_share",
]
