"""``--patience`` and the default team of ``demo``, ``compare`` and ``audit``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize.cli._common import CLIError
from prioritize.simulation import Patience
from prioritize.staffing import StaffingChoice, agents_for

__all__ = ["default_team", "parse_patience"]


def parse_patience(text: str | None) -> Patience:
    """``--patience``: ``15``, ``chat=5,email=1440,default=60``, ``survey`` or ``none``."""
    if text is None:
        return Patience.of(None)
    spec = text.strip()
    value: Any
    try:
        if "=" in spec:
            value = {}
            for part in spec.split(","):
                channel, sep, minutes = part.partition("=")
                if not sep or not channel.strip():
                    raise CLIError(f"--patience: {part.strip()!r} is not CHANNEL=MINUTES")
                if channel.strip() in value:  # the later pair would silently replace it
                    raise CLIError(f"--patience: {channel.strip()!r} is given twice in {text!r}")
                value[channel.strip()] = float(minutes)
        elif spec.lower() in ("survey", "none"):
            value = spec.lower()
        else:
            value = float(spec)
    except ValueError:
        raise CLIError(
            f"--patience: cannot read {text!r}; give minutes (15), CHANNEL=MIN pairs "
            "(chat=5,email=1440,default=60), survey or none"
        ) from None
    try:
        return Patience.of(value)
    except ValueError as exc:
        raise CLIError(f"--patience: {exc}") from exc


def default_team(
    frame: pd.DataFrame,
    *,
    target: float = SERVICE_TARGET,
    within_minutes: float = SLA_MINUTES,
    patience: Patience | None = None,
) -> StaffingChoice:
    """The default staffing: the least team meeting the target at the stream's load."""
    try:
        return agents_for(frame, target=target, within_minutes=within_minutes, patience=patience)
    except ValueError as exc:
        raise CLIError(f"default staffing: {exc}") from exc
