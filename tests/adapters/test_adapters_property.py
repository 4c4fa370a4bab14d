"""Property (issue 14): any mix of valid and invalid records gives either a frame with one
row per customer message plus an exact skip report, or an error naming the first bad
record; never a partial frame."""

from __future__ import annotations

import copy
import re
import warnings
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError
from prioritize.adapters import twitter, zendesk

# -- Twitter: what each kind of record is, and what the reader must do with it -------------

TWEET_GOOD = ("ok", "ok_v1")
TWEET_SKIPPED = {"retweet": "retweet", "duplicate": "duplicate", "brand": "brand_reply"}
TWEET_BAD = ("bad_time", "naive_time", "no_text", "no_author", "bad_followers", "bad_username")
BRAND = "northwindhelp"


def tweet_record(i: int, kind: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One tweet (v2 shape, or a v1.1 object for ``ok_v1``) and its author (None for v1.1)."""
    tweet_id = f"17649{i:014d}"
    author = f"9{i:09d}"
    username = BRAND if kind == "brand" else f"user_{i}"
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "author_id": author,
        "created_at": f"2024-03-05T08:{i % 60:02d}:11.000Z",
        "text": f"@NorthwindHelp message {i}",
    }
    user: dict[str, Any] = {
        "id": author,
        "username": username,
        "public_metrics": {"followers_count": i * 7},
    }
    if kind == "ok_v1":
        v1 = {
            "id_str": tweet_id,
            "created_at": "Tue Mar 05 08:02:11 +0000 2024",
            "text": tweet["text"],
            "user": {"id_str": author, "screen_name": username, "followers_count": i * 7},
        }
        return v1, None
    if kind == "retweet":
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]
    elif kind == "bad_time":
        tweet["created_at"] = "yesterday at noon"
    elif kind == "naive_time":
        tweet["created_at"] = "2024-03-05 08:02:11"
    elif kind == "no_text":
        tweet["text"] = None
    elif kind == "no_author":
        user = None  # type: ignore[assignment]
    elif kind == "bad_followers":
        user["public_metrics"]["followers_count"] = -1
    elif kind == "bad_username":
        user["username"] = "two words"
    return tweet, user


@st.composite
def tweet_payloads(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """Pages of tweets, the query ids expected, and the skip report expected (or the error)."""
    kinds = draw(
        st.lists(
            st.sampled_from([*TWEET_GOOD, *TWEET_GOOD, *TWEET_SKIPPED, *TWEET_BAD]),
            min_size=0,
            max_size=12,
        )
    )
    cuts = sorted(draw(st.lists(st.integers(0, len(kinds)), max_size=2)))
    records: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    expected: list[str] = []
    skipped: dict[str, int] = {}
    first_bad: str | None = None
    read: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for i, kind in enumerate(kinds):
        if kind == "duplicate":
            if not read:
                kind = "ok"
            else:
                records.append(copy.deepcopy(draw(st.sampled_from(read))))
                skipped["duplicate"] = skipped.get("duplicate", 0) + 1
                continue
        record = tweet_record(i, kind)
        records.append(record)
        tweet_id = record[0].get("id") or record[0]["id_str"]
        if kind in TWEET_GOOD:
            expected.append("tw-" + tweet_id)
            read.append(record)
        elif kind in TWEET_SKIPPED:
            skipped[TWEET_SKIPPED[kind]] = skipped.get(TWEET_SKIPPED[kind], 0) + 1
        elif first_bad is None:
            first_bad = tweet_id
    pages: list[dict[str, Any]] = []
    for start, end in zip([0, *cuts], [*cuts, len(records)], strict=True):
        part = records[start:end]
        v2 = [(t, u) for t, u in part if "user" not in t]
        v1 = [t for t, _ in part if "user" in t]
        users = [u for _, u in v2 if u is not None]
        if v2 or not v1:
            pages.append({"data": [t for t, _ in v2], "includes": {"users": users}})
        pages.extend(v1)  # a v1.1 tweet object is a page of its own
    order = [p.get("data", [p]) for p in pages]
    flat = [t.get("id") or t["id_str"] for page in order for t in page]
    expected_in_order = [("tw-" + i) for i in dict.fromkeys(flat) if "tw-" + i in expected]
    return pages, expected_in_order, {"skipped": skipped, "first_bad": first_bad}


@given(tweet_payloads())
def test_twitter_any_mix_is_a_whole_frame_or_an_error_naming_the_first_bad_tweet(
    case: tuple[list[dict[str, Any]], list[str], dict[str, Any]],
) -> None:
    pages, expected, outcome = case
    # The first bad tweet in reading order (pages may reorder v1.1 objects after a v2 page).
    bad_ids = [
        t.get("id") or t["id_str"]
        for p in pages
        for t in (p.get("data", [p]))
        if outcome["first_bad"] is not None and _is_bad(t, p)
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = twitter.from_tweets(pages, brand={BRAND})
        except InputError as exc:
            assert outcome["first_bad"] is not None, exc
            named = re.findall(r"tweet \d+", str(exc))
            assert named and named[0] == f"tweet {bad_ids[0]}", str(exc)
            return
    assert outcome["first_bad"] is None
    assert list(frame["query_id"]) == expected
    assert frame.attrs["skipped"] == {
        k: outcome["skipped"][k] for k in pz.adapters.SKIP_KINDS if k in outcome["skipped"]
    }
    skips = [w for w in caught if issubclass(w.category, pz.SkippedRecordsWarning)]
    assert len(skips) == (1 if outcome["skipped"] else 0)


def _is_bad(tweet: dict[str, Any], page: dict[str, Any]) -> bool:
    if "user" in tweet:
        return False  # v1.1 records are drawn valid
    if tweet.get("referenced_tweets"):
        return False  # a retweet is skipped before it is checked
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    user = users.get(tweet["author_id"])
    if user is None or user["username"] == BRAND:
        return user is None
    return (
        not tweet["created_at"].endswith("Z")
        or tweet["text"] is None
        or user["public_metrics"]["followers_count"] < 0
        or " " in user["username"]
    )


# -- Zendesk --------------------------------------------------------------------------------

TICKET_GOOD = ("ok", "ok_low")
TICKET_SKIPPED = {"deleted": "deleted", "duplicate": "duplicate"}
TICKET_BAD = ("bad_time", "naive_time", "no_requester", "bad_via", "bad_priority", "not_object")


def ticket_record(i: int, kind: str) -> Any:
    ticket: dict[str, Any] = {
        "id": 35000 + i,
        "requester_id": 900 + i,
        "created_at": f"2024-03-04T17:{i % 60:02d}:08Z",
        "via": {"channel": "email", "source": {"rel": None}},
        "subject": f"order {i}",
        "description": "where is it?",
        "priority": "low" if kind == "ok_low" else "normal",
        "status": "deleted" if kind == "deleted" else "open",
    }
    if kind == "bad_time":
        ticket["created_at"] = "the fourth of March"
    elif kind == "naive_time":
        ticket["created_at"] = "2024-03-04 17:22:08"
    elif kind == "no_requester":
        del ticket["requester_id"]
    elif kind == "bad_via":
        ticket["via"]["channel"] = "pigeon"
    elif kind == "bad_priority":
        ticket["priority"] = "asap"
    elif kind == "not_object":
        return f"ticket {35000 + i}"
    return ticket


@st.composite
def ticket_payloads(draw: st.DrawFn) -> tuple[Any, list[str], dict[str, int], str | None]:
    kinds = draw(
        st.lists(
            st.sampled_from([*TICKET_GOOD, *TICKET_GOOD, *TICKET_SKIPPED, *TICKET_BAD]),
            max_size=12,
        )
    )
    tickets: list[Any] = []
    expected: list[str] = []
    skipped: dict[str, int] = {}
    first_bad: str | None = None
    read: list[Any] = []
    for i, kind in enumerate(kinds):
        if kind == "duplicate" and read:
            tickets.append(copy.deepcopy(draw(st.sampled_from(read))))
            skipped["duplicate"] = skipped.get("duplicate", 0) + 1
            continue
        kind = "ok" if kind == "duplicate" else kind
        ticket = ticket_record(i, kind)
        tickets.append(ticket)
        if kind in TICKET_GOOD:
            expected.append(f"zd-{35000 + i}")
            read.append(ticket)
        elif kind in TICKET_SKIPPED:
            skipped[kind] = skipped.get(kind, 0) + 1
        elif first_bad is None:
            first_bad = f"tickets[{i}]" if kind == "not_object" else f"ticket {35000 + i}"
    shape = draw(st.sampled_from(["page", "pages", "list"]))
    if shape == "page":
        payload: Any = {"tickets": tickets, "users": []}
    elif shape == "pages":
        cut = draw(st.integers(0, len(tickets)))
        payload = [{"tickets": tickets[:cut]}, {"tickets": tickets[cut:]}]
    else:
        payload = tickets
    return payload, expected, skipped, first_bad


@given(ticket_payloads())
def test_zendesk_any_mix_is_a_whole_frame_or_an_error_naming_the_first_bad_ticket(
    case: tuple[Any, list[str], dict[str, int], str | None],
) -> None:
    payload, expected, skipped, first_bad = case
    if isinstance(payload, list) and not payload:
        payload = {"tickets": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = zendesk.from_tickets(payload)
        except InputError as exc:
            assert first_bad is not None, exc
            named = re.findall(r"tickets\[\d+\]|ticket \d+", str(exc))
            assert named and named[0] == first_bad, str(exc)
            return
    assert first_bad is None
    assert list(frame["query_id"]) == expected
    assert frame.attrs["skipped"] == {k: skipped[k] for k in pz.adapters.SKIP_KINDS if k in skipped}
    assert len([w for w in caught if issubclass(w.category, pz.SkippedRecordsWarning)]) == (
        1 if skipped else 0
    )


def test_the_first_bad_record_wins_over_a_later_field_problem() -> None:
    # a bad time (found when times are parsed) comes before a missing field (found per record)
    tickets = [ticket_record(0, "ok"), ticket_record(1, "bad_time"), ticket_record(2, "bad_via")]
    with pytest.raises(InputError, match="ticket 35001"):
        zendesk.from_tickets({"tickets": tickets})
    tweets = [tweet_record(0, "ok"), tweet_record(1, "naive_time"), tweet_record(2, "no_text")]
    page = {"data": [t for t, _ in tweets], "includes": {"users": [u for _, u in tweets]}}
    with pytest.raises(InputError, match="tweet 1764900000000000001"):
        twitter.from_tweets(page)
