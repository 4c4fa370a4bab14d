"""Zammad tickets (REST API JSON) -> queries (see :mod:`prioritize.adapters._zammad`).

``from_tickets(payload_or_path)`` reads a list of tickets (best with
``expand=true``), one ticket, or a search result with assets; tickets agents
or the system opened, merged and removed tickets are skipped and counted.
"""

from prioritize.adapters._zammad import (
    ARTICLE_TYPES,
    FORMAT,
    PRIORITIES,
    PRIORITY_URGENCY,
    QUERY_ID_PREFIX,
    SENDERS,
    SKIPPED_KINDS,
    STATES,
    TYPE_CHANNELS,
    detect,
    from_tickets,
)

__all__ = [
    "ARTICLE_TYPES",
    "FORMAT",
    "PRIORITIES",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "SENDERS",
    "SKIPPED_KINDS",
    "STATES",
    "TYPE_CHANNELS",
    "detect",
    "from_tickets",
]
