"""Zendesk-style helpdesk ticket exports -> queries.

``from_tickets(payload_or_path)`` reads the JSON flavour (API, incremental or
full export); ``from_csv(path, tz=...)`` reads a view exported as CSV.

Two flavours of the same data:

* JSON (:func:`from_tickets`): the Support API (``{"tickets": [...], "users":
  [...]}`` from ``/api/v2/tickets.json?include=users`` or the incremental
  export; several pages as a list or JSON Lines), one ticket (``{"ticket":
  {...}}``, e.g. a webhook, or a bare ticket object), the full JSON export
  (JSON Lines, one ticket per line, even a single line), or an ETL
  connector's records (``{"stream": "tickets", "data": {...}}``).

  Deleted tickets (status ``deleted``, as the incremental export lists them)
  and a ticket id read a second time (overlapping pages) are skipped and
  counted in ``frame.attrs["skipped"]`` (``keep=`` reads them instead).
* CSV (:func:`from_csv`): a view exported as CSV, with columns such as
  ``Id``, ``Requester id``, ``Requester email``, ``Created at``, ``Via``,
  ``Priority``, ``Subject``, ``Status``. Its times are local times of the
  account, so a ``tz`` is required unless they carry an offset.

Mapping (one query per ticket, in export order):

====================  =========================================================
query column          from
====================  =========================================================
``query_id``          ``"zd-"`` + ticket ``id``
``customer_id``       ``"zendesk:"`` + ``requester_id`` (an identity key); a CSV
                      without ``Requester id`` uses ``"email:"`` + ``Requester email``
``received_at``       ``created_at`` in UTC
``channel``           ``via.channel`` through :data:`VIA_CHANNELS` (unknown values
                      are an error naming the ticket; extend with ``channel_map``)
``is_public``         ``via.source.rel`` (``post``/``mention`` True,
                      ``direct_message``/``message`` False), else the channel's default
``urgency``           ``priority`` through :data:`PRIORITY_URGENCY`; no priority
                      -> NaN, derived from the text when scored
``text``              ``subject``, a blank line, ``description`` (missing parts
                      are left out)
``followers``         0 (a helpdesk does not know them; a ``customers`` lookup
                      with a ``followers`` column fills them)
CRM columns           defaults unless ``customers`` (see
                      :func:`~prioritize.adapters.join_customers`)
extras                ``status`` (lower-case); ``requester_email`` and ``requester_phone``
                      (raw, from the ``users`` side-load or CSV; missing -> None)
                      so an :class:`~prioritize.identity.IdentityGraph` can link them
====================  =========================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.files import check_unique_columns, column_names, read_table
from prioritize._internal.ids import integer_id
from prioritize._internal.times import Ambiguous, Nonexistent
from prioritize.adapters._common import (
    CustomersArg,
    Skips,
    build_frame,
    etl_record,
    fail,
    join_customers,
    load_json,
    parse_utc,
)
from prioritize.adapters._records import text_or_none
from prioritize.adapters._registry import register
from prioritize.adapters._zendesk_maps import (
    CSV_COLUMNS,
    NO_PRIORITY,
    PRIORITY_URGENCY,
    QUERY_ID_PREFIX,
    REL_PUBLIC,
    VIA_CHANNELS,
    channel_table,
    priority_table,
    via_token,
)
from prioritize.identity import normalise_key
from prioritize.models import Channel, public_by_default

#: The kinds of record the Zendesk readers skip (see ``prioritize.adapters.SKIP_KINDS``).
SKIPPED = frozenset({"deleted", "duplicate", "not_a_message"})

#: Stream names of ETL records (``{"stream": ..., "data": {...}}``) that hold tickets.
ETL_STREAMS = frozenset({"tickets", "ticket"})

__all__ = [
    "CSV_COLUMNS",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "VIA_CHANNELS",
    "from_csv",
    "from_tickets",
]


@dataclass
class _Rows:
    """Columns being built, one ticket at a time, and the problems found."""

    channels: dict[str | int, tuple[Channel, bool | None]]
    priorities: dict[str, float]
    skips: Skips
    seen: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    first_bad: int | None = None  # tickets read before the first bad one
    labels: list[str] = field(default_factory=list)
    cols: dict[str, list[Any]] = field(default_factory=dict)

    def problem(self, text: str) -> None:
        """Record a problem with the ticket being read."""
        if self.first_bad is None:
            self.first_bad = len(self.labels)
        self.problems.append(text)

    def skipped(self, label: str, ticket_id: str | None, status: Any) -> bool:
        """Whether to skip this ticket: deleted, or an id already read (counted in ``skips``)."""
        deleted = isinstance(status, str) and status.strip().lower() == "deleted"
        if deleted and self.skips.skip("deleted", label):
            return True
        if ticket_id is not None:
            if ticket_id in self.seen and self.skips.skip("duplicate", label):
                return True
            self.seen.add(ticket_id)
        return False

    def add(
        self,
        label: str,
        *,
        ticket_id: str,
        created_at: Any,
        via: Any,
        via_field: str,
        rel: Any,
        customer_id: str,
        priority: Any,
        subject: Any,
        description: Any,
        status: Any,
        email: Any,
        phone: Any,
    ) -> None:
        before = len(self.problems)
        channel, public = self._channel(label, via, via_field, rel)
        urgency = self._urgency(label, priority)
        parts = []
        for name, value in (("subject", subject), ("description", description)):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if not isinstance(value, str):
                self.problem(f"{label}: {name} must be text; got {value!r}")
            elif value.strip():
                parts.append(value.strip())
        if len(self.problems) > before:
            return
        row = {
            "query_id": QUERY_ID_PREFIX + ticket_id,
            "customer_id": customer_id,
            "received_at": created_at,
            "channel": channel.value,
            "is_public": public,
            "urgency": urgency,
            "text": "\n\n".join(parts),
            "status": status.strip().lower() if isinstance(status, str) and status else None,
            "requester_email": text_or_none(email),
            "requester_phone": text_or_none(phone),
        }
        self.labels.append(label)
        for key, value in row.items():
            self.cols.setdefault(key, []).append(value)

    def _channel(self, label: str, via: Any, via_field: str, rel: Any) -> tuple[Channel, bool]:
        key: str | int | None = None
        if isinstance(via, str):
            key = via_token(via)
        elif isinstance(via, int) and not isinstance(via, bool):
            key = via
        hit = self.channels.get(key) if key is not None else None
        if hit is None:
            hint = " (a numeric via id: map it with channel_map)" if isinstance(key, int) else ""
            self.problem(
                f"{label}: {via_field} {via!r} is not a known channel{hint} (known: "
                f"zendesk.VIA_CHANNELS); map it with channel_map={{{via!r}: '<channel>'}}"
            )
            return Channel.OTHER, False
        channel, public = hit
        if isinstance(rel, str) and rel in REL_PUBLIC:
            public = REL_PUBLIC[rel]
        return channel, public_by_default(channel) if public is None else public

    def _urgency(self, label: str, priority: Any) -> float:
        if priority is None or (isinstance(priority, float) and math.isnan(priority)):
            return math.nan
        if isinstance(priority, str):
            key = priority.strip().lower()
            if key in NO_PRIORITY:
                return math.nan
            if key in self.priorities:
                return self.priorities[key]
        self.problem(
            f"{label}: priority {priority!r} is not one of {sorted(self.priorities)} "
            f"(or empty); map it with priority_urgency"
        )
        return math.nan

    def frame(
        self,
        what: str,
        customers: CustomersArg | None,
        *,
        tz: str | None = None,
        date_format: str | None = None,
        ambiguous: Ambiguous = "raise",
        nonexistent: Nonexistent = "raise",
    ) -> pd.DataFrame:
        def received(upto: int | None) -> pd.DatetimeIndex:
            return parse_utc(
                self.cols.get("received_at", [])[:upto],
                labels=self.labels[:upto],
                field=f"{what}: created_at",
                tz=tz,
                date_format=date_format,
                ambiguous=ambiguous,
                nonexistent=nonexistent,
            )

        if self.problems:
            received(self.first_bad)  # an earlier ticket's bad time is the first bad record
        fail(self.problems, what)
        n = len(self.labels)
        cols = {k: self.cols.get(k, []) for k in ("query_id", "customer_id", "channel")}
        extras = ("status", "requester_email", "requester_phone")
        frame = build_frame(
            {
                **cols,
                "received_at": received(None),
                "followers": [0] * n,
                "urgency": self.cols.get("urgency", []),
                "text": self.cols.get("text", []),
                "is_public": self.cols.get("is_public", []),
                **{k: pd.Series(self.cols.get(k, []), dtype=object) for k in extras},
            },
            n,
        )
        if customers is not None:
            frame = join_customers(frame, customers)
        return frame


def _email_key(email: Any) -> str | None:
    if not isinstance(email, str) or not email.strip():
        return None
    try:
        return normalise_key(f"email:{email}")
    except InputError:
        return None


def _add_users(listed: Any, users: dict[str, Mapping[str, Any]]) -> None:
    if not isinstance(listed, list):
        raise InputError(
            f"zendesk payload: 'users' must be a list of user objects; got {listed!r:.80}"
        )
    for user in listed:
        uid = integer_id(user.get("id")) if isinstance(user, Mapping) else None
        if uid is None:
            raise InputError(f"zendesk payload: users has an entry without an id: {user!r}")
        users.setdefault(uid, user)


def _is_page_doc(doc: Mapping[str, Any]) -> bool:
    return "tickets" in doc or isinstance(doc.get("ticket"), Mapping)


def _tickets(doc: Any, skips: Skips) -> tuple[list[Any], dict[str, Mapping[str, Any]]]:
    """Every ticket of a document, in order, with the side-loaded users of all its pages.

    A document is a page (``{"tickets": [...], "users": [...]}``), one ticket
    (``{"ticket": {...}}`` or a bare ticket object), an ETL record, or a list
    (JSON Lines) of any of these, mixed.
    """
    if isinstance(doc, Mapping) and not (
        _is_page_doc(doc) or "id" in doc or etl_record(doc) is not None
    ):
        raise InputError(
            f"zendesk payload: expected {{'tickets': [...]}}, {{'ticket': {{...}}}}, a ticket "
            f"object, ETL records {{'stream': 'tickets', 'data': {{...}}}} or a list of these; "
            f"got keys {sorted(doc)}"
        )
    if not isinstance(doc, Mapping | list):
        raise InputError(
            f"zendesk payload: expected a JSON object or list; got {type(doc).__name__}"
        )
    tickets: list[Any] = []
    users: dict[str, Mapping[str, Any]] = {}
    for pos, item in enumerate(doc if isinstance(doc, list) else [doc]):
        record = etl_record(item)
        if record is not None:
            stream, data = record
            if stream in ETL_STREAMS:
                tickets.append(data)
            elif stream == "users":
                _add_users([data], users)
            else:
                skips.skip("not_a_message", f"line {pos + 1}: a {stream!r} record")
            continue
        if isinstance(item, Mapping) and _is_page_doc(item):
            _add_users(item.get("users") or [], users)
            page = item.get("tickets")
            if page is None and "ticket" in item:
                page = [item["ticket"]]
            if not isinstance(page, list):  # {"tickets": null}: not a page of no tickets
                raise InputError(f"zendesk payload: page {pos}: 'tickets' must be a list")
            tickets.extend(page)
        else:
            tickets.append(item)
    return tickets, users


def from_tickets(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str | int, str | Channel] | None = None,
    priority_urgency: Mapping[str, float] | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Zendesk tickets as JSON (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        ``{"tickets": [...], "users": [...]}`` (a page), ``{"ticket": {...}}``,
        a ticket object, an ETL record (``{"stream": "tickets", "data":
        {...}}``, or Airbyte's ``{"type": "RECORD", "record": {...}}``; a
        ``users`` stream's records are the side-load), a list of any of these
        (several pages, JSON Lines), or a path to a JSON / JSON Lines file.
    customers
        CRM lookup by ``customer_id`` (``"zendesk:<requester_id>"``); see
        :func:`~prioritize.adapters.join_customers`.
    channel_map
        Extra or overriding ``via.channel`` -> channel entries (string via
        types or numeric via ids).
    priority_urgency
        Extra or overriding priority -> urgency entries.
    keep
        Kinds of record to read as queries instead of skipping them: ``"deleted"``
        (status ``deleted``), ``"duplicate"`` (an id already read, e.g. on
        overlapping pages: kept, the ids then repeat and that is an error),
        ``"not_a_message"`` (cannot be kept: an ETL record of another stream
        such as ``ticket_metrics``). See :data:`~prioritize.adapters.SKIP_KINDS`.

    Returns
    -------
    pandas.DataFrame
        One row per ticket read (see the module docstring); passes
        ``validate_frame``; ``attrs["skipped"]`` counts the tickets skipped by
        kind (a :class:`~prioritize.SkippedRecordsWarning` names them).

    Raises
    ------
    InputError
        Listing each ticket and field that is missing or not understood, e.g.
        ``ticket 35436: via.channel 'pigeon' is not a known channel``.
    SchemaError
        If ``created_at`` is missing or has no time zone, or ids repeat.
    """
    skips = Skips("zendesk payload", kinds=SKIPPED, keep=keep, counted_only={"not_a_message"})
    tickets, users = _tickets(load_json(payload, "zendesk payload"), skips)
    rows = _Rows(channel_table(channel_map), priority_table(priority_urgency), skips)
    for pos, ticket in enumerate(tickets):
        if not isinstance(ticket, Mapping):
            rows.problem(f"tickets[{pos}] is a {type(ticket).__name__}, not a ticket")
            continue
        ticket_id = integer_id(ticket.get("id"))
        label = f"ticket {ticket_id}" if ticket_id else f"tickets[{pos}]"
        if rows.skipped(label, ticket_id, ticket.get("status")):
            continue
        requester = integer_id(ticket.get("requester_id"))
        via = ticket.get("via")
        created = ticket.get("created_at")
        missing = [
            name
            for name, ok in (
                ("id", ticket_id is not None),
                ("created_at", isinstance(created, str) and created),
                ("requester_id", requester is not None),
                ("via.channel", isinstance(via, Mapping) and via.get("channel") is not None),
            )
            if not ok
        ]
        if missing:
            rows.problem(f"{label}: missing or malformed {', '.join(missing)}")
            continue
        assert isinstance(via, Mapping) and ticket_id is not None  # checked just above
        source = via.get("source")
        user = users.get(str(requester), {})
        rows.add(
            label,
            ticket_id=ticket_id,
            created_at=created,
            via=via.get("channel"),
            via_field="via.channel",
            rel=source.get("rel") if isinstance(source, Mapping) else None,
            customer_id=f"zendesk:{requester}",
            priority=ticket.get("priority"),
            subject=ticket.get("subject"),
            description=ticket.get("description"),
            status=ticket.get("status"),
            email=user.get("email"),
            phone=user.get("phone"),
        )
    return skips.finish(rows.frame("zendesk payload", customers))


def from_csv(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    tz: str | None = None,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str | int, str | Channel] | None = None,
    priority_urgency: Mapping[str, float] | None = None,
    date_format: str | None = None,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A Zendesk CSV ticket export (a path, or the frame read from it) -> a canonical frame.

    Parameters
    ----------
    source
        The CSV file (see :data:`CSV_COLUMNS`), or a DataFrame with its columns.
    tz
        The account's time zone (e.g. ``"Europe/Berlin"``): CSV times are local
        and carry no offset. Required unless every ``Created at`` has an offset.
    customers, channel_map, priority_urgency
        As in :func:`from_tickets`; ``Via`` display names (``"Web Form"``,
        ``"Phone call (incoming)"``) are matched case-insensitively.
    date_format
        A :func:`pandas.to_datetime` format for ``Created at``; by default the
        vendor forms of :func:`~prioritize.adapters.read_queries` (ISO 8601,
        trailing ``UTC``, RFC 2822, epoch seconds or milliseconds).
    ambiguous, nonexistent
        How to read local times on a daylight-saving change, as in
        :func:`~prioritize.adapters.read_queries` (default: an error naming the rows).
    keep
        Skip kinds to read as queries instead (``{"deleted"}``, ``{"duplicate"}``:
        see :func:`from_tickets`).

    Raises
    ------
    SchemaError
        If a required column is missing, or a time has no zone and no ``tz``.
    InputError
        Naming each row (by ticket id) whose ``Via`` or ``Priority`` is not understood.
    """
    what = "zendesk csv" if isinstance(source, pd.DataFrame) else f"zendesk csv {source}"
    skips = Skips(what, kinds=SKIPPED, keep=keep, counted_only={"not_a_message"})
    if isinstance(source, pd.DataFrame):
        table = source.astype(object).where(source.notna(), "")
    else:
        table = read_table(Path(source), "zendesk csv", dtype=str, keep_default_na=False)
    table.columns = [str(c).strip() for c in table.columns]
    check_unique_columns(table.columns, what)
    required = ["Id", "Created at", "Via"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing column(s) {missing}; it has {column_names(table.columns)}"
        )
    by_id = "Requester id" in table.columns
    if not by_id and "Requester email" not in table.columns:
        raise SchemaError(
            f"{what}: needs a 'Requester id' or 'Requester email' column to identify the "
            "customer ('Requester' holds names, which do not identify a person); it has "
            f"{column_names(table.columns)}"
        )
    rows = _Rows(channel_table(channel_map), priority_table(priority_urgency), skips)

    def col(name: str) -> list[Any]:
        return table[name].tolist() if name in table.columns else [None] * len(table)

    records = zip(
        col("Id"),
        col("Created at"),
        col("Via"),
        col("Requester id"),
        col("Requester email"),
        col("Requester phone"),
        col("Priority"),
        col("Subject"),
        col("Description"),
        col("Status"),
        strict=True,
    )
    for pos, (tid, created, via, rid, email, phone, prio, subject, desc, status) in enumerate(
        records
    ):
        ticket_id = integer_id(tid)
        label = f"ticket {ticket_id}" if ticket_id else f"row {pos + 2}"  # + header, 1-based
        if rows.skipped(label, ticket_id, status):
            continue
        requester = integer_id(rid) if by_id else _email_key(email)
        problems = [
            name
            for name, ok in (
                ("Id", ticket_id is not None),
                ("Created at", bool(created)),
                ("Requester id" if by_id else "Requester email", bool(requester)),
                ("Via", bool(via)),
            )
            if not ok
        ]
        if problems:
            rows.problem(f"{label}: missing or malformed {', '.join(problems)}")
            continue
        assert ticket_id is not None  # checked just above
        rows.add(
            label,
            ticket_id=ticket_id,
            created_at=created,
            via=via,
            via_field="Via",
            rel=None,
            customer_id=f"zendesk:{requester}" if by_id else str(requester),
            priority=prio,
            subject=subject,
            description=desc,
            status=status,
            email=email,
            phone=phone,
        )
    frame = rows.frame(
        what,
        customers,
        tz=tz,
        date_format=date_format,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
    )
    return skips.finish(frame)


def _is_ticket(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "id" in obj and "via" in obj and "requester_id" in obj


def _holds_tickets(doc: Any) -> bool | None:
    """True: tickets; False: another ETL stream (users...); None: not Zendesk."""
    if not isinstance(doc, Mapping):
        return None
    record = etl_record(doc)
    if record is not None:
        return record[0] in ETL_STREAMS and _is_ticket(record[1])
    if _is_ticket(doc) or isinstance(doc.get("ticket"), Mapping):
        return True
    tickets = doc.get("tickets")
    if isinstance(tickets, list) and all(_is_ticket(t) for t in tickets):
        return True
    return None


def detect_tickets(doc: Any) -> bool:
    """Whether a parsed JSON document looks like Zendesk tickets (pages, tickets, ETL records)."""
    found = [_holds_tickets(d) for d in (doc if isinstance(doc, list) else [doc])]
    return bool(found) and None not in found and any(found)


def detect_csv(table: pd.DataFrame) -> bool:
    """Whether a table's columns are a Zendesk CSV export's (``Id``, ``Created at``, ``Via``)."""
    columns = {str(c).strip() for c in table.columns}
    return {"Id", "Created at", "Via"} <= columns


register(
    "zendesk",
    "json",
    detect=detect_tickets,
    read=from_tickets,
    expects="Zendesk tickets: {'tickets': [...], 'users': [...]} pages, {'ticket': {...}}, "
    "ticket objects (id, requester_id, via), or ETL records {'stream': 'tickets', 'data': {...}}",
)
register(
    "zendesk",
    "table",
    detect=detect_csv,
    read=from_csv,
    expects="a Zendesk CSV view export with columns Id, Created at, Via, Requester id (or email)",
)
