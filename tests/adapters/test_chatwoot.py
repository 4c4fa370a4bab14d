"""Chatwoot conversations and message_created webhooks on documented-shape samples."""

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
from prioritize.adapters import chatwoot
from prioritize.models import validate_frame

DATA = Path(__file__).parent / "data" / "chatwoot"
CONVERSATIONS = DATA / "conversations.json"
WEBHOOKS = DATA / "webhooks.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_conversations_map_every_field() -> None:
    frame = chatwoot.from_conversations(CONVERSATIONS)
    validate_frame(frame)
    assert list(frame["query_id"]) == ["cw-412", "cw-413", "cw-414"]
    assert list(frame["customer_id"]) == ["chatwoot:9001", "chatwoot:9002", "chatwoot:9003"]
    assert list(frame["channel"].astype(str)) == ["chat", "email", "whatsapp"]
    np.testing.assert_array_equal(frame["urgency"], [0.75, np.nan, 1.0])
    # the first incoming message; a conversation whose listed messages are all the agent's: ""
    assert list(frame["text"]) == [
        "Payment failed three times at checkout, card is fine",
        "",
        "My account was hacked, someone changed my password",
    ]
    assert list(frame["status"]) == ["open", "pending", "open"]
    assert frame["received_at"].iloc[0] == pd.Timestamp(1738573190, unit="s", tz="UTC")
    assert frame["requester_phone"].iloc[2] == "+447700900456"
    assert frame.attrs["skipped"] == {}


def test_webhooks_keep_incoming_messages_only() -> None:
    bodies = load(WEBHOOKS)
    with pytest.warns(SkippedRecordsWarning, match="brand_reply"):
        frame = chatwoot.from_webhooks(WEBHOOKS)
    validate_frame(frame)
    assert list(frame["query_id"]) == ["cw-msg-88121", "cw-msg-88170"]
    assert list(frame["customer_id"]) == ["chatwoot:9001", "chatwoot:9004"]
    assert list(frame["channel"].astype(str)) == ["chat", "email"]
    assert list(frame["conversation_id"]) == ["412", "415"]
    # Rails' "2020-03-03 13:05:57 UTC" style
    assert frame["received_at"].iloc[0] == pd.Timestamp("2025-02-03T09:39:50Z")
    # an agent's reply; a private note, a status change, an activity; a re-sent body
    assert frame.attrs["skipped"] == {"brand_reply": 1, "duplicate": 1, "not_a_message": 3}
    assert len(bodies) == len(frame) + sum(frame.attrs["skipped"].values())


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = chatwoot.from_conversations(CONVERSATIONS)
    policy = pz.policies.balanced()
    assert policy.score_frame(frame).index.equals(frame.index)
    order = list(policy.rank(frame)["query_id"])
    assert sorted(order) == sorted(frame["query_id"])
    assert order.index("cw-414") < order.index("cw-413")  # urgent before no priority


def test_payload_shapes_read_alike() -> None:
    listing = load(CONVERSATIONS)
    items = listing["data"]["payload"]
    base = chatwoot.from_conversations(listing)
    pd.testing.assert_frame_equal(chatwoot.from_conversations(items), base)
    one = chatwoot.from_conversations(items[2])
    assert list(one["query_id"]) == ["cw-414"]
    with pytest.warns(SkippedRecordsWarning):
        assert list(chatwoot.from_payload(WEBHOOKS)["query_id"]) == ["cw-msg-88121", "cw-msg-88170"]
    pd.testing.assert_frame_equal(chatwoot.from_payload(listing), base)


def test_bad_records_are_named() -> None:
    items = copy.deepcopy(load(CONVERSATIONS)["data"]["payload"])
    items[0]["meta"]["channel"] = "Channel::Pigeon"
    items[1]["created_at"] = "soon"
    items[2]["priority"] = "asap"
    with pytest.raises(InputError) as caught:
        chatwoot.from_conversations(items)
    message = str(caught.value)
    assert (
        "conversation 412: meta.channel 'Channel::Pigeon' is not a known inbox channel" in message
    )
    assert "conversation 413: missing or malformed created_at" in message
    assert "conversation 414: priority 'asap'" in message
    mapped = chatwoot.from_conversations(items[:1], channel_map={"Channel::Pigeon": "other"})
    assert mapped["channel"].iloc[0] == "other"


def test_a_webhook_without_sender_is_named() -> None:
    bodies = load(WEBHOOKS)
    del bodies[0]["sender"]
    # an error is raised before any skip is reported: no partial frame, no warning
    with pytest.raises(InputError, match="message 88121: missing or malformed sender.id"):
        chatwoot.from_webhooks(bodies)
