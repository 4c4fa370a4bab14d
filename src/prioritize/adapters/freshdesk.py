"""Freshdesk tickets (API v2 JSON) -> queries (see :mod:`prioritize.adapters._freshdesk`).

``from_tickets(payload_or_path)`` reads a ticket, a list of tickets, the filter
API's ``{"results": [...]}`` or JSON Lines; integer ``source``, ``status`` and
``priority`` codes are mapped by the documented tables.
"""

from prioritize.adapters._freshdesk import (
    FORMAT,
    PRIORITY_URGENCY,
    QUERY_ID_PREFIX,
    SKIPPED_KINDS,
    SOURCE_CHANNELS,
    STATUS_NAMES,
    detect,
    from_tickets,
)

__all__ = [
    "FORMAT",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "SOURCE_CHANNELS",
    "STATUS_NAMES",
    "detect",
    "from_tickets",
]
