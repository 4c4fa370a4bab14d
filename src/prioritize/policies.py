"""Preset policies: ``fifo``, ``equal_treatment``, ``influencer_weighted``,
``value_weighted`` and ``balanced`` (see each docstring for exact weights and rules)."""

from prioritize.policy.presets import (
    PRESETS,
    SURVEY_SERVICE_LEVELS,
    balanced,
    equal_treatment,
    fifo,
    influencer_weighted,
    value_weighted,
)

__all__ = [
    "PRESETS",
    "SURVEY_SERVICE_LEVELS",
    "balanced",
    "equal_treatment",
    "fifo",
    "influencer_weighted",
    "value_weighted",
]
