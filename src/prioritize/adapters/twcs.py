"""The "Customer Support on Twitter" dataset -> queries, and a replay of what happened.

``from_csv(path, followers=...)`` reads ``twcs.csv`` (see
:mod:`prioritize.adapters._twcs` for the mapping): one query per tweet that
opens a conversation, with the brand's observed first-response wait;
``replay(frame, policy, agents=...)`` sets those observed waits, per follower
band or brand, next to the waits the policy would have given the same arrivals.
"""

from prioritize.adapters._replay import NO_GROUP, OBSERVED_COLUMN, replay
from prioritize.adapters._twcs import (
    CSV_COLUMNS,
    DATE_FORMAT,
    FORMAT,
    QUERY_ID_PREFIX,
    SKIPPED_KINDS,
    detect,
    from_csv,
)

__all__ = [
    "CSV_COLUMNS",
    "DATE_FORMAT",
    "FORMAT",
    "NO_GROUP",
    "OBSERVED_COLUMN",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "detect",
    "from_csv",
    "replay",
]
