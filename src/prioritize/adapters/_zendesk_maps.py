"""Zendesk vocabularies: via channels, priorities and CSV columns, and their overrides."""

from __future__ import annotations

import re
from collections.abc import Mapping

from prioritize._errors import InputError
from prioritize.models import Channel

__all__ = [
    "CSV_COLUMNS",
    "NO_PRIORITY",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "REL_PUBLIC",
    "VIA_CHANNELS",
    "channel_table",
    "priority_table",
    "via_token",
]

#: Prefix of a ticket's ``query_id``.
QUERY_ID_PREFIX = "zd-"

#: Ticket priority -> urgency. No priority (null, "" or "-") -> NaN: derived from text.
PRIORITY_URGENCY: Mapping[str, float] = {"urgent": 1.0, "high": 0.75, "normal": 0.5, "low": 0.25}

_E, _W, _P, _C = Channel.EMAIL, Channel.WEB_FORM, Channel.PHONE, Channel.CHAT
_O = Channel.OTHER

#: ``via.channel`` (API via types) and ``Via`` (CSV display names), lower-cased with
#: runs of other characters as ``_``, -> (channel, is_public or None for the
#: channel's default). Machine-made tickets (``api``, ``rule``, follow-ups) are ``other``.
VIA_CHANNELS: Mapping[str, tuple[Channel, bool | None]] = {
    # e-mail
    "email": (_E, None),
    "mail": (_E, None),
    # web: help-center request form, widget, feedback tab
    "web": (_W, None),
    "web_form": (_W, None),
    "web_widget": (_W, None),
    "help_center": (_W, None),
    "helpcenter": (_W, None),
    "feedback_tab": (_W, None),
    # phone
    "voice": (_P, None),
    "phone_call_incoming": (_P, None),
    "phone_call_inbound": (_P, None),
    "phone_call_outgoing": (_P, None),
    "phone_call_outbound": (_P, None),
    "voicemail": (_P, None),
    "api_voicemail": (_P, None),
    "api_phone_call_inbound": (_P, None),
    # chat and messaging
    "chat": (_C, None),
    "chat_transcript": (_C, None),
    "chat_offline_message": (_C, None),
    "native_messaging": (_C, None),
    "messaging": (_C, None),
    "sms": (Channel.SMS, None),
    "text": (Channel.SMS, None),
    "whatsapp": (Channel.WHATSAPP, None),
    # social
    "twitter": (Channel.TWITTER, None),
    "twitter_dm": (Channel.TWITTER, False),
    "twitter_favorite": (Channel.TWITTER, True),
    "facebook": (Channel.FACEBOOK, None),
    "facebook_post": (Channel.FACEBOOK, True),
    "facebook_message": (Channel.FACEBOOK, False),
    "facebook_private_message": (Channel.FACEBOOK, False),
    "instagram_dm": (Channel.INSTAGRAM, False),
    "instagram_direct": (Channel.INSTAGRAM, False),
    "forum": (Channel.FORUM, True),
    "topic": (Channel.FORUM, True),
    # made by machines or agents
    "api": (_O, None),
    "web_service": (_O, None),
    "mobile": (_O, None),
    "mobile_sdk": (_O, None),
    "any_channel": (_O, None),
    "rule": (_O, None),
    "system": (_O, None),
    "closed_ticket": (_O, None),
    "sample_ticket": (_O, None),
    "ticket_sharing": (_O, None),
    "side_conversation": (_O, None),
}

#: ``via.source.rel`` -> is_public (a post or mention is public; a message is not).
REL_PUBLIC: Mapping[str, bool] = {
    "post": True,
    "mention": True,
    "direct_message": False,
    "message": False,
}
#: Priority cells that mean "no priority" (the CSV export writes "-").
NO_PRIORITY = frozenset({"", "-"})
_TOKEN = re.compile(r"[^a-z0-9]+")

#: CSV columns read by :func:`from_csv` (one of the two requester columns is required).
CSV_COLUMNS: Mapping[str, str] = {
    "Id": "ticket id (required)",
    "Created at": "creation time (required)",
    "Via": "channel (required)",
    "Requester id": "requester (this or 'Requester email' required)",
    "Requester email": "requester e-mail",
    "Requester phone": "requester phone",
    "Priority": "Urgent / High / Normal / Low / empty",
    "Subject": "text",
    "Description": "text",
    "Status": "ticket status",
}


def via_token(value: str) -> str:
    """``"Phone call (incoming)"`` -> ``"phone_call_incoming"``: the key of :data:`VIA_CHANNELS`."""
    return _TOKEN.sub("_", value.strip().lower()).strip("_")


def channel_table(
    channel_map: Mapping[str | int, str | Channel] | None,
) -> dict[str | int, tuple[Channel, bool | None]]:
    """:data:`VIA_CHANNELS` with the user's ``channel_map`` entries added or overriding."""
    table: dict[str | int, tuple[Channel, bool | None]] = {k: v for k, v in VIA_CHANNELS.items()}
    for key, value in (channel_map or {}).items():
        try:
            channel = Channel(value)
        except ValueError:
            raise InputError(
                f"channel_map[{key!r}] = {value!r} is not a channel; expected one of "
                f"{[c.value for c in Channel]}"
            ) from None
        table[via_token(key) if isinstance(key, str) else key] = (channel, None)
    return table


def priority_table(priority_urgency: Mapping[str, float] | None) -> dict[str, float]:
    """:data:`PRIORITY_URGENCY` with the user's entries added or overriding."""
    table = dict(PRIORITY_URGENCY)
    for key, value in (priority_urgency or {}).items():
        if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            raise InputError(f"priority_urgency[{key!r}] = {value!r}; expected a number in [0, 1]")
        table[key.strip().lower()] = float(value)
    return table
