"""Twitter/X API v2 adapter on realistic payloads (tests/adapters/data/twitter_*.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import Customer, InputError, SchemaError
from prioritize.adapters import twitter
from prioritize.models import validate_frame

DATA = Path(__file__).parent / "data"
SEARCH = DATA / "twitter_search_recent.json"
STREAM = DATA / "twitter_stream_message.json"
PARTIAL = DATA / "twitter_partial_errors.json"


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_search_page_maps_every_field() -> None:
    payload = load(SEARCH)
    frame = twitter.from_tweets(SEARCH)
    validate_frame(frame)
    assert len(frame) == len(payload["data"]) == payload["meta"]["result_count"]
    assert list(frame["query_id"]) == ["tw-" + t["id"] for t in payload["data"]]
    assert list(frame["customer_id"]) == [
        "twitter:ann_lee",
        "twitter:techgeardaily",
        "twitter:marco_bianchi",
        "twitter:ann_lee",
        "twitter:danak_runs",
        "twitter:pj_okafor",
    ]
    followers = {
        u["id"]: u["public_metrics"]["followers_count"] for u in payload["includes"]["users"]
    }
    assert list(frame["followers"]) == [followers[t["author_id"]] for t in payload["data"]]
    assert frame["received_at"].iloc[0] == pd.Timestamp("2024-03-05T08:02:11Z")
    assert str(frame["received_at"].dt.tz) == "UTC"
    assert set(frame["channel"].astype(str)) == {"twitter"}
    assert frame["is_public"].all()
    # long posts use the full note_tweet text, not the truncated one
    assert frame["text"].iloc[5] == payload["data"][5]["note_tweet"]["text"]
    assert frame["text"].iloc[0] == payload["data"][0]["text"]
    assert frame["urgency"].isna().all()
    assert (frame["lifetime_value"] == 0).all() and (frame["purchase_count"] == 0).all()
    assert frame["days_since_last_purchase"].isna().all()  # never bought
    assert not frame["crm_matched"].any()
    assert list(frame["author_id"]) == [t["author_id"] for t in payload["data"]]
    assert frame["conversation_id"].iloc[3] == payload["data"][0]["id"]  # a reply in Ann's thread


def test_frame_round_trips_through_scoring_and_matches_the_scalar_path() -> None:
    payload = load(SEARCH)
    frame = twitter.from_tweets(payload)
    policy = pz.policies.balanced()
    scores = policy.score_frame(frame)
    assert scores.index.equals(frame.index)
    users = payload["includes"]
    for i, tweet in enumerate(payload["data"]):
        query, customer = twitter.from_tweet({"data": tweet, "includes": users})
        assert query.query_id == frame["query_id"].iloc[i]
        assert customer.followers == frame["followers"].iloc[i]
        assert policy.score(query, customer).value == pytest.approx(scores["score"].iloc[i])


def test_stream_message_to_query_and_customer() -> None:
    query, customer = twitter.from_tweet(STREAM)
    assert query.query_id == "tw-1764769914027114503"
    assert query.customer_id == customer.customer_id == "twitter:samirah"
    assert query.received_at == pd.Timestamp("2024-03-04T21:48:30Z").to_pydatetime()
    assert query.channel == pz.Channel.TWITTER
    assert query.is_public
    assert query.urgency is None
    assert customer.followers == 0
    assert customer.lifetime_value == 0 and customer.days_since_last_purchase is None


def test_crm_lookup_fills_value_but_never_followers() -> None:
    crm = Customer(
        customer_id="C-1001",
        followers=5,
        lifetime_value=1840.5,
        purchase_count=9,
        total_spend=1840.5,
        days_since_last_purchase=12,
        segment="loyal",
    )
    payload = load(SEARCH)
    one = {"data": payload["data"][0], "includes": payload["includes"]}
    _, customer = twitter.from_tweet(one, customers={"twitter:ann_lee": crm})
    assert customer.customer_id == "twitter:ann_lee"
    assert customer.followers == 412
    assert (customer.lifetime_value, customer.purchase_count) == (1840.5, 9)
    assert customer.segment == "loyal"

    table = pd.DataFrame(
        {
            "customer_id": ["twitter:ann_lee", "twitter:pj_okafor"],
            "lifetime_value": [1840.5, 75.0],
            "purchase_count": [9, 1],
            "total_spend": [1840.5, 75.0],
            "days_since_last_purchase": [12.0, np.nan],
            "followers": [1, 1],
        }
    )
    frame = twitter.from_tweets(payload, customers=table)
    validate_frame(frame)
    assert list(frame["crm_matched"]) == [True, False, False, True, False, True]
    assert list(frame["lifetime_value"]) == [1840.5, 0, 0, 1840.5, 0, 75.0]
    assert frame["purchase_count"].dtype == np.int64
    assert list(frame["followers"]) == [412, 845210, 1873, 412, 96, 12044]
    # mapping form of the lookup gives the same frame
    same = twitter.from_tweets(payload, customers={"twitter:ann_lee": crm})
    assert same.loc[0, "lifetime_value"] == 1840.5 and same.loc[0, "segment"] == "loyal"
    assert pd.isna(same.loc[1, "segment"])


def test_pages_and_json_lines(tmp_path: Path) -> None:
    page = load(SEARCH)
    stream = load(STREAM)
    frame = twitter.from_tweets([page, stream])
    assert len(frame) == len(page["data"]) + 1
    lines = tmp_path / "stream.jsonl"
    lines.write_text(json.dumps(stream) + "\n\n" + json.dumps(page) + "\n", encoding="utf-8")
    from_file = twitter.from_tweets(lines)
    assert list(from_file["query_id"]) == list(frame["query_id"].iloc[[-1, 0, 1, 2, 3, 4, 5]])
    # overlapping pages: the second copy of a tweet is skipped and counted (issue 14)
    with pytest.warns(pz.SkippedRecordsWarning, match=f"{len(page['data'])} duplicate"):
        twice = twitter.from_tweets([page, page])
    assert list(twice["query_id"]) == list(frame["query_id"].iloc[: len(page["data"])])
    assert twice.attrs["skipped"] == {"duplicate": len(page["data"])}
    with pytest.raises(SchemaError, match="unique"):
        twitter.from_tweets([page, page], keep={"duplicate"})  # kept: the ids repeat


def test_empty_result_is_an_empty_canonical_frame() -> None:
    frame = twitter.from_tweets({"meta": {"result_count": 0}})
    assert len(frame) == 0
    validate_frame(frame)
    assert len(pz.policies.balanced().score_frame(frame)) == 0


def test_partial_errors_are_never_silent() -> None:
    errors = twitter.payload_errors(PARTIAL)
    assert [e["title"] for e in errors] == ["Forbidden", "Not Found Error"]
    # an error about the author of a tweet in data names the tweet and the error
    with pytest.raises(
        InputError,
        match="tweet 1764975812410474504: the API reports an error about its author 4410938822 "
        r"\(Forbidden: User has been suspended",
    ):
        twitter.from_tweets(PARTIAL)
    # opting out still refuses the tweet whose author is missing, naming it
    with pytest.raises(InputError, match="tweet 1764975812410474504: author_id '4410938822'"):
        twitter.from_tweets(PARTIAL, on_errors="ignore")
    payload = load(PARTIAL)
    payload["data"] = payload["data"][:1]
    # the suspended user no longer authors a tweet in data: an expansion-only error, counted
    # like the requested tweet that was not found (issue 14: they do not block the tweets)
    for on_errors in ("raise", "ignore"):
        with pytest.warns(pz.SkippedRecordsWarning, match="1 deleted.*1 expansion_error"):
            frame = twitter.from_tweets(payload, on_errors=on_errors)  # type: ignore[arg-type]
        assert len(frame) == 1
        assert frame.attrs["skipped"] == {"deleted": 1, "expansion_error": 1}
    with pytest.raises(InputError, match="on_errors"):
        twitter.from_tweets(payload, on_errors="warn")  # type: ignore[arg-type]


def _broken(mutate: Any) -> dict[str, Any]:
    payload = load(SEARCH)
    mutate(payload)
    return payload


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["data"][1].pop("created_at"), "tweet 1764928269974634498: 'created_at'"),
        (lambda p: p["data"][2].pop("author_id"), "tweet 1764931642195050499: 'author_id'"),
        (lambda p: p["data"][0].update(text=None), "tweet 1764924352494698497: 'text'"),
        (lambda p: p["data"][0].pop("id"), "no string 'id'"),
        (
            lambda p: p["includes"]["users"][0].pop("public_metrics"),
            "tweet 1764924352494698497: author 1402387615 public_metrics.followers_count",
        ),
        (
            lambda p: p["includes"]["users"][1]["public_metrics"].update(followers_count=-3),
            "followers_count is -3",
        ),
        (lambda p: p["includes"]["users"][2].pop("username"), "has no 'username'"),
        (lambda p: p["includes"]["users"][2].update(username="a b"), "whitespace"),
        (lambda p: p["includes"].pop("users"), "not in includes.users"),
        (lambda p: p["includes"].update(users={"id": "1"}), "includes.users must be a list"),
        (lambda p: p["includes"]["users"].append({"name": "x"}), "includes.users has"),
        (lambda p: p.update(data="tweets"), "'data' must be a list"),
        (lambda p: p["data"].append(42), "not a tweet object"),
        (lambda p: p.update(errors="oops"), "'errors' must be a list"),
    ],
)
def test_bad_payloads_name_the_tweet_and_field(mutate: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        twitter.from_tweets(_broken(mutate))


def test_all_problems_are_listed_together() -> None:
    def two_bad(p: dict[str, Any]) -> None:
        p["data"][0].pop("created_at")
        p["data"][4].pop("created_at")

    with pytest.raises(InputError) as info:
        twitter.from_tweets(_broken(two_bad))
    assert "1764924352494698497" in str(info.value) and "1764949082111082501" in str(info.value)


@pytest.mark.parametrize(
    ("created_at", "error"), [("2024-03-05T08:02:11", SchemaError), ("yesterday", SchemaError)]
)
def test_bad_timestamps(created_at: str, error: type[Exception]) -> None:
    payload = _broken(lambda p: p["data"][0].update(created_at=created_at))
    with pytest.raises(error, match="tweet 1764924352494698497"):
        twitter.from_tweets(payload)
    one = {"data": payload["data"][0], "includes": payload["includes"]}
    with pytest.raises(InputError, match="tweet 1764924352494698497: created_at"):
        twitter.from_tweet(one)


def test_bad_documents(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="exactly one"):
        twitter.from_tweet(SEARCH)
    with pytest.raises(InputError, match="no 'data'"):
        twitter.from_tweets(load(SEARCH)["data"][0])  # a bare tweet, not a response
    with pytest.raises(InputError, match="page 1 is a str"):
        twitter.from_tweets([load(SEARCH), "page two"])
    with pytest.raises(InputError, match="expected a parsed JSON object or a path"):
        twitter.from_tweets(42)
    with pytest.raises(InputError, match="cannot read"):
        twitter.from_tweets(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": [', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        twitter.from_tweets(bad)
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"meta": {}}\n{"data": \n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        twitter.from_tweets(lines)


def test_nothing_is_dropped() -> None:
    payload = load(SEARCH)
    for n in range(len(payload["data"]) + 1):
        page = {**payload, "data": payload["data"][:n]}
        assert len(twitter.from_tweets(page)) == n
    assert math.isnan(twitter.from_tweets(payload)["urgency"].iloc[0])
