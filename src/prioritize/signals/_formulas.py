"""The signal normalisers: each written once, evaluated on floats or arrays.

Every function takes already-validated inputs (non-negative numbers, NaN
only where documented) and an :class:`~prioritize.signals._ops.Ops` namespace.
Normalisation uses fixed parameters only, never other rows of a batch.
"""

from __future__ import annotations

import math
from typing import Any

from prioritize.signals._ops import Ops
from prioritize.signals._params import PurchaseParams, SignalParams

__all__ = [
    "SIGNALS",
    "crm_value",
    "follower_reach",
    "log_saturation",
    "purchase_history",
]

#: The signal names a policy can weight, in the fixed order scores are summed.
SIGNALS: tuple[str, ...] = ("crm_value", "purchase_history", "follower_reach", "urgency")

_LN2 = math.log(2.0)


def log_saturation(x: Any, saturation: float, ops: Ops) -> Any:
    """``min(1, log1p(x) / log1p(saturation))`` for ``x >= 0``."""
    return ops.minimum(ops.log1p(x) / math.log1p(saturation), 1.0)


def follower_reach(followers: Any, params: SignalParams, ops: Ops) -> Any:
    """Reach of the author's audience, log-scaled, saturating at ``follower_saturation``."""
    return log_saturation(followers, params.follower_saturation, ops)


def crm_value(lifetime_value: Any, params: SignalParams, ops: Ops) -> Any:
    """CRM lifetime value, log-scaled, saturating at ``value_saturation``."""
    return log_saturation(lifetime_value, params.value_saturation, ops)


def purchase_history(
    purchase_count: Any,
    total_spend: Any,
    days_since_last_purchase: Any,
    params: PurchaseParams,
    ops: Ops,
) -> Any:
    """RFM blend in [0, 1]; ``days_since_last_purchase`` NaN means never bought (R = 0)."""
    recency = ops.nan_to_zero(
        ops.exp(days_since_last_purchase * (-_LN2 / params.recency_half_life_days))
    )
    frequency = log_saturation(purchase_count, params.frequency_saturation, ops)
    monetary = log_saturation(total_spend, params.spend_saturation, ops)
    return (
        params.recency_weight * recency
        + params.frequency_weight * frequency
        + params.monetary_weight * monetary
    )
