"""The order in which queries are served: one definition for rank, queue and simulator.

With linear aging a query's score at time ``t`` is ``base + rate·(t − arrival)``,
so ordering by score at any ``t`` is ordering by the static key
``base − rate·arrival`` (:func:`heap_key`): the order of waiting queries never
changes by itself and a heap keyed once stays valid. Ties are broken by
arrival time, then ``query_id``. ``MaxWait`` moves overdue queries (waited
strictly longer than their limit) ahead of all others, oldest first.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.times import NS_PER_MINUTE, timestamp_ns

if TYPE_CHECKING:
    from prioritize.policy._policy import Policy

__all__ = [
    "KEY_EPOCH_NS",
    "OrderKeys",
    "ShareLedger",
    "deadline_minutes",
    "heap_key",
    "order_keys",
    "rank_order",
]

#: Reference instant for heap keys (2020-01-01 UTC) so keys stay small numbers.
KEY_EPOCH_NS = 1_577_836_800_000_000_000
G = TypeVar("G", bound=Hashable)


def heap_key(base: Any, received_ns: Any, rate_per_minute: float) -> Any:
    """Static priority key: larger is served first. Works on ints or int64 arrays."""
    return base - rate_per_minute * ((received_ns - KEY_EPOCH_NS) / NS_PER_MINUTE)


def deadline_minutes(policy: Policy, channels: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Per-row ``MaxWait`` limit in minutes (inf without a ``MaxWait`` rule)."""
    rule = policy.max_wait
    chan = pd.Series(np.asarray(channels, dtype=object))
    if rule is None:
        return np.full(len(chan), np.inf)
    limits = {c.value: m for c, m in rule.per_channel.items()}
    out: npt.NDArray[np.float64] = chan.map(lambda c: limits.get(str(c), rule.minutes)).to_numpy(
        dtype=np.float64
    )
    return out


@dataclass(frozen=True, slots=True)
class OrderKeys:
    key: npt.NDArray[np.float64]
    received_ns: npt.NDArray[np.int64]
    query_id: npt.NDArray[Any]
    overdue: npt.NDArray[np.bool_]


def order_keys(
    policy: Policy,
    frame: pd.DataFrame,
    base: npt.NDArray[np.float64],
    received_ns: npt.NDArray[np.int64],
    now: datetime | None,
) -> OrderKeys:
    """The sort keys of every row at ``now`` (base = score without aging)."""
    key = heap_key(base, received_ns, policy.aging_rate_per_minute)
    overdue = np.zeros(len(frame), dtype=bool)
    if policy.max_wait is not None and now is not None:
        waited = (timestamp_ns(now) - received_ns) / NS_PER_MINUTE
        overdue = waited > deadline_minutes(policy, frame["channel"].to_numpy(dtype=object))
    return OrderKeys(
        key=np.asarray(key, dtype=np.float64),
        received_ns=received_ns,
        query_id=frame["query_id"].to_numpy(dtype=object),
        overdue=overdue,
    )


def rank_order(keys: OrderKeys) -> npt.NDArray[np.intp]:
    """Positions in serving order: overdue oldest first, then by key desc, arrival, id."""
    id_rank = pd.factorize(keys.query_id, sort=True)[0]
    overdue = np.flatnonzero(keys.overdue)
    rest = np.flatnonzero(~keys.overdue)
    first = overdue[np.lexsort((id_rank[overdue], keys.received_ns[overdue]))]
    second = rest[np.lexsort((id_rank[rest], keys.received_ns[rest], -keys.key[rest]))]
    return np.concatenate([first, second]).astype(np.intp)


class ShareLedger(Generic[G]):
    """GroupShare bookkeeping: weighted fair sharing of service starts between groups.

    One instance per queue or simulation run. At every service start each
    listed group that has a waiting query earns its share in credit (a listed
    group with no waiting query has its credit reset to 0). If some waiting
    group holds at least one unit of credit, the one with the most credit is
    served (ties: the group whose best query comes first); otherwise the best
    query overall is served, by the policy's normal order. The served group
    pays one unit (never going below 0).

    Guarantee (a property test): over any ``k`` consecutive service starts
    during which listed group ``g`` always has a waiting query, ``g`` gets at
    least ``shares[g]·k − (G + 1)`` of them, ``G`` being the number of listed
    groups. Groups not listed have no guarantee and are served by order.
    """

    __slots__ = ("credit", "shares")

    def __init__(self, shares: Mapping[G, float]) -> None:
        self.shares = dict(shares)
        self.credit: dict[G, float] = dict.fromkeys(self.shares, 0.0)

    def _accrue(self, backlogged: Container[G]) -> None:
        credit = self.credit
        for group, share in self.shares.items():
            credit[group] = credit[group] + share if group in backlogged else 0.0

    def _charge(self, group: G) -> None:
        if group in self.credit:
            self.credit[group] = max(self.credit[group] - 1.0, 0.0)

    def pick(self, best: Mapping[G, Any]) -> G:
        """Choose the group to serve next.

        ``best`` maps every group with waiting queries to a sortable token of
        its best query (smaller = served first, e.g. ``(-key, arrival, id)``).
        """
        self._accrue(best)
        chosen: G | None = None
        top = 1.0
        for group, credit in self.credit.items():
            if group in best and (
                credit > top or (credit == top and (chosen is None or best[group] < best[chosen]))
            ):
                chosen, top = group, credit
        if chosen is None:
            chosen = min(best, key=best.__getitem__)
        self._charge(chosen)
        return chosen

    def record(self, backlogged: Container[G], served: G) -> None:
        """Book a service start decided elsewhere (an overdue query under ``MaxWait``)."""
        self._accrue(backlogged)
        self._charge(served)
