"""Parameters of the signal normalisers (part of a policy, so part of its config)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prioritize.models import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from prioritize.signals._lexicon import UrgencyLexicon
from prioritize.signals._normalisers import Normaliser
from prioritize.signals._registry import SIGNALS

__all__ = ["CustomSignal", "PurchaseParams", "SignalParams"]

_Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class PurchaseParams(BaseModel):
    """RFM parameters of the ``purchase_history`` signal.

    ``purchase_history = recency_weight * R + frequency_weight * F + monetary_weight * M``
    with

    * ``R = 2 ** (-days_since_last_purchase / recency_half_life_days)`` (0 if never bought),
    * ``F = min(1, log1p(purchase_count) / log1p(frequency_saturation))``,
    * ``M = min(1, log1p(total_spend) / log1p(spend_saturation))``.

    The three weights must sum to 1 so the signal stays in [0, 1]. Recency and
    frequency carry most weight because they are what predicts whether a
    customer buys again (the intuition behind BG/NBD models); spend sets how
    much they are worth.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    recency_half_life_days: _Pos = 90.0
    frequency_saturation: _Pos = 20.0
    spend_saturation: _Pos = 5_000.0
    recency_weight: _Share = 0.4
    frequency_weight: _Share = 0.4
    monetary_weight: _Share = 0.2

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> Self:
        total = self.recency_weight + self.frequency_weight + self.monetary_weight
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"recency_weight + frequency_weight + monetary_weight must be 1; got {total:g}"
            )
        return self


_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: Names a declared signal may not take: the built-ins and the other score and rank columns.
RESERVED_NAMES = frozenset(
    (*SIGNALS, "score", "aging", "query_id", "received_at", "overdue", "rank")
)
_CANONICAL = frozenset((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))


class CustomSignal(BaseModel):
    """A signal a policy declares as data: what it reads and a normaliser from the menu.

    Parameters
    ----------
    input
        The frame column it reads; a scored query carries the same value in
        ``Customer.attributes`` (or ``Query.attributes``) under this name.
    on
        ``"customer"`` (default) or ``"query"``: which object carries it.
    normaliser
        One of the fixed menu (:mod:`prioritize.signals` normalisers), as a
        table with a ``kind``: ``{kind = "identity"}``, ``{kind = "linear",
        low = 0, high = 5}``, ``{kind = "log", saturation = 1000}``,
        ``{kind = "decay", half_life = 30}``, ``{kind = "boolean"}``,
        ``{kind = "tiers", thresholds = [5000], levels = [1.0]}``. A bare
        ``"identity"`` or ``"boolean"`` is accepted too.
    description
        What it measures, for reports.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: str
    on: Literal["customer", "query"] = "customer"
    normaliser: Normaliser
    description: str = ""

    @field_validator("input")
    @classmethod
    def _own_column(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"must be a lower-case name (letters, digits, _; starting with a letter); "
                f"got {value!r}"
            )
        if value in _CANONICAL:
            raise ValueError(
                f"{value!r} is a canonical column, read by the built-in signals; "
                "a declared signal reads a column of its own"
            )
        return value

    @field_validator("normaliser", mode="before")
    @classmethod
    def _bare_kind(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value


def _check_names(value: dict[str, CustomSignal]) -> dict[str, CustomSignal]:
    for name in value:
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"signal name {name!r} must be lower-case letters, digits and _, "
                "starting with a letter"
            )
        if name in RESERVED_NAMES:
            raise ValueError(f"signal name {name!r} is taken; reserved: {sorted(RESERVED_NAMES)}")
    return value


class SignalParams(BaseModel):
    """How raw evidence is normalised to [0, 1]. Never depends on other rows.

    * ``follower_reach = min(1, log1p(followers) / log1p(follower_saturation))``:
      100 followers ≈ 0.33, 10k ≈ 0.67, 1M (default saturation) = 1.
    * ``crm_value = min(1, log1p(lifetime_value) / log1p(value_saturation))``:
      with the default 10,000: a value of 100 ≈ 0.50, 1,000 ≈ 0.75.
    * ``purchase_history``: see :class:`PurchaseParams`.
    * ``urgency``: the query's own ``urgency`` when given, else
      :meth:`UrgencyLexicon.score` of its text.
    * ``custom``: signals the policy declares itself, name ->
      :class:`CustomSignal`; weighted, capped, made blind and audited like
      the built-in ones, summed after them in declaration order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    follower_saturation: Annotated[float, Field(gt=1, allow_inf_nan=False)] = 1_000_000.0
    value_saturation: Annotated[float, Field(gt=1, allow_inf_nan=False)] = 10_000.0
    purchase: PurchaseParams = PurchaseParams()
    urgency: UrgencyLexicon = UrgencyLexicon()
    custom: dict[str, CustomSignal] = Field(default_factory=dict)

    @field_validator("custom")
    @classmethod
    def _names(cls, value: dict[str, CustomSignal]) -> dict[str, CustomSignal]:
        return _check_names(value)
