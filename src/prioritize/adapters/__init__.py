"""Adapters: real payloads in, canonical query frames out.

* :mod:`~prioritize.adapters.twitter`: Twitter/X API v2 JSON (``from_tweet``,
  ``from_tweets``).
* :mod:`~prioritize.adapters.zendesk`: Zendesk-style ticket exports, JSON and
  CSV (``from_tickets``, ``from_csv``).
* :mod:`~prioritize.adapters.freshdesk`: Freshdesk API v2 tickets (``from_tickets``).
* :mod:`~prioritize.adapters.chatwoot`: Chatwoot conversations and
  ``message_created`` webhooks (``from_conversations``, ``from_webhooks``).
* :mod:`~prioritize.adapters.intercom`: Intercom conversations (``from_conversations``).
* :mod:`~prioritize.adapters.meta`: Messenger, Instagram and WhatsApp Cloud API
  webhooks (``from_webhooks``).
* :mod:`~prioritize.adapters.salesforce`: Salesforce Case exports, CSV (``from_csv``).
* :mod:`~prioritize.adapters.zammad`: Zammad tickets (``from_tickets``).
* :mod:`~prioritize.adapters.twcs`: the "Customer Support on Twitter" dataset
  (``from_csv``) and ``replay``: observed first-response waits against a policy's.
* :func:`read_queries`: any CSV / Parquet / DataFrame with a column mapping.
* :func:`join_customers`: fill CRM columns from a customer lookup.
* :func:`read`: any registered format (:func:`formats`), detected from the
  content when ``format`` is omitted; a new reader joins with :func:`register`.

Readers keep every customer message and skip only records that are not one
(:data:`SKIP_KINDS`: retweets, the brand's own replies, deleted tickets...):
the counts are in ``frame.attrs["skipped"]``, a
:class:`~prioritize.SkippedRecordsWarning` names them, and ``keep=`` reads
them as queries instead.

Every adapter validates its input and names the bad record and field (e.g.
``ticket 35436: via.channel 'pigeon' is not a known channel``); nothing is
dropped (records in = rows out) and its output passes
:func:`~prioritize.models.validate_frame`.
"""

from prioritize.adapters import (
    chatwoot,
    freshdesk,
    intercom,
    meta,
    salesforce,
    twcs,
    twitter,
    zammad,
    zendesk,
)
from prioritize.adapters._common import CRM_COLUMNS, SKIP_KINDS, join_customers
from prioritize.adapters._generic import read_queries
from prioritize.adapters._registry import formats, read, register

__all__ = [
    "CRM_COLUMNS",
    "SKIP_KINDS",
    "chatwoot",
    "formats",
    "freshdesk",
    "intercom",
    "join_customers",
    "meta",
    "read",
    "read_queries",
    "register",
    "salesforce",
    "twcs",
    "twitter",
    "zammad",
    "zendesk",
]
