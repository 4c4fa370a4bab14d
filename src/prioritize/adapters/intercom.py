"""Intercom conversations (REST API JSON) -> queries (see :mod:`prioritize.adapters._intercom`).

``from_conversations(payload_or_path)`` reads a ``conversation.list`` page,
one conversation or JSON Lines; conversations the company opened (outbound
messages, bots) are skipped and counted.
"""

from prioritize.adapters._intercom import (
    FORMAT,
    QUERY_ID_PREFIX,
    SKIPPED_KINDS,
    SOURCE_CHANNELS,
    detect,
    from_conversations,
)

__all__ = [
    "FORMAT",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "SOURCE_CHANNELS",
    "detect",
    "from_conversations",
]
