"""The fixed menu of normalisers a policy may declare for its own signals (data, not code).

=============== ============================== ===================================
``kind``        signal                         input must be
=============== ============================== ===================================
``identity``    the value itself               a number in [0, 1]
``linear``      0 at ``low``, 1 at ``high``,   any finite number
                clipped to [0, 1]
``log``         ``min(1, log1p(x) /            a number >= 0
                log1p(saturation))``
``decay``       ``2 ** (-x / half_life)``      a number >= 0
``boolean``     1 if true, else 0              a boolean (or 0/1)
``tiers``       ``levels[i]`` from             any finite number
                ``thresholds[i]`` on (0 below
                the first)
=============== ============================== ===================================

Each is written once against the ops namespace (:mod:`~prioritize.signals._formulas`),
so a query scored alone and the same row of a frame get the same value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prioritize.signals._formulas import (
    Kernel,
    decay_rate,
    exp_rate,
    linear_kernel,
    log_ratio,
    tier_step,
)
from prioritize.signals._ops import Ops

__all__ = [
    "Boolean",
    "Decay",
    "Domain",
    "Identity",
    "Linear",
    "LogSaturating",
    "Normaliser",
    "Tiers",
]

_CONFIG = ConfigDict(frozen=True, extra="forbid")
_Finite = Annotated[float, Field(allow_inf_nan=False)]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


@dataclass(frozen=True, slots=True)
class Domain:
    """The input values a normaliser accepts (checked before it is applied)."""

    minimum: float | None = None
    maximum: float | None = None
    boolean: bool = False

    @property
    def expected(self) -> str:
        """What a valid input is, for error messages."""
        if self.boolean:
            return "a boolean (or 0/1)"
        if self.minimum is not None and self.maximum is not None:
            return f"a number in [{self.minimum:g}, {self.maximum:g}]"
        if self.minimum is not None:
            return f"a number >= {self.minimum:g}"
        return "a finite number"

    def accepts(self, value: Any) -> bool:
        """Whether one scalar ``value`` is a valid input."""
        if self.boolean:
            return isinstance(value, bool) or (
                isinstance(value, int | float) and value in (0.0, 1.0)
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return False
        if value in (float("inf"), float("-inf")):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum


def _same(x: Any) -> Any:
    return x


def _identity(ops: Ops) -> Kernel:
    return _same


class _Normaliser(BaseModel):
    """A formula of :mod:`~prioritize.signals._formulas` with the constants it is declared with."""

    model_config = _CONFIG
    #: ``formula(*constants, ops)`` -> the kernel ``x -> value`` (bound once per policy).
    formula: ClassVar[Callable[..., Kernel]] = staticmethod(_identity)
    #: The input values accepted.
    domain: ClassVar[Domain]

    @property
    def constants(self) -> tuple[float, ...]:
        """The formula's arguments after ``x``."""
        return ()

    def kernel(self, ops: Ops) -> Kernel:
        """The formula with this normaliser's constants and ``ops`` bound: ``x -> value``."""
        return type(self).formula(*self.constants, ops)

    def apply(self, x: Any, ops: Ops) -> Any:
        """The normalised value of ``x``: a float with ``SCALAR`` ops, an array with ``VECTOR``."""
        return self.kernel(ops)(x)


_ANY = Domain()
_UNIT = Domain(0.0, 1.0)
_NON_NEGATIVE = Domain(0.0)
_BOOLEAN = Domain(0.0, 1.0, boolean=True)


class Identity(_Normaliser):
    """Values already in [0, 1] (a model's probability, a sentiment score), used as they are."""

    kind: Literal["identity"] = "identity"
    domain: ClassVar[Domain] = _UNIT


class Linear(_Normaliser):
    """0 at ``low``, 1 at ``high``, linear between, clipped (``low > high`` reverses the scale)."""

    kind: Literal["linear"] = "linear"
    formula = staticmethod(linear_kernel)
    domain: ClassVar[Domain] = _ANY
    low: _Finite
    high: _Finite

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.low == self.high:
            raise ValueError(f"low and high must differ; both are {self.low:g}")
        return self

    @property
    def constants(self) -> tuple[float, ...]:
        return (self.low, self.high)


class LogSaturating(_Normaliser):
    """``min(1, log1p(x) / log1p(saturation))`` for counts and money (like ``follower_reach``)."""

    kind: Literal["log"] = "log"
    formula = staticmethod(log_ratio)
    domain: ClassVar[Domain] = _NON_NEGATIVE
    saturation: _Positive

    @property
    def constants(self) -> tuple[float, ...]:
        return (math.log1p(self.saturation),)


class Decay(_Normaliser):
    """``2 ** (-x / half_life)`` for ages, e.g. days since a last login (like purchase recency)."""

    kind: Literal["decay"] = "decay"
    formula = staticmethod(exp_rate)
    domain: ClassVar[Domain] = _NON_NEGATIVE
    half_life: _Positive

    @property
    def constants(self) -> tuple[float, ...]:
        return (decay_rate(self.half_life),)


class Boolean(_Normaliser):
    """1 for true, 0 for false (a plan tier flag, "has an open incident")."""

    kind: Literal["boolean"] = "boolean"
    domain: ClassVar[Domain] = _BOOLEAN


_Level = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Tiers(_Normaliser):
    """Steps: ``levels[i]`` from ``thresholds[i]`` on, 0 below the first threshold.

    For customer tiers: "VIP customers (lifetime value of 5,000 or more) get
    +0.3" is a signal with ``thresholds=[5000], levels=[1.0]`` and weight 0.3.
    Lower bounds are inclusive (exactly 5,000 is VIP), as in the follower and
    value bands. ``thresholds`` must ascend strictly and there is one level in
    [0, 1] per threshold (levels need not ascend).

    Examples
    --------
    >>> from prioritize.signals import SCALAR, Tiers
    >>> tiers = Tiers(thresholds=[1000, 5000], levels=[0.5, 1.0])
    >>> [tiers.apply(v, SCALAR) for v in (999, 1000, 4999.5, 5000, 10**6)]
    [0.0, 0.5, 0.5, 1.0, 1.0]
    """

    kind: Literal["tiers"] = "tiers"
    formula = staticmethod(tier_step)
    domain: ClassVar[Domain] = _ANY
    thresholds: tuple[_Finite, ...] = Field(min_length=1)
    levels: tuple[_Level, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted_and_matched(self) -> Self:
        pairs = list(zip(self.thresholds, self.thresholds[1:], strict=False))
        for i, (a, b) in enumerate(pairs):
            if not a < b:
                raise ValueError(
                    f"thresholds must ascend strictly; thresholds[{i}] = {a:g} is not below "
                    f"thresholds[{i + 1}] = {b:g}"
                )
        if len(self.levels) != len(self.thresholds):
            raise ValueError(
                f"need one level per threshold; got {len(self.thresholds)} threshold(s) and "
                f"{len(self.levels)} level(s)"
            )
        return self

    @property
    def constants(self) -> tuple[Any, ...]:
        return (self.thresholds, (0.0, *self.levels))


Normaliser = Annotated[
    Identity | Linear | LogSaturating | Decay | Boolean | Tiers, Field(discriminator="kind")
]
