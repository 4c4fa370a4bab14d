"""The normalising formulas: each written once, evaluated on floats or arrays.

Every function takes already-validated inputs (numbers in the formula's
domain, NaN only where documented) and an :class:`~prioritize.signals._ops.Ops`
namespace. Normalisation uses fixed parameters only, never other rows of a
batch. The normalisers users declare (:mod:`prioritize.signals._normalisers`)
and the built-in signals are made of these.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from prioritize.signals._ops import Ops

if TYPE_CHECKING:
    from prioritize.signals._params import PurchaseParams, SignalParams

__all__ = [
    "crm_value",
    "follower_reach",
    "half_life_decay",
    "linear_clip",
    "log_saturation",
    "purchase_history",
]

_LN2 = math.log(2.0)


def log_saturation(x: Any, saturation: float, ops: Ops) -> Any:
    """``min(1, log1p(x) / log1p(saturation))`` for ``x >= 0``."""
    return ops.minimum(ops.log1p(x) / math.log1p(saturation), 1.0)


def half_life_decay(x: Any, half_life: float, ops: Ops) -> Any:
    """``2 ** (-x / half_life)`` for ``x >= 0``: 1 at 0, one half after ``half_life``."""
    return ops.exp(x * (-_LN2 / half_life))


def linear_clip(x: Any, low: float, high: float, ops: Ops) -> Any:
    """0 at ``low``, 1 at ``high``, linear between, clipped to [0, 1] (``low > high`` reverses)."""
    return ops.maximum(ops.minimum((x - low) / (high - low), 1.0), 0.0)


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
        half_life_decay(days_since_last_purchase, params.recency_half_life_days, ops)
    )
    frequency = log_saturation(purchase_count, params.frequency_saturation, ops)
    monetary = log_saturation(total_spend, params.spend_saturation, ops)
    return (
        params.recency_weight * recency
        + params.frequency_weight * frequency
        + params.monetary_weight * monetary
    )
