"""Payloads of the wrong shape: any one node of a valid payload replaced or deleted.

``tests/adapters`` checks bad *values* record by record; here any node of a
valid payload (a record, a nested object, one field) becomes another JSON type
(a list, an object, null, a number, a string) or disappears, and every reader
either reads it — one row per customer message, the rest counted as skipped —
or raises the library's error. A ``TypeError`` (hashing a list), a ``KeyError``
(``{"tickets": null}``) or any other raw exception is a bug; so is a row lost
without a count.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.adapters import chatwoot, freshdesk, intercom, meta, twitter, zammad, zendesk


def _tweets() -> Any:
    return {
        "data": [
            {"id": "7", "text": "hi", "created_at": "2024-03-05T10:00:00Z", "author_id": "9",
             "referenced_tweets": [{"type": "replied_to", "id": "5"}]},
        ],
        "includes": {"users": [{"id": "9", "username": "ann",
                                "public_metrics": {"followers_count": 5}}]},
    }  # fmt: skip


def _zendesk() -> Any:
    return {
        "tickets": [
            {"id": 1, "created_at": "2024-03-05T10:00:00Z", "requester_id": 5, "subject": "s",
             "description": "d", "via": {"channel": "email"}, "status": "open", "tags": ["a"]},
        ],
        "users": [{"id": 5, "email": "a@b.c"}],
    }  # fmt: skip


def _intercom() -> Any:
    return [{
        "type": "conversation", "id": "500", "created_at": 1738573200, "state": "open",
        "source": {"type": "conversation", "delivered_as": "customer_initiated", "subject": "",
                   "body": "<p>hi</p>", "author": {"type": "user", "id": "u1"}},
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "u1"}]},
    }]  # fmt: skip


def _meta() -> Any:
    message = {"from": "4915112345678", "id": "wamid.1", "timestamp": "1738590000",
               "type": "text", "text": {"body": "hello"}}  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"},
             "messages": [message]}  # fmt: skip
    return [{"object": "whatsapp_business_account",
             "entry": [{"id": "7", "changes": [{"field": "messages", "value": value}]}]}]  # fmt: skip


def _freshdesk() -> Any:
    return [{
        "id": 100, "requester_id": 9000, "source": 1, "status": 2, "priority": 2,
        "subject": "ticket", "description_text": "help", "spam": False,
        "created_at": "2025-02-03T09:00:00Z",
    }]  # fmt: skip


def _zammad() -> Any:
    return [{
        "id": 300, "number": "31000", "title": "t", "customer_id": 40, "group_id": 1,
        "state": "open", "priority": "2 normal", "create_article_type": "email",
        "create_article_sender": "Customer", "created_at": "2025-02-03T09:00:00Z",
    }]  # fmt: skip


def _chatwoot() -> Any:
    return [{
        "event": "message_created", "id": "800", "content": "hi",
        "created_at": "2025-02-03 09:39:50 UTC", "message_type": "incoming", "private": False,
        "sender": {"id": "70", "type": "contact"},
        "conversation": {"display_id": "1", "channel": "Channel::WebWidget"},
        "account": {"id": "1", "name": "A"},
    }]  # fmt: skip


READERS: dict[str, tuple[Callable[[Any], pd.DataFrame], Callable[[], Any]]] = {
    "twitter": (twitter.from_tweets, _tweets),
    "zendesk": (zendesk.from_tickets, _zendesk),
    "intercom": (intercom.from_conversations, _intercom),
    "meta": (meta.from_webhooks, _meta),
    "freshdesk": (freshdesk.from_tickets, _freshdesk),
    "zammad": (zammad.from_tickets, _zammad),
    "chatwoot": (chatwoot.from_webhooks, _chatwoot),
    "read (detected)": (pz.adapters.read, _tweets),
}

_DELETE = object()
_REPLACEMENTS = [
    _DELETE, None, [], {}, [None], [[]], {"id": None}, "", "x", 0, -1, 1.5, True, 10**30,
]  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        yield from _paths(child, (*prefix, key))


def _replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return doc


def _nodes(name: str) -> list[tuple[Any, ...]]:
    return [path for path in _paths(READERS[name][1]()) if path]


def _read(name: str, doc: Any) -> pd.DataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pz.SkippedRecordsWarning)
        try:
            return READERS[name][0](doc)
        except (pz.PrioritizeError, ValidationError):
            return None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(st.data(), st.sampled_from(sorted(READERS)), _JSON)
def test_any_node_replaced_by_any_json_is_read_or_named(
    data: st.DataObject, name: str, value: Any
) -> None:
    _check_read(name, data.draw(st.sampled_from(_nodes(name))), value)


def _check_read(name: str, path: tuple[Any, ...], value: Any) -> None:
    original = READERS[name][1]()
    frame = _read(name, _replaced(original, path, value))
    if frame is not None:
        pz.models.validate_frame(frame)
        # One message in: a row or a counted skip. Unless the message itself is gone: a list
        # that held it emptied (or null), it deleted from its list, or the top-level record
        # replaced by a list (a page of no tickets).
        node = _at(original, path)
        emptied = isinstance(node, list) and value in ([], None, _DELETE)
        removed = isinstance(_at(original, path[:-1]), list) and value is _DELETE
        counted = len(frame) + sum(frame.attrs["skipped"].values())
        assert counted == 1 or emptied or removed or len(path) == 1, (path, value, counted)


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [
        # each raised a raw exception from inside the reader before its fix
        (
            "intercom",
            (0, "source", "delivered_as"),
            [],
            r"conversation 500: source.delivered_as \[\]",
        ),
        (
            "intercom",
            (0, "source", "delivered_as"),
            {},
            r"conversation 500: source.delivered_as \{\}",
        ),
        ("meta", (0, "object"), [], r"body 0 is not a webhook .*\(object: \[\]\)"),
        ("twitter", ("data", 0, "author_id"), [], r"tweet 7: 'author_id' \[\] is not a user id"),
        ("twitter", ("data", 0, "author_id"), {}, r"tweet 7: 'author_id' \{\} is not a user id"),
        ("zendesk", ("tickets",), None, r"page 0: 'tickets' must be a list"),
        # each was read as a webhook with no message: a row lost, nothing counted
        ("meta", (0, "entry", 0, "changes"), {}, r"entry\[0\]: changes must be a list; got dict"),
        ("meta", (0, "entry", 0, "changes"), "x", r"entry\[0\]: changes must be a list; got str"),
        (
            "meta",
            (0, "entry", 0, "changes", 0, "value", "messages"),
            {},
            "value.messages must be a list",
        ),
        ("meta", (0, "entry", 0, "changes", 0, "value"), {}, "value has no 'messages', 'statuses'"),
    ],
)
def test_the_shapes_that_crashed_are_named(
    name: str, path: tuple[Any, ...], value: Any, message: str
) -> None:
    with pytest.raises(pz.InputError, match=message):
        READERS[name][0](_replaced(READERS[name][1](), path, value))


def test_every_node_of_every_payload_with_every_replacement() -> None:
    # The property above samples; this walks all of it (a few thousand reads, seconds).
    for name in sorted(READERS):
        for path in _nodes(name):
            for value in _REPLACEMENTS:
                _check_read(name, path, value)
