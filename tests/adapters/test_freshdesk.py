"""Freshdesk API v2 tickets on a documented-shape sample (tests/adapters/data/freshdesk)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SkippedRecordsWarning
from prioritize.adapters import freshdesk
from prioritize.models import validate_frame

TICKETS = Path(__file__).parent / "data" / "freshdesk" / "tickets.json"


def load() -> list[dict[str, Any]]:
    return list(json.loads(TICKETS.read_text(encoding="utf-8")))


def read(payload: Any, **options: Any) -> pd.DataFrame:
    with pytest.warns(SkippedRecordsWarning):
        return freshdesk.from_tickets(payload, **options)


def test_tickets_map_every_field_and_skip_what_is_not_a_customer_message() -> None:
    payload = load()
    frame = read(TICKETS)
    validate_frame(frame)
    assert list(frame["query_id"]) == ["fd-1021", "fd-1022", "fd-1023", "fd-1024", "fd-1027"]
    assert frame.attrs["skipped"] == {"brand_reply": 1, "deleted": 1, "spam": 1}
    assert len(payload) == len(frame) + sum(frame.attrs["skipped"].values())
    assert list(frame["customer_id"]) == [
        "freshdesk:80012345601",
        "freshdesk:80012345602",
        "freshdesk:80012345603",
        "freshdesk:80012345604",
        "freshdesk:80012345605",
    ]
    # source 1 Email, 3 Phone, 2 Portal, 7 Chat, 9 Feedback Widget
    assert list(frame["channel"].astype(str)) == ["email", "phone", "web_form", "chat", "web_form"]
    # priority 2 Medium, 4 Urgent, 1 Low, 3 High, 2 Medium
    np.testing.assert_array_equal(frame["urgency"], [0.5, 1.0, 0.25, 0.75, 0.5])
    assert list(frame["status"]) == ["open", "pending", "open", "resolved", "open"]
    assert frame["received_at"].iloc[1] == pd.Timestamp("2025-02-03T09:31:05Z")
    assert (
        frame["text"].iloc[2] == "Question about gift wrapping\n\nCan you wrap items & add a card?"
    )
    assert frame["requester_email"].iloc[0] == "maria.ortiz@example.com"
    assert frame["requester_phone"].iloc[1] == "+44 7700 900123"  # mobile when no phone
    assert frame["requester_phone"].iloc[3] == "+1 415 555 0199"
    assert pd.isna(frame["requester_email"].iloc[1])
    assert not frame["is_public"].any() and (frame["followers"] == 0).all()


def test_keep_reads_the_skipped_tickets_as_queries() -> None:
    frame = freshdesk.from_tickets(TICKETS, keep={"brand_reply", "spam", "deleted"})
    assert len(frame) == 8 and frame.attrs["skipped"] == {}
    outbound = frame.set_index("query_id").loc["fd-1025"]
    assert outbound["channel"] == "email" and outbound["status"] == "closed"
    with pytest.raises(InputError, match="never skips"):
        freshdesk.from_tickets(TICKETS, keep={"retweet"})


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = read(TICKETS)
    policy = pz.policies.balanced()
    scores = policy.score_frame(frame)
    assert scores.index.equals(frame.index)
    ranked = policy.rank(frame)
    assert sorted(ranked["query_id"]) == sorted(frame["query_id"])
    # the urgent phone call outscores the low-priority gift-wrapping question
    by_id = scores.set_index(frame["query_id"])["score"]
    assert by_id["fd-1022"] > by_id["fd-1023"]


def test_payload_shapes_read_alike(tmp_path: Path) -> None:
    payload = [t for t in load() if not (t["spam"] or t.get("deleted") or t["source"] == 10)]
    base = freshdesk.from_tickets(payload)
    one = freshdesk.from_tickets(payload[0])
    assert list(one["query_id"]) == ["fd-1021"]
    results = freshdesk.from_tickets({"results": payload, "total": len(payload)})
    pages = freshdesk.from_tickets([payload[:2], payload[2:]])
    lines = tmp_path / "tickets.jsonl"
    lines.write_text("\n".join(json.dumps(t) for t in payload) + "\n", encoding="utf-8")
    for other in (results, pages, freshdesk.from_tickets(lines)):
        pd.testing.assert_frame_equal(other, base)


def test_requester_id_from_the_embed_and_description_from_html() -> None:
    ticket = copy.deepcopy(load()[0])
    del ticket["requester_id"], ticket["description_text"]
    frame = freshdesk.from_tickets([ticket])
    assert frame["customer_id"].iloc[0] == "freshdesk:80012345601"
    assert (
        frame["text"]
        .iloc[0]
        .endswith(
            "Hi,\nI ordered a kettle on Jan 28 and the tracking page still says label created."
        )
    )


def test_bad_records_are_named_by_ticket_and_field() -> None:
    payload = load()[:4]
    payload[1]["source"] = 42
    payload[2]["created_at"] = None
    payload[3]["priority"] = 9
    with pytest.raises(InputError) as caught:
        freshdesk.from_tickets(payload)
    message = str(caught.value)
    assert "ticket 1022: source 42 is not a known source code" in message
    assert "channel_map={42: '<channel>'}" in message
    assert "ticket 1023: missing or malformed created_at" in message
    assert "ticket 1024: priority 9 is not one of [1, 2, 3, 4]" in message
    assert "ticket 1021" not in message


@pytest.mark.parametrize("key", [42, "42"])
def test_channel_map_takes_codes_as_numbers_or_text(key: int | str) -> None:
    ticket = dict(load()[0], source=42)
    frame = freshdesk.from_tickets([ticket], channel_map={key: "sms"})
    assert frame["channel"].iloc[0] == "sms"


def test_a_custom_status_keeps_its_code_and_no_priority_is_nan() -> None:
    ticket = dict(load()[0], status=7, priority=None)
    frame = freshdesk.from_tickets([ticket])
    assert frame["status"].iloc[0] == "7"
    assert math.isnan(frame["urgency"].iloc[0])


def test_not_tickets_is_an_error() -> None:
    with pytest.raises(InputError, match="expected a ticket"):
        freshdesk.from_tickets({"tickets": []})
    with pytest.raises(InputError, match=r"tickets\[1\]: is a str"):
        freshdesk.from_tickets([load()[0], "oops"])
