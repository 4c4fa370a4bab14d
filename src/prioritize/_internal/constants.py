"""Constants several layers share, defined once."""

from __future__ import annotations

__all__ = ["FOUR_FIFTHS", "SLA_MINUTES"]

#: The four-fifths rule of adverse-impact tests: a group's rate below 0.8 of
#: the best group's is flagged.
FOUR_FIFTHS = 0.8

#: The default service-level target in minutes: answered within one hour
#: (43% of people expect an answer to an online query within an hour).
SLA_MINUTES = 60.0
