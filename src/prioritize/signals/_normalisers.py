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
=============== ============================== ===================================

Each is written once against the ops namespace (:mod:`~prioritize.signals._formulas`),
so a query scored alone and the same row of a frame get the same value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prioritize.signals._formulas import half_life_decay, linear_clip, log_saturation
from prioritize.signals._ops import Ops

__all__ = ["Boolean", "Decay", "Domain", "Identity", "Linear", "LogSaturating", "Normaliser"]

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


_ANY = Domain()
_UNIT = Domain(0.0, 1.0)
_NON_NEGATIVE = Domain(0.0)
_BOOLEAN = Domain(0.0, 1.0, boolean=True)


class Identity(BaseModel):
    """Values already in [0, 1] (a model's probability, a sentiment score), used as they are."""

    model_config = _CONFIG
    kind: Literal["identity"] = "identity"

    @property
    def domain(self) -> Domain:
        return _UNIT

    def apply(self, x: Any, ops: Ops) -> Any:
        return x


class Linear(BaseModel):
    """0 at ``low``, 1 at ``high``, linear between, clipped (``low > high`` reverses the scale)."""

    model_config = _CONFIG
    kind: Literal["linear"] = "linear"
    low: _Finite
    high: _Finite

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.low == self.high:
            raise ValueError(f"low and high must differ; both are {self.low:g}")
        return self

    @property
    def domain(self) -> Domain:
        return _ANY

    def apply(self, x: Any, ops: Ops) -> Any:
        return linear_clip(x, self.low, self.high, ops)


class LogSaturating(BaseModel):
    """``min(1, log1p(x) / log1p(saturation))`` for counts and money (like ``follower_reach``)."""

    model_config = _CONFIG
    kind: Literal["log"] = "log"
    saturation: _Positive

    @property
    def domain(self) -> Domain:
        return _NON_NEGATIVE

    def apply(self, x: Any, ops: Ops) -> Any:
        return log_saturation(x, self.saturation, ops)


class Decay(BaseModel):
    """``2 ** (-x / half_life)`` for ages, e.g. days since a last login (like purchase recency)."""

    model_config = _CONFIG
    kind: Literal["decay"] = "decay"
    half_life: _Positive

    @property
    def domain(self) -> Domain:
        return _NON_NEGATIVE

    def apply(self, x: Any, ops: Ops) -> Any:
        return half_life_decay(x, self.half_life, ops)


class Boolean(BaseModel):
    """1 for true, 0 for false (a plan tier flag, "has an open incident")."""

    model_config = _CONFIG
    kind: Literal["boolean"] = "boolean"

    @property
    def domain(self) -> Domain:
        return _BOOLEAN

    def apply(self, x: Any, ops: Ops) -> Any:
        return x


Normaliser = Annotated[
    Identity | Linear | LogSaturating | Decay | Boolean, Field(discriminator="kind")
]
