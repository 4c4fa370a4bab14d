"""Zendesk-style ticket exports (JSON and CSV) on realistic samples in tests/adapters/data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.adapters import zendesk
from prioritize.models import validate_frame

DATA = Path(__file__).parent / "data"
TICKETS = DATA / "zendesk_tickets.json"
CSV = DATA / "zendesk_export.csv"


def load() -> dict[str, Any]:
    return dict(json.loads(TICKETS.read_text(encoding="utf-8")))


def test_json_export_maps_every_field() -> None:
    payload = load()
    frame = zendesk.from_tickets(TICKETS)
    validate_frame(frame)
    assert len(frame) == len(payload["tickets"]) == payload["count"]
    assert list(frame["query_id"]) == [f"zd-{t['id']}" for t in payload["tickets"]]
    assert list(frame["customer_id"]) == [
        f"zendesk:{t['requester_id']}" for t in payload["tickets"]
    ]
    assert list(frame["channel"].astype(str)) == [
        "email",
        "phone",
        "web_form",
        "twitter",
        "chat",
        "facebook",
        "other",
        "email",
    ]
    # via.source.rel decides: a Twitter DM is private, a Facebook wall post is public
    assert list(frame["is_public"]) == [False, False, False, False, False, True, False, False]
    urgency = frame["urgency"].to_numpy()
    expected = [0.5, math.nan, math.nan, 1.0, 0.25, 0.5, 0.25, 0.75]
    np.testing.assert_array_equal(urgency, expected)
    first = payload["tickets"][0]
    assert frame["text"].iloc[0] == f"{first['subject']}\n\n{first['description']}"
    assert frame["received_at"].iloc[0] == pd.Timestamp("2024-03-04T17:22:08Z")
    assert list(frame["status"]) == [t["status"] for t in payload["tickets"]]
    assert frame["requester_email"].iloc[0] == "Ann.Lee@example.com"
    assert frame["requester_phone"].iloc[1] == "+1 902-555-0147"
    assert pd.isna(frame["requester_email"].iloc[3])  # Marco has no e-mail on file
    assert (frame["followers"] == 0).all() and not frame["crm_matched"].any()


def test_round_trip_through_scoring() -> None:
    frame = zendesk.from_tickets(TICKETS)
    policy = pz.policies.balanced()
    scores = policy.score_frame(frame)
    assert scores.index.equals(frame.index)
    # missing priority: urgency comes from the text ("no reply", "nobody answered", ...)
    assert scores["urgency"].iloc[2] > 0
    ranked = policy.rank(frame)
    assert len(ranked) == len(frame)


def test_single_ticket_list_and_json_lines(tmp_path: Path) -> None:
    payload = load()
    one = zendesk.from_tickets({"ticket": payload["tickets"][3]})
    assert list(one["query_id"]) == ["zd-35450"]
    assert pd.isna(one["requester_email"].iloc[0])  # no users side-load
    listed = zendesk.from_tickets(payload["tickets"])
    assert list(listed["query_id"]) == list(zendesk.from_tickets(payload)["query_id"])
    export = tmp_path / "tickets.json"
    export.write_text("\n".join(json.dumps(t) for t in payload["tickets"]), encoding="utf-8")
    assert len(zendesk.from_tickets(export)) == len(payload["tickets"])


def _broken(mutate: Any) -> dict[str, Any]:
    payload = load()
    mutate(payload)
    return payload


def test_unknown_channel_is_named_not_mapped() -> None:
    payload = _broken(lambda p: p["tickets"][0]["via"].update(channel="pigeon"))
    with pytest.raises(
        InputError, match=r"ticket 35436: via.channel 'pigeon' is not a known channel"
    ):
        zendesk.from_tickets(payload)
    frame = zendesk.from_tickets(payload, channel_map={"Pigeon": "other"})
    assert frame["channel"].iloc[0] == "other"


def test_numeric_via_ids_need_a_map() -> None:
    payload = _broken(lambda p: p["tickets"][0]["via"].update(channel=4))
    with pytest.raises(InputError, match="ticket 35436: via.channel 4 .*numeric via id"):
        zendesk.from_tickets(payload)
    frame = zendesk.from_tickets(payload, channel_map={4: pz.Channel.EMAIL})
    assert frame["channel"].iloc[0] == "email"
    with pytest.raises(InputError, match=r"channel_map\[4\] = 'letter'"):
        zendesk.from_tickets(payload, channel_map={4: "letter"})


def test_priority_mapping() -> None:
    payload = _broken(lambda p: p["tickets"][1].update(priority="P1"))
    with pytest.raises(InputError, match="ticket 35441: priority 'P1'"):
        zendesk.from_tickets(payload)
    frame = zendesk.from_tickets(payload, priority_urgency={"P1": 0.9, "normal": 0.4})
    assert frame["urgency"].iloc[1] == 0.9
    assert frame["urgency"].iloc[0] == 0.4
    with pytest.raises(InputError, match="priority_urgency"):
        zendesk.from_tickets(payload, priority_urgency={"P1": 2.0})


@pytest.mark.parametrize(
    ("mutate", "message", "error"),
    [
        (lambda p: p["tickets"][2].pop("requester_id"), "ticket 35447: .*requester_id", InputError),
        (lambda p: p["tickets"][2].pop("via"), "ticket 35447: .*via.channel", InputError),
        (lambda p: p["tickets"][2].pop("created_at"), "ticket 35447: .*created_at", InputError),
        (lambda p: p["tickets"][2].update(id=None), r"tickets\[2\]: .*\bid\b", InputError),
        (lambda p: p["tickets"][2].update(subject=["x"]), "ticket 35447: subject", InputError),
        (lambda p: p["tickets"].append("35461"), r"tickets\[8\] is a str", InputError),
        (lambda p: p.pop("tickets"), "expected {'tickets'", InputError),
        (lambda p: p["users"].append({"name": "x"}), "users has an entry", InputError),
        (
            lambda p: p["tickets"][4].update(created_at="2024-03-05T09:12:44"),
            "ticket 35452",
            SchemaError,
        ),
        (lambda p: p["tickets"][4].update(created_at="5 March"), "ticket 35452", SchemaError),
    ],
)
def test_bad_tickets_name_the_ticket_and_field(
    mutate: Any, message: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=message):
        zendesk.from_tickets(_broken(mutate))


def test_all_bad_tickets_are_listed() -> None:
    def two(p: dict[str, Any]) -> None:
        p["tickets"][0]["via"]["channel"] = "fax"
        p["tickets"][6]["priority"] = "asap"

    with pytest.raises(InputError) as info:
        zendesk.from_tickets(_broken(two))
    assert "ticket 35436" in str(info.value) and "ticket 35458" in str(info.value)


def test_customers_join_marks_matches() -> None:
    crm = pd.DataFrame(
        {
            "customer_id": ["zendesk:368765431", "zendesk:362004871", "zendesk:999"],
            "lifetime_value": [1840.5, 23900.0, 5.0],
            "purchase_count": [9, 31, 1],
            "total_spend": [1840.5, 23900.0, 5.0],
            "days_since_last_purchase": [12.0, 6.0, 1.0],
            "followers": [412, 0, 0],
        }
    ).set_index("customer_id")
    frame = zendesk.from_tickets(TICKETS, customers=crm)
    validate_frame(frame)
    assert list(frame["crm_matched"]) == [True, True, True, False, False, False, False, True]
    assert list(frame["lifetime_value"]) == [1840.5] * 3 + [0.0] * 4 + [23900.0]
    assert list(frame["followers"]) == [412] * 3 + [0] * 5
    assert frame["days_since_last_purchase"].isna().sum() == 4


def test_customers_errors() -> None:
    with pytest.raises(SchemaError, match="customer_id"):
        zendesk.from_tickets(TICKETS, customers=pd.DataFrame({"id": [1], "lifetime_value": [1.0]}))
    dup = pd.DataFrame({"customer_id": ["a", "a"], "lifetime_value": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="unique"):
        zendesk.from_tickets(TICKETS, customers=dup)
    with pytest.raises(SchemaError, match="none of the CRM columns"):
        zendesk.from_tickets(TICKETS, customers=pd.DataFrame({"customer_id": ["a"], "x": [1]}))
    bad = pd.DataFrame({"customer_id": ["zendesk:368765431"], "lifetime_value": [-5.0]})
    with pytest.raises(SchemaError, match="lifetime_value"):
        zendesk.from_tickets(TICKETS, customers=bad)
    not_customers: Any = {"zendesk:1": {"lifetime_value": 1}}
    with pytest.raises(InputError, match="Customer"):
        zendesk.from_tickets(TICKETS, customers=not_customers)


# ----------------------------------------------------------------------------- CSV
def test_csv_export_agrees_with_the_json_export() -> None:
    csv = zendesk.from_csv(CSV, tz="America/New_York")
    validate_frame(csv)
    assert len(csv) == len(pd.read_csv(CSV))
    json_frame = zendesk.from_tickets(TICKETS).set_index("query_id").loc[csv["query_id"]]
    same = ["customer_id", "received_at", "channel", "is_public", "status", "requester_email"]
    for column in same:
        assert list(csv[column].astype(object)) == list(json_frame[column].astype(object)), column
    np.testing.assert_array_equal(csv["urgency"], json_frame["urgency"])
    assert csv["text"].iloc[0] == "Where is my order NW-58213?"  # CSV has no description
    scores = pz.policies.balanced().score_frame(csv)
    assert scores.index.equals(csv.index)


def test_csv_needs_a_time_zone() -> None:
    with pytest.raises(SchemaError, match=r"no time zone \(ticket 35436.*tz="):
        zendesk.from_csv(CSV)
    table = pd.read_csv(CSV, dtype=str)
    table["Created at"] = table["Created at"] + "Z"
    assert zendesk.from_csv(table)["received_at"].iloc[0] == pd.Timestamp("2024-03-04T12:22:08Z")
    table["Created at"] = "2024-03-10 02:30:00"  # does not exist in New York (DST gap)
    with pytest.raises(SchemaError, match="America/New_York"):
        zendesk.from_csv(table, tz="America/New_York")
    table["Created at"] = "05/03/2024 09:00"
    assert zendesk.from_csv(table, tz="UTC", date_format="%d/%m/%Y %H:%M")["received_at"].iloc[
        0
    ] == pd.Timestamp("2024-03-05T09:00Z")
    with pytest.raises(SchemaError, match="cannot parse"):
        zendesk.from_csv(table, tz="UTC")


def test_csv_by_requester_email() -> None:
    table = pd.read_csv(CSV, dtype=str, keep_default_na=False).drop(columns="Requester id")
    # Marco's and Greg's rows have no e-mail: named, not dropped
    with pytest.raises(InputError, match="ticket 35450: missing or malformed Requester email"):
        zendesk.from_csv(table, tz="America/New_York")
    keep = table[table["Requester email"] != ""].reset_index(drop=True)
    frame = zendesk.from_csv(keep, tz="America/New_York")
    assert len(frame) == len(keep) == 5
    assert frame["customer_id"].iloc[0] == "email:ann.lee@example.com"


def test_csv_errors() -> None:
    table = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    with pytest.raises(SchemaError, match=r"\['Via'\]"):
        zendesk.from_csv(table.drop(columns="Via"), tz="UTC")
    with pytest.raises(SchemaError, match="'Requester email'"):
        zendesk.from_csv(table.drop(columns=["Requester id", "Requester email"]), tz="UTC")
    pigeon = table.copy()
    pigeon.loc[2, "Via"] = "Carrier pigeon"
    with pytest.raises(InputError, match="ticket 35447: Via 'Carrier pigeon'"):
        zendesk.from_csv(pigeon, tz="UTC")
    assert (
        zendesk.from_csv(pigeon, tz="UTC", channel_map={"carrier pigeon": "other"})["channel"].iloc[
            2
        ]
        == "other"
    )
    no_id = table.copy()
    no_id.loc[1, "Id"] = ""
    with pytest.raises(InputError, match="row 3: missing or malformed Id"):
        zendesk.from_csv(no_id, tz="UTC")
    with pytest.raises(InputError, match="cannot read"):
        zendesk.from_csv(DATA / "no_such_export.csv", tz="UTC")


def test_integer_ids_one_identity_rule() -> None:
    # Zendesk ids are integers: "05" and 5 are one ticket, "²" is no id.
    payload = load()
    first = payload["tickets"][0]
    payload["tickets"][1]["id"] = f"0{first['id']}"
    with pytest.raises(SchemaError, match=f"zd-{first['id']}"):
        zendesk.from_tickets(payload, keep={"duplicate"})
    with pytest.warns(pz.SkippedRecordsWarning, match=f"1 duplicate \\(ticket {first['id']}\\)"):
        frame = zendesk.from_tickets(payload)
    assert frame.attrs["skipped"] == {"duplicate": 1}
    assert len(frame) == len(payload["tickets"]) - 1
    payload = load()
    payload["tickets"][1]["id"] = "²"
    with pytest.raises(InputError, match="Id|id"):
        zendesk.from_tickets(payload)
