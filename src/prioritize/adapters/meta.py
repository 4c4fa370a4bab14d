"""Meta webhooks -> queries: Messenger, Instagram and WhatsApp Cloud API messages.

``from_webhooks(payload_or_path)`` reads webhook bodies (see
:mod:`prioritize.adapters._meta` for the mapping); echoes of the page's own
messages, delivery and read receipts, reactions and other events are skipped
and counted in ``frame.attrs["skipped"]``.
"""

from prioritize.adapters._meta import FORMAT, OBJECTS, SKIPPED_KINDS, detect, from_webhooks

__all__ = ["FORMAT", "OBJECTS", "SKIPPED_KINDS", "detect", "from_webhooks"]
