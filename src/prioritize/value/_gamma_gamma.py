"""The Gamma–Gamma model of spend per purchase, and BG/NBD × Gamma–Gamma value.

Each purchase of a customer is worth ``z ~ Gamma(shape p, rate ν)`` with
the customer's ``ν ~ Gamma(shape q, rate v)``, independent of how often they
buy; a customer's mean repeat spend is ``E[z] = p ν⁻¹`` (population mean
``p v / (q - 1)``). A customer is described by ``frequency`` (repeat
purchases ``x``) and ``monetary_value`` (their mean value ``m``), as produced
by :func:`repeat_purchase_summary`.

Reference: P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using
Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research
42(4), 2005, and Fader & Hardie, "The Gamma-Gamma Model of Monetary Value"
(2013). Published CDNOW estimates: p = 6.25, q = 3.74, v = 15.44.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np

from prioritize._errors import InputError
from prioritize.value._arrays import FloatArray, check_positive, vector
from prioritize.value._bgnbd import BGNBDParams, expected_purchases

__all__ = [
    "GammaGammaParams",
    "expected_spend",
    "expected_value",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
]

_LOG_BOUND = 20.0


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    """Parameters of a Gamma–Gamma spend model, all > 0 (see the module docstring)."""

    p: float
    q: float
    v: float

    def __post_init__(self) -> None:
        check_positive("GammaGammaParams", p=self.p, q=self.q, v=self.v)


def _repeat_buyers(frequency: Any, monetary_value: Any) -> tuple[FloatArray, FloatArray]:
    x = vector("frequency", frequency, minimum=0.0, strict=True, integer=True)
    m = vector("monetary_value", monetary_value, minimum=0.0, strict=True, size=x.size)
    return x, m


def _log_likelihood(p: float, q: float, v: float, x: FloatArray, m: FloatArray) -> FloatArray:
    from scipy.special import gammaln

    px = p * x
    result: FloatArray = (
        gammaln(px + q)
        - gammaln(px)
        - math.lgamma(q)
        + q * math.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )
    return result


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: Any, monetary_value: Any
) -> FloatArray:
    """Log-density of each repeat customer's mean spend given their ``frequency``.

    Every customer must have ``frequency >= 1`` and ``monetary_value > 0``.
    """
    x, m = _repeat_buyers(frequency, monetary_value)
    return _log_likelihood(params.p, params.q, params.v, x, m)


def fit_gamma_gamma(
    frequency: Any, monetary_value: Any, *, initial: GammaGammaParams | None = None
) -> GammaGammaParams:
    """Maximum-likelihood Gamma–Gamma parameters from repeat customers.

    Parameters
    ----------
    frequency, monetary_value
        One value per customer, every one with ``frequency >= 1`` and
        ``monetary_value > 0``. Customers without a repeat purchase carry no
        information about spend per repeat purchase in this model; select
        them out yourself (``summary[summary["frequency"] > 0]``), nothing is
        dropped silently here.
    initial
        Starting point of the search (default all parameters 1).

    Notes
    -----
    Minimises the negative log-likelihood over log-parameters with L-BFGS-B,
    as :func:`fit_bgnbd` does.

    Raises
    ------
    InputError
        Invalid inputs (naming the argument and position) or no convergence.
    """
    from scipy.optimize import minimize

    x, m = _repeat_buyers(frequency, monetary_value)
    if x.size == 0:
        raise InputError("fit_gamma_gamma needs at least one repeat customer")

    def objective(theta: FloatArray) -> float:
        p, q, v = np.exp(theta)
        return -float(np.mean(_log_likelihood(p, q, v, x, m)))

    start = np.log(astuple(initial)) if initial is not None else np.zeros(3)
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * 3
    result = minimize(objective, start, method="L-BFGS-B", bounds=bounds)
    if not result.success:
        result = minimize(objective, result.x, method="Nelder-Mead", bounds=bounds)
        if not result.success:
            raise InputError(f"Gamma-Gamma fit did not converge: {result.message}")
    p, q, v = (float(t) for t in np.exp(result.x))
    return GammaGammaParams(p=p, q=q, v=v)


def expected_spend(params: GammaGammaParams, frequency: Any, monetary_value: Any) -> FloatArray:
    """Expected value of each customer's future purchases, given their history.

    ``E[z | x, m] = p (v + x m) / (p x + q - 1)``: a weighted average of the
    population mean ``p v / (q - 1)`` and the customer's own mean ``m``, the
    latter weighing more the more repeat purchases back it. A customer with
    ``frequency`` 0 gets the population mean (their ``monetary_value`` is
    ignored).

    Raises
    ------
    InputError
        Invalid inputs, or ``p x + q <= 1`` for some customer (the expected
        value is then infinite; with ``frequency`` 0 this means ``q <= 1``).
    """
    x = vector("frequency", frequency, integer=True)
    m = vector("monetary_value", monetary_value, size=x.size)
    denominator = params.p * x + params.q - 1.0
    if (denominator <= 0).any():
        pos = int(np.flatnonzero(denominator <= 0)[0])
        raise InputError(
            f"expected spend is infinite when p * frequency + q <= 1; position {pos} has "
            f"frequency {x[pos]:g} with p={params.p:g}, q={params.q:g}"
        )
    result: FloatArray = params.p * (params.v + x * m) / denominator
    return result


def expected_value(
    bgnbd: BGNBDParams,
    gamma_gamma: GammaGammaParams,
    t: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
) -> FloatArray:
    """Expected spend of each customer in the next ``t`` time units (undiscounted CLV).

    :func:`expected_purchases` under ``bgnbd`` times :func:`expected_spend`
    under ``gamma_gamma`` (the two models are assumed independent, as in
    Fader, Hardie & Lee 2005). Inputs as for those functions.
    """
    purchases = expected_purchases(bgnbd, t, frequency, recency, T)
    result: FloatArray = purchases * expected_spend(gamma_gamma, frequency, monetary_value)
    return result
