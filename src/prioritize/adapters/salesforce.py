"""Salesforce Service Cloud Case exports (CSV) -> queries.

``from_csv(path, tz=...)`` reads Cases exported with API field names (Data
Loader, Bulk API): ``Origin``, ``Priority``, ``CreatedDate``, ``ContactId``,
``Subject``/``Description``, ``Status``/``IsClosed``; deleted cases are skipped
and counted.

Reads Cases exported with their API field names (Data Loader, the Bulk API,
a SOQL query saved as CSV): ``Id``, ``CreatedDate``, ``Origin``, ``Priority``,
``Status``, ``IsClosed``, ``ContactId``, ``SuppliedEmail``, ``Subject``,
``Description``, ``IsDeleted``... ``CreatedDate`` is UTC with its offset
(``2025-02-03T09:14:22.000Z`` or ``2025-02-03T09:14:22.000+0000``); a time
without one needs ``tz``.

Mapping (one query per case, in file order):

=================  ============================================================
query column       from
=================  ============================================================
``query_id``       ``"sf-"`` + ``Id``
``customer_id``    ``"salesforce:"`` + ``ContactId``; a case without a contact
                   (Web-to-Case, Email-to-Case) ``"email:"`` + ``SuppliedEmail``
``received_at``    ``CreatedDate`` (UTC)
``channel``        ``Origin`` through :data:`ORIGIN_CHANNELS` (the standard
                   Phone, Email, Web and the usual custom values; matched
                   case-insensitively; an unknown value is an error naming
                   the case, extend with ``channel_map``); no ``Origin``: ``other``
``is_public``      the channel's default
``urgency``        ``Priority`` (High 0.75, Medium 0.5, Low 0.25, also Urgent
                   and Critical 1.0); empty -> NaN, derived from the text
``text``           ``Subject``, a blank line, ``Description``
``followers``      0
extras             ``case_number`` (``CaseNumber``), ``status`` (lower-case),
                   ``is_closed`` (``IsClosed``), ``requester_email``
                   (``SuppliedEmail``), ``requester_phone`` (``SuppliedPhone``)
=================  ============================================================

Skipped (counted in ``frame.attrs["skipped"]``; ``keep={"deleted"}`` reads
them): ``deleted``, a case with ``IsDeleted`` true (a ``queryAll`` export
includes the recycle bin).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.files import column_names
from prioritize.adapters._common import CustomersArg
from prioritize.adapters._records import (
    PRIORITY_WORDS,
    Rows,
    channel_table,
    has_columns,
    text_of,
    text_table,
)
from prioritize.adapters._registry import register
from prioritize.identity import normalise_key
from prioritize.models import Channel, public_by_default

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "ORIGIN_CHANNELS",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "detect",
    "from_csv",
]

#: The name of the format in the registry and on the command line.
FORMAT = "salesforce"
#: Prefix of a case's ``query_id``.
QUERY_ID_PREFIX = "sf-"
#: The columns read (``Id``, ``CreatedDate`` and ``Origin`` are required).
CSV_COLUMNS: tuple[str, ...] = (
    "Id",
    "CaseNumber",
    "CreatedDate",
    "Origin",
    "Priority",
    "Status",
    "IsClosed",
    "IsDeleted",
    "ContactId",
    "SuppliedEmail",
    "SuppliedPhone",
    "Subject",
    "Description",
)
#: ``Origin`` picklist values (lower-case) -> channel.
ORIGIN_CHANNELS: Mapping[str, Channel] = {
    "phone": Channel.PHONE,
    "email": Channel.EMAIL,
    "web": Channel.WEB_FORM,
    "chat": Channel.CHAT,
    "messaging": Channel.CHAT,
    "facebook": Channel.FACEBOOK,
    "twitter": Channel.TWITTER,
    "instagram": Channel.INSTAGRAM,
    "whatsapp": Channel.WHATSAPP,
    "sms": Channel.SMS,
}
#: ``Priority`` values (lower-case) -> urgency.
PRIORITY_URGENCY: Mapping[str, float] = {
    **PRIORITY_WORDS,
    "critical": PRIORITY_WORDS["urgent"],
}
#: What this reader skips.
SKIPPED_KINDS: tuple[str, ...] = ("deleted",)

_REQUIRED = ("Id", "CreatedDate", "Origin")
_EXTRAS = ("case_number", "status", "is_closed", "requester_email", "requester_phone")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0", ""})


def detect(table: Any) -> bool:
    """Whether a table (a DataFrame, or its column names) is a Case export (``Id``,
    ``CreatedDate``, ``Origin`` and ``CaseNumber`` or ``ContactId``)."""
    return has_columns(table, _REQUIRED) and any(
        has_columns(table, (name,)) for name in ("CaseNumber", "ContactId")
    )


def _flag(value: Any) -> bool | None:
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _email_key(value: str) -> str | None:
    try:
        return normalise_key(f"email:{value}")
    except InputError:
        return None


def from_csv(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    tz: str | None = None,
    customers: CustomersArg | None = None,
    channel_map: Mapping[str, str | Channel] | None = None,
    keep: Iterable[str] | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """A Salesforce Case export (a CSV path, or the frame read from it) -> a canonical frame.

    Parameters
    ----------
    source
        The CSV file (columns of :data:`CSV_COLUMNS`, API names), or a
        DataFrame with those columns.
    tz
        The time zone of ``CreatedDate`` values without an offset (an IANA
        name); API exports carry one and need none.
    customers
        CRM lookup by ``customer_id``; see :func:`~prioritize.adapters.join_customers`.
    channel_map
        Extra or overriding ``Origin`` -> channel entries (an org's own picklist values).
    keep
        ``{"deleted"}`` reads deleted cases as queries.
    date_format
        A :func:`pandas.to_datetime` format for ``CreatedDate``; ISO 8601 by default.

    Raises
    ------
    SchemaError
        A required column is missing, or a ``CreatedDate`` cannot be read.
    InputError
        Naming each case (by ``Id``) and field that is missing or not understood.
    """
    table, what = text_table(source, "salesforce csv", _REQUIRED)
    if "ContactId" not in table.columns and "SuppliedEmail" not in table.columns:
        raise SchemaError(
            f"{what}: needs a 'ContactId' or 'SuppliedEmail' column to identify the customer; "
            f"it has {column_names(table.columns)}"
        )
    rows = Rows(what, _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=SKIPPED_KINDS)
    channels = channel_table(ORIGIN_CHANNELS, channel_map, "salesforce")

    def col(name: str) -> list[str]:
        values = table[name].tolist() if name in table.columns else [""] * len(table)
        return ["" if v is None else str(v).strip() for v in values]

    columns = {name: col(name) for name in CSV_COLUMNS}
    for pos in range(len(table)):
        get = {name: values[pos] for name, values in columns.items()}
        case_id = get["Id"]
        label = f"case {case_id}" if case_id else f"row {pos + 2}"  # + header, 1-based
        deleted = _flag(get["IsDeleted"])
        if deleted and rows.skip("deleted", label):
            continue
        contact, email = get["ContactId"], get["SuppliedEmail"]
        customer = f"salesforce:{contact}" if contact else _email_key(email) if email else None
        origin = get["Origin"]
        channel = channels.get(origin.lower()) if origin else Channel.OTHER
        priority = get["Priority"].lower()
        closed = _flag(get["IsClosed"])
        text = text_of(get["Subject"], get["Description"])
        more: list[str] = []
        if channel is None:
            more.append(
                f"Origin {origin!r} (not a known origin: salesforce.ORIGIN_CHANNELS; map it "
                f"with channel_map={{{origin!r}: '<channel>'}})"
            )
        if priority and priority not in PRIORITY_URGENCY:
            more.append(f"Priority {get['Priority']!r} (not one of {sorted(PRIORITY_URGENCY)})")
        if not rows.check(
            label,
            (
                ("Id", bool(case_id)),
                ("CreatedDate", bool(get["CreatedDate"])),
                ("ContactId or SuppliedEmail", customer is not None),
                ("IsDeleted (true/false)", deleted is not None),
                ("IsClosed (true/false)", closed is not None),
            ),
            *more,
        ):
            continue
        assert channel is not None and text is not None  # checked above
        rows.add(
            label,
            query_id=QUERY_ID_PREFIX + case_id,
            customer_id=customer,
            received_at=get["CreatedDate"],
            channel=channel,
            is_public=public_by_default(channel),
            urgency=PRIORITY_URGENCY.get(priority, float("nan")),
            text=text,
            case_number=get["CaseNumber"] or None,
            status=get["Status"].lower() or None,
            is_closed=bool(closed) if "IsClosed" in table.columns else None,
            requester_email=email or None,
            requester_phone=get["SuppliedPhone"] or None,
        )
    return rows.frame(customers, field="CreatedDate", tz=tz, date_format=date_format)


register(
    FORMAT,
    "table",
    detect=detect,
    read=from_csv,
    expects="a Salesforce Case export with API column names: Id, CreatedDate, Origin, "
    "CaseNumber or ContactId, Priority, Subject, Description...",
)
