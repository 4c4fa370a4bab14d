"""The normalising formulas: each written once, evaluated on floats or arrays.

Every function takes already-validated inputs (numbers in the formula's
domain, NaN only where documented) and an :class:`~prioritize.signals._ops.Ops`
namespace. Normalisation uses fixed parameters only, never other rows of a
batch. The normalisers users declare (:mod:`prioritize.signals._normalisers`)
and the built-in signals are made of these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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

#: A formula with its constants and ops bound: inputs -> normalised value.
Kernel = Callable[..., Any]


# Each formula is a kernel factory taking its constants precomputed (what a
# policy binds once) and an ops namespace, and returning the kernel ``x -> value``
# with the ops it uses bound as closure variables. Called with SOURCE ops and an
# expression, a kernel returns its own code (the per-query path of a policy is
# compiled from it): so a kernel uses only arithmetic and its ops, never a
# comparison or a branch of its own. A public function takes the documented
# parameters.


def log_ratio(log1p_saturation: float, ops: Ops) -> Kernel:
    """Kernel of :func:`log_saturation`: ``x -> min(1, log1p(x) / log1p_saturation)``."""
    log1p, minimum = ops.log1p, ops.minimum

    def kernel(x: Any) -> Any:
        return minimum(log1p(x) / log1p_saturation, 1.0)

    return kernel


def tier_step(thresholds: tuple[float, ...], table: tuple[float, ...], ops: Ops) -> Kernel:
    """Kernel of a tier table: ``x -> table[number of thresholds <= x]``.

    ``thresholds`` ascend strictly; ``table`` has one more entry (the value
    below the first threshold first).
    """
    step = ops.step

    def kernel(x: Any) -> Any:
        return step(x, thresholds, table)

    return kernel


def exp_rate(rate: float, ops: Ops) -> Kernel:
    """Kernel of :func:`half_life_decay`: ``x -> exp(x * rate)``, ``rate = -ln 2 / half_life``."""
    exp = ops.exp

    def kernel(x: Any) -> Any:
        return exp(x * rate)

    return kernel


def log_saturation(x: Any, saturation: float, ops: Ops) -> Any:
    """``min(1, log1p(x) / log1p(saturation))`` for ``x >= 0``."""
    return log_ratio(math.log1p(saturation), ops)(x)


def decay_rate(half_life: float) -> float:
    """The rate of :func:`exp_rate` for ``half_life``."""
    return -_LN2 / half_life


def half_life_decay(x: Any, half_life: float, ops: Ops) -> Any:
    """``2 ** (-x / half_life)`` for ``x >= 0``: 1 at 0, one half after ``half_life``."""
    return exp_rate(decay_rate(half_life), ops)(x)


def linear_kernel(low: float, high: float, ops: Ops) -> Kernel:
    """Kernel of :func:`linear_clip`."""
    minimum, maximum = ops.minimum, ops.maximum

    def kernel(x: Any) -> Any:
        return maximum(minimum((x - low) / (high - low), 1.0), 0.0)

    return kernel


def linear_clip(x: Any, low: float, high: float, ops: Ops) -> Any:
    """0 at ``low``, 1 at ``high``, linear between, clipped to [0, 1] (``low > high`` reverses)."""
    return linear_kernel(low, high, ops)(x)


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


def rfm(constants: RfmConstants, ops: Ops) -> Kernel:
    """Kernel of :func:`purchase_history`: ``(count, spend, days) -> value``."""
    rate, log_frequency, log_spend, w_recency, w_frequency, w_monetary = constants
    nan_to_zero = ops.nan_to_zero
    recency = exp_rate(rate, ops)
    frequency = log_ratio(log_frequency, ops)
    monetary = log_ratio(log_spend, ops)

    def kernel(count: Any, spend: Any, days: Any) -> Any:
        return (
            w_recency * nan_to_zero(recency(days))
            + w_frequency * frequency(count)
            + w_monetary * monetary(spend)
        )

    return kernel


def purchase_history(
    purchase_count: Any,
    total_spend: Any,
    days_since_last_purchase: Any,
    params: PurchaseParams,
    ops: Ops,
) -> Any:
    """RFM blend in [0, 1]; ``days_since_last_purchase`` NaN means never bought (R = 0)."""
    return rfm(rfm_constants(params), ops)(purchase_count, total_spend, days_since_last_purchase)
