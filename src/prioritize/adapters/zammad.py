"""Zammad tickets (REST API JSON) -> queries.

``from_tickets(payload_or_path)`` reads a list of tickets (best with
``expand=true``), one ticket, or a search result with assets; tickets agents
or the system opened, merged and removed tickets are skipped and counted.

Reads ``GET /api/v1/tickets`` and ``GET /api/v1/tickets/search`` (a JSON array
of tickets; with ``expand=true`` each ticket also names its ``state``,
``priority``, ``customer``, ``create_article_type`` and
``create_article_sender``), one ticket, the search's asset form
(``{"tickets": [ids], "assets": {"Ticket": {...}, "User": {...}}}``), or JSON
Lines. A ticket has ``id``, ``number``, ``title``, ``customer_id``,
``created_at`` (ISO 8601, UTC), ``priority_id``, ``state_id``,
``create_article_type_id`` and ``create_article_sender_id``.

The ids of types, senders, priorities and states are those a Zammad system
is installed with (:data:`ARTICLE_TYPES`, :data:`SENDERS`, ...); the names
of an expanded ticket win over them, so a system with its own ids is read
with ``expand=true``.

Mapping (one query per ticket a customer raised, in payload order):

=================  ============================================================
query column       from
=================  ============================================================
``query_id``       ``"zm-"`` + ``id``
``customer_id``    ``"zammad:"`` + ``customer_id``
``received_at``    ``created_at``
``channel``        ``create_article_type`` through :data:`TYPE_CHANNELS` (an
                   unknown type is an error naming the ticket; ``channel_map``)
``is_public``      True for a Twitter status or a Facebook post or comment,
                   else the channel's default
``urgency``        ``priority`` (``1 low`` 0.25, ``2 normal`` 0.5, ``3 high`` 0.75)
``text``           ``title`` (a ticket's articles are a separate endpoint)
``followers``      0
extras             ``number``, ``status`` (the state's name),
                   ``requester_email`` (the expanded ``customer`` or the
                   asset's user e-mail, else None)
=================  ============================================================

Skipped (counted in ``frame.attrs["skipped"]``): ``brand_reply``, a ticket an
agent opened other than by phone (an outbound e-mail or message: agents log
inbound calls as phone tickets, which are read); ``not_a_message``, a ticket
the system opened; ``deleted``, state ``removed``; ``duplicate``, state
``merged`` (its messages live on in the ticket it was merged into).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.ids import integer_id
from prioritize.adapters._common import CustomersArg, load_json
from prioritize.adapters._records import (
    Rows,
    channel_table,
    holds_only,
    id_or_none,
    text_of,
    text_or_none,
)
from prioritize.adapters._registry import register
from prioritize.models import Channel, public_by_default

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

#: The name of the format in the registry and on the command line.
FORMAT = "zammad"
#: Prefix of a ticket's ``query_id``.
QUERY_ID_PREFIX = "zm-"
#: Article type ids of a new Zammad system -> names.
ARTICLE_TYPES: Mapping[int, str] = {
    1: "email",
    2: "sms",
    3: "chat",
    4: "fax",
    5: "phone",
    6: "twitter status",
    7: "twitter direct-message",
    8: "facebook feed post",
    9: "facebook feed comment",
    10: "note",
    11: "web",
    12: "telegram personal-message",
}
#: Article sender ids -> names.
SENDERS: Mapping[int, str] = {1: "Agent", 2: "Customer", 3: "System"}
#: Priority ids -> names.
PRIORITIES: Mapping[int, str] = {1: "1 low", 2: "2 normal", 3: "3 high"}
#: State ids -> names.
STATES: Mapping[int, str] = {
    1: "new",
    2: "open",
    3: "pending reminder",
    4: "closed",
    5: "merged",
    6: "removed",
    7: "pending close",
}
#: Article type names -> (channel, is_public or None for the channel's default).
TYPE_CHANNELS: Mapping[str, tuple[Channel, bool | None]] = {
    "email": (Channel.EMAIL, None),
    "sms": (Channel.SMS, None),
    "chat": (Channel.CHAT, None),
    "fax": (Channel.OTHER, False),
    "phone": (Channel.PHONE, None),
    "twitter status": (Channel.TWITTER, True),
    "twitter direct-message": (Channel.TWITTER, False),
    "facebook feed post": (Channel.FACEBOOK, True),
    "facebook feed comment": (Channel.FACEBOOK, True),
    "note": (Channel.OTHER, False),
    "web": (Channel.WEB_FORM, None),
    "telegram personal-message": (Channel.CHAT, None),
    "whatsapp message": (Channel.WHATSAPP, None),
}
#: Priority names -> urgency.
PRIORITY_URGENCY: Mapping[str, float] = {"1 low": 0.25, "2 normal": 0.5, "3 high": 0.75}
#: What this reader skips.
SKIPPED_KINDS: tuple[str, ...] = ("brand_reply", "not_a_message", "deleted", "duplicate")

_EXTRAS = ("number", "status", "requester_email")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _tickets(doc: Any) -> tuple[list[Any], Mapping[str, Any]]:
    if isinstance(doc, list):
        out: list[Any] = []
        users: dict[str, Any] = {}
        for item in doc:
            if isinstance(item, list) or (isinstance(item, Mapping) and "assets" in item):
                found, more = _tickets(item)
                out.extend(found)
                users.update(more)
            else:
                out.append(item)
        return out, users
    if isinstance(doc, Mapping):
        assets = doc.get("assets")
        if isinstance(assets, Mapping) and isinstance(doc.get("tickets"), list):
            by_id = assets.get("Ticket") or {}
            users = assets.get("User") or {}
            if not isinstance(by_id, Mapping) or not isinstance(users, Mapping):
                raise InputError("zammad payload: assets.Ticket and assets.User must be objects")
            listed = [by_id.get(str(i), {"id": i, "_missing": True}) for i in doc["tickets"]]
            return listed, users
        if "id" in doc:
            return [doc], {}
        raise InputError(
            "zammad payload: expected a list of tickets, a ticket, or a search result with "
            f"'tickets' and 'assets'; got an object with keys {sorted(doc)[:10]}"
        )
    raise InputError(f"zammad payload: expected JSON tickets; got {type(doc).__name__}")


def _is_ticket(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and "customer_id" in obj
        and "number" in obj
        and ("state_id" in obj or "state" in obj)
        and ("group_id" in obj or "group" in obj)
    )


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document is Zammad tickets (``number``, ``customer_id``, state)."""
    return holds_only(doc, lambda d: _tickets(d)[0], _is_ticket)


def _name(ticket: Mapping[str, Any], field: str, table: Mapping[int, str]) -> Any:
    name = ticket.get(field)
    if isinstance(name, str) and name:
        return name.strip().lower() if field != "create_article_sender" else name.strip()
    code = ticket.get(f"{field}_id")
    return table.get(code) if isinstance(code, int) and not isinstance(code, bool) else None


def _read(
    rows: Rows,
    pos: int,
    ticket: Any,
    users: Mapping[str, Any],
    channels: Mapping[Any, tuple[Channel, bool | None]],
) -> None:
    if not isinstance(ticket, Mapping):
        rows.problem(f"tickets[{pos}]", f"is a {type(ticket).__name__}, not a ticket")
        return
    ticket_id = integer_id(ticket.get("id"))
    label = f"ticket {ticket_id}" if ticket_id else f"tickets[{pos}]"
    if ticket.get("_missing"):
        rows.problem(label, "is listed in 'tickets' but not in assets.Ticket")
        return
    state = _name(ticket, "state", STATES)
    sender = _name(ticket, "create_article_sender", SENDERS)
    kind = _name(ticket, "create_article_type", ARTICLE_TYPES)
    skipped = (
        "deleted"
        if state == "removed"
        else "duplicate"
        if state == "merged"
        else "not_a_message"
        if sender == "System"
        else "brand_reply"
        if sender == "Agent" and kind != "phone"
        else None
    )
    if skipped is not None and rows.skip(skipped, label):
        return
    customer = integer_id(ticket.get("customer_id"))
    created = ticket.get("created_at")
    priority = _name(ticket, "priority", PRIORITIES)
    text = text_of(ticket.get("title"))
    hit = channels.get(kind) if isinstance(kind, str) else None
    more: list[str] = []
    if hit is None:
        shown = ticket.get("create_article_type", ticket.get("create_article_type_id"))
        more.append(
            f"create_article_type {shown!r} (not a known article type: zammad.TYPE_CHANNELS; "
            f"map it with channel_map={{{kind or shown!r}: '<channel>'}})"
        )
    if not rows.check(
        label,
        (
            ("id", ticket_id is not None),
            ("customer_id", customer is not None),
            ("created_at", isinstance(created, str) and created),
            ("title (text)", text is not None),
            ("priority", priority is None or priority in PRIORITY_URGENCY),
            ("create_article_sender", sender in (None, "Agent", "Customer", "System")),
        ),
        *more,
    ):
        return
    assert hit is not None  # checked above
    channel, public = hit
    email = ticket.get("customer")
    if not (isinstance(email, str) and _EMAIL.fullmatch(email)):  # not a login like "@ann"
        user = users.get(str(customer))
        email = user.get("email") if isinstance(user, Mapping) else None
    number = ticket.get("number")
    rows.add(
        label,
        query_id=f"{QUERY_ID_PREFIX}{ticket_id}",
        customer_id=f"zammad:{customer}",
        received_at=created,
        channel=channel,
        is_public=public_by_default(channel) if public is None else public,
        urgency=PRIORITY_URGENCY.get(priority, float("nan")) if priority else float("nan"),
        text=text,
        number=id_or_none(number),
        status=state,
        requester_email=text_or_none(email),
    )


def from_tickets(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str, str | Channel] | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Zammad tickets as JSON (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        A list of tickets (``expand=true`` or not), one ticket, a search
        result with ``assets``, or a path to a JSON / JSON Lines file of them.
    customers
        CRM lookup by ``customer_id`` (``"zammad:<customer_id>"``).
    channel_map
        Extra or overriding article type name -> channel entries (the channel's
        default decides ``is_public``).
    keep
        Skipped kinds (:data:`SKIPPED_KINDS`) to read as queries instead.

    Returns
    -------
    pandas.DataFrame
        One row per ticket a customer raised (see the module docstring).

    Raises
    ------
    InputError
        Naming each ticket and field that is missing or not understood.
    """
    rows = Rows("zammad payload", _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=SKIPPED_KINDS)
    channels: dict[Any, tuple[Channel, bool | None]] = dict(TYPE_CHANNELS)
    for key, channel in channel_table({}, channel_map, "zammad").items():
        channels[key] = (channel, None)
    tickets, users = _tickets(load_json(payload, "zammad payload"))
    for pos, ticket in enumerate(tickets):
        _read(rows, pos, ticket, users, channels)
    return rows.frame(customers)


register(
    FORMAT,
    "json",
    detect=detect,
    read=from_tickets,
    expects="Zammad tickets: objects with id, number, customer_id, state_id (or state) and "
    "group_id (a list, one ticket, or a search result with assets)",
)
