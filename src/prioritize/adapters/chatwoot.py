"""Chatwoot conversations and ``message_created`` webhooks -> queries.

``from_conversations(payload_or_path)`` reads the conversations API (one query
per conversation); ``from_webhooks(payload_or_path)`` reads ``message_created``
bodies (one query per incoming message; the agents' messages are skipped and
counted); ``from_payload`` reads whichever of the two it is given.

Two documented shapes:

* Conversations (:func:`from_conversations`): the list API's
  ``{"data": {"meta": {...}, "payload": [conversations]}}``, a list of
  conversations, or one. A conversation has ``id``, ``inbox_id``, ``status``,
  ``priority``, ``created_at`` (epoch seconds), ``meta.sender`` (the contact:
  ``id``, ``email``, ``phone_number``), ``meta.channel``
  (``"Channel::WebWidget"``...) and ``messages`` (the latest ones; their
  ``message_type`` is 0 incoming, 1 outgoing, 2 activity, 3 template).
* Webhooks (:func:`from_webhooks`): bodies of the ``message_created`` event
  (``id``, ``content``, ``created_at`` like ``"2020-03-03 13:05:57 UTC"``,
  ``message_type`` ``"incoming"``/``"outgoing"``/``"activity"``/``"template"``,
  ``private``, ``sender``, ``conversation`` with ``display_id`` and
  ``channel``), one body, a list, or JSON Lines.

Mapping (one query per conversation, or per incoming message):

================  ==============================================================
query column      from
================  ==============================================================
``query_id``      ``"cw-"`` + conversation ``id``; ``"cw-msg-"`` + message ``id``
``customer_id``   ``"chatwoot:"`` + the contact's id (``meta.sender.id``; a
                  webhook's ``sender.id``)
``received_at``   ``created_at`` (UTC)
``channel``       ``meta.channel`` / ``conversation.channel`` through
                  :data:`CHANNELS` (unknown: an error; extend with ``channel_map``)
``is_public``     the channel's default
``urgency``       conversation ``priority`` (urgent 1, high 0.75, medium 0.5,
                  low 0.25); none -> NaN, derived from the text
``text``          the conversation's first incoming message in ``messages``
                  (``""`` when the list holds none); a message's ``content``
``followers``     0
extras            ``status``, ``conversation_id`` (the webhook's
                  ``conversation.display_id``; a conversation's ``id``),
                  ``requester_email``, ``requester_phone``
================  ==============================================================

Skipped (webhooks; counted in ``frame.attrs["skipped"]``): ``brand_reply``
(``outgoing`` and ``template`` messages: an agent's or a bot's), ``not_a_message``
(``activity`` messages, private notes, other events such as
``conversation_status_changed``) and ``duplicate`` (a message id already read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.ids import integer_id
from prioritize.adapters._common import CustomersArg, load_json
from prioritize.adapters._records import (
    PRIORITY_WORDS,
    Rows,
    channel_table,
    epoch_text,
    holds_only,
    text_or_none,
)
from prioritize.adapters._registry import register
from prioritize.models import Channel, public_by_default

__all__ = [
    "CHANNELS",
    "FORMAT",
    "SKIPPED_KINDS",
    "detect",
    "from_conversations",
    "from_payload",
    "from_webhooks",
]

#: The name of the format in the registry and on the command line.
FORMAT = "chatwoot"
#: Inbox channel types (``Channel::<Type>``, matched case-insensitively) -> channel.
CHANNELS: Mapping[str, Channel] = {
    "channel::webwidget": Channel.CHAT,
    "channel::api": Channel.CHAT,
    "channel::email": Channel.EMAIL,
    "channel::facebookpage": Channel.FACEBOOK,
    "channel::instagram": Channel.INSTAGRAM,
    "channel::twitterprofile": Channel.TWITTER,
    "channel::whatsapp": Channel.WHATSAPP,
    "channel::sms": Channel.SMS,
    "channel::twiliosms": Channel.SMS,
    "channel::telegram": Channel.CHAT,
    "channel::line": Channel.CHAT,
}
#: What the webhook reader skips.
SKIPPED_KINDS: tuple[str, ...] = ("brand_reply", "not_a_message", "duplicate")

_EXTRAS = ("status", "conversation_id", "requester_email", "requester_phone")
_INCOMING = 0
_TYPE_NAMES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


def _conversations(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return [c for item in doc for c in (_conversations(item) if _listing(item) else [item])]
    if isinstance(doc, Mapping):
        data = doc.get("data")
        if isinstance(data, Mapping) and isinstance(data.get("payload"), list):
            return list(data["payload"])
        if isinstance(doc.get("payload"), list):
            return list(doc["payload"])
        return [doc]
    raise InputError(f"chatwoot payload: expected JSON conversations; got {type(doc).__name__}")


def _listing(item: Any) -> bool:
    return isinstance(item, list) or (
        isinstance(item, Mapping) and ("payload" in item or isinstance(item.get("data"), Mapping))
    )


def _is_conversation(obj: Any) -> bool:
    meta = obj.get("meta") if isinstance(obj, Mapping) else None
    return (
        isinstance(meta, Mapping)
        and isinstance(meta.get("sender"), Mapping)
        and "inbox_id" in obj
        and "messages" in obj
    )


def _is_webhook(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and isinstance(obj.get("event"), str)
        and isinstance(obj.get("account"), Mapping)
    )


def _detect_conversations(doc: Any) -> bool:
    return holds_only(doc, _conversations, _is_conversation)


def _detect_webhooks(doc: Any) -> bool:
    bodies = doc if isinstance(doc, list) else [doc]
    return bool(bodies) and all(_is_webhook(b) for b in bodies)


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document is Chatwoot conversations or webhook bodies."""
    return _detect_conversations(doc) or _detect_webhooks(doc)


def _channel(
    rows: Rows, label: str, value: Any, field: str, channels: Mapping[Any, Channel]
) -> Channel | None:
    channel = channels.get(value.strip().lower()) if isinstance(value, str) else None
    if channel is None:
        rows.problem(
            label,
            f"{field} {value!r} is not a known inbox channel (known: chatwoot.CHANNELS); map it "
            f"with channel_map={{{value!r}: '<channel>'}}",
        )
    return channel


def _contact(person: Any) -> tuple[str | None, str | None, str | None]:
    person = person if isinstance(person, Mapping) else {}
    email, phone = person.get("email"), person.get("phone_number")
    return (
        integer_id(person.get("id")),
        text_or_none(email),
        text_or_none(phone),
    )


def _shared(
    person: tuple[str | None, str | None, str | None],
    channel: Channel,
    conversation: Mapping[str, Any],
) -> dict[str, Any]:
    """The row fields a conversation and a webhook message share."""
    contact, email, phone = person
    return {
        "customer_id": f"chatwoot:{contact}",
        "channel": channel,
        "is_public": public_by_default(channel),
        "status": text_or_none(conversation.get("status"), blank=True),
        "requester_email": email,
        "requester_phone": phone,
    }


def _urgency(rows: Rows, label: str, priority: Any) -> float:
    if priority is None:
        return float("nan")
    if isinstance(priority, str) and priority.strip().lower() in PRIORITY_WORDS:
        return PRIORITY_WORDS[priority.strip().lower()]
    rows.problem(label, f"priority {priority!r} is not one of urgent, high, medium, low or null")
    return float("nan")


def _created(message: Mapping[str, Any]) -> int:
    created = message.get("created_at")
    return created if isinstance(created, int) else 0


def _first_incoming(messages: Any) -> str | None:
    if not isinstance(messages, list):
        return None
    incoming = [
        m
        for m in messages
        if isinstance(m, Mapping) and m.get("message_type") == _INCOMING and not m.get("private")
    ]
    incoming.sort(key=_created)
    for message in incoming:
        content = message.get("content")
        if isinstance(content, str):
            return content
    return ""


def from_conversations(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str, str | Channel] | None = None,
) -> pd.DataFrame:
    """Chatwoot conversations (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        The list API's ``{"data": {"payload": [...]}}``, a list of
        conversations, one conversation, or a path to a JSON / JSON Lines file.
    customers
        CRM lookup by ``customer_id`` (``"chatwoot:<contact id>"``).
    channel_map
        Extra or overriding ``Channel::<Type>`` -> channel entries.

    Returns
    -------
    pandas.DataFrame
        One row per conversation (see the module docstring).

    Raises
    ------
    InputError
        Naming each conversation and field that is missing or not understood.
    """
    rows = Rows("chatwoot conversations", _EXTRAS, kinds=())
    channels = channel_table(CHANNELS, channel_map, "chatwoot")
    for pos, conversation in enumerate(_conversations(load_json(payload, "chatwoot payload"))):
        if not isinstance(conversation, Mapping):
            rows.problem(f"conversations[{pos}]", "is not a conversation object")
            continue
        number = integer_id(conversation.get("id"))
        label = f"conversation {number}" if number else f"conversations[{pos}]"
        meta = conversation.get("meta")
        meta = meta if isinstance(meta, Mapping) else {}
        person = _contact(meta.get("sender"))
        received = epoch_text(conversation.get("created_at"))
        text = _first_incoming(conversation.get("messages"))
        if not rows.check(
            label,
            (
                ("id", number is not None),
                ("meta.sender.id", person[0] is not None),
                ("created_at (epoch seconds)", received is not None),
                ("messages (a list)", text is not None),
            ),
        ):
            continue
        before = len(rows.problems)
        channel = _channel(rows, label, meta.get("channel"), "meta.channel", channels)
        urgency = _urgency(rows, label, conversation.get("priority"))
        if len(rows.problems) > before or channel is None:
            continue
        rows.add(
            label,
            **_shared(person, channel, conversation),
            query_id=f"cw-{number}",
            received_at=received,
            urgency=urgency,
            text=text,
            conversation_id=number,
        )
    return rows.frame(customers)


def _skipped_kind(body: Mapping[str, Any]) -> str | None:
    if body.get("event") != "message_created":
        return "not_a_message"
    kind = body.get("message_type")
    kind = _TYPE_NAMES.get(kind, kind) if isinstance(kind, int) else kind
    if body.get("private") is True or kind == "activity":
        return "not_a_message"
    if kind in ("outgoing", "template"):
        return "brand_reply"
    return None


def from_webhooks(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str, str | Channel] | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Chatwoot webhook bodies (parsed, or a path) -> one query per incoming message.

    Parameters
    ----------
    payload
        A ``message_created`` body, a list of bodies (other events are
        skipped), or a path to a JSON / JSON Lines file of them.
    customers, channel_map
        As in :func:`from_conversations`.
    keep
        ``{"duplicate"}`` reads re-sent bodies again (their ids then repeat:
        an error); the other kinds hold no customer message.

    Returns
    -------
    pandas.DataFrame
        One row per incoming message; ``frame.attrs["skipped"]`` counts the rest.

    Raises
    ------
    InputError
        A body that is not a Chatwoot webhook, or a message named by id and field.
    SchemaError
        If ``created_at`` cannot be read as a time with a zone.
    """
    rows = Rows(
        "chatwoot webhook", _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=("duplicate",)
    )
    channels = channel_table(CHANNELS, channel_map, "chatwoot")
    doc = load_json(payload, "chatwoot webhook")
    for pos, body in enumerate(doc if isinstance(doc, list) else [doc]):
        if not _is_webhook(body):
            got = sorted(body)[:8] if isinstance(body, Mapping) else type(body).__name__
            raise InputError(
                f"chatwoot webhook: body {pos} is not a Chatwoot webhook (an object with "
                f"'event' and 'account'); got {got}"
            )
        message_id = integer_id(body.get("id"))
        label = f"message {message_id}" if message_id else f"body {pos}"
        kind = _skipped_kind(body)
        if kind is not None:
            rows.skip(kind, label)
            continue
        if body.get("message_type") not in ("incoming", _INCOMING):
            rows.problem(
                label,
                f"message_type {body.get('message_type')!r} is not incoming, outgoing, "
                "activity or template",
            )
            continue
        conversation = body.get("conversation")
        conversation = conversation if isinstance(conversation, Mapping) else {}
        person = _contact(body.get("sender"))
        created, content = body.get("created_at"), body.get("content")
        if not rows.check(
            label,
            (
                ("id", message_id is not None),
                ("sender.id", person[0] is not None),
                ("created_at", isinstance(created, str) and created),
                ("content", content is None or isinstance(content, str)),
            ),
        ):
            continue
        channel = _channel(
            rows, label, conversation.get("channel"), "conversation.channel", channels
        )
        if channel is None:
            continue
        rows.add(
            label,
            **_shared(person, channel, conversation),
            query_id=f"cw-msg-{message_id}",
            received_at=created,
            text=content or "",
            conversation_id=integer_id(conversation.get("display_id")),
        )
    return rows.frame(customers)


def from_payload(payload: Any, **options: Any) -> pd.DataFrame:
    """Conversations or webhook bodies, whichever ``payload`` holds (the registry's reader)."""
    doc = load_json(payload, "chatwoot payload")
    if _detect_webhooks(doc):
        return from_webhooks(doc, **options)
    return from_conversations(doc, **options)


register(
    FORMAT,
    "json",
    detect=detect,
    read=from_payload,
    expects="Chatwoot conversations ({'data': {'payload': [...]}} or conversation objects with "
    "meta.sender, inbox_id, messages) or webhook bodies ({'event': ..., 'account': ...})",
)
