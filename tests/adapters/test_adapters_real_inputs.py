"""Issue 14, defects 1-7: the exact cases real exports and API responses hit."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.adapters import read_queries, twitter, zendesk

DATA = Path(__file__).parent / "data"
SEARCH = DATA / "twitter_search_recent.json"
TICKETS = DATA / "zendesk_tickets.json"
ZENDESK_CSV = DATA / "zendesk_export.csv"


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def frame_with(received_at: list[Any]) -> pd.DataFrame:
    frame = pz.synthetic.queries(len(received_at), seed=0)
    frame["received_at"] = pd.Series(received_at, dtype=object)
    return frame


# --- defect 1: timestamps in every documented vendor format --------------------------------

UTC_0655 = pd.Timestamp("2017-10-11 06:55:44", tz="UTC")

VENDOR_FORMS = [
    ("Wed Oct 11 06:55:44 +0000 2017", UTC_0655),  # Twitter v1.1, Customer Support on Twitter
    ("Wed Oct 11 08:55:44 +0200 2017", UTC_0655),
    ("2017-10-11 06:55:44 UTC", UTC_0655),  # Rails, as Chatwoot sends
    ("2017-10-11 06:55:44 GMT", UTC_0655),
    ("Wed, 11 Oct 2017 08:55:44 +0200", UTC_0655),  # RFC 2822 (e-mail)
    ("11 Oct 2017 06:55:44 GMT", UTC_0655),
    ("Wed, 11 Oct 2017 06:55:44 -0000", UTC_0655),  # RFC 5322: UTC, sender's zone unknown
    ("2017-10-11T06:55:44Z", UTC_0655),
    ("2017-10-11T06:55:44.000Z", UTC_0655),
    ("2017-10-11T08:55:44+02:00", UTC_0655),
    ("2017-10-11 01:55:44-0500", UTC_0655),
    ("1507704944", UTC_0655),  # epoch seconds as text
    ("1507704944000", UTC_0655),  # epoch milliseconds as text (v1.1 timestamp_ms)
    (1507704944, UTC_0655),  # epoch seconds (Intercom, Chatwoot)
    (1507704944000, UTC_0655),  # epoch milliseconds
    (1507704944.5, UTC_0655 + pd.Timedelta(milliseconds=500)),
]


@pytest.mark.parametrize(("value", "expected"), VENDOR_FORMS)
def test_every_vendor_timestamp_form_is_read_without_arguments(value: Any, expected: Any) -> None:
    out = read_queries(frame_with([value, value]))
    assert list(out["received_at"]) == [expected, expected]
    # a tz for naive values never touches a value that carries its zone
    assert list(read_queries(frame_with([value]), tz="Asia/Tokyo")["received_at"]) == [expected]


def test_numeric_epoch_columns() -> None:
    frame = pz.synthetic.queries(2, seed=0)
    frame["received_at"] = [1507704944, 1507704944000]  # an int64 column
    assert list(read_queries(frame)["received_at"]) == [UTC_0655, UTC_0655]


@pytest.mark.parametrize(
    ("value", "date_format"),
    [
        ("Wed Oct 11 06:55:44 +0000 2017", "%a %b %d %H:%M:%S %z %Y"),
        ("2017-10-11 06:55:44 UTC", "%Y-%m-%d %H:%M:%S %Z"),
    ],
)
def test_issue_cases_with_a_date_format_and_a_timezone(value: str, date_format: str) -> None:
    # The issue: "no time zone" with the format, pandas' "Already tz-aware" with timezone="UTC".
    for tz in (None, "UTC", "Europe/Berlin"):
        out = read_queries(frame_with([value]), date_format=date_format, tz=tz)
        assert list(out["received_at"]) == [UTC_0655]


def test_date_format_wins_over_the_default_forms() -> None:
    # ISO would read 2024-03-04; the format says day and month are the other way round.
    out = read_queries(frame_with(["2024-03-04 10:00"]), date_format="%Y-%d-%m %H:%M", tz="UTC")
    assert list(out["received_at"]) == [pd.Timestamp("2024-04-03 10:00", tz="UTC")]
    # a format without a zone: local times in tz
    out = read_queries(frame_with(["03/04/2024 10:00"]), date_format="%d/%m/%Y %H:%M", tz="UTC")
    assert list(out["received_at"]) == [pd.Timestamp("2024-04-03 10:00", tz="UTC")]
    with pytest.raises(SchemaError, match="no time zone.*row 0"):
        read_queries(frame_with(["03/04/2024 10:00"]), date_format="%d/%m/%Y %H:%M")
    with pytest.raises(SchemaError, match=r"row 0 = '2024-04-03' \(cannot parse as %d/%m/%Y\)"):
        read_queries(frame_with(["2024-04-03"]), date_format="%d/%m/%Y", tz="UTC")


def test_timestamp_errors_name_the_earliest_rows_first_whatever_the_reason() -> None:
    values = ["2017-10-11 06:55:44", "Oct 11th", 99999999999999999, "Wed, 99 Oct 2017 1:1 +0000"]
    with pytest.raises(SchemaError) as info:
        read_queries(frame_with(values))
    message = str(info.value)
    assert (
        "4 timestamp(s) cannot be read: row 0 = '2017-10-11 06:55:44' (no time zone), " in message
    )
    assert message.index("row 1") < message.index("row 2") < message.index("row 3")
    assert "pass tz='…'" in message


def test_timestamps_that_cannot_be_read_name_the_row() -> None:
    with pytest.raises(SchemaError, match="no time zone.*row 1.*e.g. '2017-10-11 06:55:44'"):
        read_queries(frame_with(["2017-10-11T06:55:44Z", "2017-10-11 06:55:44"]))
    with pytest.raises(SchemaError, match=r"row 1 = 'Oct 11th' \(cannot parse as ISO8601\)"):
        read_queries(frame_with(["2017-10-11T06:55:44Z", "Oct 11th"]), tz="UTC")
    with pytest.raises(SchemaError, match="row 0 = 99999999999999999"):
        read_queries(frame_with([99999999999999999]))
    with pytest.raises(SchemaError, match="missing or not a timestamp.*row 1"):
        read_queries(frame_with(["2017-10-11T06:55:44Z", None]))


def test_zendesk_csv_reads_the_vendor_forms_and_passes_dst_options(tmp_path: Path) -> None:
    table = pd.read_csv(ZENDESK_CSV, dtype=str, keep_default_na=False)
    table["Created at"] = "Wed Oct 11 06:55:44 +0000 2017"
    out = zendesk.from_csv(table, date_format="%a %b %d %H:%M:%S %z %Y", tz="UTC")
    assert (out["received_at"] == UTC_0655).all()
    table["Created at"] = "2026-10-25 02:30:00"  # occurs twice in Berlin
    with pytest.raises(SchemaError, match="occur twice in Europe/Berlin"):
        zendesk.from_csv(table, tz="Europe/Berlin")
    early = zendesk.from_csv(table, tz="Europe/Berlin", ambiguous="earliest")
    late = zendesk.from_csv(table, tz="Europe/Berlin", ambiguous="latest")
    assert (late["received_at"] - early["received_at"] == pd.Timedelta(hours=1)).all()
    table["Created at"] = "2026-03-29 02:30:00"  # never happens in Berlin
    with pytest.raises(SchemaError, match="do not exist in Europe/Berlin"):
        zendesk.from_csv(table, tz="Europe/Berlin")
    shifted = zendesk.from_csv(table, tz="Europe/Berlin", nonexistent="shift_forward")
    assert (shifted["received_at"] == pd.Timestamp("2026-03-29 01:00", tz="UTC")).all()


# --- defect 2: numeric channel codes --------------------------------------------------------


@pytest.mark.parametrize("channel_map", [{1: "email", 2: "chat"}, {"1": "email", "2": "chat"}])
def test_numeric_channel_codes_map_on_int_and_text_columns(
    channel_map: dict[Any, str], tmp_path: Path
) -> None:
    frame = pz.synthetic.queries(4, seed=0)
    frame["channel"] = [1, 2, 2, 1]  # an int64 column, as Freshdesk sends `source`
    expected = ["email", "chat", "chat", "email"]
    assert list(read_queries(frame, channel_map=channel_map)["channel"]) == expected
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)  # the same table from CSV
    assert list(read_queries(path, channel_map=channel_map)["channel"]) == expected
    frame["channel"] = [1.0, 2.0, 2.0, 1.0]  # a float column (a CSV column with blanks)
    assert list(read_queries(frame, channel_map=channel_map)["channel"]) == expected


def test_an_unmapped_code_is_named_with_a_channel_map_example() -> None:
    frame = pz.synthetic.queries(3, seed=0)
    frame["channel"] = [1, 7, 1]
    with pytest.raises(SchemaError, match=r"channel_map=\{7: 'email'\}\): row 1 = 7"):
        read_queries(frame, channel_map={1: "email"})


# --- defects 3 and 4: one-ticket JSONL, bare tickets, lists of pages ------------------------


def test_one_ticket_jsonl_and_a_bare_ticket(tmp_path: Path) -> None:
    ticket = load(TICKETS)["tickets"][0]
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(ticket) + "\n", encoding="utf-8")
    one = zendesk.from_tickets(path)
    assert list(one["query_id"]) == [f"zd-{ticket['id']}"]
    assert list(zendesk.from_tickets(ticket)["query_id"]) == [f"zd-{ticket['id']}"]
    path.write_text("\n".join(json.dumps(t) for t in load(TICKETS)["tickets"][:2]), "utf-8")
    assert len(zendesk.from_tickets(path)) == 2


def test_a_list_of_pages_and_jsonl_of_pages(tmp_path: Path) -> None:
    doc = load(TICKETS)
    whole = zendesk.from_tickets(doc)
    first = {**doc, "tickets": doc["tickets"][:3]}
    second = {**doc, "tickets": doc["tickets"][3:], "users": doc["users"][:1]}
    second_users = {u["id"] for u in second["users"]}
    assert {t["requester_id"] for t in second["tickets"]} - second_users  # needs page 1's users
    paged = zendesk.from_tickets([first, second])
    pd.testing.assert_frame_equal(paged, whole)
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(zendesk.from_tickets(path), whole)


# --- defect 5: a missing author, expansion-only errors ---------------------------------------


def test_a_missing_author_without_an_error_is_named_and_can_be_decided() -> None:
    payload = load(SEARCH)
    gone = payload["data"][2]["author_id"]
    payload["includes"]["users"] = [u for u in payload["includes"]["users"] if u["id"] != gone]
    for on_errors in ("raise", "ignore"):
        with pytest.raises(InputError) as info:
            twitter.from_tweets(payload, on_errors=on_errors)  # type: ignore[arg-type]
        message = str(info.value)
        assert f"tweet {payload['data'][2]['id']}: author_id '{gone}' is not in" in message
        assert "no API error explains it" in message and "suspended" not in message
        assert "unknown_followers=" in message
    frame = twitter.from_tweets(payload, unknown_followers=0)
    assert len(frame) == len(payload["data"])
    assert list(frame["followers_known"]) == [True, True, False, True, True, True]
    assert frame["followers"].iloc[2] == 0
    assert frame["customer_id"].iloc[2] == f"twitter:id:{gone}"
    assert frame.attrs["skipped"] == {}


def test_a_missing_follower_count_is_an_error_naming_the_field_unless_decided() -> None:
    payload = load(SEARCH)
    payload["includes"]["users"][0].pop("public_metrics")
    with pytest.raises(InputError, match="public_metrics.followers_count is None"):
        twitter.from_tweets(payload)
    frame = twitter.from_tweets(payload, unknown_followers=7)
    assert frame.loc[~frame["followers_known"], "followers"].tolist() == [7, 7]


EXPANSION_ERRORS = [
    {
        "value": "gone_user",
        "detail": "User has been suspended: [gone_user].",
        "title": "Forbidden",
        "resource_type": "user",
        "parameter": "entities.mentions.username",
        "resource_id": "gone_user",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    },
    {
        "value": "1764000000000000000",
        "detail": "Could not find tweet with referenced_tweets.id: [1764000000000000000].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "referenced_tweets.id",
        "resource_id": "1764000000000000000",
        "section": "includes",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    },
]


def test_expansion_only_errors_do_not_block_the_tweets() -> None:
    payload = load(SEARCH)
    payload["errors"] = EXPANSION_ERRORS
    with pytest.warns(pz.SkippedRecordsWarning, match="2 expansion_error"):
        frame = twitter.from_tweets(payload)
    pd.testing.assert_frame_equal(frame, twitter.from_tweets(load(SEARCH)))
    assert frame.attrs["skipped"] == {"expansion_error": 2}


# --- defect 6: a failed request is an error --------------------------------------------------

ERROR_BODIES = [
    {  # API v2, HTTP 400
        "errors": [
            {
                "parameters": {"max_results": ["1000"]},
                "message": "The `max_results` query parameter value [1000] is not between 10 "
                "and 100",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    },
    {  # API v2, HTTP 401
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    },
    {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},  # API v1.1
]


@pytest.mark.parametrize("body", ERROR_BODIES)
def test_an_error_response_is_an_error_even_when_ignoring_errors(body: dict[str, Any]) -> None:
    for on_errors in ("raise", "ignore"):
        with pytest.raises(InputError, match="page 0 is an error response.*no tweet was read"):
            twitter.from_tweets(body, on_errors=on_errors)  # type: ignore[arg-type]
        with pytest.raises(InputError, match="page 1 is an error response"):
            twitter.from_tweets([load(SEARCH), body], on_errors=on_errors)  # type: ignore[arg-type]
    assert twitter.payload_errors(body)  # still inspectable


def test_the_error_response_message_says_what_failed() -> None:
    with pytest.raises(InputError, match="Invalid Request: One or more parameters"):
        twitter.from_tweets(ERROR_BODIES[0])
    with pytest.raises(InputError, match=r"\(a Twitter API v1.1 error\).*Rate limit exceeded"):
        twitter.from_tweets(ERROR_BODIES[2])


def test_an_empty_result_is_still_zero_rows() -> None:
    frame = twitter.from_tweets({"meta": {"result_count": 0, "newest_id": None}})
    assert len(frame) == 0 and frame.attrs["skipped"] == {}


# --- defect 7: duplicates, retweets, deleted tickets, Search API, ETL records, v1.1 ----------


def retweet_of(tweet: dict[str, Any], new_id: str) -> dict[str, Any]:
    out = copy.deepcopy(tweet)
    out["id"] = new_id
    out["text"] = "RT @NorthwindHelp: " + tweet["text"]
    out["referenced_tweets"] = [{"type": "retweeted", "id": tweet["id"]}]
    return out


def test_retweets_are_skipped_counted_and_keepable() -> None:
    payload = load(SEARCH)
    payload["data"].insert(1, retweet_of(payload["data"][0], "1764924352494698999"))
    payload["data"].append(retweet_of(payload["data"][2], "1764924352494699000"))
    with pytest.warns(pz.SkippedRecordsWarning, match=r"2 retweet \(tweet 1764924352494698999"):
        frame = twitter.from_tweets(payload)
    assert len(frame) == len(payload["data"]) - 2
    assert frame.attrs["skipped"] == {"retweet": 2}
    kept = twitter.from_tweets(payload, keep={"retweet"})
    assert len(kept) == len(payload["data"]) and kept.attrs["skipped"] == {}
    quote = copy.deepcopy(payload["data"][0])
    quote["referenced_tweets"] = [{"type": "quoted", "id": "1"}]  # a quote is a message
    assert len(twitter.from_tweets({**payload, "data": [quote]})) == 1


def test_the_brands_own_tweets_are_skipped() -> None:
    payload = load(SEARCH)
    with pytest.warns(pz.SkippedRecordsWarning, match="2 brand_reply"):
        frame = twitter.from_tweets(payload, brand={"@Ann_Lee"})
    assert "twitter:ann_lee" not in set(frame["customer_id"])
    assert frame.attrs["skipped"] == {"brand_reply": 2}


def test_duplicates_across_overlapping_pages(tmp_path: Path) -> None:
    page = load(SEARCH)
    first = {**page, "data": page["data"][:4]}
    second = {**page, "data": page["data"][2:]}  # tweets 2 and 3 on both pages
    with pytest.warns(pz.SkippedRecordsWarning, match="2 duplicate"):
        frame = twitter.from_tweets([first, second])
    pd.testing.assert_frame_equal(frame, twitter.from_tweets(page), check_like=False)
    assert frame.attrs["skipped"] == {"duplicate": 2}
    with pytest.raises(SchemaError, match="unique"):
        twitter.from_tweets([first, second], keep={"duplicate"})


def test_deleted_zendesk_tickets_are_skipped_and_counted() -> None:
    doc = load(TICKETS)
    for ticket in doc["tickets"][1::2]:
        ticket["status"] = "deleted"
    deleted = [t["id"] for t in doc["tickets"][1::2]]
    with pytest.warns(pz.SkippedRecordsWarning, match=f"{len(deleted)} deleted"):
        frame = zendesk.from_tickets(doc)
    assert len(frame) == len(doc["tickets"]) - len(deleted)
    assert not set(frame["query_id"]) & {f"zd-{i}" for i in deleted}
    assert frame.attrs["skipped"] == {"deleted": len(deleted)}
    kept = zendesk.from_tickets(doc, keep={"deleted"})
    assert (kept["status"] == "deleted").sum() == len(deleted)


def test_deleted_rows_of_a_zendesk_csv_are_skipped() -> None:
    table = pd.read_csv(ZENDESK_CSV, dtype=str, keep_default_na=False)
    table.loc[0, "Status"] = "Deleted"
    with pytest.warns(pz.SkippedRecordsWarning, match="1 deleted"):
        frame = zendesk.from_csv(table, tz="UTC")
    assert len(frame) == len(table) - 1


V1_USER = {
    "id": 1402387615,
    "id_str": "1402387615",
    "name": "Ann Lee",
    "screen_name": "Ann_Lee",
    "followers_count": 412,
}


def v1_tweet(tweet_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "created_at": "Wed Oct 11 06:55:44 +0000 2017",
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": "@NorthwindHelp where is my order?",
        "user": V1_USER,
        **extra,
    }


def test_search_api_results_and_v1_tweets() -> None:
    page = {
        "results": [
            v1_tweet("918000000000000001"),
            v1_tweet(
                "918000000000000002",
                truncated=True,
                extended_tweet={"full_text": "@NorthwindHelp a long message " + "x" * 300},
            ),
            v1_tweet("918000000000000003", retweeted_status=v1_tweet("1")),
        ],
        "next": "eyJhdXRob3JJZCI6",
        "requestParameters": {"maxResults": 100, "fromDate": "201710010000"},
    }
    with pytest.warns(pz.SkippedRecordsWarning, match=r"1 retweet \(tweet 918000000000000003 "):
        frame = pz.adapters.read(page)  # detected as twitter
    assert list(frame["query_id"]) == ["tw-918000000000000001", "tw-918000000000000002"]
    assert list(frame["customer_id"]) == ["twitter:ann_lee"] * 2
    assert list(frame["followers"]) == [412, 412]
    assert (frame["received_at"] == UTC_0655).all()
    assert frame["text"].iloc[1].endswith("x" * 300)
    statuses = {"statuses": [v1_tweet("918000000000000001")], "search_metadata": {}}
    assert len(pz.adapters.read(statuses)) == 1
    query, customer = twitter.from_tweet(v1_tweet("918000000000000001"))
    assert query.received_at == UTC_0655.to_pydatetime() and customer.followers == 412


def test_a_v1_payload_is_named_v1_in_messages() -> None:
    bad = v1_tweet("918000000000000001", user={**V1_USER, "followers_count": None})
    with pytest.raises(
        InputError,
        match=r"tweet 918000000000000001 \(v1.1\): author .* "
        r"user.followers_count is None",
    ):
        twitter.from_tweets([bad])
    with pytest.raises(InputError, match=r"v1.1 tweet needs its embedded 'user'"):
        twitter.from_tweets({"id_str": "1", "text": "hi", "created_at": "x"})


def test_etl_records_of_zendesk_tickets(tmp_path: Path) -> None:
    doc = load(TICKETS)
    records: list[dict[str, Any]] = [
        {"stream": "users", "data": user, "emitted_at": 1709600000000} for user in doc["users"]
    ]
    records += [
        {"type": "RECORD", "record": {"stream": "tickets", "data": t, "emitted_at": 1}}
        for t in doc["tickets"]
    ]
    records.append({"stream": "ticket_metrics", "data": {"id": 1, "ticket_id": 35436}})
    path = tmp_path / "zendesk.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    with pytest.warns(pz.SkippedRecordsWarning, match="1 not_a_message"):
        frame = pz.adapters.read(path)  # detected as zendesk
    pd.testing.assert_frame_equal(frame, zendesk.from_tickets(doc))
    assert frame.attrs["skipped"] == {"not_a_message": 1}
