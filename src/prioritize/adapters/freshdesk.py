"""Freshdesk tickets (API v2 JSON) -> queries.

``from_tickets(payload_or_path)`` reads a ticket, a list of tickets, the filter
API's ``{"results": [...]}`` or JSON Lines; integer ``source``, ``status`` and
``priority`` codes are mapped by the documented tables.

Reads ``GET /api/v2/tickets`` (a JSON array of tickets, ``?include=requester``
to embed the requester), ``GET /api/v2/tickets/[id]`` (one ticket), the filter
API's ``{"results": [...], "total": n}``, a list of such pages, or JSON Lines
of tickets. Freshdesk sends ``source``, ``status`` and ``priority`` as integer
codes; they are mapped with the tables of the API documentation.

Mapping (one query per ticket, in payload order):

====================  =========================================================
query column          from
====================  =========================================================
``query_id``          ``"fd-"`` + ticket ``id``
``customer_id``       ``"freshdesk:"`` + ``requester_id`` (or ``requester.id``)
``received_at``       ``created_at`` (ISO 8601, UTC)
``channel``           ``source`` through :data:`SOURCE_CHANNELS` (an unknown code is
                      an error naming the ticket; extend with ``channel_map``)
``is_public``         the channel's default (a Freshdesk ticket does not say)
``urgency``           ``priority`` through :data:`PRIORITY_URGENCY`
``text``              ``subject``, a blank line, ``description_text`` (or
                      ``description`` with its HTML removed)
``followers``         0 (a helpdesk does not know them; a ``customers`` lookup with
                      a ``followers`` column fills them)
extras                ``status`` (:data:`STATUS_NAMES`; a custom status keeps its
                      code as text), ``requester_email``, ``requester_phone``
                      (from the ``requester`` embed, else None)
====================  =========================================================

Skipped (counted in ``frame.attrs["skipped"]``, read as rows with ``keep=``):
``brand_reply`` (source 10, an e-mail the company sent first), ``spam`` and
``deleted`` tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize._internal.ids import integer_id
from prioritize.adapters._common import CustomersArg, load_json
from prioritize.adapters._records import (
    Rows,
    channel_table,
    holds_only,
    page_items,
    plain_text,
    text_of,
    text_or_none,
)
from prioritize.adapters._registry import register
from prioritize.models import Channel, public_by_default

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

#: The name of the format in the registry and on the command line.
FORMAT = "freshdesk"
#: Prefix of a ticket's ``query_id``.
QUERY_ID_PREFIX = "fd-"

#: ``source`` codes (API v2 documentation: 1 Email, 2 Portal, 3 Phone, 7 Chat,
#: 9 Feedback Widget, 10 Outbound Email; 4 Forum, 5 Twitter, 6 Facebook and
#: 8 MobiHelp in older accounts). 10 is not here: an outbound e-mail is skipped.
SOURCE_CHANNELS: Mapping[int, Channel] = {
    1: Channel.EMAIL,
    2: Channel.WEB_FORM,
    3: Channel.PHONE,
    4: Channel.FORUM,
    5: Channel.TWITTER,
    6: Channel.FACEBOOK,
    7: Channel.CHAT,
    8: Channel.OTHER,
    9: Channel.WEB_FORM,
}
_OUTBOUND_EMAIL = 10

#: ``priority`` codes -> urgency (1 Low, 2 Medium, 3 High, 4 Urgent), on Zendesk's scale.
PRIORITY_URGENCY: Mapping[int, float] = {1: 0.25, 2: 0.5, 3: 0.75, 4: 1.0}

#: ``status`` codes -> names (2 Open, 3 Pending, 4 Resolved, 5 Closed).
STATUS_NAMES: Mapping[int, str] = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}

#: What this reader skips: tickets that are not a customer's message.
SKIPPED_KINDS: tuple[str, ...] = ("brand_reply", "spam", "deleted")

_EXTRAS = ("status", "requester_email", "requester_phone")


def _tickets(doc: Any) -> list[Any]:
    return page_items(
        doc,
        what="freshdesk payload",
        key="results",
        is_item=lambda obj: "id" in obj,
        expected="a ticket, a list of tickets or the filter API's {'results': [...]}",
    )


def _is_ticket(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and "requester_id" in obj
        and all(isinstance(obj.get(k), int) for k in ("source", "status", "priority"))
    )


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document is Freshdesk tickets (integer source/status/priority)."""
    return holds_only(doc, _tickets, _is_ticket)


def _code(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read(rows: Rows, pos: int, ticket: Any, channels: Mapping[Any, Channel]) -> None:
    if not isinstance(ticket, Mapping):
        rows.problem(f"tickets[{pos}]", f"is a {type(ticket).__name__}, not a ticket")
        return
    ticket_id = integer_id(ticket.get("id"))
    label = f"ticket {ticket_id}" if ticket_id else f"tickets[{pos}]"
    source = _code(ticket.get("source"))
    kind = (
        "deleted"
        if ticket.get("deleted") is True
        else "spam"
        if ticket.get("spam") is True
        else "brand_reply"
        if source == _OUTBOUND_EMAIL
        else None
    )
    if kind is not None and rows.skip(kind, label):
        return
    requester = ticket.get("requester")
    requester = requester if isinstance(requester, Mapping) else {}
    requester_id = integer_id(ticket.get("requester_id", requester.get("id")))
    created = ticket.get("created_at")
    if not rows.check(
        label,
        (
            ("id", ticket_id is not None),
            ("created_at", isinstance(created, str) and created),
            ("requester_id", requester_id is not None),
        ),
    ):
        return
    before = len(rows.problems)
    channel = channels.get(source) if source is not None else None
    if channel is None and source == _OUTBOUND_EMAIL:
        channel = Channel.EMAIL  # read with keep={"brand_reply"}
    if channel is None:
        rows.problem(
            label,
            f"source {ticket.get('source')!r} is not a known source code (known: "
            f"freshdesk.SOURCE_CHANNELS); map it with channel_map={{{ticket.get('source')!r}: "
            "'<channel>'}",
        )
    priority = ticket.get("priority")
    code = _code(priority)
    urgency = PRIORITY_URGENCY.get(code) if code is not None else None
    if priority is not None and urgency is None:
        rows.problem(label, f"priority {priority!r} is not one of {sorted(PRIORITY_URGENCY)}")
    status = _code(ticket.get("status"))
    if ticket.get("status") is not None and status is None:
        rows.problem(label, f"status {ticket.get('status')!r} is not an integer status code")
    description = ticket.get("description_text")
    if description is None and isinstance(ticket.get("description"), str):
        description = plain_text(ticket["description"])
    text = text_of(ticket.get("subject"), description)
    if text is None:
        rows.problem(label, "subject and description_text must be text")
    if len(rows.problems) > before:
        return
    assert channel is not None and ticket_id is not None  # checked above
    email, phone = requester.get("email"), requester.get("phone") or requester.get("mobile")
    rows.add(
        label,
        query_id=QUERY_ID_PREFIX + ticket_id,
        customer_id=f"freshdesk:{requester_id}",
        received_at=created,
        channel=channel,
        is_public=public_by_default(channel),
        urgency=float("nan") if urgency is None else urgency,
        text=text,
        status=None if status is None else STATUS_NAMES.get(status, str(status)),
        requester_email=text_or_none(email),
        requester_phone=text_or_none(phone),
    )


def from_tickets(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[int, str | Channel] | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Freshdesk tickets as JSON (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        A ticket, a list of tickets (``GET /api/v2/tickets``), the filter API's
        ``{"results": [...]}``, a list of pages, or a path to a JSON / JSON
        Lines file of any of these.
    customers
        CRM lookup by ``customer_id`` (``"freshdesk:<requester_id>"``); see
        :func:`~prioritize.adapters.join_customers`.
    channel_map
        Extra or overriding ``source`` code -> channel entries (e.g. an
        account's custom sources).
    keep
        Skipped kinds (:data:`SKIPPED_KINDS`) to read as queries instead.

    Returns
    -------
    pandas.DataFrame
        One row per customer ticket (see the module docstring); passes
        ``validate_frame``; ``frame.attrs["skipped"]`` counts what was skipped.

    Raises
    ------
    InputError
        Listing each ticket and field that is missing or not understood, e.g.
        ``ticket 12: source 42 is not a known source code``.
    SchemaError
        If ``created_at`` has no time zone, or ids repeat.
    """
    what = "freshdesk payload"
    rows = Rows(what, _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=SKIPPED_KINDS)
    channels = channel_table(SOURCE_CHANNELS, channel_map, "freshdesk")
    for pos, ticket in enumerate(_tickets(load_json(payload, "freshdesk payload"))):
        _read(rows, pos, ticket, channels)
    return rows.frame(customers)


register(
    FORMAT,
    "json",
    detect=detect,
    read=from_tickets,
    expects="Freshdesk API v2 tickets: objects with id, requester_id and integer source, "
    "status and priority (a list, one ticket, or the filter API's {'results': [...]})",
)
