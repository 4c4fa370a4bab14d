"""What the vendor readers share: collecting rows, counting what was skipped, small parsers.

Each reader walks its payload record by record and, for each, either adds one
row (a customer message), skips it under a named kind (a brand reply, a
status receipt, a deleted ticket: not a customer message) or records a
problem naming the record and field. Problems raise one
:class:`~prioritize.InputError` listing them, before any frame is built, so a
reader never returns a partial frame. Records in = rows out + skipped.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.files import column_names, read_table
from prioritize._internal.ids import integer_id
from prioritize.adapters._common import (
    CustomersArg,
    Skips,
    build_frame,
    fail,
    join_customers,
    parse_utc,
)
from prioritize.adapters._zendesk_maps import PRIORITY_URGENCY
from prioritize.models import Channel, channel_of

__all__ = [
    "PRIORITY_WORDS",
    "Rows",
    "channel_table",
    "epoch_text",
    "has_columns",
    "holds_only",
    "page_items",
    "plain_text",
    "text_of",
    "text_table",
]

#: Priority words of helpdesks -> urgency, on the scale of Zendesk's priorities
#: (Freshdesk and Salesforce say "medium" where Zendesk says "normal").
PRIORITY_WORDS: Mapping[str, float] = {**PRIORITY_URGENCY, "medium": PRIORITY_URGENCY["normal"]}

_TAG = re.compile(r"<(?:br\s*/?|/p|/div|/li|/h\d|/tr)>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def plain_text(value: str) -> str:
    """The text of an HTML fragment (a helpdesk's message body): tags out, entities decoded."""
    text = _TAG.sub("\n", value)
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def channel_table(
    defaults: Mapping[Any, Channel], extra: Mapping[Any, str | Channel] | None, what: str
) -> dict[Any, Channel]:
    """A reader's source -> channel table with the caller's ``channel_map`` on top.

    Keys of ``extra`` are looked up as given; string keys also lower-cased, and
    a string of digits also as the integer code it spells.
    """
    table: dict[Any, Channel] = dict(defaults)
    for key, value in (extra or {}).items():
        channel = value if isinstance(value, Channel) else None
        if channel is None and isinstance(value, str):
            channel = channel_of(value)
        if channel is None:
            raise InputError(
                f"{what}: channel_map[{key!r}] = {value!r} is not a channel; use one of "
                f"{[c.value for c in Channel]}"
            )
        table[key.strip().lower() if isinstance(key, str) else key] = channel
        number = integer_id(key) if isinstance(key, str) else None
        if number is not None:  # a code given as text ("1") also maps the integer code
            table[int(number)] = channel
    return table


def epoch_text(value: Any, *, unit: float = 1.0) -> str | None:
    """An epoch timestamp (seconds, or ``unit`` per second) as ISO 8601 UTC text, or None.

    Accepts an int or a string of ASCII digits (WhatsApp sends seconds as a
    string); anything else (a float, a bool, ISO text) is None, for the
    reader to report.
    """
    number = int(digits) if (digits := integer_id(value)) is not None else None
    if number is None:
        return None
    try:
        return datetime.fromtimestamp(number / unit, tz=UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def text_or_none(value: Any, *, blank: bool = False) -> str | None:
    """``value`` if it is a text (a non-empty one unless ``blank``), else None."""
    return value if isinstance(value, str) and (blank or value) else None


def id_or_none(value: Any) -> str | None:
    """A text or integer id as text, else None."""
    return str(value) if isinstance(value, str | int) else None


def text_of(*parts: Any) -> str | None:
    """The non-blank text parts joined by a blank line; None if a part is not text."""
    out = []
    for part in parts:
        if part is None or (isinstance(part, float) and math.isnan(part)):
            continue
        if not isinstance(part, str):
            return None
        if part.strip():
            out.append(part.strip())
    return "\n\n".join(out)


def text_table(
    source: str | os.PathLike[str] | pd.DataFrame, name: str, required: Iterable[str]
) -> tuple[pd.DataFrame, str]:
    """A CSV export (a path, or the frame read from it) as text cells, and its name for messages.

    Missing cells are ``""``; column names are stripped.

    Raises
    ------
    SchemaError
        Naming the ``required`` columns it lacks and the columns it has.
    """
    if isinstance(source, pd.DataFrame):
        table, what = source.astype(object).where(source.notna(), ""), name
    else:
        what = f"{name} {source}"
        table = read_table(Path(source), name, dtype=str, keep_default_na=False)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing column(s) {missing}; it has {column_names(table.columns)}"
        )
    return table, what


def has_columns(table: Any, required: Iterable[str]) -> bool:
    """Whether a table (a DataFrame, or its column names) has the ``required`` columns."""
    columns = table.columns if isinstance(table, pd.DataFrame) else table
    try:
        names = {str(c).strip() for c in columns}
    except TypeError:
        return False
    return set(required) <= names


def page_items(
    doc: Any,
    *,
    what: str,
    key: str,
    is_item: Callable[[Mapping[str, Any]], bool],
    expected: str,
) -> list[Any]:
    """The records of a JSON payload of pages: a list of pages or records, one page, one record.

    A page is an object whose ``key`` holds a list of records; a list inside
    the payload, or a page, is read in its place. ``is_item`` says whether an
    object that is not a page is one record; any other object or value is an
    :class:`~prioritize.InputError` saying ``what`` was ``expected``.
    """
    if isinstance(doc, list):
        out: list[Any] = []
        for item in doc:
            page = isinstance(item, list) or (
                isinstance(item, Mapping) and isinstance(item.get(key), list)
            )
            out.extend(
                page_items(item, what=what, key=key, is_item=is_item, expected=expected)
                if page
                else [item]
            )
        return out
    if isinstance(doc, Mapping):
        if isinstance(doc.get(key), list):
            return list(doc[key])
        if is_item(doc):
            return [doc]
        raise InputError(
            f"{what}: expected {expected}; got an object with keys {sorted(map(str, doc))[:10]}"
        )
    raise InputError(f"{what}: expected {expected}; got {type(doc).__name__}")


def holds_only(
    doc: Any, items: Callable[[Any], Iterable[Any]], is_record: Callable[[Any], bool]
) -> bool:
    """Whether ``doc`` holds records (as ``items`` reads them) and every one passes ``is_record``.

    A payload ``items`` refuses (an :class:`~prioritize.InputError`) is not one.
    """
    try:
        found = list(items(doc))
    except InputError:
        return False
    return bool(found) and all(is_record(item) for item in found)


class Rows:
    """A reader's rows being collected, the kinds skipped and the problems found.

    Parameters
    ----------
    what
        The source as messages name it (``"freshdesk payload"``).
    extras
        The reader's own columns after the canonical ones, in order.
    kinds
        The kinds (of :data:`~prioritize.adapters.SKIP_KINDS`) this reader skips.
    keep
        Skipped kinds the caller asked to read as rows (see :meth:`skip`).
    keepable
        The kinds this reader can read as rows; ``keep`` must be among them.
    """

    def __init__(
        self,
        what: str,
        extras: Iterable[str] = (),
        *,
        kinds: Iterable[str],
        keep: Iterable[str] | None = None,
        keepable: Iterable[str] = (),
    ) -> None:
        self.what = what
        self.extras = tuple(extras)
        self.skips = Skips(what, kinds=kinds, keep=keep)
        unreadable = sorted(self.skips.keep - set(keepable))
        if unreadable:
            raise InputError(
                f"keep: {what} cannot read {unreadable} as queries (there is no customer "
                f"message in them); it can keep {sorted(keepable)}"
            )
        self.problems: list[str] = []
        self.labels: list[str] = []
        self.cols: dict[str, list[Any]] = {}
        self.seen: set[str] = set()

    def problem(self, label: str, text: str) -> None:
        """Record that ``label`` (a record) cannot be read: ``text`` names the field."""
        self.problems.append(f"{label}: {text}")

    def check(self, label: str, fields: Iterable[tuple[str, object]], *more: str) -> bool:
        """Whether every ``(field, ok)`` is ok; if not, record ``label: missing or malformed
        <fields>`` (the failed fields, then ``more``) and return False."""
        bad = [name for name, ok in fields if not ok] + list(more)
        if bad:
            self.problem(label, f"missing or malformed {', '.join(bad)}")
        return not bad

    def skip(self, kind: str, label: str, count: int = 1) -> bool:
        """Count ``count`` record(s) of ``kind`` (``label`` names one): True unless kept."""
        return self.skips.skip(kind, label, count)

    def add(self, label: str, **row: Any) -> None:
        """One row: ``query_id``, ``customer_id``, ``received_at`` (text), ``channel``,
        ``is_public``, ``text``, optionally ``followers``/``urgency``, and the extras.

        A reader that skips ``duplicate`` records skips a row whose ``query_id``
        was already added (the first is kept).
        """
        query_id = row["query_id"]
        duplicate = "duplicate" in self.skips.kinds and query_id in self.seen
        if duplicate and self.skip("duplicate", label):
            return
        self.seen.add(query_id)
        self.labels.append(label)
        for key, value in row.items():
            self.cols.setdefault(key, []).append(value)

    def frame(
        self,
        customers: CustomersArg | None = None,
        *,
        field: str = "created_at",
        tz: str | None = None,
        date_format: str | None = None,
        skip_followers: bool = False,
    ) -> pd.DataFrame:
        """The canonical frame of the rows (raises the problems first), with its skip report."""
        fail(self.problems, self.what)
        n = len(self.labels)
        values: Any = self.cols.get("received_at", [])
        if values and all(isinstance(v, pd.Timestamp) and v.tzinfo for v in values):
            values = pd.Series(pd.DatetimeIndex(values))  # parsed already (twcs)
        received = parse_utc(
            values,
            labels=self.labels,
            field=f"{self.what}: {field}",
            tz=tz,
            date_format=date_format,
        )
        urgency = self.cols.get("urgency")
        columns: dict[str, Any] = {
            "query_id": self.cols.get("query_id", []),
            "customer_id": self.cols.get("customer_id", []),
            "received_at": received,
            "channel": [Channel(c).value for c in self.cols.get("channel", [])],
            "followers": self.cols.get("followers", [0] * n),
            "urgency": [math.nan] * n if urgency is None else urgency,
            "text": self.cols.get("text", []),
            "is_public": self.cols.get("is_public", []),
        }
        for name in self.extras:
            values = self.cols.get(name, [])
            columns[name] = pd.Series(values, dtype=_dtype(values))
        frame = build_frame(columns, n)
        if customers is not None:
            frame = join_customers(frame, customers, skip=("followers",) if skip_followers else ())
        return self.skips.finish(frame)


def _dtype(values: list[Any]) -> Any:
    # Numbers stay numbers (NaN where missing); anything else is an object column.
    if values and all(
        (isinstance(v, float | int) and not isinstance(v, bool)) or v is None for v in values
    ):
        return float
    return object
