"""Constants several layers share, defined once."""

from __future__ import annotations

__all__ = [
    "BOOTSTRAP_REPLICATES",
    "CONFIDENCE",
    "FOUR_FIFTHS",
    "MIN_BAND_HITS",
    "MIN_BAND_QUERIES",
    "SLA_MINUTES",
]

#: The four-fifths rule of adverse-impact tests: a group's rate below 0.8 of
#: the best group's is flagged.
FOUR_FIFTHS = 0.8

#: The default service-level target in minutes: answered within one hour
#: (43% of people expect an answer to an online query within an hour).
SLA_MINUTES = 60.0

#: The least number of queries in a band for a fairness flag about it: below it a
#: band's figures are shown, with their intervals, but a flag reads "too few to tell".
MIN_BAND_QUERIES = 30

#: The fewest hits (answered in time) behind a share a fairness flag compares: the
#: bootstrap interval of a share of 1 or 2 hits in 180 is not reliable (the usual
#: "at least 5 events" rule), so such a comparison reads "too few to tell".
MIN_BAND_HITS = 5

#: The confidence level of every interval a report shows.
CONFIDENCE = 0.95

#: Bootstrap replicates behind each interval a report shows.
BOOTSTRAP_REPLICATES = 1000
