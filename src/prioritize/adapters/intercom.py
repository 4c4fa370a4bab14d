"""Intercom conversations (REST API JSON) -> queries.

``from_conversations(payload_or_path)`` reads a ``conversation.list`` page,
one conversation or JSON Lines; conversations the company opened (outbound
messages, bots) are skipped and counted.

Reads ``GET /conversations`` and ``POST /conversations/search``
(``{"type": "conversation.list", "conversations": [...]}``), one conversation
(``{"type": "conversation", ...}``), a list of pages or conversations, or JSON
Lines. A conversation has ``id``, ``created_at`` (epoch seconds), ``state``,
``priority`` (``"priority"``/``"not_priority"``), ``source`` (the part that
opened it: ``type``, ``delivered_as``, ``subject``, ``body`` in HTML,
``author``) and ``contacts.contacts[]``.

Mapping (one query per conversation a customer opened, in payload order):

================  =============================================================
query column      from
================  =============================================================
``query_id``      ``"ic-"`` + ``id``
``customer_id``   ``"intercom:"`` + the first contact's ``id`` (else the source
                  author's, when the author is a user, lead or contact)
``received_at``   ``created_at`` (epoch seconds)
``channel``       ``source.type`` through :data:`SOURCE_CHANNELS` (unknown: an
                  error naming the conversation; extend with ``channel_map``)
``is_public``     False: an Intercom conversation is private, whatever its source
``urgency``       ``priority``: ``"priority"`` 0.75 (Intercom's one mark, read
                  as a helpdesk's "high"); ``"not_priority"`` -> NaN (from the text)
``text``          ``source.subject``, a blank line, ``source.body`` without HTML
``followers``     0
extras            ``status`` (``state``), ``external_id`` (the contact's, or
                  None), ``requester_email`` (the source author's, or None)
================  =============================================================

Skipped (counted in ``frame.attrs["skipped"]``; ``keep={"brand_reply"}`` reads
them): ``brand_reply``, a conversation the company opened (``delivered_as``
``admin_initiated``, ``campaigns_initiated``, ``automated`` or
``operator_initiated``: an outbound message or a bot's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize.adapters._common import CustomersArg, load_json
from prioritize.adapters._records import (
    PRIORITY_WORDS,
    Rows,
    channel_table,
    epoch_text,
    holds_only,
    id_or_none,
    page_items,
    plain_text,
    text_of,
    text_or_none,
)
from prioritize.adapters._registry import register
from prioritize.models import Channel

__all__ = [
    "FORMAT",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "SOURCE_CHANNELS",
    "detect",
    "from_conversations",
]

#: The name of the format in the registry and on the command line.
FORMAT = "intercom"
#: Prefix of a conversation's ``query_id``.
QUERY_ID_PREFIX = "ic-"
#: ``source.type`` -> channel (``conversation`` is a chat in the Messenger).
SOURCE_CHANNELS: Mapping[str, Channel] = {
    "conversation": Channel.CHAT,
    "email": Channel.EMAIL,
    "facebook": Channel.FACEBOOK,
    "instagram": Channel.INSTAGRAM,
    "twitter": Channel.TWITTER,
    "whatsapp": Channel.WHATSAPP,
    "sms": Channel.SMS,
    "phone_call": Channel.PHONE,
    "phone_switch": Channel.PHONE,
    "push": Channel.OTHER,
}
#: What this reader skips.
SKIPPED_KINDS: tuple[str, ...] = ("brand_reply",)

_CUSTOMER = "customer_initiated"
_COMPANY = frozenset({"admin_initiated", "campaigns_initiated", "automated", "operator_initiated"})
_PEOPLE = frozenset({"user", "lead", "contact"})
_EXTRAS = ("status", "external_id", "requester_email")


def _conversations(doc: Any) -> list[Any]:
    return page_items(
        doc,
        what="intercom payload",
        key="conversations",
        is_item=lambda obj: obj.get("type") == "conversation" or "source" in obj,
        expected="{'type': 'conversation.list', 'conversations': [...]}, a conversation or "
        "a list of them",
    )


def _is_conversation(obj: Any) -> bool:
    source = obj.get("source") if isinstance(obj, Mapping) else None
    return (
        isinstance(source, Mapping)
        and "delivered_as" in source
        and isinstance(obj.get("contacts"), Mapping | list)
    )


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document is Intercom conversations (``source.delivered_as``)."""
    return holds_only(doc, _conversations, _is_conversation)


def _contact(conversation: Mapping[str, Any], author: Mapping[str, Any]) -> tuple[Any, Any]:
    contacts = conversation.get("contacts")
    listed = contacts.get("contacts") if isinstance(contacts, Mapping) else contacts
    if isinstance(listed, list) and listed and isinstance(listed[0], Mapping):
        return listed[0].get("id"), listed[0].get("external_id")
    if author.get("type") in _PEOPLE:
        return author.get("id"), None
    return None, None


def _read(rows: Rows, pos: int, conversation: Any, channels: Mapping[Any, Channel]) -> None:
    if not isinstance(conversation, Mapping):
        rows.problem(f"conversations[{pos}]", f"is a {type(conversation).__name__}")
        return
    raw_id = conversation.get("id")
    number = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) else None
    label = f"conversation {number}" if number else f"conversations[{pos}]"
    source = conversation.get("source")
    source = source if isinstance(source, Mapping) else {}
    delivered = source.get("delivered_as")
    known = isinstance(delivered, str)  # a list or an object is no sender kind (nor hashable)
    if known and delivered in _COMPANY and rows.skip("brand_reply", label):
        return
    if not known or (delivered not in _COMPANY and delivered != _CUSTOMER):
        rows.problem(
            label,
            f"source.delivered_as {delivered!r} is not one of {sorted({_CUSTOMER, *_COMPANY})}",
        )
        return
    author = source.get("author")
    author = author if isinstance(author, Mapping) else {}
    contact, external = _contact(conversation, author)
    received = epoch_text(conversation.get("created_at"))
    body = source.get("body")
    text = text_of(source.get("subject"), plain_text(body) if isinstance(body, str) else body)
    kind = source.get("type")
    channel = channels.get(kind.strip().lower()) if isinstance(kind, str) else None
    priority = conversation.get("priority")
    more: list[str] = []
    if channel is None:
        more.append(
            f"source.type {kind!r} (not a known source type: intercom.SOURCE_CHANNELS; map it "
            f"with channel_map={{{kind!r}: '<channel>'}})"
        )
    if not rows.check(
        label,
        (
            ("id", number is not None),
            ("contacts (or a user source.author)", isinstance(contact, str | int)),
            ("created_at (epoch seconds)", received is not None),
            ("source.subject/body (text)", text is not None),
            ("priority", priority in (None, "priority", "not_priority")),
        ),
        *more,
    ):
        return
    email, state = author.get("email"), conversation.get("state")
    rows.add(
        label,
        query_id=QUERY_ID_PREFIX + str(number),
        customer_id=f"intercom:{contact}",
        received_at=received,
        channel=channel,
        is_public=False,
        urgency=PRIORITY_WORDS["high"] if priority == "priority" else float("nan"),
        text=text,
        status=text_or_none(state, blank=True),
        external_id=id_or_none(external),
        requester_email=text_or_none(email),
    )


def from_conversations(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str, str | Channel] | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Intercom conversations as JSON (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        A ``conversation.list`` page, one conversation, a list of pages or
        conversations, or a path to a JSON / JSON Lines file of them.
    customers
        CRM lookup by ``customer_id`` (``"intercom:<contact id>"``).
    channel_map
        Extra or overriding ``source.type`` -> channel entries.
    keep
        ``{"brand_reply"}`` reads conversations the company opened as queries.

    Returns
    -------
    pandas.DataFrame
        One row per conversation a customer opened (see the module docstring).

    Raises
    ------
    InputError
        Naming each conversation and field that is missing or not understood.
    """
    rows = Rows("intercom payload", _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=SKIPPED_KINDS)
    channels = channel_table(SOURCE_CHANNELS, channel_map, "intercom")
    for pos, conversation in enumerate(_conversations(load_json(payload, "intercom payload"))):
        _read(rows, pos, conversation, channels)
    return rows.frame(customers)


register(
    FORMAT,
    "json",
    detect=detect,
    read=from_conversations,
    expects="Intercom conversations: {'type': 'conversation.list', 'conversations': [...]} or "
    "conversation objects with source.delivered_as and contacts",
)
