"""Hostile records raise the library's errors naming the record and field, never a raw one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.adapters import read_queries, twitter, zendesk


def _tweet(created_at: str = "2024-03-05T10:00:00Z", followers: Any = 5) -> dict[str, Any]:
    return {
        "data": [{"id": "7", "text": "hi", "created_at": created_at, "author_id": "9"}],
        "includes": {
            "users": [
                {"id": "9", "username": "ann", "public_metrics": {"followers_count": followers}}
            ]
        },
    }


@pytest.mark.parametrize("year", ["1500", "1677", "2263", "9999", "0001"])
def test_twitter_dates_outside_the_time_axis(year: str) -> None:
    with pytest.raises(SchemaError, match=rf"created_at: .*1 timestamp.*tweet 7 = '{year}-03-05"):
        twitter.from_tweets(_tweet(f"{year}-03-05T10:00:00Z"))


def test_twitter_dates_at_the_edges_of_the_axis() -> None:
    for stamp in ("1677-09-22T00:00:00Z", "2262-04-10T00:00:00Z"):
        frame = twitter.from_tweets(_tweet(stamp))
        assert frame["received_at"].iloc[0] == pd.Timestamp(stamp)


@pytest.mark.parametrize("followers", [2**63, 10**30, -1, 1.5, True, "5"])
def test_twitter_follower_counts_out_of_range(followers: Any) -> None:
    with pytest.raises(InputError, match="tweet 7: author 9 public_metrics.followers_count"):
        twitter.from_tweets(_tweet(followers=followers))
    with pytest.raises(InputError, match="followers_count"):
        twitter.from_tweet(_tweet(followers=followers))


def test_twitter_largest_follower_count() -> None:
    frame = twitter.from_tweets(_tweet(followers=2**63 - 1))
    assert int(frame["followers"].iloc[0]) == 2**63 - 1


@pytest.mark.parametrize("users", [5, "ann", {"id": 1}, True])
def test_zendesk_users_not_a_list(users: Any) -> None:
    with pytest.raises(InputError, match="zendesk payload: 'users' must be a list"):
        zendesk.from_tickets({"tickets": [], "users": users})


def test_zendesk_empty_and_duplicate_columns(tmp_path: Path) -> None:
    empty = tmp_path / "export.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"zendesk csv: .*export.csv: the file is empty"):
        zendesk.from_csv(empty, tz="UTC")
    twice = pd.DataFrame([["1", "1", "2024-01-01T00:00Z", "web", "5"]])
    twice.columns = ["Id", " Id", "Created at", "Via", "Requester id"]  # the same after strip
    with pytest.raises(SchemaError, match=r"several columns are named \['Id'\]"):
        zendesk.from_csv(twice)


def test_read_queries_garbage_and_duplicates(tmp_path: Path) -> None:
    garbage = tmp_path / "q.parquet"
    garbage.write_bytes(b"PAR1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"read_queries: .*q.parquet: cannot read as Parquet"):
        read_queries(garbage)
    frame = pz.synthetic.queries(3, seed=0)
    with pytest.raises(SchemaError, match=r"several columns are named \['followers'\]"):
        read_queries(pd.concat([frame, frame[["followers"]]], axis=1))
    with pytest.raises(SchemaError, match=r"several columns are named \['query_id'\]"):
        read_queries(frame.assign(ticket="x"), {"ticket": "query_id"})
