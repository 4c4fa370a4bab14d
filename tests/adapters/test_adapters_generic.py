"""read_queries (CSV / Parquet / DataFrame with a column mapping) and join_customers."""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import Customer, InputError, SchemaError
from prioritize.adapters import _generic, join_customers, read_queries
from prioritize.models import CHANNELS, validate_frame

DATA = Path(__file__).parent / "data"
INBOX = DATA / "inbox_export.csv"
MAPPING = {
    "message_id": "query_id",
    "contact": "customer_id",
    "received": "received_at",
    "network": "channel",
    "message": "text",
    "public": "is_public",
}
CRM_DEFAULTS = {
    "lifetime_value": 0.0,
    "purchase_count": 0,
    "total_spend": 0.0,
    "days_since_last_purchase": math.nan,
}


def read_inbox(**kwargs: object) -> pd.DataFrame:
    options: dict[str, object] = {"channel_map": {"Live chat": "chat"}, "defaults": CRM_DEFAULTS}
    options.update(kwargs)
    return read_queries(INBOX, MAPPING, **options)  # type: ignore[arg-type]


def test_inbox_export_maps_every_column() -> None:
    raw = pd.read_csv(INBOX, dtype=str, keep_default_na=False)
    frame = read_inbox()
    validate_frame(frame)
    assert len(frame) == len(raw)
    assert list(frame["query_id"]) == list(raw["message_id"])
    assert list(frame["customer_id"]) == list(raw["contact"])
    assert list(frame["channel"].astype(str)) == [
        "instagram",
        "email",
        "facebook",
        "phone",
        "chat",
        "twitter",
    ]
    # +01:00 offsets become UTC
    assert frame["received_at"].iloc[0] == pd.Timestamp("2024-03-05T07:12:00Z")
    assert list(frame["is_public"]) == [False, False, True, False, False, True]
    assert list(frame["followers"]) == [int(x) for x in raw["followers"]]
    assert frame["text"].iloc[4] == ""  # empty CSV cell: no text
    assert list(frame.columns[:9]) == list(pz.models.REQUIRED_COLUMNS)
    scores = pz.policies.balanced().score_frame(frame)
    assert scores.index.equals(frame.index)


def test_customers_lookup() -> None:
    crm = {
        "email:ann.lee@example.com": Customer(
            customer_id="C-1001", lifetime_value=1840.5, purchase_count=9, total_spend=1840.5
        )
    }
    frame = read_inbox(defaults=None, customers=crm)
    assert list(frame["crm_matched"]) == [False, True, False, False, False, False]
    assert frame["lifetime_value"].iloc[1] == 1840.5
    assert frame["lifetime_value"].iloc[0] == 0.0
    assert frame["days_since_last_purchase"].isna().all()


def test_naive_times_need_a_time_zone() -> None:
    table = pd.read_csv(INBOX, dtype=str, keep_default_na=False)
    table["received"] = table["received"].str.slice(0, 19)  # drop the offset
    with pytest.raises(SchemaError, match=r"no time zone \(row 0, row 1"):
        read_queries(table, MAPPING, channel_map={"Live chat": "chat"}, defaults=CRM_DEFAULTS)
    frame = read_queries(
        table,
        MAPPING,
        channel_map={"Live chat": "chat"},
        defaults=CRM_DEFAULTS,
        tz="Europe/Berlin",
    )
    assert frame["received_at"].iloc[0] == pd.Timestamp("2024-03-05T07:12:00Z")
    # mixed: offsets where given, the time zone elsewhere
    table.loc[0, "received"] = "2024-03-05T08:12:00Z"
    mixed = read_queries(
        table, MAPPING, channel_map={"Live chat": "chat"}, defaults=CRM_DEFAULTS, tz="UTC"
    )
    assert mixed["received_at"].iloc[0] == pd.Timestamp("2024-03-05T08:12:00Z")
    assert mixed["received_at"].iloc[1] == pd.Timestamp("2024-03-05T08:14:30Z")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-05T09:15:00Z", "2024-03-05T09:15:00Z"),
        ("2024-03-05 09:15:00.250+01:00", "2024-03-05T08:15:00.250Z"),
        ("2024-03-05T09:15-0530", "2024-03-05T14:45:00Z"),
        ("2024-03-05T09:15", None),
        ("2024-03-05", None),  # a bare date: its "-05" is not an offset
    ],
)
def test_offsets_are_read_only_after_a_clock_time(text: str, utc: str | None) -> None:
    frame = read_inbox().head(1).assign(received_at=text)
    if utc is None:
        with pytest.raises(SchemaError, match="no time zone"):
            read_queries(frame)
        assert read_queries(frame, tz="Asia/Tokyo")["received_at"].iloc[0] == (
            pd.Timestamp(text).tz_localize("Asia/Tokyo").tz_convert("UTC")
        )
    else:
        assert read_queries(frame)["received_at"].iloc[0] == pd.Timestamp(utc)


def test_datetime_columns() -> None:
    frame = read_inbox()
    naive = frame.assign(received_at=frame["received_at"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="no time zone"):
        read_queries(naive)
    back = read_queries(naive, tz="UTC")
    assert back["received_at"].equals(frame["received_at"])
    berlin = frame.assign(received_at=frame["received_at"].dt.tz_convert("Europe/Berlin"))
    assert read_queries(berlin)["received_at"].equals(frame["received_at"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"mapping": {**MAPPING, "msg_id": "query_id"}}, InputError, "several source columns"),
        ({"mapping": {**MAPPING, "nope": "urgency"}}, SchemaError, r"\['nope'\]"),
        ({"defaults": None}, SchemaError, "lifetime_value"),
        ({"defaults": {**CRM_DEFAULTS, "channel": "email"}}, InputError, "'channel'"),
        ({"defaults": {**CRM_DEFAULTS, "followers": 0}}, InputError, "already has column"),
        ({"channel_map": {"Live chat": "pigeon"}}, SchemaError, "row 4 = 'Live chat'"),
    ],
)
def test_errors_name_the_column(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    options: dict[str, object] = {
        "mapping": MAPPING,
        "channel_map": {"Live chat": "chat"},
        "defaults": CRM_DEFAULTS,
    }
    options.update(kwargs)
    with pytest.raises(error, match=message):
        read_queries(INBOX, **options)  # type: ignore[arg-type]


def test_bad_values_name_the_rows() -> None:
    table = pd.read_csv(INBOX, dtype=str, keep_default_na=False)

    def read(**changes: object) -> pd.DataFrame:
        changed = table.assign(**changes)
        return read_queries(
            changed, MAPPING, channel_map={"Live chat": "chat"}, defaults=CRM_DEFAULTS
        )

    with pytest.raises(SchemaError, match="'is_public'.*row 2 = 'maybe'"):
        read(public=["no", "no", "maybe", "yes", "0", "1"])
    words = read(public=["no", "No", "yes", "n", "0", "1"])
    assert list(words["is_public"]) == [False, False, True, False, False, True]
    with pytest.raises(SchemaError, match="followers"):
        read(followers=[1, 2, -3, 4, 5, 6])
    with pytest.raises(SchemaError, match="'followers'.*row 3 = 'lots'"):
        read(followers=["1", "2", "3", "lots", "5", "6"])
    with pytest.raises(SchemaError, match="'received_at'.*row 1"):
        read(received=[*table["received"][:1], "soon", *table["received"][2:]])
    with pytest.raises(SchemaError, match="query_id"):
        read(message_id="same")


def test_file_formats(tmp_path: Path) -> None:
    tsv = tmp_path / "inbox.tsv"
    pd.read_csv(INBOX, dtype=str).to_csv(tsv, sep="\t", index=False)
    assert read_queries(tsv, MAPPING, channel_map={"Live chat": "chat"}, defaults=CRM_DEFAULTS)[
        "query_id"
    ].equals(read_inbox()["query_id"])
    odd = tmp_path / "inbox.export"
    odd.write_bytes(INBOX.read_bytes())
    with pytest.raises(InputError, match="file_format"):
        read_queries(odd, MAPPING)
    assert (
        len(
            read_queries(
                odd,
                MAPPING,
                file_format="csv",
                channel_map={"Live chat": "chat"},
                defaults=CRM_DEFAULTS,
            )
        )
        == 6
    )
    with pytest.raises(InputError, match="file_format"):
        read_queries(odd, MAPPING, file_format="xlsx")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cannot read"):
        read_queries(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="path or a DataFrame"):
        read_queries(42)  # type: ignore[arg-type]


def test_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_generic, "_has_parquet_engine", lambda: False)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        read_queries(tmp_path / "queries.parquet")


def test_parquet_round_trip(tmp_path: Path) -> None:
    importlib.import_module("pyarrow")
    frame = read_inbox()
    path = tmp_path / "queries.parquet"
    frame.to_parquet(path)
    back = read_queries(path)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False, check_categorical=False)


def test_join_customers_directly() -> None:
    frame = read_inbox()
    table = pd.DataFrame(
        {
            "customer_id": ["phone:+1 902 555 0147"],
            "purchase_count": [3],
            "segment": ["loyal"],
        }
    )
    out = join_customers(frame, table)
    assert out["purchase_count"].dtype == np.int64
    assert list(out["purchase_count"]) == [0, 0, 0, 3, 0, 0]
    assert list(out["segment"].isna()) == [True, True, True, False, True, True]
    assert out["lifetime_value"].equals(frame["lifetime_value"])
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['total_spend'\]"):
        join_customers(frame, table, columns=["total_spend"])
    with pytest.raises(SchemaError, match="'person_id'"):
        join_customers(frame, table, on="person_id")
    with pytest.raises(InputError, match="mapping id -> Customer"):
        join_customers(frame, [1, 2])  # type: ignore[arg-type]
    fractional = table.assign(purchase_count=[2.5])
    with pytest.raises(SchemaError, match="purchase_count"):
        join_customers(frame, fractional)


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(sorted(CHANNELS)),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.sampled_from(["Z", "+01:00", "-05:30", ""]),
        ),
        max_size=12,
    )
)
def test_rows_in_equal_rows_out(rows: list[tuple[str, int, int, str]]) -> None:
    table = pd.DataFrame(
        {
            "id": [f"m{i}" for i in range(len(rows))],
            "who": [f"email:u{i % 3}@x.com" for i in range(len(rows))],
            "when": [
                (pd.Timestamp("2024-01-01") + pd.Timedelta(seconds=s)).isoformat() + tz
                for _, _, s, tz in rows
            ],
            "via": [c.upper() for c, *_ in rows],
            "followers": [f for _, f, _, _ in rows],
            "text": ["help"] * len(rows),
        }
    ).astype({"id": str, "who": str, "when": str, "via": str})
    out = read_queries(
        table,
        {"id": "query_id", "who": "customer_id", "when": "received_at", "via": "channel"},
        defaults=CRM_DEFAULTS,
        tz="Asia/Kolkata",
    )
    assert len(out) == len(table)
    assert list(out["query_id"]) == list(table["id"])
    assert list(out["channel"].astype(str)) == [c for c, *_ in rows]
    # offsets are honoured; values without one are local times in the given zone (+05:30)
    local = pd.to_datetime(table["when"].str[:19]).dt.tz_localize("UTC")
    hours = {"Z": 0.0, "+01:00": 1.0, "-05:30": -5.5, "": 5.5}
    for got, want, (*_, tz) in zip(out["received_at"], local, rows, strict=True):
        assert want - got == pd.Timedelta(hours=hours[tz])
