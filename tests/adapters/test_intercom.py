"""Intercom conversations on a documented-shape sample (tests/adapters/data/intercom)."""

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
from prioritize.adapters import intercom
from prioritize.models import validate_frame

CONVERSATIONS = Path(__file__).parent / "data" / "intercom" / "conversations.json"


def load() -> dict[str, Any]:
    return dict(json.loads(CONVERSATIONS.read_text(encoding="utf-8")))


def read(payload: Any, **options: Any) -> pd.DataFrame:
    with pytest.warns(SkippedRecordsWarning, match="brand_reply"):
        return intercom.from_conversations(payload, **options)


def test_conversations_customers_opened_map_every_field() -> None:
    payload = load()
    frame = read(CONVERSATIONS)
    validate_frame(frame)
    assert list(frame["query_id"]) == ["ic-1911149811", "ic-1911149812", "ic-1911149814"]
    assert list(frame["customer_id"]) == [
        "intercom:63a07ddf05a32042dffac965",
        "intercom:63a07ddf05a32042dffac970",
        "intercom:63a07ddf05a32042dffac981",
    ]
    assert list(frame["channel"].astype(str)) == ["chat", "email", "whatsapp"]
    assert not frame["is_public"].any()
    np.testing.assert_array_equal(frame["urgency"], [np.nan, 0.75, np.nan])
    assert frame["received_at"].iloc[0] == pd.Timestamp(1738573223, unit="s", tz="UTC")
    assert list(frame["text"]) == [
        "Hi! I was charged for the annual plan but I picked monthly.",
        "Can't log in\n\nThe app sends me back to the login screen every time.\nPixel 8, Android 15.",
        "Where is my order? Tracking hasn't moved in 5 days",
    ]
    assert list(frame["status"]) == ["open", "snoozed", "open"]
    assert list(frame["external_id"].fillna("-")) == ["cus_1182", "-", "cus_2093"]
    assert list(frame["requester_email"].fillna("-")) == [
        "hana.sato@example.jp", "omar.h@example.com", "-",
    ]  # fmt: skip
    # an invoice an admin sent, a bot's greeting
    assert frame.attrs["skipped"] == {"brand_reply": 2}
    assert len(payload["conversations"]) == len(frame) + 2


def test_keep_reads_company_opened_conversations() -> None:
    frame = intercom.from_conversations(CONVERSATIONS, keep={"brand_reply"})
    assert len(frame) == 5 and frame.attrs["skipped"] == {}


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = read(CONVERSATIONS)
    policy = pz.policies.balanced()
    assert policy.score_frame(frame).index.equals(frame.index)
    assert sorted(policy.rank(frame)["query_id"]) == sorted(frame["query_id"])


def test_payload_shapes_read_alike(tmp_path: Path) -> None:
    items = load()["conversations"]
    base = read(CONVERSATIONS)
    pd.testing.assert_frame_equal(read(items), base)
    pd.testing.assert_frame_equal(read([load(), load()["conversations"][:0]]), base)
    lines = tmp_path / "conversations.jsonl"
    lines.write_text("\n".join(json.dumps(c) for c in items), encoding="utf-8")
    pd.testing.assert_frame_equal(read(lines), base)
    assert list(intercom.from_conversations(items[0])["query_id"]) == ["ic-1911149811"]


def test_bad_conversations_are_named_by_id_and_field() -> None:
    items = copy.deepcopy(load()["conversations"])
    items[0]["source"]["type"] = "carrier_pigeon"
    items[1]["created_at"] = "2025-02-03"
    items[3]["source"]["delivered_as"] = "by_magic"
    with pytest.raises(InputError) as caught:
        intercom.from_conversations(items)
    message = str(caught.value)
    assert "conversation 1911149811: missing or malformed source.type 'carrier_pigeon'" in message
    assert "conversation 1911149812: missing or malformed created_at (epoch seconds)" in message
    assert "conversation 1911149814: source.delivered_as 'by_magic'" in message
    mapped = intercom.from_conversations(items[:1], channel_map={"carrier_pigeon": "other"})
    assert mapped["channel"].iloc[0] == "other"


def test_not_conversations_is_an_error() -> None:
    with pytest.raises(InputError, match="expected"):
        intercom.from_conversations({"type": "contact.list", "data": []})
