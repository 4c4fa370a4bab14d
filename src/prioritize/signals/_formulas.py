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


# Each formula is a kernel taking its constants precomputed (what a policy binds
# once) and a public function taking the documented parameters.


def log_ratio(x: Any, log1p_saturation: float, ops: Ops) -> Any:
    """Kernel of :func:`log_saturation`: ``min(1, log1p(x) / log1p_saturation)``."""
    return ops.minimum(ops.log1p(x) / log1p_saturation, 1.0)


def exp_rate(x: Any, rate: float, ops: Ops) -> Any:
    """Kernel of :func:`half_life_decay`: ``exp(x * rate)`` with ``rate = -ln 2 / half_life``."""
    return ops.exp(x * rate)


def log_saturation(x: Any, saturation: float, ops: Ops) -> Any:
    """``min(1, log1p(x) / log1p(saturation))`` for ``x >= 0``."""
    return log_ratio(x, math.log1p(saturation), ops)


def decay_rate(half_life: float) -> float:
    """The rate of :func:`exp_rate` for ``half_life``."""
    return -_LN2 / half_life


def half_life_decay(x: Any, half_life: float, ops: Ops) -> Any:
    """``2 ** (-x / half_life)`` for ``x >= 0``: 1 at 0, one half after ``half_life``."""
    return exp_rate(x, decay_rate(half_life), ops)


def linear_clip(x: Any, low: float, high: float, ops: Ops) -> Any:
    """0 at ``low``, 1 at ``high``, linear between, clipped to [0, 1] (``low > high`` reverses)."""
    return ops.maximum(ops.minimum((x - low) / (high - low), 1.0), 0.0)


def follower_reach(followers: Any, params: SignalParams, ops: Ops) -> Any:
    """Reach of the author's audience, log-scaled, saturating at ``follower_saturation``."""
    return log_saturation(followers, params.follower_saturation, ops)


def crm_value(lifetime_value: Any, params: SignalParams, ops: Ops) -> Any:
    """CRM lifetime value, log-scaled, saturating at ``value_saturation``."""
    return log_saturation(lifetime_value, params.value_saturation, ops)


#: The constants of :func:`rfm`: recency rate, log1p of the two saturations, three weights.
RfmConstants = tuple[float, float, float, float, float, float]


def rfm_constants(params: PurchaseParams) -> RfmConstants:
    """What :func:`rfm` needs from ``params``, computed once."""
    return (
        decay_rate(params.recency_half_life_days),
        math.log1p(params.frequency_saturation),
        math.log1p(params.spend_saturation),
        params.recency_weight,
        params.frequency_weight,
        params.monetary_weight,
    )


def rfm(count: Any, spend: Any, days: Any, constants: RfmConstants, ops: Ops) -> Any:
    """Kernel of :func:`purchase_history`, with :func:`rfm_constants`."""
    rate, log_frequency, log_spend, w_recency, w_frequency, w_monetary = constants
    recency = ops.nan_to_zero(exp_rate(days, rate, ops))
    frequency = log_ratio(count, log_frequency, ops)
    monetary = log_ratio(spend, log_spend, ops)
    return w_recency * recency + w_frequency * frequency + w_monetary * monetary


def purchase_history(
    purchase_count: Any,
    total_spend: Any,
    days_since_last_purchase: Any,
    params: PurchaseParams,
    ops: Ops,
) -> Any:
    """RFM blend in [0, 1]; ``days_since_last_purchase`` NaN means never bought (R = 0)."""
    return rfm(purchase_count, total_spend, days_since_last_purchase, rfm_constants(params), ops)
