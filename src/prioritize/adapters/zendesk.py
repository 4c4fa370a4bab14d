"""Zendesk-style ticket exports -> queries (see :mod:`prioritize.adapters._zendesk`).

``from_tickets(payload_or_path)`` reads the JSON flavour (API, incremental or
full export); ``from_csv(path, tz=...)`` reads a view exported as CSV.
"""

from prioritize.adapters._zendesk import (
    CSV_COLUMNS,
    PRIORITY_URGENCY,
    QUERY_ID_PREFIX,
    VIA_CHANNELS,
    from_csv,
    from_tickets,
)

__all__ = [
    "CSV_COLUMNS",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "VIA_CHANNELS",
    "from_csv",
    "from_tickets",
]
