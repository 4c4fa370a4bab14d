"""Constants several layers share, defined once."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "BOOTSTRAP_REPLICATES",
    "CONFIDENCE",
    "FAIL",
    "FLAG_STATES",
    "FOUR_FIFTHS",
    "MIN_BAND_HITS",
    "MIN_BAND_QUERIES",
    "PASS",
    "SERVICE_TARGET",
    "SLA_MINUTES",
    "SURVEY_MINUTES",
    "TOO_FEW",
]

#: The four-fifths rule of adverse-impact tests: a group's rate below 0.8 of
#: the best group's is flagged.
FOUR_FIFTHS = 0.8

#: The default service-level target in minutes: answered within one hour
#: (43% of people expect an answer to an online query within an hour).
SLA_MINUTES = 60.0

#: The default service-level target: the share of queries answered within the
#: service level (the call-centre "80% within the time" convention).
SERVICE_TARGET = 0.8

#: What a fairness flag can say: the figure is fair, it is not, or the data cannot tell.
PASS, FAIL, TOO_FEW = "pass", "fail", "too few to tell"
FLAG_STATES: tuple[str, ...] = (PASS, FAIL, TOO_FEW)

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

#: Minutes per channel that customers expect an answer within, from the survey
#: (14% expect an answer to an online query within 5 minutes, 43% within an
#: hour) under stated **assumptions**: the 5-minute expectation is that of live
#: channels (chat, phone), where the customer waits on the line; the hour that of
#: social and messaging channels; email, web forms, forums, review sites and
#: anything else, where nobody expects an instant answer, get a day. One table,
#: read two ways: as the service levels every preset publishes
#: (``policies.SURVEY_SERVICE_LEVELS``) and as the mean patience of
#: ``patience="survey"`` (``simulation.SURVEY_PATIENCE_MINUTES``).
SURVEY_MINUTES: Mapping[str, float] = MappingProxyType(
    {
        "chat": 5.0,
        "phone": 5.0,
        "twitter": 60.0,
        "facebook": 60.0,
        "instagram": 60.0,
        "tiktok": 60.0,
        "linkedin": 60.0,
        "sms": 60.0,
        "whatsapp": 60.0,
        "email": 1440.0,
        "web_form": 1440.0,
        "review_site": 1440.0,
        "forum": 1440.0,
        "other": 1440.0,
    }
)
