"""Zammad tickets on a documented-shape sample (tests/adapters/data/zammad)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SkippedRecordsWarning
from prioritize.adapters import zammad
from prioritize.models import validate_frame

TICKETS = Path(__file__).parent / "data" / "zammad" / "tickets.json"
_COMPACT = (
    "group",
    "state",
    "priority",
    "customer",
    "create_article_type",
    "create_article_sender",
)


def load() -> list[dict[str, Any]]:
    return list(json.loads(TICKETS.read_text(encoding="utf-8")))


def read(payload: Any, **options: Any) -> pd.DataFrame:
    with pytest.warns(SkippedRecordsWarning):
        return zammad.from_tickets(payload, **options)


def test_tickets_customers_raised_map_every_field() -> None:
    frame = read(TICKETS)
    validate_frame(frame)
    # 304: an agent's outbound e-mail; 305: merged into 301
    assert list(frame["query_id"]) == ["zm-301", "zm-302", "zm-303", "zm-306"]
    assert frame.attrs["skipped"] == {"brand_reply": 1, "duplicate": 1}
    assert list(frame["customer_id"]) == ["zammad:44", "zammad:45", "zammad:46", "zammad:47"]
    # an agent logging a call is a customer's query
    assert list(frame["channel"].astype(str)) == ["email", "phone", "twitter", "web_form"]
    assert list(frame["is_public"]) == [False, False, True, False]  # a tweet is public
    np.testing.assert_array_equal(frame["urgency"], [0.5, 0.75, 0.5, 0.25])
    assert list(frame["status"]) == ["new", "open", "new", "open"]
    assert list(frame["number"]) == ["31301", "31302", "31303", "31306"]
    # "@m_kowalski" is a Twitter login, not an e-mail
    assert list(frame["requester_email"].fillna("-")) == [
        "nina.petrova@example.bg", "lukas.brandt@contoso.example", "-",
        "procurement@fabrikam.example",
    ]  # fmt: skip
    assert frame["received_at"].iloc[0] == pd.Timestamp("2025-02-03T09:14:22.187Z")
    assert frame["text"].iloc[1] == "Caller: order arrived damaged, wants replacement"


def test_compact_tickets_read_by_the_default_ids() -> None:
    compact = [{k: v for k, v in t.items() if k not in _COMPACT} for t in load()]
    expanded = read(TICKETS)
    frame = read(compact)
    columns = ["query_id", "channel", "is_public", "urgency", "status"]
    pd.testing.assert_frame_equal(frame[columns], expanded[columns])
    assert frame["requester_email"].isna().all()


def test_search_result_with_assets() -> None:
    tickets = load()
    compact = {str(t["id"]): {k: v for k, v in t.items() if k not in _COMPACT} for t in tickets}
    users = {"44": {"id": 44, "email": "nina.petrova@example.bg"}}
    found = {
        "tickets": [301, 302],
        "tickets_count": 2,
        "assets": {"Ticket": compact, "User": users},
    }
    frame = zammad.from_tickets(found)
    assert list(frame["query_id"]) == ["zm-301", "zm-302"]
    assert list(frame["requester_email"].fillna("-")) == ["nina.petrova@example.bg", "-"]
    found["tickets"] = [301, 399]
    with pytest.raises(InputError, match="ticket 399: is listed in 'tickets' but not in assets"):
        zammad.from_tickets(found)


def test_keep_and_round_trip() -> None:
    frame = zammad.from_tickets(TICKETS, keep={"brand_reply", "duplicate"})
    assert len(frame) == len(load()) and frame.attrs["skipped"] == {}
    policy = pz.policies.balanced()
    assert policy.score_frame(frame).index.equals(frame.index)
    assert sorted(policy.rank(frame)["query_id"]) == sorted(frame["query_id"])


def test_system_and_removed_tickets_are_skipped_by_kind() -> None:
    tickets = copy.deepcopy(load()[:2])
    tickets[0]["create_article_sender"] = "System"
    tickets[1]["state"] = "removed"
    with pytest.warns(SkippedRecordsWarning):
        frame = zammad.from_tickets(tickets)
    assert len(frame) == 0
    assert frame.attrs["skipped"] == {"deleted": 1, "not_a_message": 1}


def test_bad_tickets_are_named_by_id_and_field() -> None:
    tickets = copy.deepcopy(load())
    tickets[0]["create_article_type"] = "pigeon post"
    tickets[1]["priority"] = "4 very high"
    del tickets[2]["customer_id"]
    with pytest.raises(InputError) as caught:
        zammad.from_tickets(tickets)
    message = str(caught.value)
    assert "ticket 301: missing or malformed create_article_type 'pigeon post'" in message
    assert "ticket 302: missing or malformed priority" in message
    assert "ticket 303: missing or malformed customer_id" in message
    mapped = zammad.from_tickets(tickets[:1], channel_map={"pigeon post": "other"})
    assert mapped["channel"].iloc[0] == "other"
