"""Chatwoot conversations and webhooks -> queries (see :mod:`prioritize.adapters._chatwoot`).

``from_conversations(payload_or_path)`` reads the conversations API (one query
per conversation); ``from_webhooks(payload_or_path)`` reads ``message_created``
bodies (one query per incoming message; the agents' messages are skipped and
counted); ``from_payload`` reads whichever of the two it is given.
"""

from prioritize.adapters._chatwoot import (
    CHANNELS,
    FORMAT,
    SKIPPED_KINDS,
    detect,
    from_conversations,
    from_payload,
    from_webhooks,
)

__all__ = [
    "CHANNELS",
    "FORMAT",
    "SKIPPED_KINDS",
    "detect",
    "from_conversations",
    "from_payload",
    "from_webhooks",
]
