"""Meta webhooks (Messenger, Instagram, WhatsApp Cloud API) on documented-shape bodies."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError, SkippedRecordsWarning
from prioritize.adapters import meta
from prioritize.models import validate_frame

BODIES = Path(__file__).parent / "data" / "meta" / "webhooks.json"


def load() -> list[dict[str, Any]]:
    return list(json.loads(BODIES.read_text(encoding="utf-8")))


def read(payload: Any, **options: Any) -> pd.DataFrame:
    with pytest.warns(SkippedRecordsWarning):
        return meta.from_webhooks(payload, **options)


def test_customer_messages_become_queries_and_the_rest_is_counted() -> None:
    frame = read(BODIES)
    validate_frame(frame)
    assert list(frame["platform"]) == ["messenger"] * 2 + ["instagram"] * 2 + ["whatsapp"] * 3
    assert list(frame["query_id"]) == [
        "fbm-m_Ab3kQ0xLr8xWJm2p1c9sZqTtYw",
        "fbm-m_Im4QxRt7bYw2NpLz0cVa8sKe1J",
        "igm-aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx",
        "igc-17865799348089039",
        "wa-wamid.HBgMMjMzMjQxMjM0NTY3FQIAEhggQjY0RkI3MjU4QzA0",
        "wa-wamid.HBgMMjMzMjQxMjM0NTY3FQIAEhggRDQ1MkE5QjE3RjBB",
        "wa-wamid.HBgMMzkzNDcxMjM0NTY3FQIAEhggQUE3QkZDMjE0NkY5",
    ]
    assert list(frame["customer_id"]) == [
        "messenger:6723190458831205",
        "messenger:7011845623097714",
        "igsid:1129834567781203",
        "instagram:rosa.delgado",
        "phone:+233241234567",
        "phone:+233241234567",
        "phone:+393471234567",
    ]
    channels = ["facebook"] * 2 + ["instagram"] * 2 + ["whatsapp"] * 3
    assert list(frame["channel"].astype(str)) == channels
    assert list(frame["is_public"]) == [False, False, False, True, False, False, False]
    assert list(frame["message_type"]) == [
        "text", "attachment", "text", "comment", "text", "image", "interactive",
    ]  # fmt: skip
    assert list(frame["text"])[1:2] == [""]  # an image without text
    assert frame["text"].iloc[5] == "photo of the box"  # a caption
    assert frame["text"].iloc[6] == "Talk to an agent"  # a button reply's title
    # Messenger: epoch milliseconds; comments: the entry's seconds; WhatsApp: seconds as text
    assert frame["received_at"].iloc[0] == pd.Timestamp(1738576461902, unit="ms", tz="UTC")
    assert frame["received_at"].iloc[3] == pd.Timestamp(1738586400, unit="s", tz="UTC")
    assert frame["received_at"].iloc[4] == pd.Timestamp(1738590011, unit="s", tz="UTC")
    assert frame["recipient_id"].iloc[4] == "106540352242922"
    # an echo and the account's own comment; 2 receipts, 3 statuses, a postback, 2 reactions
    assert frame.attrs["skipped"] == {"brand_reply": 2, "not_a_message": 8}


def test_events_in_equal_queries_plus_skipped() -> None:
    bodies = load()
    events = 0
    for body in bodies:
        for entry in body["entry"]:
            events += len(entry.get("messaging", []))
            for change in entry.get("changes", []):
                value = change["value"]
                events += 1 if "text" in value else 0  # an Instagram comment
                events += len(value.get("messages", [])) + len(value.get("statuses", []))
    frame = read(bodies)
    assert events == len(frame) + sum(frame.attrs["skipped"].values())


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = read(BODIES)
    policy = pz.policies.balanced()
    assert policy.score_frame(frame).index.equals(frame.index)
    ranked = policy.rank(frame)
    assert sorted(ranked["query_id"]) == sorted(frame["query_id"])


def test_a_resent_webhook_is_a_duplicate_skipped_and_counted() -> None:
    bodies = load()
    again = copy.deepcopy(bodies[3])  # Meta retries a delivery it thinks failed
    frame = read([*bodies, again])
    assert frame.attrs["skipped"]["duplicate"] == 3  # the body's three messages
    assert frame["query_id"].is_unique
    with pytest.raises(SchemaError, match="query_id"):
        meta.from_webhooks([*bodies, again], keep={"duplicate"})
    with pytest.raises(InputError, match="cannot read"):
        meta.from_webhooks(bodies, keep={"not_a_message"})


def test_bad_events_are_named_by_place_and_field() -> None:
    bodies = load()
    bodies[0]["entry"][0]["messaging"][0]["timestamp"] = "yesterday"
    del bodies[3]["entry"][0]["changes"][0]["value"]["messages"][1]["from"]
    bodies[1]["entry"][0]["messaging"][1] = {"sender": {"id": "1"}, "surprise": {}}
    with pytest.raises(InputError) as caught:
        meta.from_webhooks(bodies)
    message = str(caught.value)
    assert "body 0 entry[0].messaging[0]: missing or malformed timestamp" in message
    assert "body 3 entry[0].changes[0].value.messages[1]: missing or malformed from" in message
    assert "body 1 entry[0].messaging[1]: has no message and no event" in message


def test_an_unread_change_field_is_an_error_not_a_silent_skip() -> None:
    body = {"object": "instagram", "entry": [{"id": "1", "time": 1, "changes": [
        {"field": "mentions", "value": {"media_id": "2", "comment_id": "3"}}]}]}  # fmt: skip
    with pytest.raises(InputError, match=r"changes\[0\]: field 'mentions' is not read"):
        meta.from_webhooks(body)


def test_not_a_webhook_is_an_error() -> None:
    with pytest.raises(InputError, match="body 0 is not a webhook"):
        meta.from_webhooks({"object": "user", "entry": []})
