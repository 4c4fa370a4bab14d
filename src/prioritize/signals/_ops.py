"""Two tiny math namespaces so every formula is written once.

A signal is written against ``ops`` and evaluated either with :data:`SCALAR`
(Python floats) or :data:`VECTOR` (numpy arrays, for frames). Both implement
IEEE-754 ``log1p``/``exp``, so the two paths agree to the last few ulps. A
third reading, :data:`~prioritize.signals._source.SOURCE`, writes the formula
as Python source: the per-query path of a policy is that source, compiled
(the same floats as ``SCALAR``, without a call per operation).

``minimum(x, bound)``, ``maximum(x, bound)`` and ``nan_to_zero(x)`` may reuse ``x``'s memory in the
vector namespace: formulas pass them only temporaries they computed.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Any, Final

import numpy as np

__all__ = ["SCALAR", "VECTOR", "Ops"]


def _nan_to_zero_scalar(x: float) -> float:
    return 0.0 if x != x else x


# NaN passes through, as in numpy (the builtins min/max return whichever comes first).
def _minimum_scalar(x: float, bound: float) -> float:
    return bound if x > bound else x


def _maximum_scalar(x: float, bound: float) -> float:
    return bound if x < bound else x


def _step_scalar(x: float, thresholds: Any, table: Any) -> float:
    return table[bisect_right(thresholds, x)]  # type: ignore[no-any-return]


def _step_vector(x: Any, thresholds: Any, table: Any) -> Any:
    return np.asarray(table)[np.searchsorted(thresholds, x, side="right")]


def _nan_to_zero_vector(x: Any) -> Any:
    return np.nan_to_num(x, copy=False, nan=0.0)


def _minimum_vector(x: Any, bound: float) -> Any:
    return np.minimum(x, bound, out=x)


def _maximum_vector(x: Any, bound: float) -> Any:
    return np.maximum(x, bound, out=x)


class Ops:
    """The operations a signal formula may use."""

    __slots__ = ("exp", "log1p", "maximum", "minimum", "nan_to_zero", "step")

    def __init__(
        self, *, log1p: Any, exp: Any, minimum: Any, maximum: Any, nan_to_zero: Any, step: Any
    ) -> None:
        # step(x, thresholds, table): table[number of thresholds <= x]
        self.step = step
        self.log1p = log1p
        self.exp = exp
        self.minimum = minimum
        self.maximum = maximum
        self.nan_to_zero = nan_to_zero


SCALAR: Final = Ops(
    log1p=math.log1p,
    exp=math.exp,
    minimum=_minimum_scalar,
    maximum=_maximum_scalar,
    nan_to_zero=_nan_to_zero_scalar,
    step=_step_scalar,
)
VECTOR: Final = Ops(
    log1p=np.log1p,
    exp=np.exp,
    minimum=_minimum_vector,
    maximum=_maximum_vector,
    nan_to_zero=_nan_to_zero_vector,
    step=_step_vector,
)
