"""Parameters of the signal normalisers (part of a policy, so part of its config)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prioritize.signals._lexicon import UrgencyLexicon

__all__ = ["PurchaseParams", "SignalParams"]

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


class SignalParams(BaseModel):
    """How raw evidence is normalised to [0, 1]. Never depends on other rows.

    * ``follower_reach = min(1, log1p(followers) / log1p(follower_saturation))``:
      100 followers ≈ 0.33, 10k ≈ 0.67, 1M (default saturation) = 1.
    * ``crm_value = min(1, log1p(lifetime_value) / log1p(value_saturation))``:
      with the default 10,000: a value of 100 ≈ 0.50, 1,000 ≈ 0.75.
    * ``purchase_history``: see :class:`PurchaseParams`.
    * ``urgency``: the query's own ``urgency`` when given, else
      :meth:`UrgencyLexicon.score` of its text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    follower_saturation: Annotated[float, Field(gt=1, allow_inf_nan=False)] = 1_000_000.0
    value_saturation: Annotated[float, Field(gt=1, allow_inf_nan=False)] = 10_000.0
    purchase: PurchaseParams = PurchaseParams()
    urgency: UrgencyLexicon = UrgencyLexicon()
