"""Property: any mix of valid, skipped and bad records gives either one row per customer
message with an exact skip report, or an error naming the first bad record; never a partial frame.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SkippedRecordsWarning
from prioritize.adapters import chatwoot, freshdesk, intercom, meta, salesforce, zammad

# Each maker turns (position, kind) into a record; kind is "ok", a skip kind, or "bad".
Maker = Callable[[int, str], Any]


def _freshdesk(i: int, kind: str) -> dict[str, Any]:
    ticket = {
        "id": 100 + i, "requester_id": 9000 + i, "source": 1, "status": 2, "priority": 2,
        "subject": f"ticket {i}", "description_text": "help", "spam": False,
        "created_at": f"2025-02-03T09:{i % 60:02d}:00Z",
    }  # fmt: skip
    if kind == "brand_reply":
        ticket["source"] = 10
    elif kind in ("spam", "deleted"):
        ticket[kind] = True
    elif kind == "bad":
        ticket["created_at"] = None
    return ticket


def _intercom(i: int, kind: str) -> dict[str, Any]:
    delivered = {"ok": "customer_initiated", "brand_reply": "admin_initiated", "bad": "?"}[kind]
    return {
        "type": "conversation", "id": str(500 + i), "created_at": 1738573200 + i,
        "state": "open", "priority": "not_priority",
        "source": {"type": "conversation", "delivered_as": delivered, "subject": "",
                   "body": "<p>hi</p>", "author": {"type": "user", "id": f"u{i}"}},
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": f"u{i}"}]},
    }  # fmt: skip


def _zammad(i: int, kind: str) -> dict[str, Any]:
    ticket = {
        "id": 300 + i, "number": str(31000 + i), "title": "t", "customer_id": 40 + i,
        "group_id": 1, "state": "open", "priority": "2 normal",
        "create_article_type": "email", "create_article_sender": "Customer",
        "created_at": "2025-02-03T09:00:00Z",
    }  # fmt: skip
    if kind == "brand_reply":
        ticket["create_article_sender"] = "Agent"
    elif kind == "duplicate":
        ticket["state"] = "merged"
    elif kind == "deleted":
        ticket["state"] = "removed"
    elif kind == "not_a_message":
        ticket["create_article_sender"] = "System"
    elif kind == "bad":
        ticket["create_article_type"] = "pigeon"
    return ticket


def _whatsapp(i: int, kind: str) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}}
    message = {"from": "4915112345678", "id": f"wamid.{i}", "timestamp": str(1738590000 + i),
               "type": "text", "text": {"body": "hello"}}  # fmt: skip
    if kind == "not_a_message":
        value["statuses"] = [{"id": f"wamid.s{i}", "status": "read", "timestamp": "1"}]
    else:
        if kind == "bad":
            del message["from"]
        value["messages"] = [message]
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "7", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip


def _chatwoot(i: int, kind: str) -> dict[str, Any]:
    body = {
        "event": "message_created", "id": str(800 + i), "content": "hi",
        "created_at": "2025-02-03 09:39:50 UTC", "message_type": "incoming", "private": False,
        "sender": {"id": str(70 + i), "type": "contact"},
        "conversation": {"display_id": "1", "channel": "Channel::WebWidget"},
        "account": {"id": "1", "name": "A"},
    }  # fmt: skip
    if kind == "brand_reply":
        body["message_type"] = "outgoing"
    elif kind == "not_a_message":
        body["private"] = True
    elif kind == "bad":
        del body["sender"]
    return body


READERS: dict[str, tuple[Callable[[list[Any]], pd.DataFrame], Maker, tuple[str, ...], str]] = {
    # name: (read a list of records, maker, skip kinds, how an error names record i)
    "freshdesk": (freshdesk.from_tickets, _freshdesk, ("brand_reply", "spam", "deleted"),
                  "ticket {id}"),
    "intercom": (intercom.from_conversations, _intercom, ("brand_reply",), "conversation {id}"),
    "zammad": (zammad.from_tickets, _zammad,
               ("brand_reply", "duplicate", "deleted", "not_a_message"), "ticket {id}"),
    "meta": (meta.from_webhooks, _whatsapp, ("not_a_message",),
             "body {i} entry[0].changes[0].value.messages[0]"),
    "chatwoot": (chatwoot.from_webhooks, _chatwoot, ("brand_reply", "not_a_message"),
                 "message {id}"),
}  # fmt: skip
_IDS = {"freshdesk": 100, "intercom": 500, "zammad": 300, "meta": 0, "chatwoot": 800}


@pytest.mark.parametrize("name", sorted(READERS))
@given(data=st.data())
def test_rows_in_equal_messages_out_plus_skipped_or_the_first_bad_record_is_named(
    name: str, data: st.DataObject
) -> None:
    reader, make, kinds, label = READERS[name]
    mix = data.draw(st.lists(st.sampled_from(("ok", "ok", *kinds, "bad")), max_size=12))
    records = [make(i, kind) for i, kind in enumerate(mix)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordsWarning)
        if "bad" in mix:
            first = mix.index("bad")
            with pytest.raises(InputError) as caught:
                reader(records)
            assert label.format(id=_IDS[name] + first, i=first) in str(caught.value)
            return
        frame = reader(records)
    assert len(frame) == mix.count("ok")
    assert frame.attrs["skipped"] == dict(Counter(k for k in mix if k != "ok"))


def test_salesforce_rows_in_equal_cases_out_plus_deleted() -> None:
    # the table reader, on one mix by hand: two cases, one deleted, then a bad one named
    table = pd.DataFrame(
        {
            "Id": ["a1", "a2", "a3"],
            "CaseNumber": ["1", "2", "3"],
            "ContactId": ["c1", "c2", "c3"],
            "Origin": ["Email", "Web", "Phone"],
            "IsDeleted": ["false", "true", "false"],
            "CreatedDate": ["2025-02-03T09:00:00Z"] * 3,
        }
    )
    with pytest.warns(SkippedRecordsWarning):
        frame = salesforce.from_csv(table)
    assert len(frame) == 2 and frame.attrs["skipped"] == {"deleted": 1}
    table.loc[2, "Origin"] = "Pigeon"
    with pytest.raises(InputError, match="case a3: missing or malformed Origin 'Pigeon'"):
        salesforce.from_csv(table)
